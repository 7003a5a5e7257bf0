import { isAbsolute, relative } from 'node:path';
import { ADMIN_TOKEN_HINT, ADMIN_TOKEN_SECRET_KEY, CLIENT_TOKEN_SECRET_KEY } from '../secret-keys.js';
import {
  generateAdminToken,
  generateClientToken,
  maskToken,
  UnleashAdminClient,
  UnleashAuthError,
  type EnsureFlagResult,
} from '@strangler/unleash-admin';
import { secret, type StackComponent, type StackContext } from '../context.js';
import { nodeService } from './node-process.js';
import { postgresAdminClient } from './postgres.js';
import { postgresInstance, UNLEASH_DATABASE, UNLEASH_DB_PASSWORD_KEY } from './postgres-server.js';

export const UNLEASH_SERVER_SECRET_KEY = 'unleash.serverSecret';
export const UNLEASH_UI_ADMIN_PASSWORD_KEY = 'unleash.uiAdminPassword';

export function unleashUrl(ctx: StackContext): string {
  return `http://127.0.0.1:${ctx.config.unleashPort}`;
}

export function unleashAdmin(ctx: StackContext): UnleashAdminClient {
  return new UnleashAdminClient({ url: unleashUrl(ctx), token: secret(ctx, ADMIN_TOKEN_SECRET_KEY), tokenHint: ADMIN_TOKEN_HINT });
}

/** True once Unleash's migrations have run in its database (so a first start can say it is creating the schema). */
async function hasSchema(ctx: StackContext): Promise<boolean> {
  const client = await postgresAdminClient(postgresInstance(ctx), UNLEASH_DATABASE.database);
  try {
    const result = await client.query<{ table: string | null }>("SELECT to_regclass('public.migrations')::text AS table");
    return result.rows[0]?.table != null;
  } finally {
    await client.end();
  }
}

function describeEnsured(flag: string, result: EnsureFlagResult): string {
  if (result.created) return `${flag} created at 0%`;
  const rollout = `${result.state.rollout ?? 0}%`;
  return result.changes.length > 0 ? `${flag} ${rollout} (${result.changes.join(', ')})` : `${flag} ${rollout}`;
}

/**
 * Makes every slice manifest's read flag exist in shape (@strangler/unleash-admin, shared with the `strangler` CLI):
 * one flexibleRollout strategy in `development`, new flags at 0%, an existing percentage kept, environment on.
 */
export async function ensureDeclaredFlags(ctx: StackContext, progress: (message: string) => void = () => {}): Promise<EnsureFlagResult[]> {
  const admin = unleashAdmin(ctx);
  const results: EnsureFlagResult[] = [];
  const summary: string[] = [];
  for (const { manifest } of ctx.config.slices) {
    const flag = manifest.flags.reads;
    const slice = manifest.name;
    progress(`ensuring flag ${flag}`);
    let result: EnsureFlagResult;
    try {
      result = await admin.ensureFlag(flag, { description: `Routes ${slice} to its extracted service (edge); change it with \`npm run strangler -- rollout ${slice} <percent>\`` });
    } catch (error) {
      if (error instanceof UnleashAuthError) {
        throw new Error(
          `Unleash rejects the admin token in ${ctx.paths.secretsFile}: its database was set up with other tokens (was secrets.json replaced?). \`npm run stack:reset\` starts over.`,
        );
      }
      throw error;
    }
    results.push(result);
    summary.push(describeEnsured(flag, result));
  }
  progress(`flags: ${summary.join(', ')}`);
  return results;
}

const service = nodeService({
  name: 'unleash',
  dependsOn: ['postgres'],
  script: 'stack/src/unleash/unleash-server.ts',
  port: (ctx) => ctx.config.unleashPort,
  portEnv: 'UNLEASH_PORT',
  healthPath: '/health',
  secrets: [
    { key: ADMIN_TOKEN_SECRET_KEY, generate: generateAdminToken },
    { key: CLIENT_TOKEN_SECRET_KEY, generate: () => generateClientToken() },
    UNLEASH_SERVER_SECRET_KEY,
    UNLEASH_UI_ADMIN_PASSWORD_KEY,
  ],
  env: (ctx) => ({
    UNLEASH_HOST: '127.0.0.1',
    UNLEASH_PORT: String(ctx.config.unleashPort),
    UNLEASH_DB_HOST: '127.0.0.1',
    UNLEASH_DB_PORT: String(ctx.config.postgresPort),
    UNLEASH_DB_NAME: UNLEASH_DATABASE.database,
    UNLEASH_DB_USER: UNLEASH_DATABASE.role,
    UNLEASH_DB_PASSWORD: secret(ctx, UNLEASH_DB_PASSWORD_KEY),
    UNLEASH_INIT_ADMIN_TOKEN: secret(ctx, ADMIN_TOKEN_SECRET_KEY),
    UNLEASH_INIT_CLIENT_TOKEN: secret(ctx, CLIENT_TOKEN_SECRET_KEY),
    UNLEASH_SERVER_SECRET: secret(ctx, UNLEASH_SERVER_SECRET_KEY),
    UNLEASH_UI_ADMIN_PASSWORD: secret(ctx, UNLEASH_UI_ADMIN_PASSWORD_KEY),
    UNLEASH_LOG_LEVEL: ctx.config.unleashLogLevel,
    // Belt and braces with the entry script: nothing phones home.
    SEND_TELEMETRY: 'false',
    CHECK_VERSION: 'false',
    TZ: 'UTC',
  }),
});

/**
 * Unleash (feature flags) on 127.0.0.1:UNLEASH_PORT, on the private PostgreSQL. Admin and client tokens are generated
 * into <STACK_DIR>/secrets.json on the first start; the slices' flags are ensured on every start.
 */
export const unleashServer: StackComponent = {
  ...service,
  async prepare({ stack, progress }) {
    if (!(await hasSchema(stack))) progress('first start: Unleash creates its schema (migrations)');
  },
  async afterHealthy({ stack, progress }) {
    await ensureDeclaredFlags(stack, progress);
  },
  readyNote(ctx) {
    const fromHere = relative(process.cwd(), ctx.paths.secretsFile);
    const secrets = fromHere.startsWith('..') || isAbsolute(fromHere) ? ctx.paths.secretsFile : fromHere;
    return (
      `Unleash: UI ${unleashUrl(ctx)} (user admin, password "${UNLEASH_UI_ADMIN_PASSWORD_KEY}"), admin token ${maskToken(secret(ctx, ADMIN_TOKEN_SECRET_KEY))}, ` +
      `client token ${maskToken(secret(ctx, CLIENT_TOKEN_SECRET_KEY))}: full values in ${secrets}`
    );
  },
  failureHint:
    'Unleash logs to <STACK_DIR>/logs/unleash.log. If its tokens are rejected, secrets.json and the database disagree: `npm run stack:reset` starts over.',
};
