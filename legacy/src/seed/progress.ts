import cliProgress from 'cli-progress';
import type { SeedCounts, SeedTable } from './generator.js';
import type { SeedProgress } from './seed-writer.js';

export interface ProgressReporter {
  start(totals: SeedCounts): void;
  update(progress: SeedProgress): void;
  stop(): void;
}

/** A live bar for people at a terminal; plain lines for logs and CI, where a redrawn bar is noise. */
export function createProgressReporter(stream: NodeJS.WriteStream): ProgressReporter {
  return stream.isTTY ? createBarProgress(stream) : createPlainProgress((line) => stream.write(`${line}\n`));
}

/** One bar over all rows of all tables, with throughput and ETA. */
export function createBarProgress(stream: NodeJS.WriteStream): ProgressReporter {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'seeding [{bar}] {percentage}% | {value}/{total} rows | {rate} rows/s | ETA {eta_formatted} | {table}',
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const done: Partial<Record<SeedTable, number>> = {};
  let startedAt = 0;
  let running = false;
  return {
    start(totals) {
      startedAt = performance.now();
      running = true;
      const total = Object.values(totals).reduce((sum, n) => sum + n, 0);
      bar.start(total, 0, { table: '', rate: 0 });
    },
    update({ table, inserted }) {
      done[table] = inserted;
      const value = Object.values(done).reduce((sum, n) => sum + n, 0);
      const seconds = (performance.now() - startedAt) / 1000;
      // Orders and their items are written together; one label keeps the bar from flickering between them.
      const label = table === 'orders' || table === 'order_items' ? 'orders + items' : table;
      bar.update(value, { table: label, rate: seconds > 0 ? Math.round(value / seconds) : 0 });
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}

/** One line per table each time another ~10% of it is written, and when it completes. */
export function createPlainProgress(write: (line: string) => void): ProgressReporter {
  const nextPercent: Partial<Record<SeedTable, number>> = {};
  return {
    start(totals) {
      const total = Object.values(totals).reduce((sum, n) => sum + n, 0);
      write(`seed: writing ${total} rows (${Object.entries(totals).map(([t, n]) => `${t} ${n}`).join(', ')})`);
    },
    update({ table, inserted, total }) {
      const percent = total > 0 ? Math.floor((inserted * 100) / total) : 100;
      if (percent < (nextPercent[table] ?? 10) && inserted < total) return;
      nextPercent[table] = Math.floor(percent / 10) * 10 + 10;
      write(`seed: ${table} ${inserted}/${total} (${percent}%)`);
    },
    stop() {},
  };
}
