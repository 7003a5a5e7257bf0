import { readFileSync } from 'node:fs';
import { Verifier, type VerifierOptions } from '@pact-foundation/pact';
import { loadContractsConfig, type ContractsConfig } from '../config.js';
import { providerStateNames, readPactFile } from '../pact-file.js';
import { committedPactFile } from '../paths.js';
import { recordVerification, type VerificationOutcome } from '../provider/verify-provider.js';
import type { StateHandlers } from '../provider/states/state-params.js';

/** Produces the content of one message (the event), after the interaction's provider states were set up. */
export type MessageSource = () => Promise<unknown>;

export interface MessageVerification {
  consumer: string;
  provider: string;
  /** What produced the messages, e.g. 'debezium' (names the record). */
  implementation: string;
  /** The message for each interaction description of the pact. */
  messages: Record<string, MessageSource>;
  stateHandlers: StateHandlers;
  /** Default: the committed pact of `consumer` and `provider`. */
  pactFile?: string;
  /** Where to write the record; default CONTRACTS_RESULTS_DIR. */
  resultsDir?: string;
  logLevel?: ContractsConfig['pactLogLevel'];
}

type PactMessageProviders = NonNullable<VerifierOptions['messageProviders']>;
type PactStateHandlers = NonNullable<VerifierOptions['stateHandlers']>;

/** Failures of our own callbacks are collected: pact-js only logs a throwing state handler, and answers 500 for a throwing message. */
function collecting<T extends (...args: never[]) => Promise<unknown>>(what: string, run: T, problems: string[]): T {
  return (async (...args: Parameters<T>) => {
    try {
      return await run(...args);
    } catch (error) {
      problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
  }) as T;
}

/**
 * Verifies message pacts the way verifyProvider verifies HTTP pacts: checks first that every state and every message
 * of the pact is provided for, runs the pact-js Verifier (its message proxy asks for each interaction's message by
 * description after setting up its states), and writes the record (whatever the verdict). No broker: the record is
 * local only.
 */
export async function verifyMessages(options: MessageVerification): Promise<VerificationOutcome> {
  const config = loadContractsConfig();
  const pactFile = options.pactFile ?? committedPactFile(options.consumer, options.provider);
  const pactContent = readFileSync(pactFile);
  const pact = readPactFile(pactFile);
  const problems: string[] = [];

  if (pact.provider.name !== options.provider) problems.push(`${pactFile} is a pact with ${pact.provider.name}, not ${options.provider}`);
  if (pact.consumer.name !== options.consumer) problems.push(`${pactFile} is a pact of ${pact.consumer.name}, not ${options.consumer}`);
  for (const state of providerStateNames(pact).filter((name) => !(name in options.stateHandlers))) problems.push(`no state handler for "${state}"`);
  for (const { description } of pact.interactions.filter((i) => !(i.description in options.messages))) problems.push(`no message for "${description}"`);

  let output = '';
  let verifierPassed = false;
  if (problems.length === 0) {
    const messageProviders: PactMessageProviders = Object.fromEntries(
      Object.entries(options.messages).map(([description, produce]) => [description, collecting(`message "${description}"`, produce, problems)]),
    );
    const stateHandlers: PactStateHandlers = Object.fromEntries(
      Object.entries(options.stateHandlers).map(([state, setup]) => [
        state,
        collecting(`state "${state}"`, async (params?: unknown) => setup(params), problems),
      ]),
    );
    try {
      // No `provider`: with a provider name, pact-core also pulls every pact for it from PACT_BROKER_BASE_URL.
      const verifier = new Verifier({ pactUrls: [pactFile], messageProviders, stateHandlers, logLevel: options.logLevel ?? config.pactLogLevel });
      output = await verifier.verifyProvider();
      verifierPassed = true;
    } catch (error) {
      output = error instanceof Error ? error.message : String(error);
    }
  }

  return recordVerification(options, { pact, pactFile, pactContent, verifierPassed, problems, output });
}
