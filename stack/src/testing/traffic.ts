/**
 * Steady shop traffic through one base URL (nginx in the chaos test): mostly reads of rows every store holds, and
 * writes whose acknowledged outcome is known exactly, so a test can check afterwards that none was lost.
 */

export interface RequestRecord {
  kind: 'read' | 'write';
  method: string;
  path: string;
  startedAt: number;
  ms: number;
  /** The HTTP status, or 0 when no response arrived. */
  status: number;
  /** x-strangler-backend of the answer (which store served a read). */
  backend?: string;
  error?: string;
}

/** What the stores must hold for the acknowledged writes (each product is written by one worker, in order). */
export interface AcknowledgedWrites {
  createdUsers: Array<{ id: number; email: string }>;
  /** Product id → the name of its last acknowledged PATCH. */
  productNames: Map<number, string>;
  /** Product id → the quantity of its last acknowledged stock PUT. */
  stockQuantities: Map<number, number>;
}

export interface Traffic {
  readonly records: readonly RequestRecord[];
  readonly acknowledged: AcknowledgedWrites;
  /** Records of reads started within [from, to). */
  readsBetween(from: number, to: number): RequestRecord[];
  stop(): Promise<void>;
}

export interface TrafficOptions {
  baseUrl: string;
  /** Rows that exist in every store from the start (seeded and projected), so a read of them must succeed. */
  userIds: readonly number[];
  productIds: readonly number[];
  /** Concurrent clients; each owns the products whose index modulo this is its own. */
  clients: number;
  /** Pause between one client's requests: keeps the rate well under the edge's per-client limit. */
  pauseMs: number;
  /** Per-request limit: a request that takes longer counts as failed. */
  timeoutMs: number;
  /** Unique per run, in the created users' e-mails. */
  runId: string;
}

type Operation = { kind: 'read' | 'write'; method: string; path: string; body?: unknown; onAcknowledged?: (body: unknown) => void };

const pick = <T>(items: readonly T[], n: number): T => items[n % items.length] as T;

/** The n-th request of one client: four reads, then a write, round robin over three kinds of each. */
export function operationFor(client: number, n: number, options: TrafficOptions, acknowledged: AcknowledgedWrites): Operation {
  const round = Math.floor(n / 5);
  if (n % 5 < 4) {
    const spread = client * 7919 + n * 31;
    switch ((n + client) % 3) {
      case 0:
        return { kind: 'read', method: 'GET', path: `/api/users/${pick(options.userIds, spread)}` };
      case 1:
        return { kind: 'read', method: 'GET', path: `/api/products/${pick(options.productIds, spread)}` };
      default:
        return { kind: 'read', method: 'GET', path: `/api/products/${pick(options.productIds, spread)}/stock` };
    }
  }
  const own = options.productIds.filter((_, index) => index % options.clients === client);
  const product = own.length > 0 ? pick(own, round) : undefined;
  const kind = product === undefined ? 0 : round % 3;
  if (kind === 0) {
    const email = `chaos-${options.runId}-${client}-${n}@example.com`;
    return {
      kind: 'write',
      method: 'POST',
      path: '/api/users',
      body: { email, fullName: `Chaos ${client}-${n}`, password: 'chaos-password-1' },
      onAcknowledged: (body) => acknowledged.createdUsers.push({ id: (body as { id: number }).id, email }),
    };
  }
  if (kind === 1) {
    const name = `Chaos product ${client}-${n}`;
    return { kind: 'write', method: 'PATCH', path: `/api/products/${product}`, body: { name }, onAcknowledged: () => acknowledged.productNames.set(product as number, name) };
  }
  // Far above any seeded reservation, so the PUT is always valid.
  const quantity = 10_000 + n;
  return {
    kind: 'write',
    method: 'PUT',
    path: `/api/products/${product}/stock`,
    body: { quantity },
    onAcknowledged: () => acknowledged.stockQuantities.set(product as number, quantity),
  };
}

async function send(baseUrl: string, operation: Operation, timeoutMs: number): Promise<RequestRecord> {
  const startedAt = Date.now();
  const record = (status: number, extra: Partial<RequestRecord> = {}): RequestRecord => ({
    kind: operation.kind,
    method: operation.method,
    path: operation.path,
    startedAt,
    ms: Date.now() - startedAt,
    status,
    ...extra,
  });
  try {
    const response = await fetch(`${baseUrl}${operation.path}`, {
      method: operation.method,
      headers: operation.body === undefined ? {} : { 'content-type': 'application/json' },
      body: operation.body === undefined ? undefined : JSON.stringify(operation.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    const backend = response.headers.get('x-strangler-backend') ?? undefined;
    const ok = operation.kind === 'read' ? response.status === 200 : response.status === 200 || response.status === 201;
    if (ok) operation.onAcknowledged?.(text === '' ? undefined : JSON.parse(text));
    return record(response.status, { backend, ...(ok ? {} : { error: text.slice(0, 300) }) });
  } catch (error) {
    return record(0, { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
}

export function startTraffic(options: TrafficOptions): Traffic {
  const records: RequestRecord[] = [];
  const acknowledged: AcknowledgedWrites = { createdUsers: [], productNames: new Map(), stockQuantities: new Map() };
  let stopping = false;
  const client = async (index: number) => {
    for (let n = 0; !stopping; n++) {
      records.push(await send(options.baseUrl, operationFor(index, n, options, acknowledged), options.timeoutMs));
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
  };
  const running = Promise.all(Array.from({ length: options.clients }, (_, index) => client(index)));
  return {
    records,
    acknowledged,
    readsBetween: (from, to) => records.filter((r) => r.kind === 'read' && r.startedAt >= from && r.startedAt < to),
    async stop() {
      stopping = true;
      await running;
    },
  };
}

/** The q-quantile (0..1) of the durations, nearest rank. */
export function quantileMs(records: readonly RequestRecord[], q: number): number {
  if (records.length === 0) return Number.NaN;
  const sorted = records.map((r) => r.ms).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}
