import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Finds an executable on PATH (plus the sbin folders Debian puts daemons in). */
export function findExecutable(name: string, extraDirs: string[] = ['/usr/sbin', '/usr/local/sbin', '/sbin']): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...extraDirs];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

export class MissingPrerequisiteError extends Error {
  constructor(
    readonly what: string,
    readonly howToInstall: string,
  ) {
    super(`${what} is not installed. Install it with:\n    ${howToInstall}`);
    this.name = 'MissingPrerequisiteError';
  }
}

/** The first of `names` found, or a MissingPrerequisiteError that says exactly what to install. */
export function requireExecutable(names: string[], howToInstall: string): string {
  for (const name of names) {
    const found = findExecutable(name);
    if (found) return found;
  }
  throw new MissingPrerequisiteError(names.join(' / '), howToInstall);
}
