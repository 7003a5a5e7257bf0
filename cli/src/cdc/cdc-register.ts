import { failedPart, isConnectorRunning, LEGACY_CONNECTOR_NAME, legacyConnectorConfig, type ConnectorStatus } from '@strangler/cdc/connect';
import { connectCliError, type CliError } from '../cli-error.js';
import type { CliDeps } from '../cli-deps.js';
import { connectorFailure, connectorReportOf, type ConnectorReport } from './connector-report.js';

/** How often `cdc register` looks whether the connector runs yet. */
export const REGISTER_POLL_MS = 500;

export interface CdcRegisterResult {
  created: boolean;
  connector: ConnectorReport;
  /** The connector or a task is not RUNNING yet after STRANGLER_CDC_WAIT_MS. */
  settling: boolean;
}

const settled = (status: ConnectorStatus) => isConnectorRunning(status) || failedPart(status) !== undefined;

/**
 * PUTs cdc/connectors/legacy.json with the stack's settings, as `npm start` does (idempotent: creates or updates),
 * then waits (STRANGLER_CDC_WAIT_MS) until it and its tasks run or something FAILED.
 */
export async function cdcRegisterCommand(deps: CliDeps): Promise<CdcRegisterResult> {
  const cdc = deps.cdc();
  const config = legacyConnectorConfig(cdc.connectorSettings());
  try {
    const { created } = await cdc.connect.putConnectorConfig(LEGACY_CONNECTOR_NAME, config);
    const attempts = Math.max(1, Math.ceil(cdc.registerWaitMs / REGISTER_POLL_MS) + 1);
    let status: ConnectorStatus | undefined;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      status = await cdc.connect.connectorStatus(LEGACY_CONNECTOR_NAME);
      if (status && settled(status)) break;
      if (attempt < attempts) await cdc.sleep(REGISTER_POLL_MS);
    }
    return { created, connector: connectorReportOf(LEGACY_CONNECTOR_NAME, cdc.connect.url, status), settling: !status || !settled(status) };
  } catch (error) {
    throw connectCliError(error) ?? error;
  }
}

export function cdcRegisterFailure(result: CdcRegisterResult): CliError | undefined {
  return connectorFailure(result.connector);
}
