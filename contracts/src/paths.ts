import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/**
 * Where a consumer test writes its pact: PACT_DIR when set (npm run contracts: the committed pacts), otherwise a
 * fresh temp folder (npm test). `dispose` removes a temp folder (the test file's afterAll calls it), never PACT_DIR.
 */
export function pactOutputDir(pactDir: string | undefined): { dir: string; dispose(): void } {
  if (pactDir) {
    const dir = fromRepoRoot(pactDir);
    mkdirSync(dir, { recursive: true });
    return { dir, dispose: () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), 'strangler-pacts-'));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
