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

/** Something a component needs on this machine, and the exact command that installs it. */
export interface Prerequisite {
  /** What is checked, as shown to the user: "mariadbd (MariaDB server)". */
  what: string;
  /** undefined when present; otherwise what was found instead ("not found", "v18.19.0"). */
  problem(): string | undefined;
  install: string;
}

/** A prerequisite met by any one of these executables on PATH (or the sbin folders). */
export function executablePrerequisite(what: string, names: readonly string[], install: string): Prerequisite {
  return {
    what,
    problem: () => (names.some((name) => findExecutable(name) !== undefined) ? undefined : `not found (looked for ${names.join(', ')})`),
    install,
  };
}

export function nodeVersionPrerequisite(minimumMajor: number, version: string = process.versions.node): Prerequisite {
  return {
    what: `node >= ${minimumMajor}`,
    problem: () => (Number.parseInt(version.split('.')[0] ?? '0', 10) >= minimumMajor ? undefined : `found ${version}`),
    install: `install Node.js ${minimumMajor} or newer (https://nodejs.org/en/download, or: nvm install ${minimumMajor})`,
  };
}

/** Checks them all; the message lists every missing one and each install command once, or is undefined. */
export function describeMissingPrerequisites(prerequisites: readonly Prerequisite[]): string | undefined {
  const missing = prerequisites.flatMap((p) => {
    const problem = p.problem();
    return problem === undefined ? [] : [{ ...p, problem }];
  });
  if (missing.length === 0) return undefined;
  const installs = [...new Set(missing.map((m) => m.install))];
  return [
    'Missing prerequisites:',
    ...missing.map((m) => `  ✖ ${m.what}: ${m.problem}`),
    installs.length === 1 ? 'Install with:' : 'Install them with:',
    ...installs.map((command) => `    ${command}`),
  ].join('\n');
}
