import { ADMIN_TOKEN_SECRET_KEY, CLIENT_TOKEN_SECRET_KEY } from '@strangler/cli/unleash-admin';
import { postgresComponent } from '../components/postgres-server.js';
import { unleashServer, unleashUrl } from '../components/unleash.js';
import { inheritedEnv, loadStackConfig, REPO_ROOT } from '../config.js';
import { secret, stackPaths, type StackComponent, type StackContext } from '../context.js';
import { declaredSecrets } from '../launcher.js';
import { ComponentFailedError, Orchestrator, type ProgressEvent, type StartedComponent } from '../orchestrator.js';
import { freePort } from '../ports.js';
import { loadOrCreateSecrets } from '../secrets.js';

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
  const components: StackComponent[] = [postgresComponent({ fast: true }), unleashServer];
  const config = loadStackConfig({
    STACK_DIR: options.home,
    POSTGRES_PORT: String(options.postgresPort ?? (await freePort())),
    UNLEASH_PORT: String(options.unleashPort ?? (await freePort())),
    STACK_HEALTH_TIMEOUT_MS: '120000',
    NO_COLOR: '1',
    ...(options.routesFile ? { ROUTES_FILE: options.routesFile } : {}),
  });
  const paths = stackPaths(config.stackDir);
  const ctx: StackContext = {
    config,
    paths,
    secrets: loadOrCreateSecrets(paths.secretsFile, declaredSecrets(components)),
    baseEnv: inheritedEnv(),
    repoRoot: REPO_ROOT,
  };
  const events: ProgressEvent[] = [];
  const orchestrator = new Orchestrator(components, ctx, { update: (event) => events.push(event) }, { healthTimeoutMs: config.healthTimeoutMs, stopGraceMs: config.stopGraceMs });
  const began = Date.now();
  let started: StartedComponent[];
  try {
    started = await orchestrator.start();
  } catch (error) {
    if (error instanceof ComponentFailedError) {
      throw new Error(`${error.message}${error.logTail ? `\n${error.logTail}` : ''}${error.hint ? `\nHint: ${error.hint}` : ''}`, { cause: error });
    }
    throw error;
  }
  return {
    ctx,
    unleashUrl: unleashUrl(ctx),
    adminToken: secret(ctx, ADMIN_TOKEN_SECRET_KEY),
    clientToken: secret(ctx, CLIENT_TOKEN_SECRET_KEY),
    events,
    started,
    ms: Date.now() - began,
    stop: () => orchestrator.stop(),
  };
}
