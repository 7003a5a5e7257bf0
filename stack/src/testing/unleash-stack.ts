import { ADMIN_TOKEN_SECRET_KEY, CLIENT_TOKEN_SECRET_KEY } from '@strangler/cli/unleash-admin';
import { postgresComponent } from '../components/postgres-server.js';
import { unleashServer, unleashUrl } from '../components/unleash.js';
import { secret, type StackContext } from '../context.js';
import type { ProgressEvent, StartedComponent } from '../orchestrator.js';
import { freePort } from '../ports.js';
import { startComponents } from './component-harness.js';

export interface RunningUnleash {
  ctx: StackContext;
  unleashUrl: string;
  adminToken: string;
  clientToken: string;
  /** What the components reported (progress lines included), in order. */
  events: ProgressEvent[];
  started: StartedComponent[];
  /** From the first component starting to the last one ready. */
  ms: number;
  stop(): Promise<void>;
}

export interface UnleashStackOptions {
  /** STACK_DIR of this instance (postgres data, secrets, logs); the postgres OS user must be able to reach it. */
  home: string;
  postgresPort?: number;
  unleashPort?: number;
  /** ROUTES_FILE (default: the repository's edge/routes.json). */
  routesFile?: string;
}

/**
 * The launcher's own `postgres` (fsync off) and `unleash` components, brought up by the launcher's orchestrator on a
 * throw-away folder and free ports: the test run's Unleash is the real one, started by the same code as `npm start`.
 * Starting again on the same `home` and ports is a restart (same data, same secrets).
 */
export async function startUnleashStack(options: UnleashStackOptions): Promise<RunningUnleash> {
  const { ctx, events, started, ms, stop } = await startComponents([postgresComponent({ fast: true }), unleashServer], {
    STACK_DIR: options.home,
    POSTGRES_PORT: String(options.postgresPort ?? (await freePort())),
    UNLEASH_PORT: String(options.unleashPort ?? (await freePort())),
    ...(options.routesFile ? { ROUTES_FILE: options.routesFile } : {}),
  });
  return {
    ctx,
    unleashUrl: unleashUrl(ctx),
    adminToken: secret(ctx, ADMIN_TOKEN_SECRET_KEY),
    clientToken: secret(ctx, CLIENT_TOKEN_SECRET_KEY),
    events,
    started,
    ms,
    stop,
  };
}
