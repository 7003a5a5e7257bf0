import { hostname } from 'node:os';
import { Unleash, UnleashEvents } from 'unleash-client';
import type { Logger } from '@strangler/platform';
import { NO_FLAGS_NOTE, type FlagProvider, type FlagSource, type FlagStatus } from './flag-evaluator.js';
import { createSnapshotStorage, inspectSnapshot } from './snapshot-storage.js';

/** /ready's note while Unleash cannot be reached and the last known flags are in use. */
export const UNREACHABLE_NOTE = 'unleash unreachable: last known flags';

/** The smallest per-call timeout unleash-client can use (see below). */
export const MIN_REQUEST_TIMEOUT_MS = 1000;

export interface UnleashFlagOptions {
  /** Client API base, e.g. http://127.0.0.1:4242/api */
  url: string;
  /** Client (backend) token; sent as Authorization. Empty: none. */
  clientToken?: string;
  appName: string;
  /** Defaults to hostname-pid. */
  instanceId?: string;
  refreshIntervalMs: number;
  /** Last known flags, in unleash-client's backup format; read at start, rewritten on every change. */
  snapshotFile: string;
  /** Timeout of one API call (unleash-client retries twice within it); at least 1000 ms. */
  requestTimeoutMs?: number;
  /** Send usage metrics to Unleash (off by default: the edge evaluates on every request and has its own metrics). */
  sendMetrics?: boolean;
  metricsIntervalMs?: number;
  /** A usable snapshot that has not loaded after this long is given up on: all legacy until Unleash answers. */
  startupTimeoutMs?: number;
  logger?: Logger;
}

/**
 * Flags from Unleash, evaluated in memory by unleash-client (flexibleRollout hashes the stickiness value with
 * murmurhash, so every edge instance with the same flag state makes the same decision for the same key).
 *
 * Start-up: a usable snapshot file bootstraps the client before (or without) the server answering; with no
 * snapshot the status is ready at once in the explicit "no flags: all legacy" state (every flag off) until the
 * server answers. `ready` resolves once flags are actually loaded. Every fetch that changes flags rewrites the
 * snapshot.
 */
export function createUnleashFlagEvaluator(options: UnleashFlagOptions): FlagProvider {
  const { logger } = options;
  const snapshot = inspectSnapshot(options.snapshotFile);
  if (snapshot === 'unreadable') {
    logger?.warn({ file: options.snapshotFile }, 'flag snapshot is unreadable; ignoring it');
  }

  let source: FlagSource | 'starting' = snapshot === 'usable' ? 'starting' : 'none';
  // unleash-client answers the fallback (false) until it has data, but warns on every call; we skip the call.
  let loaded = false;
  let resolveReady!: (status: FlagStatus) => void;
  const ready = new Promise<FlagStatus>((resolve) => {
    resolveReady = resolve;
  });

  // Since when the last fetches have failed (Unleash down or restarting), or undefined while they succeed.
  let unreachableSince: number | undefined;
  /**
   * Ready means "flags can be evaluated": an Unleash outage does not change that. The client keeps the last flags it
   * had in memory (and the snapshot on disk) and keeps polling, so the edge stays ready and keeps routing by them;
   * taking it out of rotation would only move every slice's reads onto nginx's backup. The outage shows as a note.
   */
  const status = (): FlagStatus => {
    if (source === 'starting') return { ready: false, source };
    if (source === 'none') return { ready: true, source, note: NO_FLAGS_NOTE };
    if (unreachableSince !== undefined) return { ready: true, source, note: `${UNREACHABLE_NOTE} since ${new Date(unreachableSince).toISOString()}` };
    return { ready: true, source };
  };
  const settle = (next: FlagSource): void => {
    const previous = source;
    source = next;
    if (previous !== next) logger?.info({ source: next }, next === 'none' ? `flags: ${NO_FLAGS_NOTE}` : `flags loaded from ${next}`);
    if (next !== 'none') resolveReady(status());
  };

  const unleash = new Unleash({
    url: options.url,
    appName: options.appName,
    instanceId: options.instanceId || `${hostname()}-${process.pid}`,
    refreshInterval: options.refreshIntervalMs,
    // unleash-client retries with make-fetch-happen, whose retry minTimeout is 1 s: a smaller timeout makes every
    // fetch throw an unhandled rejection ("minTimeout is greater than maxTimeout").
    timeout: Math.max(MIN_REQUEST_TIMEOUT_MS, options.requestTimeoutMs ?? 5000),
    customHeaders: {
      ...(options.clientToken ? { Authorization: options.clientToken } : {}),
      // Unconditional polls. Unleash answers a conditional request with 304 until its revision id moves, and it moves
      // on a 1 s server tick: a rollout or kill would take up to a second longer than our refresh interval. The edge
      // polls a handful of flags, so the full payload every time is cheap. (Custom headers win over the client's own.)
      'If-None-Match': '"strangler-edge-unconditional"',
    },
    disableMetrics: !(options.sendMetrics ?? false),
    metricsInterval: options.metricsIntervalMs,
    storageProvider: createSnapshotStorage(options.snapshotFile),
    // Tests build many instances in one process; each is destroyed by close().
    skipInstanceCountWarning: true,
  });

  // Fired once data is in memory: from the snapshot, or from the server (then after `synchronized`).
  unleash.on(UnleashEvents.Ready, () => {
    loaded = true;
    if (source !== 'unleash') settle(unleash.isSynchronized() ? 'unleash' : 'snapshot');
  });
  unleash.on(UnleashEvents.Synchronized, () => {
    loaded = true;
    settle('unleash');
  });
  // Every successful fetch saves (our polls are unconditional), and a save emits Changed.
  const reachable = (): void => {
    if (unreachableSince === undefined) return;
    logger?.info({ downMs: Date.now() - unreachableSince }, 'unleash: reachable again; flags are current');
    unreachableSince = undefined;
  };
  unleash.on(UnleashEvents.Changed, reachable);
  unleash.on(UnleashEvents.Unchanged, reachable);
  unleash.on(UnleashEvents.Error, (error: Error) => {
    unreachableSince ??= Date.now();
    logger?.warn({ err: { message: error.message } }, 'unleash: flags could not be refreshed; keeping the current ones');
  });
  unleash.on(UnleashEvents.Warn, (message: unknown) => {
    const detail = String(message);
    // A 5xx/429/404 from a restarting Unleash is only a warning to unleash-client ("… responded 503. Backing off"),
    // as is a reset keep-alive socket: flags were not refreshed all the same.
    if (/Backing off|retrying in/.test(detail)) unreachableSince ??= Date.now();
    logger?.debug({ detail }, 'unleash warning');
  });

  let startupTimer: NodeJS.Timeout | undefined;
  if (source === 'none') {
    logger?.info({ file: options.snapshotFile }, `no flag snapshot: ${NO_FLAGS_NOTE} until Unleash answers`);
  } else {
    startupTimer = setTimeout(() => {
      if (source === 'starting') {
        logger?.warn({ file: options.snapshotFile }, 'flag snapshot did not load in time');
        settle('none');
      }
    }, options.startupTimeoutMs ?? 5000);
    startupTimer.unref();
  }

  let closed: Promise<void> | undefined;
  return {
    isEnabled(flag, context) {
      return loaded && unleash.isEnabled(flag, { userId: context.userId, sessionId: context.sessionId }, false);
    },
    status,
    ready,
    close() {
      closed ??= (async () => {
        clearTimeout(startupTimer);
        if (options.sendMetrics) await unleash.destroyWithFlush().catch(() => undefined);
        else unleash.destroy();
        // destroy() removes every listener from its repository, but a fetch already in flight still reports its
        // failure there: an 'error' event with no listener throws inside the fetch and surfaces as an unhandled
        // rejection (fatal in Node) after shutdown. Keep a listener on it.
        (unleash as unknown as { repository?: { on(event: string, listener: () => void): void } }).repository?.on(UnleashEvents.Error, () => undefined);
      })();
      return closed;
    },
  };
}
