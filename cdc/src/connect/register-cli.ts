// Registers cdc/connectors/legacy.json (PUT, idempotent) and waits until it runs: compose's `cdc-register` step.
// The local stack does the same through the launcher; `npm run strangler -- cdc register` for a running stack.
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger, runCli } from '@strangler/platform';
import { loadRegisterConfig } from '../config.js';
import { ConnectClient } from './connect-client.js';
import { LEGACY_CONNECTOR_NAME, legacyConnectorConfig } from './legacy-connector.js';

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
    }),
  );
  logger.info({ connector: LEGACY_CONNECTOR_NAME, created }, created ? 'connector created' : 'connector config updated');
  for (let attempt = 0; attempt < 120; attempt++) {
    const status = await client.connectorStatus(LEGACY_CONNECTOR_NAME);
    const failed = status && [status.connector, ...status.tasks].find((part) => part.state === 'FAILED');
    if (failed) throw new Error(`connector ${LEGACY_CONNECTOR_NAME} FAILED: ${failed.trace?.split('\n')[0] ?? ''}`);
    if (status?.connector.state === 'RUNNING' && status.tasks.length > 0 && status.tasks.every((task) => task.state === 'RUNNING')) {
      logger.info({ connector: LEGACY_CONNECTOR_NAME }, 'connector RUNNING');
      return 0;
    }
    await sleep(500);
  }
  logger.error({ connector: LEGACY_CONNECTOR_NAME }, 'connector not RUNNING after 60 s');
  return 1;
});
