/**
 * The slice of Kafka Connect's REST API the launcher and the `strangler cdc` commands use. Errors name the worker
 * URL and what Connect said, so "is Connect up?" and "is my config wrong?" read differently.
 */
/** fetch() says only "fetch failed"; the reason (ECONNREFUSED, a timeout) is in its cause. */
function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'no answer in time';
  const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? error.message;
}

export class ConnectUnavailableError extends Error {
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(`Kafka Connect is not reachable at ${url} (${describeFetchError(cause)}); is the stack running? (npm start)`, { cause });
    this.name = 'ConnectUnavailableError';
  }
}

export class ConnectRequestError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    what: string,
  ) {
    super(`Kafka Connect refused ${what}: HTTP ${status}${detail ? `: ${detail}` : ''}`);
    this.name = 'ConnectRequestError';
  }
}

export type ConnectorState = 'RUNNING' | 'PAUSED' | 'FAILED' | 'UNASSIGNED' | 'RESTARTING' | 'STOPPED';

export interface ConnectorStatus {
  name: string;
  connector: { state: ConnectorState; worker_id: string; trace?: string };
  tasks: Array<{ id: number; state: ConnectorState; worker_id: string; trace?: string }>;
  type?: string;
}

export type ConnectorConfig = Record<string, string>;

export class ConnectClient {
  constructor(
    readonly url: string,
    private readonly timeoutMs = 10_000,
  ) {}

  private async request(method: string, path: string, what: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new ConnectUnavailableError(this.url, error);
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (response.status >= 400 && response.status !== 404) {
      const message = (json as { message?: string } | undefined)?.message ?? text.slice(0, 500);
      throw new ConnectRequestError(response.status, message, what);
    }
    return { status: response.status, json };
  }

  /**
   * Creates the connector or replaces its config: PUT is idempotent, so registering on every start is safe.
   * Returns whether it was created now.
   */
  async putConnectorConfig(name: string, config: ConnectorConfig): Promise<{ created: boolean }> {
    const { status } = await this.request('PUT', `/connectors/${encodeURIComponent(name)}/config`, `the config of connector "${name}"`, config);
    if (status === 404) throw new ConnectRequestError(404, 'not found', `the config of connector "${name}"`);
    return { created: status === 201 };
  }

  /** Undefined when no connector has this name. */
  async connectorStatus(name: string): Promise<ConnectorStatus | undefined> {
    const { status, json } = await this.request('GET', `/connectors/${encodeURIComponent(name)}/status`, `the status of connector "${name}"`);
    return status === 404 ? undefined : (json as ConnectorStatus);
  }

  /** Undefined when no connector has this name. Secrets referenced through a config provider stay references. */
  async connectorConfig(name: string): Promise<ConnectorConfig | undefined> {
    const { status, json } = await this.request('GET', `/connectors/${encodeURIComponent(name)}/config`, `the config of connector "${name}"`);
    return status === 404 ? undefined : (json as ConnectorConfig);
  }

  async listConnectors(): Promise<string[]> {
    const { json } = await this.request('GET', '/connectors', 'the list of connectors');
    return json as string[];
  }

  /** Restarts the connector and (with `includeTasks`) its failed tasks. */
  async restartConnector(name: string, options: { includeTasks?: boolean; onlyFailed?: boolean } = {}): Promise<void> {
    const query = `?includeTasks=${options.includeTasks ?? true}&onlyFailed=${options.onlyFailed ?? false}`;
    const { status } = await this.request('POST', `/connectors/${encodeURIComponent(name)}/restart${query}`, `a restart of connector "${name}"`);
    if (status === 404) throw new ConnectRequestError(404, 'not found', `a restart of connector "${name}"`);
  }

  async deleteConnector(name: string): Promise<boolean> {
    const { status } = await this.request('DELETE', `/connectors/${encodeURIComponent(name)}`, `deleting connector "${name}"`);
    return status !== 404;
  }
}

/** The connector and every task RUNNING (a connector with no task yet is not running). */
export function isConnectorRunning(status: ConnectorStatus): boolean {
  return status.connector.state === 'RUNNING' && status.tasks.length > 0 && status.tasks.every((task) => task.state === 'RUNNING');
}

/** The connector, or its first task, in state FAILED; undefined when nothing failed. */
export function failedPart(status: ConnectorStatus): { state: ConnectorState; trace?: string } | undefined {
  return [status.connector, ...status.tasks].find((part) => part.state === 'FAILED');
}

/**
 * Polls until the connector and its tasks run; throws when one FAILED (with the first line of its trace) or after
 * `timeoutMs`. What the launcher, the test harness, the bench and compose's register step wait for after a PUT.
 */
export async function waitUntilConnectorRunning(
  client: Pick<ConnectClient, 'connectorStatus'>,
  name: string,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<ConnectorStatus> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let last: ConnectorStatus | undefined;
  for (;;) {
    last = await client.connectorStatus(name);
    const failed = last && failedPart(last);
    if (failed) throw new Error(`connector "${name}" FAILED: ${failed.trace?.split('\n')[0] ?? 'no trace'}`);
    if (last && isConnectorRunning(last)) return last;
    if (Date.now() > deadline) throw new Error(`connector "${name}" is not RUNNING after ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
}
