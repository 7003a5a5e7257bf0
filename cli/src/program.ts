import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, CommanderError } from 'commander';
import { ConfigError, type Env } from '@strangler/platform';
import { capturedTables, ConnectClient, LEGACY_CONNECTOR_NAME } from '@strangler/cdc/connect';
import { contractSlices } from '@strangler/contracts/slices';
import { CDC_MARIADB_USER, cdcProjectors, type CdcDeps, type MetricsScrape } from './cdc/cdc-deps.js';
import { formatCdcRegister, formatCdcStatus } from './cdc/cdc-format.js';
import { cdcRegisterCommand, cdcRegisterFailure } from './cdc/cdc-register.js';
import { cdcStatusCommand, cdcStatusFailure } from './cdc/cdc-status.js';
import type { BackendHealth, CliDeps } from './cli-deps.js';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, toCliError } from './cli-error.js';
import { cdcPasswordFile, loadCliConfig, resolveAdminToken, type CliConfig } from './config.js';
import { contractsGate } from './contract-gate.js';
import { kafkaAdminOffsets } from './kafka-offsets.js';
import { initCommand, killCommand, resumeCommand, rolloutCommand, statusCommand } from './rollout/rollout-commands.js';
import { formatInit, formatKill, formatResume, formatRollout, formatStatus } from './rollout/rollout-format.js';
import { declaredFlags, sliceSpecs } from './slices.js';
import { ADMIN_TOKEN_HINT, ADMIN_TOKEN_SECRET_KEY } from '@strangler/stack/secret-keys';
import { readSupervisionState } from '@strangler/stack/supervision-state';
import { UnleashAdminClient } from '@strangler/unleash-admin';

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
    return { url: baseUrl, status: 'down', detail: describeFetchError(error, timeoutMs) };
  }
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  const err = error as Error & { cause?: { code?: string } };
  return err.name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : (err.cause?.code ?? err.message);
}

/** GET <base>/metrics (Prometheus text). */
export async function scrapeMetrics(baseUrl: string, timeoutMs: number): Promise<MetricsScrape> {
  try {
    const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    return response.status === 200 ? { ok: true, text } : { ok: false, detail: `HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, detail: describeFetchError(error, timeoutMs) };
  }
}

/** Kafka Connect, Kafka and the projectors as the stack runs them (the settings in config.ts). */
export function createCdcDeps(config: CliConfig): CdcDeps {
  return {
    kafkaBrokers: config.kafkaBrokers,
    topicPrefix: config.cdcTopicPrefix,
    sourceDatabase: config.cdcSourceDatabase,
    groupPrefix: config.cdcGroupPrefix,
    projectors: cdcProjectors(config.slices),
    projectorUrls: config.projectorUrls,
    connect: new ConnectClient(config.connectUrl, config.requestTimeoutMs),
    kafka: () => kafkaAdminOffsets({ brokers: config.kafkaBrokers, connectionTimeoutMs: config.healthTimeoutMs, requestTimeoutMs: config.requestTimeoutMs }),
    scrape: (url) => scrapeMetrics(url, config.healthTimeoutMs),
    connectorSettings() {
      const file = cdcPasswordFile(config);
      if (!existsSync(file)) {
        throw new CliError(
          EXIT_USAGE,
          'CDC_SECRET_MISSING',
          `no password file for Debezium's MariaDB account at ${file}: start the stack once (\`npm start\`), which creates the ${CDC_MARIADB_USER} account and writes it (or set STACK_DIR to the stack's folder)`,
          { file },
        );
      }
      return {
        mariadb: { host: '127.0.0.1', port: config.mariadbPort, user: CDC_MARIADB_USER },
        // Connect's file config provider reads the password on the worker: it is never sent, nor shown by GET …/config.
        passwordReference: `\${file:${file}:password}`,
        kafkaBootstrap: config.kafkaBrokers.join(','),
        tables: capturedTables(config.slices),
      };
    },
    registerWaitMs: config.cdcRegisterWaitMs,
    sleep: (ms) => sleep(ms),
  };
}

/** The real collaborators, from the configuration. */
export function createDeps(config: CliConfig, io: CliIo): CliDeps {
  let admin: UnleashAdminClient | undefined;
  let cdc: CdcDeps | undefined;
  return {
    slices: sliceSpecs(config.slices),
    flags: declaredFlags(sliceSpecs(config.slices)),
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
      admin = new UnleashAdminClient({ url: config.unleashUrl, token: token.token, timeoutMs: config.requestTimeoutMs, tokenHint: ADMIN_TOKEN_HINT });
      return admin;
    },
    gate: contractsGate(config.contractsResultsDir, contractSlices(config.slices)),
    probe: (url) => probeReady(url, config.healthTimeoutMs),
    supervision: () => readSupervisionState(config.stackDir),
    warn: (message) => io.err.write(`${message}\n`),
    cdc: () => (cdc ??= createCdcDeps(config)),
  };
}

interface Outcome {
  json: boolean;
  value: unknown;
  text: string;
  /** A result that is itself a failure (a FAILED connector): printed in full, and the exit code is the failure's. */
  failure?: CliError;
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
  const run = <T>(
    jsonFlag: boolean | undefined,
    command: (deps: CliDeps) => Promise<T>,
    render: (value: T) => string,
    failure?: (value: T) => CliError | undefined,
  ) => {
    json = jsonFlag === true;
    return async () => {
      const value = await command(getDeps());
      outcome = { json, value, text: render(value), failure: failure?.(value) };
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

  const cdc = program.command('cdc').description('change data capture: the Debezium connector in Kafka Connect and the projectors that apply its events');
  cdc
    .command('status')
    .description('the connector and its tasks; per projector: process, offset lag of its consumer group, event-time lag p50/p99, dead letters (exit 1 when the connector or a task FAILED)')
    .option('--connector <name>', 'the Kafka Connect connector to show', LEGACY_CONNECTOR_NAME)
    .option('--json', 'machine-readable output')
    .action((opts: { connector: string; json?: boolean }) => run(opts.json, (d) => cdcStatusCommand(d, { connector: opts.connector }), formatCdcStatus, cdcStatusFailure)());
  cdc
    .command('register')
    .description(`create or update the ${LEGACY_CONNECTOR_NAME} connector from cdc/connectors/legacy.json with the stack's settings, as \`npm start\` does`)
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) => run(opts.json, cdcRegisterCommand, formatCdcRegister, cdcRegisterFailure)());

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
  const { failure } = outcome;
  if (outcome.json) {
    const head = failure ? { ok: false, error: { code: failure.code, message: failure.message, ...failure.details } } : { ok: true };
    io.out.write(`${JSON.stringify({ ...head, ...(outcome.value as object) }, null, 2)}\n`);
  } else {
    io.out.write(`${outcome.text}\n`);
    if (failure) io.err.write(`strangler: ${failure.message}\n`);
  }
  return failure?.exitCode ?? EXIT_OK;
}
