import { expect } from 'vitest';
import { ConfigError } from '@strangler/platform';

/** The ConfigError `run` throws (a config module's load on bad input); fails the test if it throws nothing or anything else. */
export function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}
