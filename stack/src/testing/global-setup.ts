import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { prepareMariaDb, startMariaDb, stopMariaDb, mariaDbPaths, type MariaDbInstance } from '../components/mariadb.js';
import { freePort } from '../ports.js';
import type { TestMariaDb } from './test-env.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mariadb: TestMariaDb;
  }
}

/**
 * Starts the real components the tests need on a free port and a throw-away data dir, so neither a running
 * `npm start` nor another test run is disturbed; stops and removes them when the run ends.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Short path: the unix socket lives here and socket paths are limited to ~107 bytes.
  const home = mkdtempSync(join(tmpdir(), 'strangler-test-'));
  const instance: MariaDbInstance = { home, port: await freePort(), serverId: 901, fast: true };
  await prepareMariaDb(instance);
  const mariadb = await startMariaDb(instance);
  project.provide('mariadb', { host: '127.0.0.1', port: instance.port, socket: mariaDbPaths(instance).socket });
  return async () => {
    await stopMariaDb(mariadb);
    rmSync(home, { recursive: true, force: true });
  };
}
