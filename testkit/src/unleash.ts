import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { UnleashAdminClient, type EnsureFlagResult } from '@strangler/unleash-admin';
import type { TestUnleash } from './provided.js';

export interface TestFlag {
  /** Unique per call: t.<prefix>.<random>. */
  name: string;
  /** Admin client on the run's Unleash (admin token). */
  admin: UnleashAdminClient;
  unleash: TestUnleash;
  /** What ensuring it did (undefined with `ensure: false`). */
  ensured?: EnsureFlagResult;
  /** Archives and deletes the flag. */
  remove(): Promise<void>;
}

/** A flag name no other test uses, so tests can run side by side on the run's one Unleash. */
export function uniqueFlagName(prefix: string): string {
  return `t.${prefix.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 40)}.${randomBytes(4).toString('hex')}`;
}

/**
 * A flag of its own on the run's private Unleash, for one test: by default already in the launcher's shape
 * (one flexibleRollout strategy at 0% in development, enabled). Usage:
 * `const flag = await createTestFlag('rollout'); …; await flag.remove();`
 */
export async function createTestFlag(prefix: string, options: { ensure?: boolean } = {}): Promise<TestFlag> {
  const unleash = inject('unleash');
  const admin = new UnleashAdminClient({ url: unleash.unleashUrl, token: unleash.adminToken });
  const name = uniqueFlagName(prefix);
  const ensured = options.ensure === false ? undefined : await admin.ensureFlag(name, { description: 'test flag' });
  return { name, admin, unleash, ensured, remove: () => admin.deleteFlag(name) };
}
