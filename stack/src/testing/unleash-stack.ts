import { ADMIN_TOKEN_SECRET_KEY, CLIENT_TOKEN_SECRET_KEY } from '../secret-keys.js';
import { postgresComponent } from '../components/postgres-server.js';
import { unleashServer, unleashUrl } from '../components/unleash.js';
import { secret, type StackContext } from '../context.js';
import type { ProgressEvent, StartedComponent } from '../orchestrator.js';
import { freePort } from '@strangler/testkit/ports';
import { startComponents } from './component-harness.js';

export interface RunningUnleash {
  ctx: StackContext;
  unleashUrl: string;
  adminToken: string;
  clientToken: string;
  /** What the components reported (progress lines included), in order. */
  events: ProgressEvent[];
  started: StartedComponent[];
  /** From the first component starting to the last one ready. */
  ms: number;
  stop(): Promise<void>;
}

export interface UnleashStackOptions {
  /** STACK_DIR of this instance (postgres data, secrets, logs); the postgres OS user must be able to reach it. */
  home: string;
  postgresPort?: number;
  unleashPort?: number;
  /** SLICES_DIR, whose manifests' flags are ensured (default: the repository's slices/). */
  slicesDir?: string;
}

/**
 * The launcher's own `postgres` (fsync off) and `unleash` components, brought up by the launcher's orchestrator on a
 * throw-away folder and free ports: the test run's Unleash is the real one, started by the same code as `npm start`.
 * Starting again on the same `home` and ports is a restart (same data, same secrets).
 */
export async function startUnleashStack(options: UnleashStackOptions): Promise<RunningUnleash> {
  const { ctx, events, started, ms, stop } = await startComponents([postgresComponent({ fast: true }), unleashServer], {
    STACK_DIR: options.home,
    POSTGRES_PORT: String(options.postgresPort ?? (await freePort())),
    UNLEASH_PORT: String(options.unleashPort ?? (await freePort())),
    ...(options.slicesDir ? { SLICES_DIR: options.slicesDir } : {}),
  });
  return {
    ctx,
    unleashUrl: unleashUrl(ctx),
    adminToken: secret(ctx, ADMIN_TOKEN_SECRET_KEY),
    clientToken: secret(ctx, CLIENT_TOKEN_SECRET_KEY),
    events,
    started,
    ms,
    stop,
  };
}
