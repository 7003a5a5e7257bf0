import { describe, expect, it } from 'vitest';
import { ConfigError } from '@strangler/platform';
import { childEnv, loadContractsConfig } from './config.js';

describe('contracts config', () => {
  it('defaults: temp pact dir, contracts/results, no broker, local versions', () => {
    expect(loadContractsConfig({})).toEqual({
      pactDir: '',
      resultsDir: 'contracts/results',
      brokerBaseUrl: '',
      brokerToken: '',
      brokerUsername: '',
      brokerPassword: '',
      consumerVersion: '0.1.0-local',
      providerVersion: '0.1.0-local',
      pactLogLevel: 'error',
    });
  });

  it('reads every key from its variable; the broker URL loses trailing slashes', () => {
    const config = loadContractsConfig({
      PACT_DIR: 'contracts/pacts',
      CONTRACTS_RESULTS_DIR: '/tmp/results',
      PACT_BROKER_BASE_URL: 'https://broker.example/',
      CONSUMER_VERSION: 'abc123',
      PROVIDER_VERSION: 'def456',
      PACT_LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      pactDir: 'contracts/pacts',
      resultsDir: '/tmp/results',
      brokerBaseUrl: 'https://broker.example',
      consumerVersion: 'abc123',
      providerVersion: 'def456',
      pactLogLevel: 'debug',
    });
  });

  it('rejects a broker URL that is not http(s), an empty version and an unknown log level, all at once', () => {
    let error: unknown;
    try {
      loadContractsConfig({ PACT_BROKER_BASE_URL: 'broker', CONSUMER_VERSION: '', PACT_LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringContaining('PACT_BROKER_BASE_URL'),
      expect.stringContaining('CONSUMER_VERSION'),
      expect.stringContaining('PACT_LOG_LEVEL'),
    ]);
  });

  it('builds child environments from the current one plus overrides', () => {
    expect(childEnv({ PACT_DIR: '/x' }, { PATH: '/bin', PACT_DIR: '' })).toEqual({ PATH: '/bin', PACT_DIR: '/x' });
  });
});
