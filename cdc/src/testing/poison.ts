import { expect } from 'vitest';
import { PoisonRecordError } from '../errors.js';

/** The PoisonRecordError a projector's apply rejects with; fails the test if it resolves or rejects otherwise. */
export async function poison(run: Promise<unknown>): Promise<PoisonRecordError> {
  const error = await run.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PoisonRecordError);
  return error as PoisonRecordError;
}
