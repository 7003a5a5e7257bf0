import { join } from 'node:path';
import { CLIENT_TOKEN_SECRET_KEY } from '@strangler/cli/unleash-admin';
import { secret } from '../context.js';
import { nodeService } from './node-process.js';
import { unleashUrl } from './unleash.js';

/**
 * The edge proxy: each slice's reads go to legacy or the slice's service by its Unleash flag. It starts after
 * Unleash (flags) and every backend, and keeps its last known flags under STACK_DIR for when Unleash is down.
 */
export const edgeProxy = nodeService({
  name: 'edge',
  dependsOn: ['unleash', 'legacy', 'users', 'catalog'],
  script: 'edge/src/server.ts',
  port: (ctx) => ctx.config.edgePort,
  portEnv: 'EDGE_PORT',
  secrets: ['jwtSecret'],
  env: (ctx) => ({
    EDGE_HOST: '127.0.0.1',
    EDGE_PORT: String(ctx.config.edgePort),
    EDGE_ADMIN_PORT: String(ctx.config.edgeAdminPort),
    ROUTES_FILE: ctx.config.routesFile,
    LEGACY_URL: `http://127.0.0.1:${ctx.config.legacyPort}`,
    USERS_URL: `http://127.0.0.1:${ctx.config.usersPort}`,
    CATALOG_URL: `http://127.0.0.1:${ctx.config.catalogPort}`,
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
