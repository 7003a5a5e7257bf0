import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSupervisionState, writeSupervisionState, type SupervisionState } from '@strangler/stack/supervision-state';
import type { BackendHealth, CliDeps } from '../cli-deps.js';
import type { ContractCheck, ContractGate } from '../contract-gate.js';
import { runCli, type CliIo } from '../program.js';
import { loadSlices } from '@strangler/platform/slices';
import { sliceSpecs } from '../slices.js';

/** The repository's slices on their default ports, users first (the order these tests read their output in). */
const DEFAULT_SLICES = ['users', 'catalog'].map((name) => sliceSpecs(loadSlices()).find((slice) => slice.name === name)!);
import { fakeCdcDeps } from '../testing/fake-cdc.js';
import { FakeFlagAdmin } from '../testing/fake-flag-admin.js';

const VERIFIED: ContractCheck = {
  slice: 'users',
  provider: 'users-api',
  implementation: 'users-service',
  verified: true,
  result: 'passed',
  currentPact: true,
  verifiedAt: '2025-01-01T12:00:00.000Z',
  detail: 'passed 10 interactions at 2025-01-01T12:00:00.000Z',
};
const STALE: ContractCheck = { ...VERIFIED, verified: false, currentPact: false, detail: 'last verified against another version of contracts/pacts/storefront-users-api.json' };

function gate(checks: Record<string, ContractCheck>): ContractGate {
  return { check: (slice) => checks[slice] ?? { slice, verified: false, result: 'none', detail: `${slice} has never been verified` } };
}

const stateDirs = mkdtempSync(join(tmpdir(), 'cli-supervision-'));
afterAll(() => rmSync(stateDirs, { recursive: true, force: true }));
let nextStateDir = 0;

/** A STACK_DIR holding this supervision.json (or none). */
function stackDirWith(state?: SupervisionState): string {
  const dir = join(stateDirs, String((nextStateDir += 1)));
  mkdirSync(dir);
  if (state) writeSupervisionState(dir, state);
  return dir;
}

function harness(options: { admin?: FakeFlagAdmin; checks?: Record<string, ContractCheck>; health?: Record<string, BackendHealth['status']>; stackDir?: string } = {}) {
  const stackDir = options.stackDir ?? stackDirWith();
  const admin = options.admin ?? new FakeFlagAdmin({ 'users.reads': { rollout: 0 }, 'catalog.reads': { rollout: 0 } });
  let out = '';
  let err = '';
  const io: CliIo = { out: { write: (text: string) => (out += text) }, err: { write: (text: string) => (err += text) } };
  const deps = (cliIo: CliIo): CliDeps => ({
    slices: DEFAULT_SLICES,
    flags: DEFAULT_SLICES.map((s) => s.flag),
    admin: () => admin,
    gate: gate(options.checks ?? { users: VERIFIED }),
    probe: async (url) => {
      const status = options.health?.[url] ?? 'up';
      return status === 'up' ? { url, status } : { url, status, detail: 'ECONNREFUSED' };
    },
    supervision: () => readSupervisionState(stackDir),
    warn: (message) => cliIo.err.write(`${message}\n`),
    cdc: () => fakeCdcDeps(),
  });
  return {
    admin,
    run: (...argv: string[]) => runCli(argv, io, { deps }),
    out: () => out,
    err: () => err,
    json: () => JSON.parse(out) as Record<string, unknown>,
  };
}

describe('strangler rollout', () => {
  it('sets the percentage when the new provider is verified for the current pact', async () => {
    const cli = harness();
    expect(await cli.run('rollout', 'users', '25')).toBe(0);
    expect(cli.admin.calls).toEqual(['rollout users.reads 25']);
    expect(cli.out()).toBe('users: users.reads rollout 0% → 25%.\n');
    expect(cli.err()).toBe('');
  });

  it('accepts the flag name instead of the slice, and a trailing %', async () => {
    const cli = harness();
    expect(await cli.run('rollout', 'users.reads', '5%')).toBe(0);
    expect(cli.admin.calls).toEqual(['rollout users.reads 5']);
  });

  it.each([['101'], ['2.5'], ['abc'], ['']])('rejects the percentage %j with exit 2 and changes nothing', async (percent) => {
    const cli = harness();
    expect(await cli.run('rollout', 'users', percent)).toBe(2);
    expect(cli.err()).toContain(`percent must be a whole number from 0 to 100, got "${percent}"`);
    expect(cli.admin.calls).toEqual([]);
  });

  it('refuses to go above 0% without a passing verification of the current pact (exit 2), naming the provider and the fix', async () => {
    const cases: Array<Record<string, ContractCheck>> = [{}, { users: STALE }, { users: { ...VERIFIED, verified: false, result: 'failed', detail: 'verification failed at …' } }];
    for (const checks of cases) {
      const cli = harness({ checks });
      expect(await cli.run('rollout', 'users', '10')).toBe(2);
      expect(cli.err()).toMatch(/^strangler: refusing to send 10% of users to the new service: .*npm run contracts/);
      expect(cli.admin.calls).toEqual([]);
    }
    const cli = harness({ checks: { users: STALE } });
    await cli.run('rollout', 'users', '10');
    expect(cli.err()).toContain('users-api on users-service has no passing verification of the current pact (last verified against another version');
  });

  it('always allows going back to 0%', async () => {
    const cli = harness({ admin: new FakeFlagAdmin({ 'users.reads': { rollout: 30 } }), checks: {} });
    expect(await cli.run('rollout', 'users', '0')).toBe(0);
    expect(cli.admin.calls).toEqual(['rollout users.reads 0']);
  });

  it('--force overrides the gate with a loud warning on stderr', async () => {
    const cli = harness({ checks: {} });
    expect(await cli.run('rollout', 'users', '10', '--force')).toBe(0);
    expect(cli.admin.calls).toEqual(['rollout users.reads 10']);
    expect(cli.err()).toContain('WARNING: --force overrides the contract gate');
    expect(cli.err()).toContain('users has never been verified');
    expect(cli.out()).toContain('(FORCED past the contract gate)');
  });

  it('tells that a disabled flag moves no traffic yet', async () => {
    const cli = harness({ admin: new FakeFlagAdmin({ 'users.reads': { enabled: false } }) });
    expect(await cli.run('rollout', 'users', '10')).toBe(0);
    expect(cli.out()).toContain('the flag is disabled, so no traffic moves yet; `strangler resume users` turns it on');
  });

  it('lists the known slices for an unknown one (exit 2)', async () => {
    const cli = harness();
    expect(await cli.run('rollout', 'orders', '10')).toBe(2);
    expect(cli.err()).toBe('strangler: unknown slice "orders"; known slices: users (users.reads), catalog (catalog.reads)\n');
  });

  it('fails with exit 1 when the flag does not exist', async () => {
    const cli = harness({ admin: new FakeFlagAdmin({}) });
    expect(await cli.run('rollout', 'users', '10')).toBe(1);
    expect(cli.err()).toContain('flag users.reads does not exist in Unleash');
  });
});

describe('strangler kill / resume', () => {
  it('kill switches the environment off first, then sets the rollout to 0', async () => {
    const cli = harness({ admin: new FakeFlagAdmin({ 'users.reads': { rollout: 50 } }) });
    expect(await cli.run('kill', 'users')).toBe(0);
    expect(cli.admin.calls).toEqual(['off users.reads', 'rollout users.reads 0']);
    expect(cli.out()).toBe('users: users.reads killed: disabled and rollout 0%. All users traffic goes to legacy.\n');
  });

  it('resume turns it on and leaves the rollout where it is, with a hint to raise it stepwise', async () => {
    const cli = harness({ admin: new FakeFlagAdmin({ 'users.reads': { enabled: false, rollout: 0 } }) });
    expect(await cli.run('resume', 'users')).toBe(0);
    expect(cli.admin.calls).toEqual(['on users.reads']);
    expect(cli.out()).toContain('users: users.reads enabled again at 0%.\nRaise it stepwise');
  });
});

describe('strangler status', () => {
  it('prints one row per slice: state, rollout, backends, contract', async () => {
    const cli = harness({
      admin: new FakeFlagAdmin({ 'users.reads': { rollout: 25 }, 'catalog.reads': { enabled: false } }),
      checks: { users: VERIFIED, catalog: { ...STALE, slice: 'catalog', provider: 'catalog-api', implementation: 'catalog-service' } },
      health: { 'http://127.0.0.1:3002': 'down' },
    });
    expect(await cli.run('status')).toBe(0);
    const lines = cli.out().split('\n');
    expect(lines[0]).toMatch(/^slice\s+flag\s+state\s+rollout\s+legacy\s+service\s+new provider\s+last contract verification$/);
    expect(lines[2]).toMatch(/^users\s+users\.reads\s+enabled\s+25%\s+up\s+up\s+users-service\s+passed \(current pact\) 2025-01-01 12:00$/);
    expect(lines[3]).toMatch(/^catalog\s+catalog\.reads\s+disabled\s+0%\s+up\s+DOWN \(ECONNREFUSED\)\s+catalog-service\s+passed \(OLD pact\) 2025-01-01 12:00$/);
    expect(cli.out()).toContain('Unleash: http://unleash.test');
    expect(cli.out()).toContain('catalog: flag disabled (killed?)');
  });

  const RUNNING: SupervisionState = {
    version: 1,
    launcherPid: process.pid,
    stack: 'running',
    updatedAt: '2025-01-01T12:00:05.000Z',
    components: [
      { name: 'mariadb', pid: 101, state: 'running', restarts: 0, healthySince: '2025-01-01T11:59:00.000Z', lastExit: null, lastRestartMs: null },
      { name: 'users', pid: 202, state: 'running', restarts: 1, healthySince: '2025-01-01T12:00:02.000Z', lastExit: { code: 'SIGKILL', at: '2025-01-01T12:00:01.000Z' }, lastRestartMs: 1_234 },
      { name: 'catalog', pid: 303, state: 'restarting', restarts: 3, healthySince: '2025-01-01T11:59:00.000Z', lastExit: { code: 1, at: '2025-01-01T12:00:04.000Z' }, lastRestartMs: null },
    ],
  };

  it("shows the launcher's processes with their state, restarts and last recovery from supervision.json", async () => {
    const stackDir = stackDirWith(RUNNING);
    const cli = harness({ stackDir });
    expect(await cli.run('status')).toBe(0);
    const text = cli.out();
    expect(text).toContain(`Stack: launcher pid ${process.pid} (${join(stackDir, 'supervision.json')})\n`);
    expect(text).toMatch(/^component\s+state\s+pid\s+restarts\s+last exit\s+last recovery$/m);
    expect(text).toMatch(/^mariadb\s+running\s+101\s+0\s+-\s+-$/m);
    expect(text).toMatch(/^users\s+running\s+202\s+1\s+SIGKILL at 12:00:01Z\s+1\.2 s$/m);
    expect(text).toMatch(/^catalog\s+restarting\s+303\s+3\s+1 at 12:00:04Z\s+-$/m);

    const json = harness({ stackDir });
    expect(await json.run('status', '--json')).toBe(0);
    expect(json.json()).toMatchObject({
      ok: true,
      stack: { running: true, launcherPid: process.pid, components: [{ name: 'mariadb', restarts: 0 }, { name: 'users', pid: 202, restarts: 1, lastRestartMs: 1_234 }, { name: 'catalog', state: 'restarting' }] },
    });
  });

  it('says the stack is not running when there is no supervision.json, and still shows the slices', async () => {
    const stackDir = stackDirWith();
    const cli = harness({ stackDir });
    expect(await cli.run('status')).toBe(0);
    expect(cli.out()).toMatch(/^users\s+users\.reads\s+enabled/m);
    expect(cli.out()).toContain(`Stack: stack not running (no supervision.json in ${stackDir})\n`);
    const json = harness({ stackDir });
    expect(await json.run('status', '--json')).toBe(0);
    expect(json.json()).toMatchObject({ ok: true, stack: { running: false, detail: `stack not running (no supervision.json in ${stackDir})`, components: [] } });
  });

  it('tells a stopped stack, a launcher that died without saying so, and an unreadable file apart', async () => {
    const stopped = harness({ stackDir: stackDirWith({ ...RUNNING, stack: 'stopped' }) });
    expect(await stopped.run('status')).toBe(0);
    expect(stopped.out()).toContain('Stack: stack not running (stopped at 2025-01-01T12:00:05.000Z)\n');

    const gone = harness({ stackDir: stackDirWith({ ...RUNNING, launcherPid: 2 ** 22 + 12_345 }) });
    expect(await gone.run('status')).toBe(0);
    expect(gone.out()).toMatch(new RegExp(`Stack: stack not running \\(launcher pid ${2 ** 22 + 12_345} is gone; .*supervision\\.json is from 2025-01-01T12:00:05\\.000Z\\)`));

    const garbled = stackDirWith();
    writeFileSync(join(garbled, 'supervision.json'), '{"version": 1, "components": "nope"');
    const unreadable = harness({ stackDir: garbled });
    expect(await unreadable.run('status')).toBe(0);
    expect(unreadable.out()).toContain(`Stack: stack not running (${join(garbled, 'supervision.json')} is not JSON)`);
  });

  it('shows a missing flag as missing', async () => {
    const cli = harness({ admin: new FakeFlagAdmin({ 'users.reads': {} }) });
    expect(await cli.run('status')).toBe(0);
    expect(cli.out()).toMatch(/^catalog\s+catalog\.reads\s+missing\s+-\s/m);
  });
});

describe('--json', () => {
  it('prints exactly one JSON document on success', async () => {
    const cli = harness();
    expect(await cli.run('rollout', 'users', '10', '--json')).toBe(0);
    expect(cli.json()).toMatchObject({ ok: true, slice: 'users', flag: 'users.reads', previous: 0, rollout: 10, enabled: true, forced: false });
  });

  it('status as JSON', async () => {
    const cli = harness();
    expect(await cli.run('status', '--json')).toBe(0);
    const body = cli.json() as { ok: boolean; slices: Array<Record<string, unknown>> };
    expect(body.ok).toBe(true);
    expect(body.slices.map((s) => [s.slice, s.state, s.rollout])).toEqual([
      ['users', 'enabled', 0],
      ['catalog', 'enabled', 0],
    ]);
    expect(body.slices[0]?.contract).toMatchObject({ provider: 'users-api', result: 'passed', currentPact: true });
  });

  it('reports failures as JSON on stdout with the exit code', async () => {
    const refused = harness({ checks: {} });
    expect(await refused.run('rollout', 'users', '10', '--json')).toBe(2);
    expect(refused.json()).toMatchObject({ ok: false, error: { code: 'CONTRACT_NOT_VERIFIED', contract: { slice: 'users', verified: false } } });

    const admin = new FakeFlagAdmin({ 'users.reads': {} });
    admin.unreachable = true;
    const down = harness({ admin });
    expect(await down.run('kill', 'users', '--json')).toBe(1);
    expect(down.json()).toMatchObject({ ok: false, error: { code: 'UNLEASH_UNREACHABLE' } });
    expect((down.json() as { error: { message: string } }).error.message).toContain('npm start');
    expect(down.err()).toBe('');
  });
});

describe('strangler init', () => {
  it('ensures every declared flag, reporting what it did', async () => {
    const cli = harness({ admin: new FakeFlagAdmin({ 'users.reads': { enabled: false, rollout: 30 } }) });
    expect(await cli.run('init')).toBe(0);
    const lines = cli.out().split('\n');
    expect(lines[0]).toMatch(/^flag\s+result\s+rollout$/);
    expect(lines[2]).toMatch(/^users\.reads\s+unchanged\s+30%$/);
    expect(await cli.admin.getFlag('users.reads')).toMatchObject({ enabled: false, rollout: 30 });
    expect(lines[3]).toMatch(/^catalog\.reads\s+created\s+0%$/);
    expect(await cli.admin.getFlag('catalog.reads')).toMatchObject({ enabled: true, rollout: 0 });
  });
});

describe('usage errors', () => {
  it('exit 2 for an unknown command or a missing argument, 0 for --help', async () => {
    expect(await harness().run('launch')).toBe(2);
    expect(await harness().run('rollout', 'users')).toBe(2);
    expect(await harness().run()).toBe(2);
    const help = harness();
    expect(await help.run('--help')).toBe(0);
    expect(help.out()).toContain('rollout [options] <slice> <percent>');
  });
});
