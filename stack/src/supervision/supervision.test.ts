import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ComponentFailedError, Orchestrator, type ProgressEvent } from '../orchestrator.js';
import { isAlive, type ManagedProcess } from '../processes.js';
import { alivePids, DIES_AT_ONCE, NEVER_READY, scriptedComponent, STAYS_UP, until, type ScriptedComponent } from '../testing/scripted-processes.js';
import type { RestartPolicy } from './restart-policy.js';

interface Ctx {
  dir: string;
}

const root = mkdtempSync(join(tmpdir(), 'stack-supervision-'));
const everyProcess: ManagedProcess[] = [];
afterEach(() => {
  // Whatever a failed assertion left behind.
  for (const pid of alivePids(everyProcess)) process.kill(pid, 'SIGKILL');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const FAST: RestartPolicy = { burst: 3, windowMs: 60_000, initialDelayMs: 20, maxDelayMs: 100, resetAfterMs: 60_000 };

function setup(components: ScriptedComponent<Ctx>[], restart: RestartPolicy = FAST) {
  const events: ProgressEvent[] = [];
  const ctx: Ctx = { dir: mkdtempSync(join(root, 'run-')) };
  const orchestrator = new Orchestrator<Ctx>(components, ctx, { update: (event) => events.push(event) }, { healthTimeoutMs: 10_000, stopGraceMs: 2_000, restart });
  const processes = () => components.flatMap((c) => c.processes);
  return {
    orchestrator,
    events,
    of: (type: ProgressEvent['type'], name: string) => events.filter((e) => e.type === type && e.name === name),
    started: async () => {
      const started = await orchestrator.start();
      everyProcess.push(...processes());
      return started;
    },
    processes: () => {
      everyProcess.push(...processes());
      return processes();
    },
  };
}

const component = (name: string, scripts: string[], options: { dependsOn?: string[]; restartHealthTimeoutMs?: number } = {}) =>
  scriptedComponent<Ctx>(name, { scripts, logFile: (ctx) => join(ctx.dir, `${name}.log`), ...options });

describe('supervision (real child processes)', () => {
  it('restarts a process killed with SIGKILL after it was ready: new pid, restarts = 1, dependants untouched', async () => {
    const db = component('db', [STAYS_UP]);
    const api = component('api', [STAYS_UP], { dependsOn: ['db'] });
    const s = setup([db, api]);
    await s.started();
    const first = db.processes[0] as ManagedProcess;
    const apiPid = api.processes[0]?.pid;

    process.kill(first.pid, 'SIGKILL');
    await until(() => s.of('restarted', 'db').length === 1, 'db back');

    const now = s.orchestrator.processOf('db') as ManagedProcess;
    expect(now.pid).not.toBe(first.pid);
    expect(isAlive(now.pid)).toBe(true);
    expect(isAlive(first.pid)).toBe(false);
    expect(s.orchestrator.restartsOf('db')).toBe(1);
    expect(s.of('exited', 'db')).toEqual([expect.objectContaining({ pid: first.pid, code: 'SIGKILL', restart: { attempt: 1, inMs: 20 } })]);
    expect(s.of('restarted', 'db')).toEqual([expect.objectContaining({ pid: now.pid, restarts: 1 })]);
    // The dependant kept its one process.
    expect(api.processes.map((p) => p.pid)).toEqual([apiPid]);
    expect(s.orchestrator.restartsOf('api')).toBe(0);

    await s.orchestrator.stop();
    expect(alivePids(s.processes())).toEqual([]);
    // Still the dependency order: the dependant first, then the restarted dependency.
    expect(s.events.filter((e) => e.type === 'stopping').map((e) => e.name)).toEqual(['api', 'db']);
  });

  it('gives up on a component whose restarts die at once, naming it, the restarts and the window', async () => {
    const db = component('db', [STAYS_UP]);
    const api = component('api', [STAYS_UP, DIES_AT_ONCE], { dependsOn: ['db'] });
    const s = setup([db, api]);
    await s.started();
    process.kill(api.processes[0]?.pid as number, 'SIGKILL');

    const failure = await s.orchestrator.crashLoop;
    expect(failure).toBeInstanceOf(ComponentFailedError);
    expect(failure.component).toBe('api');
    expect(failure.reason).toBe('crash-looped: 4 failures within 60 s after 3 restarts (limit: 3 restarts per 60 s); last: exited (1) before becoming healthy');
    expect(failure.logTail).toContain('boom: cannot read the config');
    expect(s.of('restart-failed', 'api').map((e) => (e.type === 'restart-failed' ? (e.restart?.attempt ?? 'give up') : e.type))).toEqual([2, 3, 'give up']);
    expect(s.of('failed', 'api')).toHaveLength(1);
    expect(api.processes).toHaveLength(4);

    await s.orchestrator.stop();
    expect(alivePids(s.processes())).toEqual([]);
  });

  it('stops a restart that never gets healthy before trying again, and counts it as a failure', async () => {
    const api = component('api', [STAYS_UP, NEVER_READY], { restartHealthTimeoutMs: 300 });
    const s = setup([api], { ...FAST, burst: 2 });
    await s.started();
    process.kill(api.processes[0]?.pid as number, 'SIGKILL');

    const failure = await s.orchestrator.crashLoop;
    expect(failure.reason).toMatch(/^crash-looped: 3 failures within 60 s after 2 restarts .*; last: not healthy after 300 ms$/);
    // Each unhealthy restart was stopped before the next began: at most one process at a time.
    expect(api.processes).toHaveLength(3);
    for (const unhealthy of api.processes.slice(1)) expect(await unhealthy.exited).toBe('SIGTERM');
    await s.orchestrator.stop();
    expect(alivePids(s.processes())).toEqual([]);
  });

  it('stop() during the back-off ends it at once and leaves nothing running', async () => {
    const db = component('db', [STAYS_UP]);
    const api = component('api', [STAYS_UP], { dependsOn: ['db'] });
    // A back-off far longer than the test may run: only an interrupted wait lets stop() finish.
    const s = setup([db, api], { ...FAST, initialDelayMs: 600_000, maxDelayMs: 600_000 });
    await s.started();
    process.kill(api.processes[0]?.pid as number, 'SIGKILL');
    await until(() => s.of('exited', 'api').length === 1, 'api exit seen');

    await s.orchestrator.stop();
    expect(s.events.some((e) => e.type === 'restarting')).toBe(false);
    expect(api.processes).toHaveLength(1);
    expect(alivePids(s.processes())).toEqual([]);
  });

  it('stop() during a restart stops the process being restarted too', async () => {
    const api = component('api', [STAYS_UP, NEVER_READY]);
    const s = setup([api]);
    await s.started();
    process.kill(api.processes[0]?.pid as number, 'SIGKILL');
    await until(() => api.processes.length === 2, 'restart spawned');

    await s.orchestrator.stop();
    expect(s.of('interrupted', 'api')).toHaveLength(1);
    expect(s.of('stopped', 'api')).toHaveLength(1);
    expect(alivePids(s.processes())).toEqual([]);
  });

  it('still fails the start when a process dies during its very first start (no restart)', async () => {
    const api = component('api', [DIES_AT_ONCE]);
    const s = setup([api]);
    const error = (await s.orchestrator.start().catch((e: unknown) => e)) as ComponentFailedError;
    expect(error).toBeInstanceOf(ComponentFailedError);
    expect(error.reason).toBe('exited (1) before becoming healthy');
    expect(api.processes).toHaveLength(1);
    expect(s.events.some((e) => e.type === 'restarting')).toBe(false);
  });
});
