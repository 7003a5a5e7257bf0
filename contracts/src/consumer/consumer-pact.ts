import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { MatchersV3, PactV4 } from '@pact-foundation/pact';
import { loadContractsConfig, type ContractsConfig } from '../config.js';
import { committedPactFile, pactFileName, pactOutputDir } from '../paths.js';
import { CONSUMER } from '../slices.js';

const { regex, string } = MatchersV3;

export interface ConsumerPact {
  pact: PactV4;
  /** The file these tests write. */
  pactFile: string;
  /** The committed pact it must equal. */
  committedFile: string;
  /** Removes the temp folder of an `npm test` run (call it in afterAll). */
  dispose(): void;
}

/**
 * The storefront's pact with one provider. PACT_DIR set (npm run contracts): writes there, i.e. the committed pacts.
 * Unset (npm test): writes to a fresh temp dir, so a test can compare the result with the committed file and
 * verification, which reads the committed file, never sees a half-written one.
 */
export function createConsumerPact(provider: string, config: ContractsConfig = loadContractsConfig()): ConsumerPact {
  const { dir, dispose } = pactOutputDir(config.pactDir);
  const pactFile = join(dir, pactFileName(CONSUMER, provider));
  // pact-js merges each passing interaction into an existing file; start empty so a removed interaction disappears.
  rmSync(pactFile, { force: true });
  return {
    pact: new PactV4({ consumer: CONSUMER, provider, dir, logLevel: config.pactLogLevel }),
    pactFile,
    committedFile: committedPactFile(CONSUMER, provider),
    dispose,
  };
}

export type InteractionWithResponse = ReturnType<ReturnType<ReturnType<PactV4['addInteraction']>['withRequest']>['willRespondWith']>;
export type MockServer = Parameters<Parameters<InteractionWithResponse['executeTest']>[0]>[0];

// How pact-js words mock-server mismatches (src/v3/display.js).
const LOST_MATCH = 'The following request was expected but not received';
const OTHER_MISMATCHES = ['The following request was incorrect', 'The following request was not expected', 'Unknown mismatch'];

/**
 * Runs one interaction: `define` registers it, `test` drives the real client against the mock server and asserts.
 *
 * Works around a pact_ffi mock-server race (pact-foundation/pact-reference#535, pact-js#1835; ~1 in 100
 * interactions here): the mock server answers the request correctly but sometimes never records the match, so
 * executeTest reports "expected but not received". That outcome alone, after `test` passed (so the client did get
 * this interaction's response), is retried on a fresh mock server; every other failure is reported at once.
 */
export async function runInteraction(define: () => InteractionWithResponse, test: (server: MockServer) => Promise<void>): Promise<void> {
  const attempts = 3;
  for (let attempt = 1; ; attempt++) {
    let testPassed = false;
    try {
      await define().executeTest(async (server) => {
        await test(server);
        testPassed = true;
      });
      return;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const onlyLostMatch = message.includes(LOST_MATCH) && !OTHER_MISMATCHES.some((phrase) => message.includes(phrase));
      if (!testPassed || !onlyLostMatch || attempt === attempts) throw error;
    }
  }
}

/** ISO-8601 date-time as JSON serialises dates (any precision, Z or an offset): implementations differ in the instant only. */
export const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
export const isoDateTime = (example = '2024-05-01T12:00:00.000Z') => regex(ISO_DATETIME, example);

/** The one error shape: the code is the contract, the message is for humans. */
export function errorBody(code: string, exampleMessage: string) {
  return { error: { code, message: string(exampleMessage) } };
}
