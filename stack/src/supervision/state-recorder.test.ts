import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../orchestrator.js';
import { applyProgressEvent, finalSupervisionState, initialSupervisionState, SupervisionStateFile } from './state-recorder.js';
import { readSupervisionState } from './supervision-state.js';

const dir = mkdtempSync(join(tmpdir(), 'supervision-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const at = (second: number) => new Date(Date.UTC(2025, 0, 1, 12, 0, second));

describe('supervision state', () => {
  it('follows a crash: pid, restarts and the recovery time change only once the new process is healthy', () => {
    const events: Array<[number, ProgressEvent]> = [
      [0, { type: 'starting', name: 'users' }],
      [1, { type: 'ready', name: 'users', ms: 900, pid: 10 }],
      [2, { type: 'done', name: 'seed', ms: 5 }],
      [3, { type: 'exited', name: 'users', pid: 10, code: 'SIGKILL', logFile: '/l', logTail: '', restart: { attempt: 1, inMs: 250 } }],
      [4, { type: 'restarting', name: 'users', attempt: 1 }],
      [5, { type: 'restart-failed', name: 'users', attempt: 1, reason: 'exited (1) before becoming healthy', restart: { attempt: 2, inMs: 500 } }],
      [6, { type: 'restarting', name: 'users', attempt: 2 }],
      [7, { type: 'restarted', name: 'users', pid: 12, restarts: 2, ms: 4_000 }],
    ];
    const snapshots = [];
    let state = initialSupervisionState(99, at(0));
    for (const [second, event] of events) {
      state = applyProgressEvent(state, event, at(second));
      const users = state.components.find((c) => c.name === 'users');
      snapshots.push(users && [users.pid, users.state, users.restarts, users.lastRestartMs]);
    }
    expect(snapshots).toEqual([
      undefined,
      [10, 'running', 0, null],
      [10, 'running', 0, null],
      [10, 'restarting', 0, null],
      [10, 'restarting', 0, null],
      [10, 'restarting', 1, null],
      [10, 'restarting', 1, null],
      [12, 'running', 2, 4_000],
    ]);
    // Setup steps have no process: never listed.
    expect(state.components.map((c) => c.name)).toEqual(['users']);
    expect(state.components[0]).toMatchObject({ lastExit: { code: 'SIGKILL', at: at(3).toISOString() }, healthySince: at(7).toISOString() });
  });

  it('marks a crash loop failed, and everything else stopped when the launcher ends', () => {
    let state = initialSupervisionState(99, at(0));
    state = applyProgressEvent(state, { type: 'ready', name: 'db', ms: 1, pid: 1 }, at(1));
    state = applyProgressEvent(state, { type: 'ready', name: 'api', ms: 1, pid: 2 }, at(1));
    state = applyProgressEvent(state, { type: 'restart-failed', name: 'api', attempt: 5, reason: 'exited (1) before becoming healthy' }, at(2));
    state = applyProgressEvent(state, { type: 'failed', name: 'api', reason: 'crash-looped' }, at(2));
    expect(finalSupervisionState(state, at(3))).toMatchObject({ stack: 'stopped', components: [{ name: 'db', state: 'stopped' }, { name: 'api', state: 'failed', restarts: 5 }] });
  });

  it('rewrites the file on every change, atomically (no temporary file is left), and reads it back', () => {
    const file = new SupervisionStateFile(dir, (error) => {
      throw error;
    }, 1234, () => at(0));
    file.update({ type: 'ready', name: 'db', ms: 1, pid: 77 });
    file.stack('running');
    expect(readdirSync(dir)).toEqual(['supervision.json']);
    const reading = readSupervisionState(dir);
    expect(reading).toMatchObject({ found: true, state: { launcherPid: 1234, stack: 'running', components: [{ name: 'db', pid: 77, state: 'running' }] } });
    file.close();
    expect(readSupervisionState(dir)).toMatchObject({ found: true, launcherAlive: false, state: { stack: 'stopped', components: [{ name: 'db', state: 'stopped' }] } });
  });

  it('says once, and carries on, when the file cannot be written', () => {
    const problems: unknown[] = [];
    const file = new SupervisionStateFile(join(dir, 'no', 'such', 'dir'), (error) => problems.push(error));
    file.update({ type: 'ready', name: 'db', ms: 1, pid: 77 });
    file.close();
    expect(problems).toHaveLength(1);
  });
});
