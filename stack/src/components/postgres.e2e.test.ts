import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeMissingPrerequisites } from '../prerequisites.js';
import { freePort } from '@strangler/testkit/ports';
import { isPortOpen } from '../ports.js';
import { isAlive, waitUntil, type ManagedProcess } from '../processes.js';
import {
  ensureRoleAndDatabase,
  isPostgresReady,
  PG_HBA,
  postgresOsUser,
  postgresPaths,
  postgresSettings,
  preparePostgres,
  removeRelocatedServerHome,
  spawnPostgres,
  startPostgres,
  stopLeftoverPostgres,
  stopPostgres,
  type PostgresInstance,
  type ServerHomePlacement,
} from './postgres.js';
import { postgresPrerequisite } from './postgres-server.js';

/** The private PostgreSQL cluster on its own throw-away folder (the test run's shared one belongs to Unleash). */
describe('private PostgreSQL 15', () => {
  let root: string;
  let instance: PostgresInstance;
  let server: ManagedProcess | undefined;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'strangler-pg-'));
    chmodSync(root, 0o711);
    instance = { home: join(root, 'postgres'), port: await freePort(), fast: true };
  });

  afterAll(async () => {
    if (server) await stopPostgres(server);
    rmSync(root, { recursive: true, force: true });
  }, 120_000);

  async function canLogIn(user: string, password: string, database = 'unleash'): Promise<boolean> {
    const client = new pg.Client({ host: '127.0.0.1', port: instance.port, user, password, database });
    try {
      await client.connect();
      await client.end();
      return true;
    } catch {
      return false;
    }
  }

  it('initialises once, listens on 127.0.0.1 only with bounded memory, and keeps its folder private', async () => {
    expect(await preparePostgres(instance)).toBe(true);
    expect(await preparePostgres(instance)).toBe(false);
    expect(readFileSync(join(instance.home, 'pg_hba.conf'), 'utf8')).toBe(PG_HBA);
    server = await startPostgres(instance);
    const admin = new pg.Client({ host: postgresPaths(instance).socketDir, port: instance.port, user: 'postgres', database: 'postgres' });
    await admin.connect();
    const settings = await admin.query<{ name: string; setting: string; unit: string | null }>(
      "SELECT name, setting, unit FROM pg_settings WHERE name IN ('listen_addresses', 'shared_buffers', 'max_connections', 'password_encryption', 'unix_socket_permissions')",
    );
    await admin.end();
    expect(Object.fromEntries(settings.rows.map((row) => [row.name, row.setting]))).toEqual({
      listen_addresses: '127.0.0.1',
      // 8 kB pages: 64MB.
      shared_buffers: '8192',
      max_connections: '50',
      password_encryption: 'scram-sha-256',
      unix_socket_permissions: '0700',
    });
    const user = postgresOsUser();
    const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
    // Run as root, the server runs as the postgres OS user; otherwise as ourselves.
    expect(status).toMatch(new RegExp(`^Uid:\\s+${user ? user.uid : process.getuid?.()}\\s`, 'm'));
  });

  it('ensures a login role and its database idempotently, converging the password; TCP needs a password', async () => {
    await ensureRoleAndDatabase(instance, { role: 'app_role', password: 'first-password', database: 'app_db' });
    await ensureRoleAndDatabase(instance, { role: 'app_role', password: 'first-password', database: 'app_db' });
    expect(await canLogIn('app_role', 'first-password', 'app_db')).toBe(true);
    await ensureRoleAndDatabase(instance, { role: 'app_role', password: "it's changed", database: 'app_db' });
    expect(await canLogIn('app_role', 'first-password', 'app_db')).toBe(false);
    expect(await canLogIn('app_role', "it's changed", 'app_db')).toBe(true);
    // The superuser has no TCP login at all.
    expect(await canLogIn('postgres', '', 'postgres')).toBe(false);
    await expect(ensureRoleAndDatabase(instance, { role: 'x"; DROP ROLE postgres; --', password: 'p', database: 'app_db' })).rejects.toThrow(/not a plain identifier/);
  });

  it('stops with a fast shutdown, and a leftover of a crashed launcher is stopped from its pid file', async () => {
    await stopPostgres(server as ManagedProcess);
    server = undefined;
    expect(readFileSync(postgresPaths(instance).logFile, 'utf8')).toContain('received fast shutdown request');
    expect(await isPortOpen(instance.port)).toBe(false);

    // Started and then "forgotten", as by a launcher killed with SIGKILL.
    const orphan = await spawnPostgres(instance);
    // Up and holding its data dir, as a real leftover would be.
    await waitUntil('orphaned postgres', () => isPostgresReady(instance), { timeoutMs: 60_000, process: orphan });
    expect(isAlive(orphan.pid)).toBe(true);
    expect(await stopLeftoverPostgres(instance)).toBe(true);
    expect(isAlive(orphan.pid)).toBe(false);
    expect(await stopLeftoverPostgres(instance)).toBe(false);
  }, 120_000);

  it('moves the server files out of a folder its OS user cannot pass through, keeps them there, and removes them on request', async () => {
    // A clone under /root or a `mktemp -d` folder: 0700, so the postgres OS user cannot search it.
    const hidden = mkdtempSync(join(tmpdir(), 'strangler-pg-private-'));
    const relocationRoot = join(root, 'relocated');
    const hiddenInstance: PostgresInstance = { home: join(hidden, 'postgres'), port: await freePort(), fast: true, relocationRoot };
    const placements: ServerHomePlacement[] = [];
    try {
      expect(statSync(hidden).mode & 0o777).toBe(0o700);
      expect(await preparePostgres(hiddenInstance, (placement) => placements.push(placement))).toBe(true);
      const paths = postgresPaths(hiddenInstance);
      if (!postgresOsUser()) {
        // Not root: the server runs as ourselves and reaches the folder as it is.
        expect(placements).toEqual([{ serverHome: hiddenInstance.home, relocated: false }]);
        return;
      }
      expect(placements).toEqual([{ serverHome: paths.serverHome, relocated: true, blocked: hidden }]);
      expect(paths.serverHome.startsWith(`${relocationRoot}/postgres-`)).toBe(true);
      expect(paths.dataDir).toBe(join(paths.serverHome, 'data'));
      // The launcher's own files stay in STACK_DIR.
      expect(paths.logFile).toBe(join(hiddenInstance.home, 'postgres.log'));
      const relocated = await startPostgres(hiddenInstance);
      try {
        const admin = new pg.Client({ host: paths.socketDir, port: hiddenInstance.port, user: 'postgres', database: 'postgres' });
        await admin.connect();
        const dataDirectory = await admin.query<{ setting: string }>("SELECT setting FROM pg_settings WHERE name = 'data_directory'");
        await admin.end();
        expect(dataDirectory.rows[0]?.setting).toBe(paths.dataDir);
      } finally {
        await stopPostgres(relocated);
      }
      // The next start follows the record: same cluster, no second initdb.
      expect(await preparePostgres(hiddenInstance, (placement) => placements.push(placement))).toBe(false);
      expect(placements[1]).toEqual({ serverHome: paths.serverHome, relocated: true });

      expect(removeRelocatedServerHome(hiddenInstance.home)).toBe(paths.serverHome);
      expect(existsSync(paths.serverHome)).toBe(false);
      expect(removeRelocatedServerHome(join(root, 'postgres'))).toBeUndefined();
    } finally {
      rmSync(hidden, { recursive: true, force: true });
    }
  }, 120_000);

  it('refuses when neither STACK_DIR nor the relocation folder is reachable, or a socket path that is too long', async () => {
    const hidden = mkdtempSync(join(tmpdir(), 'strangler-pg-nowhere-'));
    try {
      const nowhere = preparePostgres({ home: join(hidden, 'postgres'), port: 5433, relocationRoot: join(hidden, 'relocated') });
      if (postgresOsUser()) await expect(nowhere).rejects.toThrow(`${hidden} is not searchable for it) nor ${join(hidden, 'relocated')} (${hidden}).\n    chmod o+x ${hidden}`);
      else expect(await nowhere).toBe(true);
    } finally {
      rmSync(hidden, { recursive: true, force: true });
    }
    await expect(preparePostgres({ home: join(root, 'x'.repeat(120)), port: 5433 })).rejects.toThrow(/socket path is too long/);
  });

  it('says exactly what to install when the binaries are missing', () => {
    const message = describeMissingPrerequisites([postgresPrerequisite(join(root, 'no-bin'))]);
    expect(message).toContain(`PostgreSQL 15 server (${join(root, 'no-bin')}): not found (looked for ${join(root, 'no-bin', 'initdb')}`);
    expect(message).toContain('    apt-get update && apt-get install -y postgresql-15');
    expect(postgresPrerequisite().problem()).toBeUndefined();
  });

  it('runs with the documented settings', () => {
    expect(postgresSettings({ home: '/x', port: 5433 })).toMatchObject({ port: '5433', listen_addresses: '127.0.0.1', shared_buffers: '64MB', unix_socket_directories: '/x/run' });
    expect(postgresSettings({ home: '/x', port: 5433 })).not.toHaveProperty('fsync');
    expect(postgresSettings({ home: '/x', port: 5433, fast: true })).toMatchObject({ fsync: 'off' });
  });
});
