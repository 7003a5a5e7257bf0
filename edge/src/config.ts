import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError, defineConfig, envSchemas, type ConfigValues, type Env } from '@strangler/platform';
import { DEFAULT_SLICES_DIR, loadConfigWithSlices, loadSlicesOf, sliceEnvPrefix, type LoadedSlice } from '@strangler/platform/slices';

/** The stack keeps its state under .stack/ at the repository root (git-ignored, wiped by `npm run stack:reset`). */
const DEFAULT_SNAPSHOT_DIR = fileURLToPath(new URL('../../.stack/edge-flags', import.meta.url));

/** '' (unset) or an http(s) URL; a typo in an override must stop the edge, not silently route to the default. */
const optionalUrl = z
  .string()
  .trim()
  .refine((value) => value === '' || /^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(value), 'expected an http:// or https:// URL')
  .transform((value) => (value === '' ? undefined : value));

/** "name=url,name=url" where name is `legacy`, `<slice>`, `<slice>.service` or `<slice>.legacy`. */
const overrideList = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const entries: Array<{ key: string; url: string }> = [];
    if (value === '') return entries;
    for (const part of value.split(',')) {
      const match = /^\s*([a-z][a-z0-9-]*(?:\.(?:service|legacy))?)\s*=\s*(https?:\/\/\S+?)\s*$/.exec(part);
      if (!match?.[1] || !match[2]) {
        ctx.addIssue({ code: 'custom', message: `"${part}" is not name=http://host:port` });
        continue;
      }
      entries.push({ key: match[1], url: match[2] });
    }
    return entries;
  });

/** "auto" (one per CPU the process may use, like nginx's `worker_processes auto`) or a count from 1 to 64. */
const workerCount = z
  .string()
  .trim()
  .refine((value) => value === 'auto' || (/^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 64), 'expected "auto" or 1-64')
  .transform((value) => (value === 'auto' ? availableParallelism() : Number(value)));

/** Every setting of the edge: env var, default, description. Nothing else reads process.env. */
export const edgeConfig = defineConfig({
  host: { env: 'EDGE_HOST', default: '127.0.0.1', description: 'Interface the proxy listens on', schema: envSchemas.host },
  port: { env: 'EDGE_PORT', default: '8000', description: 'Port of the proxy (public traffic)', schema: envSchemas.port },
  adminHost: {
    env: 'EDGE_ADMIN_HOST',
    default: '127.0.0.1',
    description: 'Interface of the admin listener (/health, /ready, /metrics)',
    schema: envSchemas.host,
  },
  adminPort: { env: 'EDGE_ADMIN_PORT', default: '8001', description: 'Port of the admin listener', schema: envSchemas.port },
  workers: {
    env: 'EDGE_WORKERS',
    default: 'auto',
    description: 'Proxy processes: "auto" (one per CPU) or a count; 1 runs the proxy in the main process, more fork workers sharing the port',
    schema: workerCount,
  },
  logLevel: { env: 'LOG_LEVEL', default: 'info', description: 'pino log level', schema: envSchemas.logLevel },
  accessLog: { env: 'ACCESS_LOG', default: 'true', description: 'Write one JSON access-log line per request (off for benchmarks)', schema: envSchemas.boolean },
  slicesDir: {
    env: 'SLICES_DIR',
    default: DEFAULT_SLICES_DIR,
    description: 'Folder of the slice manifests (<slice>.json): each slice\'s flag, targets and read routes',
    schema: envSchemas.nonEmpty,
  },
  legacyUrl: {
    env: 'LEGACY_URL',
    default: '',
    description: 'Overrides every legacy target of the route table (the default one and each slice\'s)',
    schema: optionalUrl,
  },
  upstreamOverrides: {
    env: 'UPSTREAM_URLS',
    default: '',
    description: 'Generic target overrides: "legacy=URL,<slice>=URL,<slice>.legacy=URL" (<slice> alone means its service)',
    schema: overrideList,
  },
  unleashUrl: { env: 'UNLEASH_URL', default: 'http://127.0.0.1:4242/api', description: 'Unleash client API base URL', schema: envSchemas.nonEmpty },
  unleashClientToken: {
    env: 'UNLEASH_CLIENT_TOKEN',
    default: '',
    description: 'Unleash client (backend) API token, sent as Authorization; empty sends none',
    schema: z.string(),
    secret: true,
  },
  unleashAppName: { env: 'UNLEASH_APP_NAME', default: 'strangler-edge', description: 'appName reported to Unleash; names the snapshot file', schema: envSchemas.nonEmpty },
  unleashInstanceId: {
    env: 'UNLEASH_INSTANCE_ID',
    default: '',
    description: 'instanceId reported to Unleash (empty: hostname-pid)',
    schema: z.string(),
  },
  unleashRefreshMs: { env: 'UNLEASH_REFRESH_MS', default: '5000', description: 'How often flags are polled from Unleash', schema: envSchemas.positiveInt },
  unleashTimeoutMs: {
    env: 'UNLEASH_TIMEOUT_MS',
    default: '5000',
    description: 'Timeout of one Unleash API call (at least 1000: unleash-client cannot retry within less)',
    schema: z.coerce.number().int().min(1000),
  },
  unleashSendMetrics: {
    env: 'UNLEASH_SEND_METRICS',
    default: 'false',
    description: 'Send flag usage metrics back to Unleash',
    schema: envSchemas.boolean,
  },
  flagSnapshotDir: {
    env: 'FLAG_SNAPSHOT_DIR',
    default: DEFAULT_SNAPSHOT_DIR,
    description: 'Where the last known flags are kept; used when Unleash is unreachable at start',
    schema: envSchemas.nonEmpty,
  },
  jwtSecret: {
    env: 'JWT_SECRET',
    description: 'HMAC key that verifies bearer tokens (at least 32 characters); the key the monolith signs login tokens with',
    schema: z.string().min(32, 'must be at least 32 characters'),
    secret: true,
  },
  jwtIssuer: { env: 'JWT_ISSUER', default: 'strangler-legacy', description: 'Required iss claim of bearer tokens', schema: envSchemas.nonEmpty },
  tokenCacheSize: { env: 'TOKEN_CACHE_SIZE', default: '10000', description: 'Verified bearer tokens remembered (LRU)', schema: envSchemas.positiveInt },
  tokenCacheTtlMs: {
    env: 'TOKEN_CACHE_TTL_MS',
    default: '60000',
    description: 'How long a verification result is reused (never past the token\'s exp)',
    schema: envSchemas.positiveInt,
  },
  stickyCookie: {
    env: 'STICKY_COOKIE',
    default: 'sid',
    description: 'Cookie that keeps anonymous visitors on one backend',
    schema: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected a cookie name'),
  },
  stickyCookieMaxAgeS: {
    env: 'STICKY_COOKIE_MAX_AGE_S',
    default: '31536000',
    description: 'Max-Age of the sticky cookie in seconds',
    schema: envSchemas.positiveInt,
  },
  stickyCookieSecure: {
    env: 'STICKY_COOKIE_SECURE',
    default: 'false',
    description: 'Mark the sticky cookie Secure (when TLS ends in front of the edge)',
    schema: envSchemas.boolean,
  },
  backendHeader: {
    env: 'BACKEND_HEADER',
    default: 'true',
    description: 'Add x-strangler-backend (legacy or the slice name) to every proxied response',
    schema: envSchemas.boolean,
  },
  rateLimitRps: {
    env: 'RATE_LIMIT_RPS',
    default: '200',
    description: 'Requests per second each client may make (token bucket refill); 0 disables the limit',
    schema: envSchemas.nonNegativeInt,
  },
  rateLimitBurst: { env: 'RATE_LIMIT_BURST', default: '400', description: 'Token bucket size per client', schema: envSchemas.positiveInt },
  trustedProxyHops: {
    env: 'TRUSTED_PROXY_HOPS',
    default: '0',
    description: 'Proxies in front of the edge whose x-forwarded-* are trusted (0: ignore and overwrite them)',
    schema: envSchemas.nonNegativeInt,
  },
  maxHeaderBytes: { env: 'MAX_HEADER_BYTES', default: '16384', description: 'Largest request head; larger gets 431', schema: envSchemas.positiveInt },
  maxBodyBytes: { env: 'MAX_BODY_BYTES', default: '1048576', description: 'Largest request body; larger gets 413', schema: envSchemas.positiveInt },
  headersTimeoutMs: {
    env: 'HEADERS_TIMEOUT_MS',
    default: '10000',
    description: 'Time a client has to send the request head (slow clients get 408)',
    schema: envSchemas.positiveInt,
  },
  requestTimeoutMs: {
    env: 'REQUEST_TIMEOUT_MS',
    default: '30000',
    description: 'Time a client has to send the whole request',
    schema: envSchemas.positiveInt,
  },
  keepAliveTimeoutMs: {
    env: 'KEEP_ALIVE_TIMEOUT_MS',
    default: '5000',
    description: 'Idle time before a client keep-alive connection is closed',
    schema: envSchemas.positiveInt,
  },
  upstreamTimeoutMs: {
    env: 'UPSTREAM_TIMEOUT_MS',
    default: '10000',
    description: 'Longest silence from legacy (connect, response head, between body chunks) before 504; also a service\'s body once its head has arrived',
    schema: envSchemas.positiveInt,
  },
  serviceTimeoutMs: {
    env: 'SERVICE_TIMEOUT_MS',
    default: '3000',
    description: 'Longest wait for a new service\'s response head before the read is served by legacy instead',
    schema: envSchemas.positiveInt,
  },
  hedgeEnabled: {
    env: 'HEDGE_ENABLED',
    default: 'true',
    description: 'Hedge slow service reads: a GET/HEAD the service has not answered (head) within the hedge delay is also sent to legacy, and the first valid answer wins',
    schema: envSchemas.boolean,
  },
  hedgeQuantile: {
    env: 'HEDGE_QUANTILE',
    default: '0.95',
    description: 'The hedge delay follows this quantile of the service\'s recent successful read latencies (time to response head)',
    schema: z.coerce.number().min(0.5).max(0.999),
  },
  hedgeFactor: {
    env: 'HEDGE_FACTOR',
    default: '2',
    description: 'The hedge delay is the latency quantile times this factor, clamped to HEDGE_MIN_MS..HEDGE_MAX_MS',
    schema: z.coerce.number().min(1).max(100),
  },
  hedgeMinMs: {
    env: 'HEDGE_MIN_MS',
    default: '50',
    description: 'Shortest hedge delay (keeps hedges rare when the service is fast)',
    schema: envSchemas.positiveInt,
  },
  hedgeMaxMs: {
    env: 'HEDGE_MAX_MS',
    default: '1000',
    description: 'Longest hedge delay, and the delay until enough reads have been seen (capped at half SERVICE_TIMEOUT_MS)',
    schema: envSchemas.positiveInt,
  },
  hedgeWindow: {
    env: 'HEDGE_WINDOW',
    default: '256',
    description: 'How many recent successful service reads the latency quantile is taken over',
    schema: z.coerce.number().int().min(20).max(100_000),
  },
  upstreamMaxSockets: {
    env: 'UPSTREAM_MAX_SOCKETS',
    default: '256',
    description: 'Connections per upstream (keep-alive pool size)',
    schema: envSchemas.positiveInt,
  },
  upstreamIdleSocketMs: {
    env: 'UPSTREAM_IDLE_SOCKET_MS',
    default: '4000',
    description: 'Idle pooled upstream connections are closed after this (below the upstream\'s keep-alive timeout)',
    schema: envSchemas.positiveInt,
  },
  breakerFailures: {
    env: 'BREAKER_FAILURES',
    default: '5',
    description: 'Consecutive failures of a new service that open its circuit',
    schema: envSchemas.positiveInt,
  },
  breakerHalfOpenMs: {
    env: 'BREAKER_HALF_OPEN_MS',
    default: '10000',
    description: 'How long an open circuit sends everything to legacy before one trial request',
    schema: envSchemas.positiveInt,
  },
  shutdownTimeoutMs: {
    env: 'SHUTDOWN_TIMEOUT_MS',
    default: '10000',
    description: 'How long SIGTERM waits for in-flight requests before closing connections',
    schema: envSchemas.positiveInt,
  },
});

export type EdgeConfig = ConfigValues<typeof edgeConfig.spec> & {
  /** The slice manifests of SLICES_DIR. */
  slices: LoadedSlice[];
  /** `<SLICE>_URL` of each slice that sets it: overrides that slice's service target. */
  serviceUrls: Array<{ slice: string; url: string }>;
};

/** `<SLICE>_URL` (USERS_URL for the users slice), one per slice manifest. */
function serviceUrlKey(slice: LoadedSlice) {
  return {
    serviceUrl: { env: `${sliceEnvPrefix(slice.name)}_URL`, default: '', description: `Overrides the service target of the "${slice.name}" slice`, schema: optionalUrl },
  };
}

export function loadEdgeConfig(env: Env = process.env): EdgeConfig {
  const slices = loadSlicesOf(edgeConfig.spec.slicesDir, env);
  const { values, perSlice } = loadConfigWithSlices(edgeConfig.spec, slices, serviceUrlKey, env);
  const serviceUrls = slices.flatMap((slice) => {
    const url = perSlice.get(slice.name)?.serviceUrl as string | undefined;
    return url ? [{ slice: slice.name, url }] : [];
  });
  const config: EdgeConfig = { ...values, slices, serviceUrls };
  // Node refuses a head timeout longer than the whole-request timeout; say so in the operator's terms.
  if (config.headersTimeoutMs > config.requestTimeoutMs) {
    throw new ConfigError([
      `HEADERS_TIMEOUT_MS=${config.headersTimeoutMs} must not exceed REQUEST_TIMEOUT_MS=${config.requestTimeoutMs}`,
    ]);
  }
  if (config.hedgeMinMs > config.hedgeMaxMs) {
    throw new ConfigError([`HEDGE_MIN_MS=${config.hedgeMinMs} must not exceed HEDGE_MAX_MS=${config.hedgeMaxMs}`]);
  }
  return config;
}

/** Target overrides from the environment, in the order they apply (later wins). */
export function targetOverrides(config: EdgeConfig): Array<{ key: string; url: string }> {
  const overrides: Array<{ key: string; url: string }> = [];
  if (config.legacyUrl) overrides.push({ key: 'legacy', url: config.legacyUrl });
  for (const { slice, url } of config.serviceUrls) overrides.push({ key: `${slice}.service`, url });
  overrides.push(...config.upstreamOverrides);
  return overrides;
}
