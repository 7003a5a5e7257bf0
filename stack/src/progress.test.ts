import { describe, expect, it } from 'vitest';
import { createDisplay, formatDuration, formatTable, truncateVisible } from './progress.js';

function capture() {
  let text = '';
  return { out: { write: (chunk: string) => (text += chunk) }, text: () => text };
}

describe('progress display', () => {
  it('prints one plain line per change when not on a terminal (no ANSI codes)', () => {
    const c = capture();
    const display = createDisplay(c.out, { tty: false, color: false, nameWidth: 11 });
    display.update({ type: 'starting', name: 'mariadb' });
    display.update({ type: 'ready', name: 'mariadb', ms: 1_400, endpoint: '127.0.0.1:3307' });
    display.update({ type: 'starting', name: 'legacy-seed' });
    display.update({ type: 'progress', name: 'legacy-seed', message: 'users 10/50' });
    display.update({ type: 'progress', name: 'legacy-seed', message: 'users 20/50' }); // throttled
    display.update({ type: 'skipped', name: 'legacy-seed', ms: 3, detail: 'seeded on an earlier start' });
    display.update({ type: 'failed', name: 'legacy', ms: 2_000, reason: 'exited (1) before becoming healthy' });
    display.update({ type: 'stopped', name: 'mariadb', ms: 300 });
    display.close();
    expect(c.text()).toBe(
      [
        '◌ mariadb      starting…',
        '✔ mariadb      ready in 1.4s  127.0.0.1:3307',
        '◌ legacy-seed  starting…',
        '  legacy-seed  users 10/50',
        '↷ legacy-seed  skipped: seeded on an earlier start',
        '✖ legacy       failed after 2.0s: exited (1) before becoming healthy',
        '■ mariadb      stopped in 0.3s',
        '',
      ].join('\n'),
    );
  });

  it('prints a crash with its last log lines, each restart and the recovery', () => {
    const c = capture();
    const display = createDisplay(c.out, { tty: false, color: false, nameWidth: 5 });
    const tail = ['1', '2', '3', '4', '5', 'Error: boom'].join('\n');
    display.update({ type: 'exited', name: 'users', pid: 41, code: 'SIGKILL', logFile: '/x/users.log', logTail: tail, restart: { attempt: 1, inMs: 250 } });
    display.update({ type: 'restarting', name: 'users', attempt: 1 });
    display.update({ type: 'restart-failed', name: 'users', attempt: 1, reason: 'exited (1) before becoming healthy', restart: { attempt: 2, inMs: 1_500 } });
    display.update({ type: 'restarting', name: 'users', attempt: 2 });
    display.update({ type: 'restarted', name: 'users', pid: 43, restarts: 2, ms: 2_345 });
    display.update({ type: 'exited', name: 'users', pid: 43, code: 1, logFile: '/x/users.log', logTail: '' });
    display.close();
    expect(c.text()).toBe(
      [
        '■ users  exited (SIGKILL) — restart 1 in 250 ms',
        '    2',
        '    3',
        '    4',
        '    5',
        '    Error: boom',
        '◌ users  restarting (1)…',
        '✖ users  restart 1 failed: exited (1) before becoming healthy — restart 2 in 1.5s',
        '◌ users  restarting (2)…',
        '✔ users  back after 2.3s (pid 43, restart 2)',
        '■ users  exited (1) — crash loop: giving up',
        '',
      ].join('\n'),
    );
  });

  it('redraws the components in flight in place on a terminal', () => {
    const c = capture();
    const display = createDisplay(c.out, { tty: true, color: false, nameWidth: 7 });
    display.update({ type: 'starting', name: 'mariadb' });
    display.update({ type: 'progress', name: 'mariadb', message: 'initialising' });
    display.update({ type: 'ready', name: 'mariadb', ms: 900 });
    display.close();
    // The live line is replaced (cursor up + clear) by the final one.
    expect(c.text()).toBe('⠋ mariadb  starting… 0.0s\n\u001b[1A\u001b[0J✔ mariadb  ready in 0.9s\n');
  });

  it('formats durations and tables', () => {
    expect(formatDuration(1_449)).toBe('1.4s');
    expect(formatDuration(125_000)).toBe('2m5s');
    expect(formatTable([['component', 'pid'], ['mariadb', '12']], { color: false })).toBe('component  pid\nmariadb    12');
  });
});

describe('truncateVisible', () => {
  it('counts only visible characters and never cuts a colour code in half', () => {
    expect(truncateVisible('abcdef', 10)).toBe('abcdef');
    expect(truncateVisible('abcdef', 4)).toBe('abc\u001b[0m…');
    expect(truncateVisible('\u001b[2mabcdef\u001b[0m', 4)).toBe('\u001b[2mabc\u001b[0m…');
    expect(truncateVisible('\u001b[2mabcd\u001b[0m', 4)).toBe('\u001b[2mabcd\u001b[0m');
  });
});
