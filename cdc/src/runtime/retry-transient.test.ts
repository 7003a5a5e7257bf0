import { describe, expect, it } from 'vitest';
import { isRetriableKafkaError, retryTransient } from './retry-transient.js';

const transient = Object.assign(new Error('This server does not host this topic-partition'), { retriable: true });
const fatal = Object.assign(new Error('Topic authorization failed'), { retriable: false });

function failing(errors: Error[], value = 'done') {
  let calls = 0;
  return {
    work: async () => {
      const error = errors[calls++];
      if (error) throw error;
      return value;
    },
    calls: () => calls,
  };
}

describe('retryTransient', () => {
  const base = { isTransient: isRetriableKafkaError, initialMs: 100, maxMs: 300, attempts: 5 };

  it('retries transient failures with doubling, capped back-off, then returns the result', async () => {
    const slept: number[] = [];
    const retried: number[] = [];
    const run = failing([transient, transient, transient]);
    const result = await retryTransient(run.work, { ...base, sleep: async (ms) => void slept.push(ms), onRetry: (_error, _ms, attempt) => retried.push(attempt) });
    expect(result).toBe('done');
    expect(run.calls()).toBe(4);
    expect(slept).toEqual([100, 200, 300]);
    expect(retried).toEqual([1, 2, 3]);
  });

  it('throws a non-transient failure at once', async () => {
    const run = failing([fatal]);
    await expect(retryTransient(run.work, { ...base, sleep: async () => undefined })).rejects.toBe(fatal);
    expect(run.calls()).toBe(1);
  });

  it('gives up after the last attempt with the last error', async () => {
    const run = failing([transient, transient, transient, transient, transient, transient]);
    await expect(retryTransient(run.work, { ...base, sleep: async () => undefined })).rejects.toBe(transient);
    expect(run.calls()).toBe(5);
  });

  it('knows kafkajs retriable errors', () => {
    expect(isRetriableKafkaError(transient)).toBe(true);
    expect(isRetriableKafkaError(fatal)).toBe(false);
    expect(isRetriableKafkaError('nope')).toBe(false);
  });
});
