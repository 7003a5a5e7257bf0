import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { StackComponent, StackContext } from '../context.js';
import { executablePrerequisite, requireExecutable } from '../prerequisites.js';
import { commandLineOf, spawnManaged, type ManagedProcess } from '../processes.js';

const run = promisify(execFile);

/** Debian 12's `nginx` package holds /usr/sbin/nginx itself; nginx-light/-full/-extras only add dynamic modules. */
export const NGINX_INSTALL_HINT = 'apt-get update && apt-get install -y nginx   # nginx 1.22 on Debian 12; the stack runs its own instance';
export const NGINX_BINARIES = ['nginx'];

/** A front-door nginx: its prefix folder holds the rendered config, pid file, logs and temp files. */
export interface NginxInstance {
  /** nginx's `-p` prefix; created if missing. */
  prefix: string;
  /** Listens on 127.0.0.1:port. */
  port: number;
  /** host:port of the primary upstream (the edge proxy). */
  edge: string;
  /** host:port of the backup upstream (the legacy monolith). */
  legacy: string;
  /** The committed template, nginx/nginx.conf.template. */
  template: string;
  /** The master's stdout/stderr: startup errors from before the error log is open. */
  outputLog: string;
  env?: NodeJS.ProcessEnv;
}

export function nginxPaths(prefix: string) {
  return {
    configFile: join(prefix, 'nginx.conf'),
    /** Written by the launcher at spawn and by nginx itself (the same pid: the master runs in the foreground). */
    pidFile: join(prefix, 'nginx.pid'),
    logsDir: join(prefix, 'logs'),
    errorLog: join(prefix, 'logs', 'error.log'),
    accessLog: join(prefix, 'logs', 'access.log'),
    tempDir: join(prefix, 'temp'),
  };
}

const PLACEHOLDER = /\{\{([A-Z0-9_]+)\}\}/g;

/** Fills every {{NAME}} of the template; a placeholder without a value is an error, never left in. */
export function renderNginxConfig(template: string, values: Readonly<Record<string, string>>): string {
  const missing = new Set<string>();
  const rendered = template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) missing.add(whole);
    return value ?? whole;
  });
  if (missing.size > 0) throw new Error(`nginx template: no value for ${[...missing].join(', ')}`);
  return rendered;
}

function runsAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

const UPSTREAM_ADDRESS = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):\d{1,5}$/;

/** The values the template needs, checked so nothing can break out of the directive it lands in. */
export function nginxTemplateValues(instance: Pick<NginxInstance, 'prefix' | 'port' | 'edge' | 'legacy'>, asRoot = runsAsRoot()): Record<string, string> {
  // Paths are written in double quotes; `$` would turn an access_log path into a variable.
  if (/["$\\\n\r{}]/.test(instance.prefix)) {
    throw new Error(`nginx prefix ${JSON.stringify(instance.prefix)} contains a character nginx's config cannot hold (" $ \\ { } or a newline); use another STACK_DIR`);
  }
  for (const [what, address] of [['edge', instance.edge], ['legacy', instance.legacy]] as const) {
    if (!UPSTREAM_ADDRESS.test(address)) throw new Error(`nginx ${what} upstream must be host:port, got ${JSON.stringify(address)}`);
  }
  return {
    PREFIX: instance.prefix,
    NGINX_PORT: String(instance.port),
    EDGE_UPSTREAM: instance.edge,
    LEGACY_UPSTREAM: instance.legacy,
    USER_DIRECTIVE: asRoot ? 'user root;' : '# (not root: master and workers run as the launching user)',
  };
}

/** Writes <prefix>/nginx.conf from the template and has nginx check it; a rejected config throws nginx's message. */
export async function prepareNginx(instance: NginxInstance): Promise<string> {
  const paths = nginxPaths(instance.prefix);
  const config = renderNginxConfig(readFileSync(instance.template, 'utf8'), nginxTemplateValues(instance));
  mkdirSync(paths.logsDir, { recursive: true });
  mkdirSync(paths.tempDir, { recursive: true });
  writeFileSync(paths.configFile, config);
  const nginx = requireExecutable(NGINX_BINARIES, NGINX_INSTALL_HINT);
  try {
    await run(nginx, ['-t', '-q', '-p', instance.prefix, '-c', paths.configFile], { env: instance.env });
  } catch (error) {
    const { stderr, stdout, message } = error as { stderr?: string; stdout?: string; message: string };
    const output = `${stderr ?? ''}${stdout ?? ''}`.trim() || message;
    throw new Error(`nginx rejected ${paths.configFile}:\n${output}`);
  }
  return paths.configFile;
}

/** State of a live process from /proc ('Z' for a zombie), undefined when it is gone or /proc cannot tell. */
function procStat(pid: number): { state: string; pgrp: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp …"; comm may itself contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', pgrp: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

function signalExists(target: number): boolean {
  try {
    process.kill(target, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True while the process runs (a zombie, dead but not yet reaped by whoever adopted it, counts as gone). */
function isRunning(pid: number): boolean {
  if (existsSync('/proc/self/stat')) {
    const stat = procStat(pid);
    return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
  }
  return signalExists(pid);
}

/**
 * The live members of a process group. The launcher starts nginx as the leader of its own group, so the group
 * is nginx's master and its workers. Without /proc (not Linux) a live group is reported as its leader's pid.
 */
export function processGroupMembers(pgid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return signalExists(-pgid) ? [pgid] : [];
  }
  return entries.map(Number).filter((pid) => {
    const stat = procStat(pid);
    return stat !== undefined && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X';
  });
}

function signal(target: number, name: NodeJS.Signals): void {
  try {
    process.kill(target, name);
  } catch {
    // already gone
  }
}

async function waitGone(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (check()) {
    if (Date.now() >= deadline) return false;
    await sleep(25);
  }
  return true;
}

/**
 * Workers survive a master that was SIGKILLed (they keep serving, holding the port), so whenever the master is
 * gone, anything left in its process group is killed too.
 */
async function killGroupRemnants(pgid: number): Promise<void> {
  if (processGroupMembers(pgid).length === 0) return;
  signal(-pgid, 'SIGKILL');
  await waitGone(() => processGroupMembers(pgid).length > 0, 10_000);
}

/**
 * SIGQUIT (graceful: stop accepting, finish in-flight requests, bounded by worker_shutdown_timeout), then SIGTERM
 * (fast) after `graceMs`, then SIGKILL to the whole group; resolves once no process of the group is left.
 */
async function stopMaster(pid: number, graceMs: number, gone: () => boolean): Promise<void> {
  signal(pid, 'SIGQUIT');
  if (!(await waitGone(() => !gone(), graceMs))) {
    signal(pid, 'SIGTERM');
    if (!(await waitGone(() => !gone(), Math.min(graceMs, 5_000)))) signal(-pid, 'SIGKILL');
  }
  await waitGone(() => !gone(), 10_000);
  await killGroupRemnants(pid);
}

/**
 * Stops an nginx a crashed earlier run left on this prefix (by its pid file). Only an nginx started on this very
 * config file: after a reboot the pid may belong to an unrelated process. True when something was stopped.
 */
export async function stopLeftoverNginx(instance: Pick<NginxInstance, 'prefix'>, graceMs = 15_000): Promise<boolean> {
  const { pidFile, configFile } = nginxPaths(instance.prefix);
  if (!existsSync(pidFile)) return false;
  // `nginx -t` leaves an empty pid file behind.
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
  rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 1) return false;
  if (isRunning(pid)) {
    const commandLine = commandLineOf(pid);
    if (commandLine !== undefined && !commandLine.includes(configFile)) return false;
    await stopMaster(pid, graceMs, () => !isRunning(pid));
    return true;
  }
  // The master died on its own (SIGKILL, OOM) and left its workers serving.
  const orphans = processGroupMembers(pid).filter((member) => commandLineOf(member)?.startsWith('nginx:') ?? false);
  if (orphans.length === 0) return false;
  for (const orphan of orphans) signal(orphan, 'SIGKILL');
  await waitGone(() => orphans.some(isRunning), 10_000);
  return true;
}

/** Launches nginx in the foreground, in its own process group, without waiting for it to answer. */
export async function spawnNginx(instance: NginxInstance, graceMs?: number): Promise<ManagedProcess> {
  const paths = nginxPaths(instance.prefix);
  const nginx = requireExecutable(NGINX_BINARIES, NGINX_INSTALL_HINT);
  await stopLeftoverNginx(instance, graceMs);
  const master = spawnManaged({
    name: 'nginx',
    command: nginx,
    args: ['-p', instance.prefix, '-c', paths.configFile],
    env: instance.env,
    logFile: instance.outputLog,
    pidFile: paths.pidFile,
    // Its own group (pgid = master pid): a terminal Ctrl-C does not reach it, and the workers can be found.
    detached: true,
  });
  // `exited` means nothing of this nginx is left, workers included.
  const exited = master.exited.then(async (code) => {
    await killGroupRemnants(master.pid);
    return code;
  });
  return { ...master, exited };
}

/** Graceful stop of an nginx this process started; resolves once the master and every worker are gone. */
export async function stopNginx(nginx: ManagedProcess, graceMs = 15_000): Promise<void> {
  let exited = false;
  void nginx.exited.then(() => (exited = true));
  await stopMaster(nginx.pid, graceMs, () => exited);
  await nginx.exited;
}

export async function isNginxHealthy(port: number): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${port}/nginx-health`, { signal: AbortSignal.timeout(2_000) });
  await response.arrayBuffer();
  return response.status === 200;
}

function instance(ctx: StackContext): NginxInstance {
  return {
    prefix: join(ctx.paths.stackDir, 'nginx'),
    port: ctx.config.nginxPort,
    edge: `127.0.0.1:${ctx.config.edgePort}`,
    legacy: `127.0.0.1:${ctx.config.legacyPort}`,
    template: join(ctx.repoRoot, 'nginx', 'nginx.conf.template'),
    outputLog: join(ctx.paths.logsDir, 'nginx.log'),
    env: { ...ctx.baseEnv },
  };
}

/**
 * The front door (nginx/nginx.conf.template): 127.0.0.1:NGINX_PORT → the edge proxy on EDGE_PORT, with the legacy
 * monolith as backup upstream.
 *
 * It starts after the edge so traffic goes through the edge from the first request. The edge is still not required
 * to stay up: while nothing listens on EDGE_PORT (its process died) nginx passes every request to the backup,
 * legacy, and the site keeps working.
 */
export const nginxFrontDoor: StackComponent = {
  name: 'nginx',
  dependsOn: ['legacy', 'edge'],
  prerequisites: [executablePrerequisite('nginx', NGINX_BINARIES, NGINX_INSTALL_HINT)],
  ports: (ctx) => [{ port: ctx.config.nginxPort, env: 'NGINX_PORT' }],
  stopLeftovers: (ctx) => stopLeftoverNginx(instance(ctx), ctx.config.stopGraceMs),
  async prepare({ stack }) {
    await prepareNginx(instance(stack));
  },
  start: ({ stack }) => spawnNginx(instance(stack), stack.config.stopGraceMs),
  health: { check: (ctx) => isNginxHealthy(ctx.config.nginxPort), intervalMs: 100 },
  stop: (process, ctx) => stopNginx(process, ctx.config.stopGraceMs),
  endpoint: (ctx) => `http://127.0.0.1:${ctx.config.nginxPort}`,
  logFile: (ctx) => nginxPaths(instance(ctx).prefix).errorLog,
  failureHint: 'nginx writes its errors to <STACK_DIR>/nginx/logs/error.log (startup output: <STACK_DIR>/logs/nginx.log).',
};
