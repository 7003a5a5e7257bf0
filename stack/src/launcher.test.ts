import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStackConfig, REPO_ROOT } from './config.js';
import type { StackComponent, StackContext } from './context.js';
import { acquireLauncherLock, checkPorts, checkPrerequisites, declaredSecrets, LauncherBusyError, resetStack, startStack } from './launcher.js';
import { freePort } from '@strangler/testkit/ports';
import { executablePrerequisite } from './prerequisites.js';
import { isAlive, spawnManaged, type ManagedProcess } from './processes.js';
import { readSupervisionState } from './supervision/supervision-state.js';
import { scriptedComponent, STAYS_UP, until } from './testing/scripted-processes.js';

const root = mkdtempSync(join(tmpdir(), 'stack-launcher-'));
const children: ManagedProcess[] = [];
afterAll(() => {
  for (const child of children) if (isAlive(child.pid)) process.kill(child.pid, 'SIGKILL');
});

/** A live process whose command line looks like a launcher's (or not). */
function sleeper(extraArg: string): ManagedProcess {
  const child = spawnManaged({ name: 'sleeper', command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)', extraArg], logFile: join(root, 'sleeper.log') });
  children.push(child);
  return child;
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid as number;
}

describe('launcher lock', () => {
  it('records the launcher pid and releases it', () => {
    const file = join(root, 'lock1', 'launcher.pid');
    const release = acquireLauncherLock(file);
    expect(readFileSync(file, 'utf8').trim()).toBe(String(process.pid));
    release();
    expect(existsSync(file)).toBe(false);
  });

  it('refuses a second launcher while the first is alive', () => {
    const file = join(root, 'lock2', 'launcher.pid');
    mkdirSync(join(root, 'lock2'));
    const first = sleeper('stack/src/cli.ts');
    writeFileSync(file, `${first.pid}\n`);
    expect(() => acquireLauncherLock(file)).toThrow(LauncherBusyError);
    expect(() => acquireLauncherLock(file)).toThrow(`Another launcher (pid ${first.pid}) is already running on ${join(root, 'lock2')}`);
    expect(readFileSync(file, 'utf8').trim()).toBe(String(first.pid));
  });

  it('ignores a stale pid file: a dead pid, or a pid now used by something that is not a launcher', async () => {
    const file = join(root, 'lock3', 'launcher.pid');
    mkdirSync(join(root, 'lock3'));
    writeFileSync(file, `${await deadPid()}\n`);
    acquireLauncherLock(file)();
    writeFileSync(file, `${sleeper('not-the-launcher').pid}\n`);
    const release = acquireLauncherLock(file);
    expect(readFileSync(file, 'utf8').trim()).toBe(String(process.pid));
    release();
  });
});

describe('pre-flight checks', () => {
  it('names a port in use and the variable that moves it', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const message = await checkPorts([{ port, env: 'LEGACY_PORT', component: 'legacy' }]);
      expect(message).toContain(`Port ${port} (legacy) is already in use`);
      expect(message).toContain('LEGACY_PORT=<port> npm start');
    } finally {
      server.close();
    }
    expect(await checkPorts([{ port, env: 'LEGACY_PORT', component: 'legacy' }])).toBeUndefined();
  });

  it('names a port given to two components', async () => {
    const port = await freePort();
    expect(await checkPorts([{ port, env: 'MARIADB_PORT', component: 'mariadb' }, { port, env: 'LEGACY_PORT', component: 'legacy' }])).toBe(
      `Port ${port} is configured for both mariadb (MARIADB_PORT) and legacy (LEGACY_PORT); give each its own port.`,
    );
  });

  it('collects every component\'s missing prerequisites once, plus node', () => {
    const needsDb = executablePrerequisite('mariadbd (MariaDB server)', ['no-such-mariadbd-xyz'], 'apt-get update && apt-get install -y mariadb-server');
    const message = checkPrerequisites([{ name: 'a', prerequisites: [needsDb] }, { name: 'b', prerequisites: [needsDb] }], '18.0.0');
    expect(message?.match(/mariadbd \(MariaDB server\)/g)).toHaveLength(1);
    expect(message).toContain('apt-get update && apt-get install -y mariadb-server');
    expect(message).toContain('node >= 20: found 18.0.0');
  });
});

/** A component running a real (tiny) node process. */
function nodeProcess(name: string, script: string, dependsOn: string[] = [], port?: number): StackComponent {
  return {
    name,
    dependsOn,
    ports: port ? () => [{ port, env: `${name.toUpperCase()}_PORT` }] : undefined,
    start: async ({ stack }) => spawnManaged({ name, command: process.execPath, args: ['-e', script], logFile: join(stack.paths.logsDir, `${name}.log`), detached: true }),
    health: { check: async () => true },
    endpoint: () => `fake://${name}`,
  };
}

const STUBBORN = "process.on('SIGTERM', () => setTimeout(() => process.exit(0), 300)); setInterval(() => {}, 1000)";
/** Stops on SIGTERM only once `file` exists: the test, not a timer, says when stopping may finish. */
const stopsOnceExists = (file: string) =>
  `process.on('SIGTERM', () => setInterval(() => { if (require('node:fs').existsSync(${JSON.stringify(file)})) process.exit(0); }, 10)); setInterval(() => {}, 1000)`;

function io() {
  let out = '';
  let err = '';
  return {
    io: { out: { write: (t: string) => (out += t) }, err: { write: (t: string) => (err += t) }, tty: false },
    out: () => out,
    err: () => err,
  };
}

function pidsIn(table: string): number[] {
  return [...table.matchAll(/^\S+\s+fake:\/\/\S+\s+(\d+)\s/gm)].map((m) => Number(m[1]));
}

describe('startStack (fake components, real processes)', () => {
  const options = (dir: string, components: StackComponent[]) => ({
    components,
    config: loadStackConfig({ STACK_DIR: join(root, dir), STACK_STOP_GRACE_MS: '2000' }),
    baseEnv: {},
    repoRoot: REPO_ROOT,
  });

  it('prints the table, stays up until SIGINT, ignores a second Ctrl-C while stopping, and leaves nothing running', async () => {
    const o = io();
    const signals = new EventEmitter();
    // Both stay in "stopping" until the test has sent its second Ctrl-C; the grace is only a bound for a broken stop.
    const mayStop = join(root, 'run1-may-stop');
    const api: StackComponent = { ...nodeProcess('api', stopsOnceExists(mayStop), ['db']), readyNote: () => 'api: token abcd… (full value in secrets.json)' };
    const components = [nodeProcess('db', stopsOnceExists(mayStop)), api];
    const config = loadStackConfig({ STACK_DIR: join(root, 'run1'), STACK_STOP_GRACE_MS: '60000' });
    const running = startStack({ components, config, baseEnv: {}, repoRoot: REPO_ROOT, io: o.io, signals });
    await until(() => o.out().includes('Press Ctrl-C to stop everything.'));
    expect(o.out()).toMatch(/component\s+endpoint\s+pid\s+restarts\s+log file/);
    expect(o.out()).toMatch(/\n\napi: token abcd… \(full value in secrets\.json\)\n\nStack ready in/);
    const pids = pidsIn(o.out());
    expect(pids).toHaveLength(2);
    expect(readFileSync(join(root, 'run1', 'launcher.pid'), 'utf8').trim()).toBe(String(process.pid));

    signals.emit('SIGINT', 'SIGINT');
    await until(() => o.out().includes('◌ api'));
    signals.emit('SIGINT', 'SIGINT');
    await until(() => o.out().includes('SIGINT again: still stopping, please wait'));
    writeFileSync(mayStop, '');
    expect(await running).toBe(0);
    expect(o.out().indexOf('■ api')).toBeLessThan(o.out().indexOf('■ db'));
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(existsSync(join(root, 'run1', 'launcher.pid'))).toBe(false);
    expect(signals.listenerCount('SIGINT')).toBe(0);
  });

  it('restarts a process that dies: says so with its log tail, records it in supervision.json and stays up', async () => {
    const o = io();
    const signals = new EventEmitter();
    const logFile = (ctx: StackContext) => join(ctx.paths.logsDir, 'api.log');
    const api = scriptedComponent<StackContext>('api', { scripts: [`${STAYS_UP}; console.error('boom: out of memory')`, STAYS_UP], logFile, dependsOn: ['db'] });
    const config = loadStackConfig({ STACK_DIR: join(root, 'run2'), STACK_STOP_GRACE_MS: '2000', STACK_RESTART_DELAY_MS: '20' });
    const running = startStack({ components: [nodeProcess('db', STUBBORN), api], config, baseEnv: {}, repoRoot: REPO_ROOT, io: o.io, signals });
    await until(() => o.out().includes('Press Ctrl-C to stop everything.'));
    children.push(...api.processes);
    expect(o.out()).toMatch(/component\s+endpoint\s+pid\s+restarts\s+log file/);
    const [dbPid, apiPid] = pidsIn(o.out());
    expect(o.out()).toMatch(new RegExp(`^api\\s+fake://api\\s+${apiPid}\\s+0\\s`, 'm'));
    const state = () => {
      const reading = readSupervisionState(join(root, 'run2'));
      if (!reading.found) throw new Error(reading.problem);
      return reading.state;
    };
    await until(() => state().stack === 'running');
    expect(state().components.map((c) => [c.name, c.pid, c.state, c.restarts])).toEqual([
      ['db', dbPid, 'running', 0],
      ['api', apiPid, 'running', 0],
    ]);

    // Its last words are in its log before it is killed (written just after `ready`, which is all the health check waits for).
    await until(() => readFileSync(api.processes[0]?.logFile ?? '', 'utf8').includes('boom: out of memory'));
    process.kill(apiPid as number, 'SIGKILL');
    await until(() => state().components.find((c) => c.name === 'api')?.pid !== apiPid);
    children.push(...api.processes);
    const back = state().components.find((c) => c.name === 'api');
    expect(back).toMatchObject({ pid: api.processes[1]?.pid, state: 'running', restarts: 1, lastExit: { code: 'SIGKILL' } });
    expect(back?.lastRestartMs).toBeGreaterThan(0);
    expect(o.out()).toContain('■ api  exited (SIGKILL) — restart 1 in 20 ms\n    ready\n    boom: out of memory\n');
    await until(() => o.out().includes(`✔ api  back after`));
    expect(o.out()).toMatch(new RegExp(`✔ api  back after \\d+\\.\\ds \\(pid ${back?.pid}, restart 1\\)`));
    const logged = readFileSync(join(root, 'run2', 'logs', 'supervisor.log'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged).toContainEqual(expect.objectContaining({ level: 'warn', component: 'api', pid: apiPid, code: 'SIGKILL', logTail: 'ready\nboom: out of memory', msg: 'component exited unexpectedly; restarting' }));
    expect(logged).toContainEqual(expect.objectContaining({ level: 'info', component: 'api', pid: back?.pid, restarts: 1, msg: 'component healthy again' }));

    signals.emit('SIGTERM', 'SIGTERM');
    expect(await running).toBe(0);
    expect(state()).toMatchObject({ stack: 'stopped', components: [{ name: 'db', state: 'stopped' }, { name: 'api', state: 'stopped', restarts: 1 }] });
    for (const pid of [dbPid as number, ...api.processes.map((p) => p.pid)]) expect(isAlive(pid)).toBe(false);
  });

  it('refuses to start when a port is taken, before starting anything', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const o = io();
    let started = false;
    const db: StackComponent = { ...nodeProcess('db', STUBBORN, [], port), start: async () => void (started = true) };
    try {
      expect(await startStack({ ...options('run3', [db]), io: o.io, signals: new EventEmitter() })).toBe(1);
    } finally {
      server.close();
    }
    expect(o.err()).toContain(`Port ${port} (db) is already in use`);
    expect(o.err()).toContain('DB_PORT=<port> npm start');
    expect(started).toBe(false);
  });

  it('refuses a folder it did not create', async () => {
    mkdirSync(join(root, 'foreign'));
    writeFileSync(join(root, 'foreign', 'precious.txt'), 'keep me');
    const o = io();
    expect(await startStack({ ...options('foreign', [nodeProcess('db', STUBBORN)]), io: o.io, signals: new EventEmitter() })).toBe(1);
    expect(o.err()).toContain('was not created by the launcher');
    const r = io();
    expect(await resetStack({ ...options('foreign', []), io: r.io })).toBe(1);
    expect(readFileSync(join(root, 'foreign', 'precious.txt'), 'utf8')).toBe('keep me');
  });

  it('reset refuses while a launcher runs on the folder, and wipes it otherwise', async () => {
    const o = io();
    const signals = new EventEmitter();
    const running = startStack({ ...options('run4', [nodeProcess('db', STUBBORN)]), io: o.io, signals });
    await until(() => o.out().includes('Press Ctrl-C'));
    // The launcher here is this very process; a second launcher would be another one.
    const other = sleeper('stack/src/cli.ts');
    writeFileSync(join(root, 'run4', 'launcher.pid'), `${other.pid}\n`);
    const r = io();
    expect(await resetStack({ ...options('run4', []), io: r.io })).toBe(1);
    expect(r.err()).toContain(`Another launcher (pid ${other.pid}) is already running`);
    expect(existsSync(join(root, 'run4'))).toBe(true);
    writeFileSync(join(root, 'run4', 'launcher.pid'), `${process.pid}\n`);

    signals.emit('SIGTERM', 'SIGTERM');
    expect(await running).toBe(0);
    const r2 = io();
    expect(await resetStack({ ...options('run4', []), io: r2.io })).toBe(0);
    expect(existsSync(join(root, 'run4'))).toBe(false);
  });
});

describe('declaredSecrets', () => {
  it('lists each key once, the first declaration (and its generator) winning', () => {
    const token = { key: 'unleash.adminToken', generate: () => '*:*.x' };
    const declared = declaredSecrets([
      { name: 'a', secrets: ['jwtSecret', token] },
      { name: 'b', secrets: ['jwtSecret', { key: 'unleash.adminToken', generate: () => 'other' }, 'mariadb.cdc.password'] },
    ]);
    expect(declared).toEqual(['jwtSecret', token, 'mariadb.cdc.password']);
  });
});
