import type { ConnectorState, ConnectorStatus } from '@strangler/cdc/connect';
import { CliError, connectCliError, EXIT_FAILURE } from '../cli-error.js';
import type { CdcConnect } from './cdc-deps.js';

export interface ReportError {
  code: string;
  message: string;
}

export interface TaskReport {
  id: number;
  state: ConnectorState;
  workerId: string;
  /** First line of the Java stack trace of a FAILED task. */
  trace?: string;
}

export interface ConnectorReport {
  name: string;
  connectUrl: string;
  /** Null when Connect could not be asked. */
  registered: boolean | null;
  state: ConnectorState | null;
  workerId: string | null;
  trace?: string;
  tasks: TaskReport[];
  error?: ReportError;
}

const firstLine = (trace: string | undefined) => trace?.split('\n')[0]?.trim() || undefined;

export function connectorReportOf(name: string, connectUrl: string, status: ConnectorStatus | undefined): ConnectorReport {
  if (!status) return { name, connectUrl, registered: false, state: null, workerId: null, tasks: [] };
  const trace = status.connector.state === 'FAILED' ? firstLine(status.connector.trace) : undefined;
  return {
    name,
    connectUrl,
    registered: true,
    state: status.connector.state,
    workerId: status.connector.worker_id,
    ...(trace ? { trace } : {}),
    tasks: [...status.tasks]
      .sort((a, b) => a.id - b.id)
      .map((task) => {
        const taskTrace = task.state === 'FAILED' ? firstLine(task.trace) : undefined;
        return { id: task.id, state: task.state, workerId: task.worker_id, ...(taskTrace ? { trace: taskTrace } : {}) };
      }),
  };
}

export async function readConnector(connect: CdcConnect, name: string): Promise<ConnectorReport> {
  try {
    return connectorReportOf(name, connect.url, await connect.connectorStatus(name));
  } catch (error) {
    const failure = connectCliError(error);
    if (!failure) throw error;
    return { name, connectUrl: connect.url, registered: null, state: null, workerId: null, tasks: [], error: { code: failure.code, message: failure.message } };
  }
}

/** The connector or one of its tasks FAILED (exit 1, so a script can alert), or Connect could not say. */
export function connectorFailure(connector: ConnectorReport): CliError | undefined {
  if (connector.error) return new CliError(EXIT_FAILURE, connector.error.code, connector.error.message);
  const failed = [
    ...(connector.state === 'FAILED' ? [`connector ${connector.name} is FAILED${connector.trace ? `: ${connector.trace}` : ''}`] : []),
    ...connector.tasks.filter((task) => task.state === 'FAILED').map((task) => `task ${task.id} of connector ${connector.name} is FAILED${task.trace ? `: ${task.trace}` : ''}`),
  ];
  if (failed.length === 0) return undefined;
  return new CliError(
    EXIT_FAILURE,
    'CONNECTOR_FAILED',
    `${failed.join('; ')}. The worker's log has the whole trace; once the cause is fixed: curl -X POST '${connector.connectUrl}/connectors/${connector.name}/restart?includeTasks=true&onlyFailed=true'`,
  );
}
