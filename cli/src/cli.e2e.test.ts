import { createServer } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoSliceManifest, testSliceManifest, writeSliceManifests } from '@strangler/testkit/slices';
import { createTestFlag, uniqueFlagName, type TestFlag } from '@strangler/testkit/unleash';
import { UnleashAdminClient } from '@strangler/unleash-admin';
import { runStrangler, type StranglerRun } from './testing/run-strangler.js';
import { sha256 } from '@strangler/contracts/pact-file';
import { verificationRecordSchema, type VerificationRecord } from '@strangler/contracts/results';
import { REPO_ROOT } from './config.js';

/**
 * The real `strangler` command (cli/src/main.ts in a child process, as `npm run strangler` runs it) against the test
 * run's real Unleash. Its slices point at flags of this file's own, so nothing else is touched.
 */
let dir: string;
let resultsDir: string;
let users: TestFlag;
let catalog: TestFlag;
let baseEnv: NodeJS.ProcessEnv;
let closed: string;
const pactFile = join(REPO_ROOT, 'contracts', 'pacts', 'storefront-users-api.json');

/** A loopback URL nothing listens on. */
function closedPortUrl(): Promise<string> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(`http://127.0.0.1:${port}`));
    });
  });
}

function strangler(args: string[], env: NodeJS.ProcessEnv = {}): Promise<StranglerRun> {
  return runStrangler(args, { ...baseEnv, ...env });
}

/** A verification record as `npm run contracts` writes it (contracts/src/results.ts), hashing the pact the same way. */
function writeRecord(record: { passed: boolean; pactContent?: Buffer | string }): void {
  const value: VerificationRecord = verificationRecordSchema.parse({
    provider: 'users-api',
    implementation: 'users-service',
    consumer: 'storefront',
    pactFile: 'contracts/pacts/storefront-users-api.json',
    pactSha256: sha256(record.pactContent ?? readFileSync(pactFile)),
    interactions: 10,
    passed: record.passed,
    verifiedAt: new Date().toISOString(),
  });
  writeFileSync(join(resultsDir, 'users-api--users-service.json'), `${JSON.stringify(value, null, 2)}\n`);
}

interface RawEnvironment {
  enabled: boolean;
  strategies: Array<{ name: string; parameters: Record<string, string> }>;
}

async function environmentOf(flag: TestFlag): Promise<RawEnvironment> {
  const response = await fetch(`${flag.unleash.unleashUrl}/api/admin/projects/default/features/${flag.name}/environments/development`, {
    headers: { authorization: flag.unleash.adminToken },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as RawEnvironment;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'strangler-cli-e2e-'));
  resultsDir = join(dir, 'results');
  mkdirSync(resultsDir);
  closed = await closedPortUrl();
  [users, catalog] = await Promise.all([createTestFlag('cli-users'), createTestFlag('cli-catalog')]);
  const slicesDir = writeSliceManifests(
    join(dir, 'slices'),
    [repoSliceManifest('users'), repoSliceManifest('catalog')].map((slice) => ({
      ...slice,
      urls: { legacy: closed, service: closed },
      flags: { reads: slice.name === 'users' ? users.name : catalog.name },
    })),
  );
  baseEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    UNLEASH_URL: users.unleash.unleashUrl,
    UNLEASH_ADMIN_TOKEN: users.unleash.adminToken,
    CONTRACTS_RESULTS_DIR: resultsDir,
    SLICES_DIR: slicesDir,
    STACK_DIR: join(dir, 'no-stack'),
    STRANGLER_HEALTH_TIMEOUT_MS: '500',
  };
});

afterAll(async () => {
  await Promise.all([users?.remove(), catalog?.remove()]);
  rmSync(dir, { recursive: true, force: true });
});

// Each test starts `node --import tsx` processes: on a loaded 2-core machine one takes 10-20 s to start, so the
// 30 s default test timeout is too tight (the processes' own limits still bound each run).
describe('strangler (real CLI, real Unleash)', { timeout: 180_000 }, () => {
  it('the rollout gate refuses without a passing record of the current pact, and passes with one', async () => {
    const none = await strangler(['rollout', 'users', '10']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('refusing to send 10% of users to the new service: users-api on users-service has no passing verification of the current pact');
    expect(none.stderr).toContain('npm run contracts');
    expect((await environmentOf(users)).strategies[0]?.parameters.rollout).toBe('0');

    writeRecord({ passed: false });
    const failed = await strangler(['rollout', 'users', '10']);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('verification failed at');

    writeRecord({ passed: true, pactContent: 'another version of the pact' });
    const stale = await strangler(['rollout', 'users', '10']);
    expect(stale.code).toBe(2);
    expect(stale.stderr).toContain('last verified against another version of contracts/pacts/storefront-users-api.json');
    expect((await environmentOf(users)).strategies[0]?.parameters.rollout).toBe('0');

    writeRecord({ passed: true });
    const passed = await strangler(['rollout', 'users', '10']);
    expect(passed.stderr).toBe('');
    expect(passed.code).toBe(0);
    expect(passed.stdout).toBe(`users: ${users.name} rollout 0% → 10%.\n`);
    const env = await environmentOf(users);
    expect(env.strategies).toHaveLength(1);
    expect(env.strategies[0]).toMatchObject({ name: 'flexibleRollout', parameters: { rollout: '10', stickiness: 'userId', groupId: users.name } });
  });

  it('--force passes the gate with a warning on stderr', async () => {
    const forced = await strangler(['rollout', 'catalog', '20', '--force', '--json']);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain('WARNING: --force overrides the contract gate');
    expect(JSON.parse(forced.stdout)).toMatchObject({ ok: true, slice: 'catalog', flag: catalog.name, previous: 0, rollout: 20, forced: true });
    expect((await environmentOf(catalog)).strategies[0]?.parameters.rollout).toBe('20');
  });

  it('kill: disabled and 0 at once; resume: enabled again at 0 with a hint', async () => {
    const kill = await strangler(['kill', 'users']);
    expect(kill.code).toBe(0);
    expect(kill.stdout).toContain('killed: disabled and rollout 0%');
    let env = await environmentOf(users);
    expect(env.enabled).toBe(false);
    expect(env.strategies.map((s) => s.parameters)).toEqual([{ rollout: '0', stickiness: 'userId', groupId: users.name }]);

    const status = await strangler(['status', '--json']);
    expect(status.code).toBe(0);
    const body = JSON.parse(status.stdout) as { slices: Array<{ slice: string; state: string; rollout: number; legacy: { status: string }; contract: { result: string; currentPact: boolean } }> };
    // The slice manifests in name order.
    expect(body.slices.map((s) => [s.slice, s.state, s.rollout])).toEqual([
      ['catalog', 'enabled', 20],
      ['users', 'disabled', 0],
    ]);
    expect(body.slices.find((s) => s.slice === 'users')).toMatchObject({ legacy: { status: 'down', detail: 'ECONNREFUSED' }, contract: { result: 'passed', currentPact: true } });

    const resume = await strangler(['resume', 'users']);
    expect(resume.code).toBe(0);
    expect(resume.stdout).toContain(`users: ${users.name} enabled again at 0%.\nRaise it stepwise`);
    env = await environmentOf(users);
    expect(env.enabled).toBe(true);
    expect(env.strategies[0]?.parameters.rollout).toBe('0');

    const table = await strangler(['status']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`^users\\s+${users.name.replaceAll('.', '\\.')}\\s+enabled\\s+0%\\s+DOWN`, 'm'));
  });

  it('unreachable Unleash: a clear error naming the URL and `npm start`, exit 1', async () => {
    const run = await strangler(['status'], { UNLEASH_URL: closed });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`strangler: Unleash is not reachable at ${closed} (ECONNREFUSED). Is the stack running? Start it with \`npm start\`, or set UNLEASH_URL.\n`);
    const json = await strangler(['kill', 'users', '--json'], { UNLEASH_URL: closed });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'UNLEASH_UNREACHABLE' } });
  });

  it('init creates a declared flag that is missing, in the launcher\'s shape, and is idempotent', async () => {
    const flag = uniqueFlagName('cli-init');
    const slicesDir = writeSliceManifests(join(dir, 'slices-init'), [testSliceManifest({ name: 'orders', flag, legacy: closed, service: closed })]);
    const admin = new UnleashAdminClient({ url: users.unleash.unleashUrl, token: users.unleash.adminToken });
    try {
      const first = await strangler(['init', '--json'], { SLICES_DIR: slicesDir });
      expect(first.code).toBe(0);
      const created = (JSON.parse(first.stdout) as { flags: Array<{ flag: string; created: boolean; changes: string[] }> }).flags.find((f) => f.flag === flag);
      expect(created).toMatchObject({ created: true });
      const raw = await fetch(`${users.unleash.unleashUrl}/api/admin/projects/default/features/${flag}/environments/development`, { headers: { authorization: users.unleash.adminToken } });
      expect(await raw.json()).toMatchObject({ enabled: true, strategies: [{ name: 'flexibleRollout', parameters: { rollout: '0', stickiness: 'userId', groupId: flag } }] });
      const again = await strangler(['init'], { SLICES_DIR: slicesDir });
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(new RegExp(`^${flag.replaceAll('.', '\\.')}\\s+unchanged\\s+0%$`, 'm'));
    } finally {
      await admin.deleteFlag(flag);
    }
  });

  it('usage errors and a missing token exit 2', async () => {
    const unknown = await strangler(['rollout', 'orders', '5']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown slice "orders"; known slices: catalog (');
    expect(unknown.stderr).toContain(`users (${users.name})`);
    const percent = await strangler(['rollout', 'users', '150']);
    expect(percent.code).toBe(2);
    const noToken = await strangler(['status'], { UNLEASH_ADMIN_TOKEN: '' });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('no Unleash admin token');
    const rejected = await strangler(['status'], { UNLEASH_ADMIN_TOKEN: users.unleash.clientToken });
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toContain('rejected the admin token (HTTP 403)');
  });
});
