import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { StepOutcome } from '../component.js';
import type { StackComponent, StackContext } from '../context.js';
import { runTask, spawnManaged, stopFromPidFile, stopPid } from '../processes.js';
import type { SecretDeclaration } from '../secrets.js';

/** How every TypeScript entry point of the repo runs from sources: workspace packages resolve to their src/. */
function nodeCommand(ctx: StackContext, script: string, args: readonly string[] = []) {
  const path = resolve(ctx.repoRoot, script);
  return { path, command: process.execPath, args: ['--conditions=development', '--import', 'tsx', path, ...args] };
}

function requireScript(path: string): void {
  if (!existsSync(path)) throw new Error(`${path} does not exist`);
}

export interface NodeServiceSpec {
  name: string;
  dependsOn?: readonly string[];
  /** Entry point relative to the repo root, e.g. legacy/src/server.ts. */
  script: string;
  port(ctx: StackContext): number;
  /** The env var that sets `port`, named in the "port in use" message. */
  portEnv: string;
  /** Variables on top of the inherited PATH/HOME/…: PORT, DB_*, secrets. */
  env(ctx: StackContext): Record<string, string>;
  /** Answers 200 once the service can serve traffic. */
  healthPath?: string;
  /** For a service whose health lives on another listener (the edge's admin port); overrides healthPath. */
  healthUrl?(ctx: StackContext): string;
  /** Further ports it listens on, checked before start like `port`. */
  extraPorts?(ctx: StackContext): Array<{ port: number; env: string }>;
  secrets?: readonly SecretDeclaration[];
}

/** A long-running HTTP service of this repo, on 127.0.0.1, logging to <STACK_DIR>/logs/<name>.log. */
export function nodeService(spec: NodeServiceSpec): StackComponent {
  const pidFile = (ctx: StackContext) => join(ctx.paths.runDir, `${spec.name}.pid`);
  const url = (ctx: StackContext) => `http://127.0.0.1:${spec.port(ctx)}`;
  return {
    name: spec.name,
    dependsOn: spec.dependsOn,
    secrets: spec.secrets,
    ports: (ctx) => [{ port: spec.port(ctx), env: spec.portEnv }, ...(spec.extraPorts?.(ctx) ?? [])],
    stopLeftovers: (ctx) => stopFromPidFile(pidFile(ctx), ctx.config.stopGraceMs, nodeCommand(ctx, spec.script).path),
    async start({ stack: ctx }) {
      const node = nodeCommand(ctx, spec.script);
      requireScript(node.path);
      mkdirSync(ctx.paths.runDir, { recursive: true });
      return spawnManaged({
        name: spec.name,
        command: node.command,
        args: node.args,
        cwd: ctx.repoRoot,
        env: { ...ctx.baseEnv, ...spec.env(ctx) },
        logFile: join(ctx.paths.logsDir, `${spec.name}.log`),
        pidFile: pidFile(ctx),
        detached: true,
      });
    },
    health: {
      async check(ctx) {
        const target = spec.healthUrl?.(ctx) ?? `${url(ctx)}${spec.healthPath ?? '/ready'}`;
        const response = await fetch(target, { signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
        return response.status === 200;
      },
      intervalMs: 200,
    },
    async stop(process, ctx) {
      await stopPid(process.pid, ctx.config.stopGraceMs);
      await process.exited;
    },
    endpoint: url,
  };
}

export interface NodeStepSpec {
  name: string;
  dependsOn?: readonly string[];
  /** CLI entry point relative to the repo root; it exits 0 on success. */
  script: string;
  args?(ctx: StackContext): string[];
  env(ctx: StackContext): Record<string, string>;
  /** Run on the first start only: a marker file is written after the first success and skips every later start. */
  once?: boolean;
  secrets?: readonly SecretDeclaration[];
  failureHint?: string;
}

/** A setup step: runs a CLI of this repo to completion (output to <STACK_DIR>/logs/<name>.log, lines to the display). */
export function nodeStep(spec: NodeStepSpec): StackComponent {
  const marker = (ctx: StackContext) => join(ctx.paths.stackDir, `${spec.name}.done`);
  const pidFile = (ctx: StackContext) => join(ctx.paths.runDir, `${spec.name}.pid`);
  return {
    name: spec.name,
    dependsOn: spec.dependsOn,
    secrets: spec.secrets,
    failureHint: spec.failureHint,
    stopLeftovers: (ctx) => stopFromPidFile(pidFile(ctx), ctx.config.stopGraceMs, nodeCommand(ctx, spec.script).path),
    logFile: (ctx) => join(ctx.paths.logsDir, `${spec.name}.log`),
    async start({ stack: ctx, signal, progress }): Promise<StepOutcome> {
      if (spec.once && existsSync(marker(ctx))) return { skipped: true, detail: `done on an earlier start (${marker(ctx)})` };
      const args = spec.args?.(ctx) ?? [];
      const node = nodeCommand(ctx, spec.script, args);
      requireScript(node.path);
      mkdirSync(ctx.paths.runDir, { recursive: true });
      const timeout = AbortSignal.timeout(ctx.config.setupTimeoutMs);
      try {
        await runTask({
          name: spec.name,
          command: node.command,
          args: node.args,
          cwd: ctx.repoRoot,
          env: { ...ctx.baseEnv, ...spec.env(ctx) },
          logFile: join(ctx.paths.logsDir, `${spec.name}.log`),
          pidFile: pidFile(ctx),
          onLine: progress,
          signal: AbortSignal.any([signal, timeout]),
          graceMs: ctx.config.stopGraceMs,
        });
      } catch (error) {
        if (timeout.aborted && !signal.aborted) throw new Error(`did not finish within ${ctx.config.setupTimeoutMs} ms (STACK_SETUP_TIMEOUT_MS)`);
        throw error;
      }
      if (spec.once) writeFileSync(marker(ctx), `${JSON.stringify({ doneAt: new Date().toISOString(), args })}\n`);
      return { detail: args.join(' ') || undefined };
    },
  };
}
