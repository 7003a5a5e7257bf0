import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { isAlive } from '../processes.js';

/**
 * `<STACK_DIR>/supervision.json`: what the running launcher supervises, rewritten (atomically) on every change.
 * Its format and reader live here so `strangler status` and the chaos test read it without the launcher's internals.
 */
export const SUPERVISION_STATE_FILE = 'supervision.json';

const exitCode = z.union([z.number(), z.string()]);

export const supervisedComponentSchema = z.object({
  name: z.string(),
  /** The process serving now; after a crash it changes only once the restarted process is healthy. */
  pid: z.number().int().nullable(),
  state: z.enum(['running', 'restarting', 'stopped', 'failed']),
  /** Restarts begun, failed ones included. */
  restarts: z.number().int().min(0),
  /** When the current pid became healthy (ISO time). */
  healthySince: z.string().nullable(),
  lastExit: z.object({ code: exitCode, at: z.string() }).nullable(),
  /** From the last crash to healthy again. */
  lastRestartMs: z.number().nullable(),
});

export const supervisionStateSchema = z.object({
  version: z.literal(1),
  launcherPid: z.number().int(),
  stack: z.enum(['starting', 'running', 'stopping', 'stopped']),
  updatedAt: z.string(),
  components: z.array(supervisedComponentSchema),
});

export type SupervisedComponent = z.infer<typeof supervisedComponentSchema>;
export type SupervisionState = z.infer<typeof supervisionStateSchema>;

export type SupervisionReading =
  | { found: true; file: string; state: SupervisionState; launcherAlive: boolean }
  | { found: false; file: string; problem: string };

export function supervisionStatePath(stackDir: string): string {
  return join(stackDir, SUPERVISION_STATE_FILE);
}

/** Writes tmp + rename, so a reader sees the old file or the new one, never half of one. */
export function writeSupervisionState(stackDir: string, state: SupervisionState): void {
  const file = supervisionStatePath(stackDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}

/** The state file of the stack in `stackDir`, or why there is none to read. */
export function readSupervisionState(stackDir: string): SupervisionReading {
  const file = supervisionStatePath(stackDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { found: false, file, problem: code === 'ENOENT' ? `no ${SUPERVISION_STATE_FILE} in ${stackDir}` : `cannot read ${file}: ${code ?? String(error)}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { found: false, file, problem: `${file} is not JSON` };
  }
  const parsed = supervisionStateSchema.safeParse(json);
  if (!parsed.success) return { found: false, file, problem: `${file} is not a supervision state (${parsed.error.issues[0]?.message ?? 'invalid'})` };
  // A launcher killed with SIGKILL cannot mark its file stopped.
  return { found: true, file, state: parsed.data, launcherAlive: parsed.data.stack !== 'stopped' && isAlive(parsed.data.launcherPid) };
}
