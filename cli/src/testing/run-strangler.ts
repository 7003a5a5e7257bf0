import { spawn } from 'node:child_process';
import { REPO_ROOT } from '../config.js';

export interface StranglerRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The real `strangler` command as a child process (as `npm run strangler` runs it), with exactly the env given. */
export function runStrangler(args: string[], env: NodeJS.ProcessEnv): Promise<StranglerRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', 'cli/src/main.ts', ...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
