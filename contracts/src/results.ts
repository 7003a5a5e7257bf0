import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';
import { loadContractsConfig } from './config.js';
import { sha256 } from './pact-file.js';
import { committedPactFile, fromRepoRoot, REPO_ROOT } from './paths.js';
import { CONSUMER } from './slices.js';

/**
 * One verification of one provider implementation against one pact, as written after the run. The rollout tooling
 * reads these: a slice's new provider may only take traffic with a passing record for the pact committed now.
 */
export const verificationRecordSchema = z.object({
  provider: z.string().min(1),
  implementation: z.string().min(1),
  consumer: z.string().min(1),
  /** Relative to the repository root. */
  pactFile: z.string().min(1),
  /** sha256 (hex) of the pact file's bytes as verified. */
  pactSha256: z.string().regex(/^[0-9a-f]{64}$/),
  interactions: z.number().int().min(0),
  passed: z.boolean(),
  verifiedAt: z.iso.datetime(),
});

export type VerificationRecord = z.infer<typeof verificationRecordSchema>;

export interface ResultsLocation {
  /** Default: CONTRACTS_RESULTS_DIR. */
  resultsDir?: string;
  /**
   * Whose pact the record is about. Default: the storefront, whose records are `<provider>--<implementation>.json`;
   * another consumer's (a projector's message pact) are `<consumer>--<provider>--<implementation>.json`.
   */
  consumer?: string;
}

export function defaultResultsDir(): string {
  return fromRepoRoot(loadContractsConfig().resultsDir);
}

export function resultFile(provider: string, implementation: string, options: ResultsLocation = {}): string {
  const consumer = options.consumer ?? CONSUMER;
  const name = consumer === CONSUMER ? `${provider}--${implementation}` : `${consumer}--${provider}--${implementation}`;
  return join(options.resultsDir ?? defaultResultsDir(), `${name}.json`);
}

/** Builds the record of a verification of `pactFile` (hashing it now, so hash and verdict belong together). */
export function verificationRecord(input: {
  provider: string;
  implementation: string;
  consumer: string;
  pactFile: string;
  pactContent: string | Buffer;
  interactions: number;
  passed: boolean;
  verifiedAt?: Date;
}): VerificationRecord {
  return verificationRecordSchema.parse({
    provider: input.provider,
    implementation: input.implementation,
    consumer: input.consumer,
    pactFile: relative(REPO_ROOT, input.pactFile),
    pactSha256: sha256(input.pactContent),
    interactions: input.interactions,
    passed: input.passed,
    verifiedAt: (input.verifiedAt ?? new Date()).toISOString(),
  });
}

/** Writes the record (atomically: a reader never sees half a file) and returns its path. */
export function writeResult(record: VerificationRecord, options: ResultsLocation = {}): string {
  const file = resultFile(record.provider, record.implementation, { ...options, consumer: record.consumer });
  mkdirSync(join(file, '..'), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(verificationRecordSchema.parse(record), null, 2)}\n`);
  renameSync(temp, file);
  return file;
}

/** The latest record for this provider implementation; undefined when it was never verified here. Throws on a corrupt record. */
export function latestResult(provider: string, implementation: string, options: ResultsLocation = {}): VerificationRecord | undefined {
  const file = resultFile(provider, implementation, options);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = verificationRecordSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${file} is not a verification record: ${parsed.error.message}`);
  return parsed.data;
}

export type VerificationStatus =
  | { verified: true; record: VerificationRecord; detail: string }
  | { verified: false; reason: 'no-record' | 'failed' | 'pact-changed' | 'no-pact'; record?: VerificationRecord; detail: string };

export interface StatusOptions extends ResultsLocation {
  /** The pact the record must match. Default: the committed pact of the storefront and this provider. */
  pactFile?: string;
}

/** Whether this provider implementation passed verification of the pact as committed now, and if not, why not. */
export function verificationStatus(provider: string, implementation: string, options: StatusOptions = {}): VerificationStatus {
  const record = latestResult(provider, implementation, options);
  const pactFile = options.pactFile ?? committedPactFile(options.consumer ?? record?.consumer ?? CONSUMER, provider);
  let currentSha: string;
  try {
    currentSha = sha256(readFileSync(pactFile));
  } catch {
    return { verified: false, reason: 'no-pact', ...(record ? { record } : {}), detail: `no pact at ${pactFile}` };
  }
  if (!record) return { verified: false, reason: 'no-record', detail: `${provider} on ${implementation} has never been verified` };
  if (record.pactSha256 !== currentSha) {
    return { verified: false, reason: 'pact-changed', record, detail: `last verified against another version of ${record.pactFile}` };
  }
  if (!record.passed) return { verified: false, reason: 'failed', record, detail: `verification failed at ${record.verifiedAt}` };
  return { verified: true, record, detail: `passed ${record.interactions} interactions at ${record.verifiedAt}` };
}

export function isVerifiedForCurrentPact(provider: string, implementation: string, options: StatusOptions = {}): boolean {
  return verificationStatus(provider, implementation, options).verified;
}
