import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { MatchersV3, PactV4 } from '@pact-foundation/pact';
import { parseChangeRecord, type Projector } from '@strangler/cdc';
import type { Knex } from '@strangler/platform';
import { loadContractsConfig, type ContractsConfig } from '../config.js';
import { committedPactFile, pactFileName, pactOutputDir } from '../paths.js';
import { CHANGE_EVENTS_PROVIDER, type ProjectorConsumer } from './change-events.js';

const { integer, regex, string } = MatchersV3;

export interface MessagePact {
  pact: PactV4;
  /** The file these tests write. */
  pactFile: string;
  /** The committed pact it must equal. */
  committedFile: string;
  /** Removes the temp folder of an `npm test` run (call it in afterAll). */
  dispose(): void;
}

/**
 * A projector's pact with legacy's change events, written like the storefront's HTTP pacts (createConsumerPact):
 * PACT_DIR set (npm run contracts) writes the committed pacts; unset (npm test) writes to a fresh temp dir whose pact
 * the last test compares with the committed one.
 */
export function createMessagePact(consumer: ProjectorConsumer, config: ContractsConfig = loadContractsConfig()): MessagePact {
  const { dir, dispose } = pactOutputDir(config.pactDir);
  const pactFile = join(dir, pactFileName(consumer, CHANGE_EVENTS_PROVIDER));
  // pact-js merges each passing interaction into an existing file; start empty so a removed interaction disappears.
  rmSync(pactFile, { force: true });
  return {
    pact: new PactV4({ consumer, provider: CHANGE_EVENTS_PROVIDER, dir, logLevel: config.pactLogLevel }),
    pactFile,
    committedFile: committedPactFile(consumer, CHANGE_EVENTS_PROVIDER),
    dispose,
  };
}

// --- The parts of Debezium's envelope (JSON converter, schemas disabled) the projectors read, as matchers. ---

/** c, u and r all mean "the row now looks like `after`" to a projector; the handler upserts on each. */
export const upsertOp = (example: 'c' | 'u' | 'r') => regex(/^[cur]$/, example);

/** What parseChangeRecord requires of `source`: the table is the contract; database and time vary. */
export function source(table: string, tsMs = 1_795_572_916_000) {
  return { db: string('legacy'), table, ts_ms: integer(tsMs) };
}

/** DATETIME(3) columns arrive as epoch milliseconds (time.precision.mode=adaptive_time_microseconds, server in UTC). */
export const epochMillis = (example: number) => integer(example);

// --- The handler under test: the real parser and the real projector. ---

/** The projector's transaction; the recording projections the tests give it never touch it. */
const NO_DB = {} as Knex;

/**
 * What the projector runtime does with one record's value: parseChangeRecord, then the projector's apply. Throws
 * what they throw (PoisonRecordError for a change they can never apply).
 */
export async function handleChangeMessage(projector: Projector, content: unknown, topic = 'legacy.legacy.change'): Promise<string> {
  const parsed = parseChangeRecord(JSON.stringify(content), { topic, partition: 0, offset: 0 });
  if (parsed.kind !== 'change') throw new Error('the message is a tombstone, not a change');
  return projector.apply(NO_DB, parsed.change);
}

// --- Every field the pact describes must be one the handler reads. ---

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Paths to every leaf (non-object value) of a JSON document, e.g. ['after', 'full_name']. */
export function leafPaths(value: unknown, path: string[] = []): string[][] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return path.length > 0 ? [path] : [];
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return path.length > 0 ? [path] : [];
  return entries.flatMap(([key, child]) => leafPaths(child, [...path, key]));
}

/** A copy of `value` without the field at `path`. */
export function withoutField(value: unknown, path: string[]): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as Json;
  let parent: Json = copy;
  for (const key of path.slice(0, -1)) parent = (parent as Record<string, Json>)[key]!;
  delete (parent as Record<string, Json>)[path.at(-1)!];
  return copy;
}

/**
 * The fields of `content` the handler does not depend on: removing such a field neither makes `handle` throw nor
 * changes what it returns (the outcome and what the projection received). A pact should describe none of them, so
 * the provider is never held to a field no consumer needs. `handle` must build a fresh projection per call.
 */
export async function fieldsTheHandlerIgnores(content: unknown, handle: (content: unknown) => Promise<unknown>): Promise<string[]> {
  const baseline = JSON.stringify(await handle(content));
  const ignored: string[] = [];
  for (const path of leafPaths(content)) {
    let result: string | undefined;
    try {
      result = JSON.stringify(await handle(withoutField(content, path)));
    } catch {
      continue;
    }
    if (result === baseline) ignored.push(path.join('.'));
  }
  return ignored;
}
