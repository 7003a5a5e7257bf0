import { Command, CommanderError } from 'commander';
import { ConfigError, type Env } from '@strangler/platform';
import {
  CliError,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  initCommand,
  killCommand,
  resumeCommand,
  rolloutCommand,
  statusCommand,
  toCliError,
  type BackendHealth,
  type CliDeps,
} from './commands.js';
import { loadCliConfig, resolveAdminToken, type CliConfig } from './config.js';
import { contractsGate } from './contract-gate.js';
import { formatInit, formatKill, formatResume, formatRollout, formatStatus } from './format.js';
import { declaredFlags, loadSlices } from './slices.js';
import { ADMIN_TOKEN_SECRET_KEY, UnleashAdminClient } from './unleash-admin.js';

export interface CliIo {
  out: { write(text: string): unknown };
  err: { write(text: string): unknown };
}

export interface RunOptions {
  /** Default: process.env (through the config module). */
  env?: Env;
  /** Replaces the real Unleash, contracts and backends (unit tests). */
  deps?: (io: CliIo) => CliDeps;
}

/** GET <base>/ready: up on 200, otherwise down with the reason. */
export async function probeReady(baseUrl: string, timeoutMs: number): Promise<BackendHealth> {
  const url = `${baseUrl}/ready`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.status === 200 ? { url: baseUrl, status: 'up' } : { url: baseUrl, status: 'down', detail: `HTTP ${response.status}` };
  } catch (error) {
    const err = error as Error & { cause?: { code?: string } };
    const detail = err.name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : (err.cause?.code ?? err.message);
    return { url: baseUrl, status: 'down', detail };
  }
}

/** The real collaborators, from the configuration. */
export function createDeps(config: CliConfig, io: CliIo): CliDeps {
  let admin: UnleashAdminClient | undefined;
  return {
    slices: loadSlices(config.routesFile),
    flags: declaredFlags(config.routesFile),
    admin() {
      if (admin) return admin;
      const token = resolveAdminToken(config);
      if (!token) {
        throw new CliError(
          EXIT_USAGE,
          'MISSING_TOKEN',
          `no Unleash admin token: set UNLEASH_ADMIN_TOKEN, or start the stack once (\`npm start\`) so ${config.stackDir}/secrets.json holds ${ADMIN_TOKEN_SECRET_KEY}`,
        );
      }
      admin = new UnleashAdminClient({ url: config.unleashUrl, token: token.token, timeoutMs: config.requestTimeoutMs });
      return admin;
    },
    gate: contractsGate(config.contractsResultsDir),
    probe: (url) => probeReady(url, config.healthTimeoutMs),
    warn: (message) => io.err.write(`${message}\n`),
  };
}

interface Outcome {
  json: boolean;
  value: unknown;
  text: string;
}

/**
 * `strangler <command>`: returns the exit code (0 ok, 1 run-time failure, 2 usage error or refusal).
 * With --json, stdout carries exactly one JSON document, for success and failure alike.
 */
export async function runCli(argv: readonly string[], io: CliIo, options: RunOptions = {}): Promise<number> {
  let outcome: Outcome | undefined;
  let json = false;
  let deps: CliDeps | undefined;
  const getDeps = (): CliDeps => {
    if (deps) return deps;
    if (options.deps) deps = options.deps(io);
    else {
      let config: CliConfig;
      try {
        config = loadCliConfig(options.env);
      } catch (error) {
        if (error instanceof ConfigError) throw new CliError(EXIT_USAGE, 'INVALID_CONFIG', error.message);
        throw error;
      }
      deps = createDeps(config, io);
    }
    return deps;
  };
  const run = <T>(jsonFlag: boolean | undefined, command: (deps: CliDeps) => Promise<T>, render: (value: T) => string) => {
    json = jsonFlag === true;
    return async () => {
      const value = await command(getDeps());
      outcome = { json, value, text: render(value) };
    };
  };

  const program = new Command('strangler')
    .description('Move each slice of the monolith to its extracted service, one Unleash flag at a time.')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out.write(text), writeErr: (text) => io.err.write(text) })
    .showHelpAfterError('(strangler --help lists the commands)');
  program
    .command('status')
    .description("per slice: the flag's state and rollout, backend health, the new provider's last contract verification")
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) => run(opts.json, statusCommand, formatStatus)());
  program
    .command('rollout')
    .description('send <percent> of a slice to its new service (above 0% only with a passing contract verification of the current pact)')
    .argument('<slice>', 'slice name (users) or its flag (users.reads)')
    .argument('<percent>', 'whole number 0..100')
    .option('--force', 'override the contract gate (prints a warning)')
    .option('--json', 'machine-readable output')
    .action((slice: string, percent: string, opts: { force?: boolean; json?: boolean }) =>
      run(opts.json, (d) => rolloutCommand(d, slice, percent, { force: opts.force }), formatRollout)(),
    );
  program
    .command('init')
    .description("create the slices' flags where missing, in the shape `npm start` gives them (0%; existing rollouts kept)")
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) => run(opts.json, initCommand, formatInit)());
  program
    .command('kill')
    .description("instantly send all of a slice's traffic to legacy: flag off and rollout 0%")
    .argument('<slice>', 'slice name or its flag')
    .option('--json', 'machine-readable output')
    .action((slice: string, opts: { json?: boolean }) => run(opts.json, (d) => killCommand(d, slice), formatKill)());
  program
    .command('resume')
    .description('turn a killed slice back on (its rollout stays where it is: 0% after a kill)')
    .argument('<slice>', 'slice name or its flag')
    .option('--json', 'machine-readable output')
    .action((slice: string, opts: { json?: boolean }) => run(opts.json, (d) => resumeCommand(d, slice), formatResume)());

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    const failure = toCliError(error);
    if (json) io.out.write(`${JSON.stringify({ ok: false, error: { code: failure.code, message: failure.message, ...failure.details } }, null, 2)}\n`);
    else io.err.write(`strangler: ${failure.message}\n`);
    return failure.exitCode;
  }
  if (!outcome) return EXIT_FAILURE;
  if (outcome.json) io.out.write(`${JSON.stringify({ ok: true, ...(outcome.value as object) }, null, 2)}\n`);
  else io.out.write(`${outcome.text}\n`);
  return EXIT_OK;
}
