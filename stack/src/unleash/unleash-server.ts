// Unleash as a child process of the launcher (component: ../components/unleash.ts), configured through
// unleash-server's start(options). The launcher passes the settings below as environment variables.
import { z } from 'zod';
import { defineConfig, envSchemas } from '@strangler/platform';
import { ApiTokenType, LogLevel, start, type IUnleashOptions } from 'unleash-server';

const config = defineConfig({
  host: { env: 'UNLEASH_HOST', default: '127.0.0.1', description: 'Interface to listen on', schema: envSchemas.host },
  port: { env: 'UNLEASH_PORT', default: '4242', description: 'HTTP port', schema: envSchemas.port },
  dbHost: { env: 'UNLEASH_DB_HOST', default: '127.0.0.1', description: 'PostgreSQL host', schema: envSchemas.host },
  dbPort: { env: 'UNLEASH_DB_PORT', default: '5433', description: 'PostgreSQL port', schema: envSchemas.port },
  dbName: { env: 'UNLEASH_DB_NAME', default: 'unleash', description: 'Database', schema: envSchemas.nonEmpty },
  dbUser: { env: 'UNLEASH_DB_USER', default: 'unleash', description: 'Database role', schema: envSchemas.nonEmpty },
  dbPassword: { env: 'UNLEASH_DB_PASSWORD', description: 'Password of the database role', schema: envSchemas.nonEmpty, secret: true },
  adminToken: { env: 'UNLEASH_INIT_ADMIN_TOKEN', description: 'Admin API token (*:*.<secret>), created on the first start', schema: envSchemas.nonEmpty, secret: true },
  clientToken: {
    env: 'UNLEASH_INIT_CLIENT_TOKEN',
    description: 'Backend SDK token (<project>:<environment>.<secret>), created on the first start',
    schema: envSchemas.nonEmpty,
    secret: true,
  },
  serverSecret: { env: 'UNLEASH_SERVER_SECRET', description: 'Signs session cookies', schema: envSchemas.nonEmpty, secret: true },
  uiAdminPassword: { env: 'UNLEASH_UI_ADMIN_PASSWORD', description: 'Password of the UI user "admin", created on the first start', schema: envSchemas.nonEmpty, secret: true },
  logLevel: { env: 'UNLEASH_LOG_LEVEL', default: 'warn', description: 'Log level', schema: z.enum(['debug', 'info', 'warn', 'error', 'fatal']) },
}).load(process.env);

/** `<project>:<environment>.<secret>` → the scope Unleash stores with the token. */
function scopeOf(token: string): { projects: string[]; environment: string } {
  const [project = '*', rest = ''] = token.split(':');
  return { projects: [project], environment: rest.split('.')[0] ?? '*' };
}

// No calls to the internet (the machine may have none): version check off here; telemetry only listens to the
// environment (createConfig ORs `telemetry: false` with SEND_TELEMETRY, default true).
process.env.SEND_TELEMETRY = 'false';

const url = `http://${config.host}:${config.port}`;
const options: IUnleashOptions = {
  db: {
    host: config.dbHost,
    port: config.dbPort,
    database: config.dbName,
    user: config.dbUser,
    password: config.dbPassword,
    ssl: false,
    pool: { min: 0, max: 4 },
  },
  server: { host: config.host, port: config.port, unleashUrl: url, secret: config.serverSecret, gracefulShutdownEnable: true },
  logLevel: LogLevel[config.logLevel],
  versionCheck: { enable: false },
  // Answer client polls from the database, not from a cache keyed by the revision id, which moves on a 1 s tick: with
  // the edge's unconditional polls a rollout or kill then lands within one edge refresh interval. The edge polls a few
  // flags every second or so; the database shrugs that off.
  clientFeatureCaching: { enabled: false, maxAge: 0 },
  telemetry: false,
  authentication: {
    // Unleash creates initial tokens only while it has none: they are made once and the same secrets work after.
    initApiTokens: [
      { tokenName: 'strangler-admin', type: ApiTokenType.ADMIN, secret: config.adminToken, ...scopeOf(config.adminToken) },
      { tokenName: 'strangler-edge', type: ApiTokenType.BACKEND, secret: config.clientToken, ...scopeOf(config.clientToken) },
    ],
    initialAdminUser: { username: 'admin', password: config.uiAdminPassword },
  },
};

try {
  await start(options);
} catch (error) {
  console.error('unleash failed to start:', error);
  process.exit(1);
}
