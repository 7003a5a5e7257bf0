import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStackConfig, REPO_ROOT } from '../config.js';
import type { StackContext } from '../context.js';
import { startStack } from '../launcher.js';
import { isAlive } from '../processes.js';
import { DIES_AT_ONCE, scriptedComponent, STAYS_UP, until } from '../testing/scripted-processes.js';
import { readSupervisionState } from './supervision-state.js';

const root = mkdtempSync(join(tmpdir(), 'stack-crash-loop-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const logFile = (name: string) => (ctx: StackContext) => join(ctx.paths.logsDir, `${name}.log`);

describe('a crash-looping component (issue 11 acceptance)', () => {
  it('stops the whole stack with a clear reason, exits 1 and leaves no process behind', async () => {
    let out = '';
    const io = { out: { write: (text: string) => (out += text) }, err: { write: (text: string) => (out += text) }, tty: false };
    const db = scriptedComponent<StackContext>('db', { scripts: [STAYS_UP], logFile: logFile('db') });
    // Healthy on its first start; every restart dies before it is healthy again.
    const api = scriptedComponent<StackContext>('users-service', { scripts: [STAYS_UP, DIES_AT_ONCE], logFile: logFile('users-service'), dependsOn: ['db'] });
    const web = scriptedComponent<StackContext>('web', { scripts: [STAYS_UP], logFile: logFile('web'), dependsOn: ['users-service'] });
    const stackDir = join(root, 'stack');
    const config = loadStackConfig({
      STACK_DIR: stackDir,
      STACK_STOP_GRACE_MS: '2000',
      STACK_RESTART_LIMIT_BURST: '2',
      STACK_RESTART_LIMIT_WINDOW_MS: '60000',
      STACK_RESTART_DELAY_MS: '20',
    });
    const exitCode = startStack({ components: [db, api, web], config, baseEnv: {}, repoRoot: REPO_ROOT, io, signals: new EventEmitter() });
    await until(() => out.includes('Press Ctrl-C to stop everything.'), 'the stack to be ready');

    process.kill(api.processes[0]?.pid as number, 'SIGKILL');
    expect(await exitCode).toBe(1);

    // Each step printed as it happened…
    expect(out).toContain('■ users-service  exited (SIGKILL) — restart 1 in 20 ms');
    expect(out).toContain('✖ users-service  restart 1 failed: exited (1) before becoming healthy — restart 2 in 40 ms');
    expect(out).toContain('✖ users-service  restart 2 failed: exited (1) before becoming healthy — crash loop: giving up');
    // …then why the stack stops: the component, its failures and restarts in the window, its last words.
    expect(out).toContain(
      '\nusers-service crash-looped: 3 failures within 60 s after 2 restarts (limit: 2 restarts per 60 s); last: exited (1) before becoming healthy\n' +
        `Last lines of ${join(stackDir, 'logs', 'users-service.log')}:\n    boom: cannot read the config\n`,
    );
    expect(out).toContain('STACK_RESTART_LIMIT_BURST');
    expect(out).toMatch(/Stopping everything else…\n[\s\S]*■ web\s+stopped in [\s\S]*■ db\s+stopped in [\s\S]*Stopped\.\n$/);

    const everyProcess = [db, api, web].flatMap((c) => c.processes);
    expect(api.processes).toHaveLength(3);
    for (const child of everyProcess) expect(isAlive(child.pid), `${child.name} pid ${child.pid}`).toBe(false);
    const state = readSupervisionState(stackDir);
    expect(state).toMatchObject({
      found: true,
      launcherAlive: false,
      state: { stack: 'stopped', components: [{ name: 'db', state: 'stopped' }, { name: 'users-service', state: 'failed', restarts: 2 }, { name: 'web', state: 'stopped' }] },
    });
  });
});
