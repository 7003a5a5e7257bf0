import type { SupervisionReading } from '@strangler/stack/supervision-state';
import type { FlagAdmin } from '@strangler/unleash-admin';
import type { CdcDeps } from './cdc/cdc-deps.js';
import type { ContractGate } from './contract-gate.js';
import type { SliceSpec } from './slices.js';

export interface BackendHealth {
  url: string;
  status: 'up' | 'down';
  /** Why it is down: HTTP 503, ECONNREFUSED, timed out. */
  detail?: string;
}

/** What every command runs against: the real collaborators (program.ts) or fakes (the tests). */
export interface CliDeps {
  slices: readonly SliceSpec[];
  /** Every flag the launcher keeps in shape (each slice manifest's read flag): what `init` ensures. */
  flags: readonly string[];
  /** Created on first use, so a missing token is reported only by commands that talk to Unleash (all do today). */
  admin(): FlagAdmin;
  gate: ContractGate;
  /** GET <base>/ready with a short timeout. */
  probe(baseUrl: string): Promise<BackendHealth>;
  /** The launcher's <STACK_DIR>/supervision.json (what runs, restarts), or why there is none; never throws. */
  supervision(): SupervisionReading;
  /** stderr, even in --json mode. */
  warn(message: string): void;
  /** Kafka Connect, Kafka and the projectors, created on first use (only `strangler cdc …` needs them). */
  cdc(): CdcDeps;
}
