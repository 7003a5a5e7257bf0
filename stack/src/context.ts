import { join } from 'node:path';
import type { Component } from './component.js';
import type { StackConfig } from './config.js';
import type { Secrets } from './secrets.js';

/** Where the stack keeps its state; everything lives under STACK_DIR so `stack:reset` is one folder. */
export interface StackPaths {
  stackDir: string;
  logsDir: string;
  /** Pid files of the node processes, for stopping leftovers of a crashed run. */
  runDir: string;
  secretsFile: string;
  launcherPidFile: string;
  /** Marks the folder as the launcher's, so `reset` never wipes a folder it did not create. */
  ownerMarker: string;
}

export function stackPaths(stackDir: string): StackPaths {
  return {
    stackDir,
    logsDir: join(stackDir, 'logs'),
    runDir: join(stackDir, 'run'),
    secretsFile: join(stackDir, 'secrets.json'),
    launcherPidFile: join(stackDir, 'launcher.pid'),
    ownerMarker: join(stackDir, '.strangler-stack'),
  };
}

/** What the launcher hands every component. */
export interface StackContext {
  config: StackConfig;
  paths: StackPaths;
  secrets: Secrets;
  /** Inherited variables (PATH, HOME, …) for child processes; components add their own on top. */
  baseEnv: Readonly<Record<string, string>>;
  repoRoot: string;
}

export type StackComponent = Component<StackContext>;

/** A secret the launcher generated on first start (it asked for every component's `secrets` up front). */
export function secret(ctx: StackContext, key: string): string {
  const value = ctx.secrets[key];
  if (value === undefined) throw new Error(`secret "${key}" was not declared by any component`);
  return value;
}
