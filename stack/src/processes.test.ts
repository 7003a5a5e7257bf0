import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { isAlive, readLogTail, runTask, spawnManaged, stopFromPidFile, TaskFailedError } from './processes.js';

const dir = mkdtempSync(join(tmpdir(), 'stack-processes-'));
const node = process.execPath;

describe('runTask', () => {
  it('streams output lines (newline- or carriage-return-separated) and appends them to the log', async () => {
    const lines: string[] = [];
    const logFile = join(dir, 'lines.log');
    await runTask({
      name: 'lines',
      command: node,
      args: ['-e', "process.stdout.write('one\\ntwo\\rthree'); console.error('four')"],
      logFile,
      onLine: (line) => lines.push(line),
    });
    expect([...lines].sort()).toEqual(['four', 'one', 'three', 'two']);
    expect(readLogTail(logFile)).toMatch(/one\ntwo\nthree\nfour$|one\ntwo\nfour\nthree$/);
  });

  it('rejects with the exit code and the tail of this run\'s log on failure', async () => {
    const logFile = join(dir, 'fails.log');
    writeFileSync(logFile, 'an older run\n');
    const error = (await runTask({ name: 'fails', command: node, args: ['-e', "console.error('cannot connect'); process.exit(3)"], logFile }).catch((e: unknown) => e)) as TaskFailedError;
    expect(error).toBeInstanceOf(TaskFailedError);
    expect(error.exitCode).toBe(3);
    expect(error.logTail).toContain('cannot connect');
    expect(error.logTail).not.toContain('an older run');
  });

  it('stops the child when aborted', async () => {
    const pidFile = join(dir, 'hang.pid');
    const controller = new AbortController();
    const running = runTask({ name: 'hang', command: node, args: ['-e', 'setInterval(() => {}, 1000)'], logFile: join(dir, 'hang.log'), pidFile, signal: controller.signal });
    const { readFileSync } = await import('node:fs');
    // The pid file is written once the child is spawned.
    const pid = await vi.waitFor(
      () => {
        const written = Number(readFileSync(pidFile, 'utf8'));
        expect(written).toBeGreaterThan(0);
        return written;
      },
      { timeout: 20_000, interval: 20 },
    );
    expect(isAlive(pid)).toBe(true);
    controller.abort(new Error('stopping'));
    await expect(running).rejects.toThrow('stopping');
    expect(isAlive(pid)).toBe(false);
  });
});

describe('stopFromPidFile', () => {
  it('stops a leftover process whose command line matches, and leaves an unrelated one alone', async () => {
    const leftover = spawnManaged({ name: 'leftover', command: node, args: ['-e', 'setInterval(() => {}, 1000)', 'legacy/src/server.ts'], logFile: join(dir, 'l.log'), detached: true });
    const unrelated = spawnManaged({ name: 'unrelated', command: node, args: ['-e', 'setInterval(() => {}, 1000)'], logFile: join(dir, 'u.log'), detached: true });
    try {
      writeFileSync(join(dir, 'unrelated.pid'), `${unrelated.pid}\n`);
      expect(await stopFromPidFile(join(dir, 'unrelated.pid'), 1_000, 'legacy/src/server.ts')).toBe(false);
      expect(isAlive(unrelated.pid)).toBe(true);

      writeFileSync(join(dir, 'leftover.pid'), `${leftover.pid}\n`);
      expect(await stopFromPidFile(join(dir, 'leftover.pid'), 1_000, 'legacy/src/server.ts')).toBe(true);
      await leftover.exited;
      expect(isAlive(leftover.pid)).toBe(false);
    } finally {
      process.kill(unrelated.pid, 'SIGKILL');
      await unrelated.exited;
    }
  });
});
