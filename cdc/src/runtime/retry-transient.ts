/** kafkajs marks errors a later call may not meet (a topic whose metadata has not reached every broker yet). */
export function isRetriableKafkaError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === true;
}

export interface RetryTransientOptions {
  isTransient(error: unknown): boolean;
  initialMs: number;
  maxMs: number;
  /** Tries in all, the first included; the last failure is thrown. */
  attempts: number;
  onRetry?(error: unknown, retryInMs: number, attempt: number): void;
  sleep?(ms: number): Promise<void>;
}

/** Runs `work` again, with doubling back-off, while it fails with a transient error; anything else is thrown at once. */
export async function retryTransient<T>(work: () => Promise<T>, options: RetryTransientOptions): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let delay = options.initialMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= options.attempts || !options.isTransient(error)) throw error;
      options.onRetry?.(error, delay, attempt);
      await sleep(delay);
      delay = Math.min(delay * 2, options.maxMs);
    }
  }
}
