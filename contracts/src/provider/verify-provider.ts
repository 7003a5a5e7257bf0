import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { Verifier, type VerifierOptions } from '@pact-foundation/pact';
import { brokerHoldsPact, brokerPactUrl, brokerSettings, type BrokerSettings } from '../broker.js';
import { loadContractsConfig, type ContractsConfig } from '../config.js';
import { providerStateNames, readPactFile, type PactFile } from '../pact-file.js';
import { committedPactFile } from '../paths.js';
import { verificationRecord, writeResult, type VerificationRecord } from '../results.js';
import { CONSUMER } from '../slices.js';
import type { ProviderStateValues, StateHandlers } from './states/state-params.js';

/** Publishing verification results to a broker: the pact is then read from the broker (see verifierOptions). */
export interface BrokerVerification {
  broker: BrokerSettings;
  consumerVersion: string;
  providerVersion: string;
}

export interface ProviderVerification {
  provider: string;
  /** Which implementation answers: 'legacy', 'users-service', ... (names the record). */
  implementation: string;
  /** The implementation's HTTP app (never listening yet): it is served on an ephemeral 127.0.0.1 port. */
  app: RequestListener;
  stateHandlers: StateHandlers;
  /** Default: the committed pact of the storefront and `provider`. */
  pactFile?: string;
  /** Where to write the record; default CONTRACTS_RESULTS_DIR. */
  resultsDir?: string;
  /** Default: from config (PACT_BROKER_BASE_URL unset = no broker). */
  broker?: BrokerVerification | null;
  logLevel?: ContractsConfig['pactLogLevel'];
}

export interface VerificationOutcome {
  passed: boolean;
  interactions: number;
  /** Why it failed, beyond the verifier's own report (unhandled or failing provider states, a stale broker pact). */
  problems: string[];
  /** The verifier's JSON report (or its error). */
  output: string;
  /** One line per failed interaction and mismatch, from the report. */
  failures: string[];
  record: VerificationRecord;
  resultFile: string;
}

/** Broker settings from config, for verifications that publish their results; null without a broker. */
export function brokerVerificationFromConfig(config: ContractsConfig = loadContractsConfig()): BrokerVerification | null {
  const broker = brokerSettings(config);
  return broker ? { broker, consumerVersion: config.consumerVersion, providerVersion: config.providerVersion } : null;
}

/**
 * The pact-js verifier options. Without a broker: the committed pact file. With one: the same pact as the broker holds
 * it for the consumer version (the CLI published it just before), because the verifier can only publish results for
 * a pact it fetched from a broker (the broker's links say where the results go).
 */
export function verifierOptions(input: {
  provider: string;
  providerBaseUrl: string;
  pactFile: string;
  stateHandlers: PactStateHandlers;
  logLevel: ContractsConfig['pactLogLevel'];
  broker: BrokerVerification | null;
}): VerifierOptions {
  const common = { providerBaseUrl: input.providerBaseUrl, stateHandlers: input.stateHandlers, logLevel: input.logLevel, timeout: 30_000 };
  if (!input.broker) return { ...common, provider: input.provider, pactUrls: [input.pactFile] };
  const { broker, consumerVersion, providerVersion } = input.broker;
  const pact = readPactFile(input.pactFile);
  return {
    ...common,
    // No `provider` here: with a provider name, pact-core also pulls every pact for it from PACT_BROKER_BASE_URL
    // (read straight from the environment), and we want exactly this one verified.
    pactUrls: [brokerPactUrl(broker, { consumer: pact.consumer.name, provider: pact.provider.name }, consumerVersion)],
    ...(broker.token ? { pactBrokerToken: broker.token } : {}),
    ...(broker.username ? { pactBrokerUsername: broker.username, pactBrokerPassword: broker.password ?? '' } : {}),
    publishVerificationResult: true,
    providerVersion,
  };
}

// pact-js's StateFunc (dsl/verifier/proxy/types.d.ts): parameters in, values for `fromProviderState` out.
type PactStateFunc = (params?: unknown) => Promise<ProviderStateValues | undefined>;
type PactStateHandlers = Record<string, PactStateFunc>;

/** The slice's states as pact-js handlers; a failing one fails the verification (pact-js itself only logs it and carries on). */
function pactStateHandlers(handlers: StateHandlers, failures: string[]): PactStateHandlers {
  return Object.fromEntries(
    Object.entries(handlers).map(([state, setup]) => {
      const handler: PactStateFunc = async (params) => {
        try {
          return await setup(params);
        } catch (error) {
          failures.push(`state "${state}" ${JSON.stringify(params)}: ${error instanceof Error ? error.message : String(error)}`);
          throw error;
        }
      };
      return [state, handler];
    }),
  );
}

/** One readable line per mismatch in the verifier's JSON report (the raw report otherwise, shortened). */
export function verifierFailures(output: string): string[] {
  interface Report {
    errors?: Array<{ interaction?: string; mismatch?: { message?: string; mismatches?: Array<{ path?: string; type?: string; mismatch?: string }> } }>;
  }
  let report: Report;
  try {
    report = JSON.parse(output) as Report;
  } catch {
    return output ? [output.slice(0, 2000)] : [];
  }
  return (report.errors ?? []).flatMap((error) => {
    const where = error.interaction ?? 'verification';
    const mismatches = error.mismatch?.mismatches ?? [];
    if (mismatches.length === 0) return [`${where}: ${error.mismatch?.message ?? JSON.stringify(error.mismatch)}`];
    return mismatches.map((m) => `${where}: ${m.path ?? m.type ?? ''} ${m.mismatch ?? ''}`.trim());
  });
}

/**
 * Verifies one provider implementation against the pact: serves its app on 127.0.0.1:<ephemeral>, runs the pact-js
 * Verifier with the slice's state handlers, and writes the machine-readable record (whatever the verdict).
 */
export async function verifyProvider(options: ProviderVerification): Promise<VerificationOutcome> {
  const config = loadContractsConfig();
  const pactFile = options.pactFile ?? committedPactFile(CONSUMER, options.provider);
  const pactContent = readFileSync(pactFile);
  const pact = readPactFile(pactFile);
  const broker = options.broker === undefined ? brokerVerificationFromConfig(config) : options.broker;
  const problems: string[] = [];

  if (pact.provider.name !== options.provider) problems.push(`${pactFile} is a pact with ${pact.provider.name}, not ${options.provider}`);
  const unhandled = providerStateNames(pact).filter((state) => !(state in options.stateHandlers));
  for (const state of unhandled) problems.push(`no state handler for "${state}"`);
  if (broker && problems.length === 0) {
    const held = await brokerHoldsPact(broker.broker, pactFile, broker.consumerVersion);
    if (!held.same) problems.push(held.detail);
  }

  let output = '';
  let verifierPassed = false;
  if (problems.length === 0) {
    const server = createServer(options.app);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    try {
      const { port } = server.address() as AddressInfo;
      const verifier = new Verifier(
        verifierOptions({
          provider: options.provider,
          providerBaseUrl: `http://127.0.0.1:${port}`,
          pactFile,
          stateHandlers: pactStateHandlers(options.stateHandlers, problems),
          logLevel: options.logLevel ?? config.pactLogLevel,
          broker,
        }),
      );
      output = await verifier.verifyProvider();
      verifierPassed = true;
    } catch (error) {
      output = error instanceof Error ? error.message : String(error);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  return recordVerification(options, { pact, pactFile, pactContent, verifierPassed, problems, output });
}

/**
 * The end of every verification (HTTP or message): passed only if the verifier passed and nothing was missing; the
 * record written where the rollout gate and `npm run contracts` read it.
 */
export function recordVerification(
  options: { provider: string; implementation: string; resultsDir?: string | null },
  run: { pact: PactFile; pactFile: string; pactContent: string | Buffer; verifierPassed: boolean; problems: string[]; output: string },
): VerificationOutcome {
  const { pact, verifierPassed, problems, output } = run;
  const passed = verifierPassed && problems.length === 0;
  const record = verificationRecord({
    provider: options.provider,
    implementation: options.implementation,
    consumer: pact.consumer.name,
    pactFile: run.pactFile,
    pactContent: run.pactContent,
    interactions: pact.interactions.length,
    passed,
  });
  const resultFile = writeResult(record, { resultsDir: options.resultsDir ?? undefined });
  const failures = verifierPassed ? [] : verifierFailures(output);
  return { passed, interactions: pact.interactions.length, problems, output, failures, record, resultFile };
}
