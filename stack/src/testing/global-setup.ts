import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { prepareMariaDb, startMariaDb, stopMariaDb, mariaDbPaths, type MariaDbInstance } from '../components/mariadb.js';
import { freePort } from '../ports.js';
import type { TestMariaDb, TestUnleash } from './test-env.js';
import { startUnleashStack } from './unleash-stack.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mariadb: TestMariaDb;
    unleash: TestUnleash;
  }
}

async function startTestMariaDb() {
  // Short path: the unix socket lives here and socket paths are limited to ~107 bytes. Private (0700): root logs in
  // through that socket without a password.
  const home = mkdtempSync(join(tmpdir(), 'strangler-test-'));
  const instance: MariaDbInstance = { home, port: await freePort(), serverId: 901, fast: true };
  try {
    await prepareMariaDb(instance);
    const server = await startMariaDb(instance);
    return {
      provided: { host: '127.0.0.1', port: instance.port, socket: mariaDbPaths(instance).socket } satisfies TestMariaDb,
      async stop() {
        await stopMariaDb(server);
        rmSync(home, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
}

async function startTestUnleash() {
  const home = mkdtempSync(join(tmpdir(), 'strangler-unleash-'));
  // PostgreSQL runs as the `postgres` OS user when the tests run as root: it must be able to pass through (not list)
  // this folder; its own folder inside is private to it.
  chmodSync(home, 0o711);
  try {
    const unleash = await startUnleashStack({ home });
    return {
      provided: { unleashUrl: unleash.unleashUrl, adminToken: unleash.adminToken, clientToken: unleash.clientToken } satisfies TestUnleash,
      async stop() {
        await unleash.stop();
        rmSync(home, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Starts the real components the tests need on free ports and throw-away data dirs, so neither a running
 * `npm start` nor another test run is disturbed: a private MariaDB, and (side by side with it) a private PostgreSQL
 * with Unleash on it. Stops and removes them all when the run ends.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [mariadb, unleash] = await Promise.allSettled([startTestMariaDb(), startTestUnleash()]);
  if (mariadb.status === 'rejected' || unleash.status === 'rejected') {
    // Whichever did come up must not outlive the failed run.
    await Promise.all([mariadb, unleash].map((result) => (result.status === 'fulfilled' ? result.value.stop() : undefined)));
    throw mariadb.status === 'rejected' ? mariadb.reason : (unleash as PromiseRejectedResult).reason;
  }
  project.provide('mariadb', mariadb.value.provided);
  project.provide('unleash', unleash.value.provided);
  return async () => {
    await Promise.all([mariadb.value.stop(), unleash.value.stop()]);
  };
}
