import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capturedTables, legacyConnectorConfig, readConnectorFile } from './legacy-connector.js';

const settings = {
  mariadb: { host: 'db.internal', port: 3307, user: 'cdc' },
  passwordReference: '${file:/secrets/mariadb-cdc.properties:password}',
  kafkaBootstrap: 'k1:9092,k2:9092',
};

describe('legacyConnectorConfig (cdc/connectors/legacy.json + the stack settings)', () => {
  it('fills in where and as whom to connect, and keeps every setting of the file', () => {
    const file = readConnectorFile();
    const config = legacyConnectorConfig(settings);
    expect(config).toMatchObject({
      'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector',
      'database.hostname': 'db.internal',
      'database.port': '3307',
      'database.user': 'cdc',
      'database.password': '${file:/secrets/mariadb-cdc.properties:password}',
      'schema.history.internal.kafka.bootstrap.servers': 'k1:9092,k2:9092',
      'topic.prefix': 'legacy',
      'database.include.list': 'legacy',
      // The slice manifests' legacy tables: catalog's, then users'.
      'table.include.list': 'legacy.products,legacy.inventory,legacy.users',
      'schema.history.internal.kafka.topic': 'legacy.schema-history',
    });
    for (const key of ['snapshot.mode', 'tombstones.on.delete', 'decimal.handling.mode', 'heartbeat.interval.ms']) expect(config[key], key).toBe(file[key]);
    expect(Object.values(config).every((value) => typeof value === 'string')).toBe(true);
  });

  it('captures another database under another prefix (tests, side-by-side pipelines)', () => {
    const config = legacyConnectorConfig({ ...settings, database: 't_legacy_1', topicPrefix: 'tabc', serverId: 77, overrides: { 'snapshot.mode': 'no_data' } });
    expect(config['database.include.list']).toBe('t_legacy_1');
    expect(config['table.include.list']).toBe('t_legacy_1.products,t_legacy_1.inventory,t_legacy_1.users');
    expect(config['topic.prefix']).toBe('tabc');
    expect(config['schema.history.internal.kafka.topic']).toBe('tabc.schema-history');
    expect(config['database.server.id']).toBe('77');
    expect(config['snapshot.mode']).toBe('no_data');
  });

  it('rejects a connector file that is not a flat object of strings or lacks a required setting', () => {
    const dir = mkdtempSync(join(tmpdir(), 'connector-'));
    const numbers = join(dir, 'numbers.json');
    writeFileSync(numbers, JSON.stringify({ 'tasks.max': 1 }));
    expect(() => readConnectorFile(numbers)).toThrow(/"tasks\.max" must be a string/);
    const partial = join(dir, 'partial.json');
    writeFileSync(partial, JSON.stringify({ 'connector.class': 'x' }));
    expect(() => readConnectorFile(partial)).toThrow(/missing "database\.user", "topic\.prefix"/);
  });

  it('captures each legacy table the slices cover, once, and the tables a caller names instead', () => {
    const slice = (...tables: string[]) => ({ tables: tables.map((legacy) => ({ legacy, service: legacy })) });
    expect(capturedTables([slice('products', 'inventory'), slice('users'), slice('users', 'orders')])).toEqual(['products', 'inventory', 'users', 'orders']);
    expect(legacyConnectorConfig({ ...settings, tables: ['orders'] })['table.include.list']).toBe('legacy.orders');
  });
});
