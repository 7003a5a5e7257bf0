// Registers cdc/connectors/legacy.json (PUT, idempotent) and waits until it runs: compose's `cdc-register` step.
// The local stack does the same through the launcher; `npm run strangler -- cdc register` for a running stack.
import { createLogger, runCli } from '@strangler/platform';
import { loadSlicesSetting } from '@strangler/platform/slices';
import { loadRegisterConfig } from '../config.js';
import { ConnectClient, waitUntilConnectorRunning } from './connect-client.js';
import { capturedTables, LEGACY_CONNECTOR_NAME, legacyConnectorConfig } from './legacy-connector.js';

runCli(async () => {
  const config = loadRegisterConfig();
  const logger = createLogger({ name: 'cdc-register', level: 'info' });
  const client = new ConnectClient(config.connectUrl);
  const { created } = await client.putConnectorConfig(
    LEGACY_CONNECTOR_NAME,
    legacyConnectorConfig({
      mariadb: { host: config.dbHost, port: config.dbPort, user: config.dbUser },
      passwordReference: config.passwordReference,
      kafkaBootstrap: config.kafkaBrokers.join(','),
      tables: capturedTables(loadSlicesSetting(config.slicesDir)),
    }),
  );
  logger.info({ connector: LEGACY_CONNECTOR_NAME, created }, created ? 'connector created' : 'connector config updated');
  await waitUntilConnectorRunning(client, LEGACY_CONNECTOR_NAME, { timeoutMs: 60_000, intervalMs: 500 });
  logger.info({ connector: LEGACY_CONNECTOR_NAME }, 'connector RUNNING');
  return 0;
});
