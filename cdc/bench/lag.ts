// End-to-end lag under sustained writes: a paced SQL writer on legacy's `users`, a watcher polling users_svc's
// `accounts`, and (for the split) a Kafka reader of the change topic. All three timestamps come from this process's
// monotonic clock, so lag = seen − commit needs no clock agreement between processes.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import mysql from 'mysql2/promise';

/** A change is "not seen" if it is not in the target (or Kafka) this long after its commit. */
export const SEEN_WITHIN_MS = 10_000;
/** At most this many writes in flight (and pooled connections to legacy). */
const MAX_IN_FLIGHT = 64;
/** Target poll interval: the watcher's resolution. */
export const POLL_INTERVAL_MS = 10;

const now = () => performance.now();

/** 'YYYY-MM-DD HH:MM:SS.mmm' (UTC, as DATETIME(3) holds it) ⇄ epoch ms. */
const datetimeToMs = (value: string) => Date.parse(`${value.replace(' ', 'T')}Z`);
const msToDatetime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

interface Version {
  id: number;
  /** legacy's users.updated_at of this write (epoch ms). */
  updatedAt: number;
  /** When legacy's COMMIT returned to the writer (performance.now()). */
  committedAt: number;
  step: number;
}

export interface LagSample {
  seen: number[];
  notSeen: number;
}

/** Which (id, updated_at) versions are still to be seen where, and the lags of those seen, per step. */
export class LagTracker {
  /** By id, ascending updated_at: a newer version of the same row in the target also makes the older ones visible. */
  private readonly pendingTarget = new Map<number, Version[]>();
  private readonly pendingKafka = new Map<string, Version>();
  readonly target: LagSample[] = [];
  readonly kafka: LagSample[] = [];

  private sample(samples: LagSample[], step: number): LagSample {
    samples[step] ??= { seen: [], notSeen: 0 };
    return samples[step];
  }

  committed(version: Version): void {
    const list = this.pendingTarget.get(version.id) ?? [];
    list.push(version);
    list.sort((a, b) => a.updatedAt - b.updatedAt);
    this.pendingTarget.set(version.id, list);
    this.pendingKafka.set(`${version.id}:${version.updatedAt}`, version);
    this.sample(this.target, version.step);
    this.sample(this.kafka, version.step);
  }

  /** The target holds row `id` as of `updatedAt`, read at `at`: that version and older ones of the row are visible. */
  seenInTarget(id: number, updatedAt: number, at: number): void {
    const list = this.pendingTarget.get(id);
    if (!list) return;
    let visible = 0;
    while (visible < list.length && (list[visible] as Version).updatedAt <= updatedAt) {
      const version = list[visible] as Version;
      this.sample(this.target, version.step).seen.push(at - version.committedAt);
      visible++;
    }
    if (visible === list.length) this.pendingTarget.delete(id);
    else if (visible > 0) list.splice(0, visible);
  }

  seenInKafka(id: number, updatedAt: number, at: number): void {
    const key = `${id}:${updatedAt}`;
    const version = this.pendingKafka.get(key);
    if (!version) return;
    this.pendingKafka.delete(key);
    this.sample(this.kafka, version.step).seen.push(at - version.committedAt);
  }

  /** Gives up on versions older than SEEN_WITHIN_MS: they count as not seen. */
  expire(at: number): void {
    for (const [id, list] of this.pendingTarget) {
      const expired = list.filter((version) => at - version.committedAt > SEEN_WITHIN_MS);
      if (expired.length === 0) continue;
      for (const version of expired) this.sample(this.target, version.step).notSeen++;
      const left = list.filter((version) => at - version.committedAt <= SEEN_WITHIN_MS);
      if (left.length === 0) this.pendingTarget.delete(id);
      else this.pendingTarget.set(id, left);
    }
    for (const [key, version] of this.pendingKafka) {
      if (at - version.committedAt > SEEN_WITHIN_MS) {
        this.pendingKafka.delete(key);
        this.sample(this.kafka, version.step).notSeen++;
      }
    }
  }

  /** The oldest updated_at still awaited in the target: every row the watcher needs has updated_at ≥ it. */
  oldestPendingTarget(): number | undefined {
    let oldest: number | undefined;
    for (const list of this.pendingTarget.values()) {
      const first = (list[0] as Version).updatedAt;
      if (oldest === undefined || first < oldest) oldest = first;
    }
    return oldest;
  }

  pending(): { target: number; kafka: number } {
    let target = 0;
    for (const list of this.pendingTarget.values()) target += list.length;
    return { target, kafka: this.pendingKafka.size };
  }
}

export interface Connection {
  host: string;
  port: number;
  user: string;
  password: string;
}

/**
 * Polls accounts every POLL_INTERVAL_MS for rows with updated_at ≥ the oldest awaited version (an index on
 * updated_at keeps that cheap). Rows the writer has not reported yet are read again on the next poll.
 */
export async function startWatcher(connection: Connection, database: string, tracker: LagTracker, since: number): Promise<{ stop(): Promise<void>; polls(): number }> {
  const db = await mysql.createConnection({ ...connection, database, dateStrings: true });
  let stopped = false;
  let polls = 0;
  let newest = since;
  const loop = (async () => {
    while (!stopped) {
      const from = tracker.oldestPendingTarget() ?? newest;
      const [rows] = await db.query('SELECT id, updated_at FROM accounts WHERE updated_at >= ? ORDER BY updated_at', [msToDatetime(from)]);
      const at = now();
      polls++;
      for (const row of rows as Array<{ id: number; updated_at: string }>) {
        const updatedAt = datetimeToMs(row.updated_at);
        if (updatedAt > newest) newest = updatedAt;
        tracker.seenInTarget(row.id, updatedAt, at);
      }
      tracker.expire(at);
      await sleep(POLL_INTERVAL_MS);
    }
  })();
  return {
    polls: () => polls,
    async stop() {
      stopped = true;
      await loop;
      await db.end();
    },
  };
}

/** Reads the change topic as it is written (own consumer group), to split the lag into Debezium → Kafka and the rest. */
export async function startKafkaReader(brokers: string[], topic: string, tracker: LagTracker): Promise<{ stop(): Promise<void> }> {
  const kafka = new Kafka({ brokers, clientId: 'cdc-bench-reader', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `cdc-bench-reader-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const at = now();
      for (const message of batch.messages) {
        if (!message.value) continue;
        const value = JSON.parse(message.value.toString('utf8')) as { after?: { id?: number; updated_at?: number } | null };
        const after = value.after;
        if (after && typeof after.id === 'number' && typeof after.updated_at === 'number') tracker.seenInKafka(after.id, after.updated_at, at);
      }
    },
  });
  return { stop: () => consumer.disconnect() };
}

/** Paced writes on legacy's users: updates of a small pool of rows and inserts of new ones, each its own autocommit statement. */
export class LegacyWriter {
  private readonly pool: mysql.Pool;
  private readonly busy = new Set<number>();
  private inserted = 0;
  private readonly tag = randomBytes(3).toString('hex');
  private inFlight = 0;
  errors = 0;
  lastError: string | undefined;

  constructor(
    connection: Connection,
    database: string,
    private readonly poolIds: number[],
    private readonly insertShare: number,
    private readonly tracker: LagTracker,
  ) {
    // One statement round trip per write: set the timestamp once, write it, return it.
    this.pool = mysql.createPool({ ...connection, database, connectionLimit: MAX_IN_FLIGHT, multipleStatements: true, dateStrings: true });
  }

  /** One write; resolves once its COMMIT returned (autocommit) and the version is tracked. */
  private async write(step: number, stats: StepWrites): Promise<void> {
    const insert = Math.random() < this.insertShare;
    let id: number | undefined;
    if (!insert) {
      // Never two writes of one row in flight: their commit order could differ from their NOW(3) order.
      for (let tries = 0; tries < 10 && (id === undefined || this.busy.has(id)); tries++) id = this.poolIds[Math.floor(Math.random() * this.poolIds.length)];
      if (id === undefined || this.busy.has(id)) return;
      this.busy.add(id);
    }
    const started = now();
    try {
      let updatedAt: string;
      if (insert) {
        const n = ++this.inserted;
        const [results] = await this.pool.query(
          'SET @t = NOW(3); INSERT INTO users (email, full_name, password_hash, status, created_at, updated_at) VALUES (?, ?, ?, ?, @t, @t); SELECT @t AS t',
          [`bench-${this.tag}-${n}@bench.invalid`, `Bench User ${n}`, 'bench-not-a-real-hash', 'active'],
        );
        const list = results as unknown as [unknown, { insertId: number }, Array<{ t: string }>];
        id = list[1].insertId;
        updatedAt = (list[2][0] as { t: string }).t;
        stats.inserts++;
      } else {
        const [results] = await this.pool.query('SET @t = NOW(3); UPDATE users SET full_name = ?, status = ?, updated_at = @t WHERE id = ?; SELECT @t AS t', [
          `Bench ${Math.random().toString(36).slice(2, 10)}`,
          Math.random() < 0.1 ? 'suspended' : 'active',
          id,
        ]);
        updatedAt = ((results as unknown as [unknown, unknown, Array<{ t: string }>])[2][0] as { t: string }).t;
        stats.updates++;
      }
      const committedAt = now();
      stats.commitMs.push(committedAt - started);
      this.tracker.committed({ id: id as number, updatedAt: datetimeToMs(updatedAt), committedAt, step });
    } catch (error) {
      this.errors++;
      this.lastError = error instanceof Error ? error.message : String(error);
    } finally {
      if (!insert && id !== undefined) this.busy.delete(id);
    }
  }

  /**
   * Writes at `rate` per second for `seconds` with a token bucket. The burst (250 ms of tokens) rides out pauses of
   * this process's event loop on a busy machine; when MAX_IN_FLIGHT writes stay outstanding longer, tokens beyond it
   * are dropped and the achieved rate falls below the target.
   */
  async run(step: number, rate: number, seconds: number, signal: AbortSignal, onTick: (stats: StepWrites) => void): Promise<StepWrites> {
    const stats: StepWrites = { inserts: 0, updates: 0, commitMs: [], elapsedMs: 0, writeErrors: 0 };
    const errorsBefore = this.errors;
    const burst = Math.max(1, rate / 4);
    const started = now();
    const end = started + seconds * 1000;
    let tokens = 1;
    let last = started;
    let lastTick = started;
    const pending = new Set<Promise<void>>();
    while (!signal.aborted) {
      const at = now();
      if (at >= end) break;
      tokens = Math.min(burst, tokens + ((at - last) * rate) / 1000);
      last = at;
      while (tokens >= 1 && this.inFlight < MAX_IN_FLIGHT) {
        tokens -= 1;
        this.inFlight++;
        const write: Promise<void> = this.write(step, stats).finally(() => {
          this.inFlight--;
          pending.delete(write);
        });
        pending.add(write);
      }
      if (at - lastTick >= 250) {
        stats.elapsedMs = at - started;
        onTick(stats);
        lastTick = at;
      }
      await sleep(1);
    }
    await Promise.all(pending);
    stats.elapsedMs = Math.min(now(), end) - started;
    stats.writeErrors = this.errors - errorsBefore;
    return stats;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

export interface StepWrites {
  inserts: number;
  updates: number;
  commitMs: number[];
  elapsedMs: number;
  writeErrors: number;
}

export function percentile(values: number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
