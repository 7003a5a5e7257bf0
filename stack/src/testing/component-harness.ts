import type { Env } from '@strangler/platform';
import { inheritedEnv, loadStackConfig, REPO_ROOT } from '../config.js';
import { stackPaths, type StackComponent, type StackContext } from '../context.js';
import { declaredSecrets } from '../launcher.js';
import { ComponentFailedError, Orchestrator, type ProgressEvent, type StartedComponent } from '../orchestrator.js';
import { loadOrCreateSecrets } from '../secrets.js';

export interface StartedComponents {
  ctx: StackContext;
  /** What the components reported (progress lines included), in order. */
  events: ProgressEvent[];
  started: StartedComponent[];
  /** From the first component starting to the last one ready. */
  ms: number;
  stop(): Promise<void>;
}

/**
 * Brings up some of the launcher's own components with its orchestrator, on the settings given (a throw-away
 * STACK_DIR and free ports): the test run's servers are started by the same code as `npm start`. A component's
 * failure is rethrown with its log tail and hint, which is what a red test run needs to show.
 */
export async function startComponents(components: StackComponent[], env: Env): Promise<StartedComponents> {
  const config = loadStackConfig({ STACK_HEALTH_TIMEOUT_MS: '120000', NO_COLOR: '1', ...env });
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
  try {
    const started = await orchestrator.start();
    return { ctx, events, started, ms: Date.now() - began, stop: () => orchestrator.stop() };
  } catch (error) {
    if (error instanceof ComponentFailedError) {
      throw new Error(`${error.message}${error.logTail ? `\n${error.logTail}` : ''}${error.hint ? `\nHint: ${error.hint}` : ''}`, { cause: error });
    }
    throw error;
  }
}
