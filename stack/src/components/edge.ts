import { join } from 'node:path';
import { CLIENT_TOKEN_SECRET_KEY } from '../secret-keys.js';
import type { StackSlice } from '../config.js';
import { secret, type StackComponent } from '../context.js';
import { nodeService } from './node-process.js';
import { unleashUrl } from './unleash.js';

/**
 * The edge proxy: each slice's reads go to legacy or the slice's service by its Unleash flag. It starts after
 * Unleash (flags) and every backend, and keeps its last known flags under STACK_DIR for when Unleash is down.
 */
export function edgeProxy(slices: readonly StackSlice[]): StackComponent {
  return nodeService({
  name: 'edge',
  dependsOn: ['unleash', 'legacy', ...slices.map((slice) => slice.manifest.name)],
  script: 'edge/src/server.ts',
  port: (ctx) => ctx.config.edgePort,
  portEnv: 'EDGE_PORT',
  secrets: ['jwtSecret'],
  env: (ctx) => ({
    EDGE_HOST: '127.0.0.1',
    EDGE_PORT: String(ctx.config.edgePort),
    EDGE_ADMIN_PORT: String(ctx.config.edgeAdminPort),
    SLICES_DIR: ctx.config.slicesDir,
    LEGACY_URL: `http://127.0.0.1:${ctx.config.legacyPort}`,
    // Each slice's service where the stack runs it, whatever its manifest's default URL says.
    UPSTREAM_URLS: ctx.config.slices.map((slice) => `${slice.manifest.name}=http://127.0.0.1:${slice.servicePort}`).join(','),
    UNLEASH_URL: `${unleashUrl(ctx)}/api`,
    UNLEASH_CLIENT_TOKEN: secret(ctx, CLIENT_TOKEN_SECRET_KEY),
    UNLEASH_REFRESH_MS: String(ctx.config.edgeFlagRefreshMs),
    FLAG_SNAPSHOT_DIR: join(ctx.paths.stackDir, 'edge-flags'),
    JWT_SECRET: secret(ctx, 'jwtSecret'),
    // nginx is the one hop in front: the client address is the last X-Forwarded-For entry.
    TRUSTED_PROXY_HOPS: '1',
    LOG_LEVEL: ctx.config.serviceLogLevel,
  }),
  extraPorts: (ctx) => [{ port: ctx.config.edgeAdminPort, env: 'EDGE_ADMIN_PORT' }],
  // The proxy's own port answers traffic, not health: /ready lives on the admin listener.
  healthUrl: (ctx) => `http://127.0.0.1:${ctx.config.edgeAdminPort}/ready`,
  });
}
