/**
 * Where in legacy's binlog a streamed change was read: Debezium's `source.file`, `source.pos`, `source.row` (the row
 * within a multi-row event) and `source.ts_ms`. After Kafka Connect restarts, Debezium resumes from its last flushed
 * offset and sends the changes since then again, as NEW Kafka records (new offsets). Those are recognised by their
 * binlog position: within one partition of a change topic, streamed positions only grow, so one at or below the
 * last applied one is a replay.
 */
export interface SourcePosition {
  file: string;
  pos: number;
  row: number;
  tsMs: number;
}

const SEPARATOR = '|';

/** Stored next to the partition's offset: `file|pos|row|tsMs`. */
export function encodeSourcePosition(position: SourcePosition): string {
  return [position.file, position.pos, position.row, position.tsMs].join(SEPARATOR);
}

/** Undefined for nothing stored, or for a value this version does not understand (then nothing is skipped). */
export function decodeSourcePosition(stored: string | null | undefined): SourcePosition | undefined {
  if (!stored) return undefined;
  const parts = stored.split(SEPARATOR);
  if (parts.length !== 4) return undefined;
  const [file, pos, row, tsMs] = [parts[0] as string, Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (file === '' || ![pos, row, tsMs].every(Number.isSafeInteger)) return undefined;
  return { file, pos, row, tsMs };
}

/** Binlog files are `<base>.<sequence>`: ordered by the sequence number (it can outgrow its zero padding). */
function fileOrder(file: string): [string, number] {
  const dot = file.lastIndexOf('.');
  const sequence = Number(file.slice(dot + 1));
  return dot < 0 || !Number.isSafeInteger(sequence) ? [file, -1] : [file.slice(0, dot), sequence];
}

/** Negative, zero or positive as `a` comes before, at or after `b` in the binlog. */
export function compareSourcePositions(a: SourcePosition, b: SourcePosition): number {
  const [baseA, sequenceA] = fileOrder(a.file);
  const [baseB, sequenceB] = fileOrder(b.file);
  if (baseA !== baseB) return baseA < baseB ? -1 : 1;
  return sequenceA - sequenceB || a.pos - b.pos || a.row - b.row;
}

/**
 * A replay: at or before the last applied position, and not newer. The time guards against a legacy database that
 * was re-created (its binlog starts again at the first file): its changes sort low but are new.
 */
export function isReplay(change: SourcePosition, lastApplied: SourcePosition | undefined): boolean {
  if (!lastApplied) return false;
  return compareSourcePositions(change, lastApplied) <= 0 && change.tsMs <= lastApplied.tsMs;
}

/** The later of two positions (undefined counts as earliest). */
export function laterOf(a: SourcePosition | undefined, b: SourcePosition): SourcePosition {
  return !a || compareSourcePositions(b, a) > 0 ? b : a;
}
