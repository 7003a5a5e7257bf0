import type { Producer } from 'kafkajs';

/** A Kafka record as the applier sees it. */
export interface SourceRecord {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
}

export interface DeadLetter {
  key: Buffer | null;
  /** JSON, see `deadLetterFor`. */
  value: string;
  headers: Record<string, string>;
}

/** Where records that cannot be applied go. `send` resolves once the letters are durably stored. */
export interface DeadLetterSink {
  send(letters: DeadLetter[]): Promise<void>;
}

export interface DeadLetterBody {
  error: { code: string; message: string };
  projector: string;
  original: { topic: string; partition: number; offset: string; key: string | null; value: string | null; timestamp: string };
}

export const DEAD_LETTER_HEADERS = {
  errorCode: 'cdc-error-code',
  projector: 'cdc-projector',
  topic: 'cdc-original-topic',
  partition: 'cdc-original-partition',
  offset: 'cdc-original-offset',
} as const;

/** The record as it was (key and value as strings, so even non-JSON survives) and why it could not be applied. */
export function deadLetterFor(
  projector: string,
  source: { topic: string; partition: number; record: SourceRecord },
  error: { code: string; message: string },
): DeadLetter {
  const { topic, partition, record } = source;
  const body: DeadLetterBody = {
    error,
    projector,
    original: {
      topic,
      partition,
      offset: record.offset,
      key: record.key?.toString() ?? null,
      value: record.value?.toString() ?? null,
      timestamp: record.timestamp,
    },
  };
  return {
    key: record.key,
    value: JSON.stringify(body),
    headers: {
      [DEAD_LETTER_HEADERS.errorCode]: error.code,
      [DEAD_LETTER_HEADERS.projector]: projector,
      [DEAD_LETTER_HEADERS.topic]: topic,
      [DEAD_LETTER_HEADERS.partition]: String(partition),
      [DEAD_LETTER_HEADERS.offset]: record.offset,
    },
  };
}

/** acks=all: `send` resolves only once every in-sync replica has the letters. */
export function kafkaDeadLetterSink(producer: Producer, topic: string): DeadLetterSink {
  return {
    async send(letters) {
      await producer.send({ topic, acks: -1, messages: letters.map((letter) => ({ key: letter.key, value: letter.value, headers: letter.headers })) });
    },
  };
}
