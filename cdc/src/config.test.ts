import { describe, expect, it } from 'vitest';
import { configError } from '@strangler/testkit/config-error';
import { cdcConfig, loadCdcConfig } from './config.js';

describe('cdc projector config', () => {
  it('derives names, port and target database from PROJECTOR', () => {
    expect(loadCdcConfig({ PROJECTOR: 'users' })).toEqual({
      projector: 'users',
      kafkaBrokers: ['127.0.0.1:9092'],
      kafkaClientId: 'strangler-projector-users',
      topicPrefix: 'legacy',
      sourceDatabase: 'legacy',
      consumerGroup: 'strangler-projector-users',
      deadLetterTopic: 'legacy.dead-letter.users',
      maxRecordsPerTransaction: 500,
      maxBytesPerPartition: 1_048_576,
      retryInitialMs: 200,
      retryMaxMs: 30_000,
      progressIntervalMs: 5000,
      sessionTimeoutMs: 10_000,
      kafkaProbeIntervalMs: 2000,
      consumerRestartMaxMs: 5000,
      host: '127.0.0.1',
      port: 3101,
      logLevel: 'info',
      shutdownTimeoutMs: 10_000,
      dbHost: '127.0.0.1',
      dbPort: 3307,
      dbUser: 'users_svc',
      dbPassword: '',
      dbName: 'users_svc',
      dbPoolMax: 10,
    });
    expect(loadCdcConfig({ PROJECTOR: 'catalog', TOPIC_PREFIX: 'cdc1' })).toMatchObject({
      port: 3102,
      dbName: 'catalog_svc',
      dbUser: 'catalog_svc',
      consumerGroup: 'strangler-projector-catalog',
      deadLetterTopic: 'cdc1.dead-letter.catalog',
    });
  });

  it('reads every key from its environment variable', () => {
    const config = loadCdcConfig({
      PROJECTOR: 'catalog',
      KAFKA_BROKERS: 'k1:9092, k2:9093',
      KAFKA_CLIENT_ID: 'client',
      CONSUMER_GROUP: 'group-a',
      DEAD_LETTER_TOPIC: 'dlt',
      SOURCE_DATABASE: 'shop',
      MAX_RECORDS_PER_TRANSACTION: '50',
      PORT: '0',
      DB_NAME: 'other',
    });
    expect(config).toMatchObject({
      kafkaBrokers: ['k1:9092', 'k2:9093'],
      kafkaClientId: 'client',
      consumerGroup: 'group-a',
      deadLetterTopic: 'dlt',
      sourceDatabase: 'shop',
      maxRecordsPerTransaction: 50,
      port: 0,
      dbName: 'other',
    });
  });

  it('fails fast listing every problem at once, without echoing the password', () => {
    const error = configError(() =>
      loadCdcConfig({ PROJECTOR: 'orders', KAFKA_BROKERS: 'no-port', MAX_RECORDS_PER_TRANSACTION: '0', DB_PASSWORD: 'hunter2', DB_PORT: 'x' }),
    );
    expect(error.problems).toHaveLength(4);
    expect(error.message).toContain('PROJECTOR="orders" is invalid');
    expect(error.message).toContain('KAFKA_BROKERS="no-port" is invalid');
    expect(error.message).toContain('MAX_RECORDS_PER_TRANSACTION="0" is invalid');
    expect(error.message).toContain('DB_PORT="x" is invalid');
    expect(error.message).not.toContain('hunter2');
  });

  it('requires PROJECTOR', () => {
    expect(configError(() => loadCdcConfig({})).problems).toEqual([expect.stringMatching(/^PROJECTOR is required/)]);
  });

  it('rejects a back-off ceiling below the first back-off', () => {
    expect(configError(() => loadCdcConfig({ PROJECTOR: 'users', RETRY_INITIAL_MS: '1000', RETRY_MAX_MS: '10' })).message).toContain('RETRY_MAX_MS=10');
  });

  it('rejects a session timeout the broker would refuse', () => {
    expect(configError(() => loadCdcConfig({ PROJECTOR: 'users', CONSUMER_SESSION_TIMEOUT_MS: '3000' })).message).toContain('CONSUMER_SESSION_TIMEOUT_MS=3000');
  });

  it('describes every key for docs', () => {
    expect(cdcConfig.describe().map((row) => row.env)).toEqual(
      expect.arrayContaining(['PROJECTOR', 'KAFKA_BROKERS', 'CONSUMER_GROUP', 'DEAD_LETTER_TOPIC', 'PORT', 'DB_NAME', 'LOG_LEVEL']),
    );
  });
});
