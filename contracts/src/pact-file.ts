import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** The parts of a pact file these tools read. */
export interface PactFile {
  consumer: { name: string };
  provider: { name: string };
  interactions: Array<{ description: string; providerStates?: Array<{ name: string; params?: Record<string, unknown> }> }>;
  metadata?: Record<string, unknown>;
}

export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

export function readPactFile(file: string): PactFile {
  const pact = JSON.parse(readFileSync(file, 'utf8')) as PactFile;
  if (!pact?.consumer?.name || !pact.provider?.name || !Array.isArray(pact.interactions)) {
    throw new Error(`${file} is not a pact file`);
  }
  return pact;
}

/**
 * A pact without what legitimately varies between two runs of the same consumer tests: the versions of the tools
 * that wrote it (pact-js, pact_ffi, pact_models). The spec version stays: it changes how the pact is verified.
 */
export function comparablePact(pact: PactFile): PactFile {
  const { metadata, ...rest } = pact;
  const specification = metadata?.pactSpecification;
  return specification === undefined ? rest : { ...rest, metadata: { pactSpecification: specification } };
}

/** Every provider-state name the pact uses, for checking that a provider handles them all before verifying. */
export function providerStateNames(pact: PactFile): string[] {
  return [...new Set(pact.interactions.flatMap((i) => (i.providerStates ?? []).map((s) => s.name)))].sort();
}
