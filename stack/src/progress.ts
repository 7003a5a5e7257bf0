import type { ProgressEvent, Reporter } from './orchestrator.js';
import type { PlannedRestart } from './supervision/supervisor.js';

export interface Output {
  write(text: string): unknown;
  columns?: number;
}

export interface Display extends Reporter {
  /** Prints lines above the live status lines. */
  print(text: string): void;
  /** Stops redrawing (the live lines are left as they are). */
  close(): void;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const PLAIN_PROGRESS_EVERY_MS = 2_000;

const ansi = (code: string) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;
const palette = { green: ansi('32'), red: ansi('31'), yellow: ansi('33'), cyan: ansi('36'), dim: ansi('2'), bold: ansi('1') };
type Paint = keyof typeof palette;

export function formatDuration(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

/** A back-off: short ones in milliseconds, as configured. */
function formatDelay(ms: number): string {
  return ms < 1_000 ? `${ms} ms` : formatDuration(ms);
}

/** Lines of a crashed process's log shown under its exit; the whole tail is in the supervisor's log. */
const EXIT_TAIL_LINES = 5;

const ESC = String.fromCharCode(27);
/** An SGR (colour) escape sequence; sticky, to match at a position. */
const ANSI_SEQUENCE = new RegExp(`${ESC}\\[[0-9;]*m`, 'y');
const ANSI_SEQUENCES = new RegExp(`${ESC}\\[[0-9;]*m`, 'g');

/** Cuts a line to `width` visible characters, keeping colour codes intact (and resetting them when cut). */
export function truncateVisible(line: string, width: number): string {
  if ([...line.replace(ANSI_SEQUENCES, '')].length <= width) return line;
  let visible = 0;
  let result = '';
  for (let i = 0; i < line.length; ) {
    ANSI_SEQUENCE.lastIndex = i;
    const escape = ANSI_SEQUENCE.exec(line);
    if (escape) {
      result += escape[0];
      i += escape[0].length;
      continue;
    }
    const char = String.fromCodePoint(line.codePointAt(i) ?? 0);
    if (visible === width - 1) return `${result}\u001b[0m…`;
    result += char;
    visible += 1;
    i += char.length;
  }
  return result;
}

interface Live {
  verb: string;
  since: number;
  message?: string;
}

/**
 * One line per component as it goes. On a terminal the components in flight get a spinner line that is
 * redrawn in place; elsewhere (a pipe, CI, a test) every change is a plain line and progress is throttled.
 */
export function createDisplay(out: Output, options: { tty: boolean; color: boolean; nameWidth: number }): Display {
  const paint = (color: Paint, text: string) => (options.color ? palette[color](text) : text);
  const pad = (name: string) => name.padEnd(options.nameWidth);
  const live = new Map<string, Live>();
  const lastPlainProgress = new Map<string, number>();
  let drawn = 0;
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;

  // A wrapped line would break the cursor arithmetic of the redraw.
  const fit = (line: string) => truncateVisible(line, (out.columns || 120) - 1);

  const redraw = (permanent: string[] = []) => {
    let text = drawn > 0 ? `\u001b[${drawn}A\u001b[0J` : '';
    for (const line of permanent) text += `${line}\n`;
    const spin = SPINNER[frame % SPINNER.length] ?? '*';
    const lines = [...live].map(([name, state]) => {
      const elapsed = paint('dim', formatDuration(Date.now() - state.since));
      const message = state.message ? `  ${paint('dim', state.message)}` : '';
      return fit(`${paint('cyan', spin)} ${pad(name)}  ${state.verb}… ${elapsed}${message}`);
    });
    for (const line of lines) text += `${line}\n`;
    drawn = lines.length;
    out.write(text);
    if (live.size > 0 && !timer) {
      timer = setInterval(() => {
        frame += 1;
        redraw();
      }, 80);
      timer.unref();
    } else if (live.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  const print = (lines: string[]) => {
    if (options.tty) redraw(lines);
    else out.write(lines.map((line) => `${line}\n`).join(''));
  };

  const finish = (name: string, symbol: string, text: string) => {
    live.delete(name);
    print([`${symbol} ${pad(name)}  ${text}`]);
  };

  const next = (restart: PlannedRestart | undefined) => (restart ? `restart ${restart.attempt} in ${formatDelay(restart.inMs)}` : paint('red', 'crash loop: giving up'));

  const begin = (name: string, verb: string) => {
    live.set(name, { verb, since: Date.now() });
    if (options.tty) redraw();
    else print([`◌ ${pad(name)}  ${verb}…`]);
  };

  return {
    update(event: ProgressEvent) {
      switch (event.type) {
        case 'starting':
          return begin(event.name, 'starting');
        case 'stopping':
          return begin(event.name, 'stopping');
        case 'progress': {
          const state = live.get(event.name);
          if (state) state.message = event.message.trim();
          if (options.tty) return;
          const last = lastPlainProgress.get(event.name) ?? 0;
          if (Date.now() - last < PLAIN_PROGRESS_EVERY_MS) return;
          lastPlainProgress.set(event.name, Date.now());
          return print([`  ${pad(event.name)}  ${event.message.trim()}`]);
        }
        case 'ready':
          return finish(event.name, paint('green', '✔'), `ready in ${formatDuration(event.ms)}${event.endpoint ? `  ${event.endpoint}` : ''}`);
        case 'done':
          return finish(event.name, paint('green', '✔'), `done in ${formatDuration(event.ms)}${event.detail ? `  ${paint('dim', event.detail)}` : ''}`);
        case 'skipped':
          return finish(event.name, paint('yellow', '↷'), `skipped${event.detail ? `: ${event.detail}` : ''}`);
        case 'failed':
          return finish(event.name, paint('red', '✖'), `${paint('red', 'failed')}${event.ms === undefined ? '' : ` after ${formatDuration(event.ms)}`}: ${event.reason}`);
        case 'interrupted':
          return finish(event.name, '■', `interrupted after ${formatDuration(event.ms)}`);
        case 'exited': {
          const tail = event.logTail.split('\n').filter((line) => line !== '').slice(-EXIT_TAIL_LINES).map((line) => paint('dim', `    ${line}`));
          return print([`${paint('yellow', '■')} ${pad(event.name)}  exited (${event.code}) — ${next(event.restart)}`, ...tail]);
        }
        case 'restarting':
          return begin(event.name, `restarting (${event.attempt})`);
        case 'restart-failed':
          return finish(event.name, paint('red', '✖'), `restart ${event.attempt} failed: ${event.reason} — ${next(event.restart)}`);
        case 'restarted':
          return finish(event.name, paint('green', '✔'), `back after ${formatDuration(event.ms)} (pid ${event.pid}, restart ${event.restarts})`);
        case 'stopped':
          return event.problem
            ? finish(event.name, paint('red', '✖'), `stop failed after ${formatDuration(event.ms)}: ${event.problem}`)
            : finish(event.name, '■', `stopped in ${formatDuration(event.ms)}`);
      }
    },
    print(text: string) {
      print(text.split('\n'));
    },
    close() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}

/** A plain-text table; the first row is the header. */
export function formatTable(rows: readonly (readonly string[])[], options: { color: boolean }): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row, r) => {
      const line = row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ');
      return r === 0 && options.color ? palette.bold(line) : line;
    })
    .join('\n');
}
