import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { prepareMariaDb, startMariaDb, stopMariaDb, mariaDbPaths, type MariaDbInstance } from '../components/mariadb.js';
import { TEST_MARIADB_PORT, type TestMariaDb } from './test-env.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mariadb: TestMariaDb;
  }
}

/**
 * Starts the real components the tests need, on their own ports and data dirs (.stack-test/),
 * so a running `npm start` is not disturbed; stops them when the run ends.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const home = resolve(project.config.root, '.stack-test', 'mariadb');
  const instance: MariaDbInstance = { home, port: TEST_MARIADB_PORT, serverId: 901, fast: true };
  await prepareMariaDb(instance);
  const mariadb = await startMariaDb(instance);
  project.provide('mariadb', {
    host: '127.0.0.1',
    port: instance.port,
    socket: mariaDbPaths(instance).socket,
  });
  return async () => {
    await stopMariaDb(mariadb);
  };
}
