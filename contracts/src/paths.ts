import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** contracts/ (this package) and the repository root, wherever the process was started from. */
export const CONTRACTS_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = resolve(CONTRACTS_ROOT, '..');

/** The committed pacts: what verification reads and what the rollout gate compares against. */
export const COMMITTED_PACT_DIR = join(CONTRACTS_ROOT, 'pacts');

/** Configured paths are relative to the repository root (where npm scripts run). */
export function fromRepoRoot(path: string): string {
  return isAbsolute(path) ? path : resolve(REPO_ROOT, path);
}

/** The file name pact-js gives a consumer/provider pair. */
export function pactFileName(consumer: string, provider: string): string {
  return `${consumer}-${provider}.json`;
}

export function committedPactFile(consumer: string, provider: string): string {
  return join(COMMITTED_PACT_DIR, pactFileName(consumer, provider));
}
