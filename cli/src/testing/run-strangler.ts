import { runScript, type ScriptRun } from '@strangler/testkit/processes';

export type StranglerRun = ScriptRun;

/** The real `strangler` command as a child process (as `npm run strangler` runs it), with the env given (and PATH). */
export function runStrangler(args: string[], env: NodeJS.ProcessEnv): Promise<StranglerRun> {
  return runScript('cli/src/main.ts', args, env);
}
