import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

export type Secrets = Readonly<Record<string, string>>;

const secretsFile = z.record(z.string(), z.string().min(1));

/** A random value safe in URLs, env vars and SQL string literals: 8 * bytes / 6 base64url characters. */
export function generateSecret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** A secret that needs its own format (an API token with a scope prefix); a plain key gets `generateSecret()`. */
export interface SecretSpec {
  key: string;
  generate(): string;
}

/** What a component declares: a key, or a key with its generator. */
export type SecretDeclaration = string | SecretSpec;

export function secretKeyOf(declaration: SecretDeclaration): string {
  return typeof declaration === 'string' ? declaration : declaration.key;
}

/**
 * Reads the secrets file, generating any of `declared` it lacks (so the first start creates them and every later
 * start reuses them), and keeps the file readable by its owner only.
 */
export function loadOrCreateSecrets(file: string, declared: readonly SecretDeclaration[]): Secrets {
  let stored: Record<string, string> = {};
  if (existsSync(file)) {
    try {
      stored = secretsFile.parse(JSON.parse(readFileSync(file, 'utf8')));
    } catch (error) {
      throw new Error(`${file} is not a valid secrets file (${(error as Error).message.split('\n')[0]}); fix it or run \`npm run stack:reset\``);
    }
  }
  const missing = declared.filter((declaration) => stored[secretKeyOf(declaration)] === undefined);
  if (missing.length > 0 || !existsSync(file)) {
    const generated = missing.map((d) => [secretKeyOf(d), typeof d === 'string' ? generateSecret() : d.generate()] as const);
    stored = { ...stored, ...Object.fromEntries(generated) };
    mkdirSync(dirname(file), { recursive: true });
    // Write-then-rename: a crash never leaves a half-written file that would lose the existing passwords.
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, file);
  }
  chmodSync(file, 0o600);
  return stored;
}
