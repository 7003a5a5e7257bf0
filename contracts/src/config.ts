import { z } from 'zod';
import { defineConfig, envSchemas, type ConfigValues, type Env } from '@strangler/platform';

const optionalUrl = z.union([z.literal(''), z.url({ protocol: /^https?$/ })]).transform((value) => value.replace(/\/+$/, ''));

/** Every setting of the contracts package: env var, default, description. Nothing else reads process.env. */
export const contractsConfig = defineConfig({
  pactDir: {
    env: 'PACT_DIR',
    default: '',
    description:
      'Where the consumer tests write pact files; empty = a fresh temp dir whose pacts must equal the committed ones (npm run contracts sets contracts/pacts)',
    schema: z.string(),
  },
  resultsDir: {
    env: 'CONTRACTS_RESULTS_DIR',
    default: 'contracts/results',
    description: 'Where each verification writes its machine-readable record (relative paths are from the repository root)',
    schema: envSchemas.nonEmpty,
  },
  brokerBaseUrl: {
    env: 'PACT_BROKER_BASE_URL',
    default: '',
    description: 'Pact Broker to publish pacts and verification results to; empty = no broker',
    schema: optionalUrl,
  },
  brokerToken: { env: 'PACT_BROKER_TOKEN', default: '', description: 'Bearer token for the Pact Broker', schema: z.string(), secret: true },
  brokerUsername: { env: 'PACT_BROKER_USERNAME', default: '', description: 'Basic-auth user for the Pact Broker', schema: z.string() },
  brokerPassword: {
    env: 'PACT_BROKER_PASSWORD',
    default: '',
    description: 'Basic-auth password for the Pact Broker',
    schema: z.string(),
    secret: true,
  },
  consumerVersion: {
    env: 'CONSUMER_VERSION',
    default: '0.1.0-local',
    description: 'Version (e.g. git sha) the pacts are published under',
    schema: envSchemas.nonEmpty,
  },
  providerVersion: {
    env: 'PROVIDER_VERSION',
    default: '0.1.0-local',
    description: 'Version (e.g. git sha) verification results are published under',
    schema: envSchemas.nonEmpty,
  },
  pactLogLevel: {
    env: 'PACT_LOG_LEVEL',
    default: 'error',
    description: 'Log level of the Pact mock server and verifier',
    schema: z.enum(['trace', 'debug', 'info', 'warn', 'error']),
  },
});

export type ContractsConfig = ConfigValues<typeof contractsConfig.spec>;

export function loadContractsConfig(env: Env = process.env): ContractsConfig {
  return contractsConfig.load(env);
}

/** The environment for a child process (vitest runs spawned by the CLI): this one's, with overrides. */
export function childEnv(overrides: Record<string, string>, env: Env = process.env): Record<string, string | undefined> {
  return { ...env, ...overrides };
}
