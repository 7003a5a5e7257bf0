import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { spawnManaged, stopFromPidFile, stopPid, waitUntil, type ManagedProcess } from '../processes.js';
import { requireExecutable } from '../prerequisites.js';

const run = promisify(execFile);

export interface MariaDbInstance {
  /** Folder holding data/, the config file, socket, pid and log. */
  home: string;
  port: number;
  serverId: number;
  /** Trade durability for speed (test runs): no fsync per commit. */
  fast?: boolean;
  /** Environment of mariadbd (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Run mariadbd in its own process group (the launcher stops it itself; a terminal Ctrl-C must not). */
  detached?: boolean;
}

export function mariaDbPaths(instance: MariaDbInstance) {
  return {
    dataDir: join(instance.home, 'data'),
    configFile: join(instance.home, 'my.cnf'),
    socket: join(instance.home, 'mariadb.sock'),
    pidFile: join(instance.home, 'mariadbd.pid'),
    logFile: join(instance.home, 'mariadbd.log'),
  };
}

const INSTALL_HINT = 'apt-get update && apt-get install -y mariadb-server   # MariaDB 10.11 on Debian 12';

function runsAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * What CDC needs from the server (row-based binlog with full row images and column metadata) and what the apps rely
 * on (UTC, utf8mb4 with a case-insensitive collation). docker-compose.yml passes the same settings (a test checks).
 */
export const SHARED_SERVER_SETTINGS: Readonly<Record<string, string>> = {
  log_bin: 'mariadb-bin',
  binlog_format: 'ROW',
  binlog_row_image: 'FULL',
  binlog_row_metadata: 'FULL',
  binlog_expire_logs_seconds: '604800',
  default_time_zone: "'+00:00'",
  character_set_server: 'utf8mb4',
  collation_server: 'utf8mb4_unicode_ci',
};

function configFile(instance: MariaDbInstance): string {
  const paths = mariaDbPaths(instance);
  const lines = [
    '[mariadbd]',
    `datadir=${paths.dataDir}`,
    `port=${instance.port}`,
    'bind-address=127.0.0.1',
    `socket=${paths.socket}`,
    `log_error=${paths.logFile}`,
    'skip-name-resolve',
    `server_id=${instance.serverId}`,
    ...Object.entries(SHARED_SERVER_SETTINGS).map(([key, value]) => `${key}=${value}`),
    'max_connections=500',
    'innodb_buffer_pool_size=256M',
    ...(instance.fast ? ['innodb_flush_log_at_trx_commit=2', 'sync_binlog=0'] : []),
    ...(runsAsRoot() ? ['user=root'] : []),
  ];
  return `${lines.join('\n')}\n`;
}

/** Unix socket paths are limited to 108 bytes (sun_path), the terminating NUL included. */
const MAX_SOCKET_PATH_BYTES = 107;

/** Creates the data dir on first use; returns true when it was created now (so callers can seed once). */
export async function prepareMariaDb(instance: MariaDbInstance): Promise<boolean> {
  const paths = mariaDbPaths(instance);
  if (Buffer.byteLength(paths.socket) > MAX_SOCKET_PATH_BYTES) {
    throw new Error(`MariaDB socket path is too long for a unix socket (max ${MAX_SOCKET_PATH_BYTES} bytes): ${paths.socket}; use a shorter data folder`);
  }
  mkdirSync(instance.home, { recursive: true });
  writeFileSync(paths.configFile, configFile(instance));
  if (existsSync(join(paths.dataDir, 'mysql'))) return false;
  const installDb = requireExecutable(['mariadb-install-db', 'mysql_install_db'], INSTALL_HINT);
  await run(installDb, [
    `--defaults-file=${paths.configFile}`,
    `--datadir=${paths.dataDir}`,
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
    ...(runsAsRoot() ? ['--user=root'] : []),
  ]);
  return true;
}

/** Administrative connection as root over the instance's unix socket (root has no TCP account). */
export function adminConnection(instance: MariaDbInstance, database?: string): Promise<mysql.Connection> {
  return mysql.createConnection({
    socketPath: mariaDbPaths(instance).socket,
    user: 'root',
    database,
    multipleStatements: true,
  });
}

export async function isMariaDbReady(instance: MariaDbInstance): Promise<boolean> {
  const connection = await adminConnection(instance);
  try {
    await connection.query('select 1');
    return true;
  } finally {
    await connection.end();
  }
}

/** The prerequisites of a private instance, for the launcher's up-front check. */
export const MARIADB_INSTALL_HINT = INSTALL_HINT;
export const MARIADB_SERVER_BINARIES = ['mariadbd', 'mysqld'];
export const MARIADB_INSTALL_DB_BINARIES = ['mariadb-install-db', 'mysql_install_db'];

/** Stops a server a crashed earlier run left on this data dir: it would hold the InnoDB lock and the port. */
export async function stopLeftoverMariaDb(instance: MariaDbInstance): Promise<boolean> {
  // Only a mariadbd started on this very config file: after a reboot the pid may be someone else's.
  return stopFromPidFile(mariaDbPaths(instance).pidFile, 60_000, mariaDbPaths(instance).configFile);
}

/** Launches mariadbd without waiting for it; callers poll `isMariaDbReady` (and own the process from now on). */
export async function spawnMariaDb(instance: MariaDbInstance): Promise<ManagedProcess> {
  const paths = mariaDbPaths(instance);
  const mariadbd = requireExecutable(MARIADB_SERVER_BINARIES, INSTALL_HINT);
  await stopLeftoverMariaDb(instance);
  return spawnManaged({
    name: 'mariadb',
    command: mariadbd,
    args: [`--defaults-file=${paths.configFile}`],
    logFile: join(instance.home, 'mariadbd.stdout.log'),
    pidFile: paths.pidFile,
    env: instance.env,
    detached: instance.detached,
  });
}

export async function startMariaDb(instance: MariaDbInstance, timeoutMs = 60_000): Promise<ManagedProcess> {
  const child = await spawnMariaDb(instance);
  try {
    await waitUntil(`mariadb on 127.0.0.1:${instance.port}`, () => isMariaDbReady(instance), {
      timeoutMs,
      process: child,
    });
  } catch (error) {
    // Never leave a half-started server behind holding the data dir.
    await stopMariaDb(child);
    throw error;
  }
  return child;
}

export async function stopMariaDb(child: ManagedProcess): Promise<void> {
  // mariadbd flushes and exits cleanly on SIGTERM; give InnoDB time before escalating.
  await stopPid(child.pid, 60_000);
  await child.exited;
}

/** One account on the instance, with exactly these grants (anything else it had is revoked). */
export interface MariaDbAccount {
  user: string;
  /** Host part of the account; the launcher's services all connect over TCP from 127.0.0.1. */
  host?: string;
  grants: Array<{ privileges: readonly string[]; on: string }>;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const PRIVILEGE = /^[A-Z][A-Z ]*[A-Z]$/;
const GRANT_TARGET = /^(\*|`[A-Za-z0-9_]+`)\.(\*|`[A-Za-z0-9_]+`)$/;

/**
 * Makes the databases and accounts exist exactly as declared: creates what is missing, resets passwords to
 * `passwords[user]`, and replaces each account's grants with the declared ones. Idempotent; run on every start.
 */
export async function ensureDatabasesAndAccounts(
  instance: MariaDbInstance,
  declared: { databases: readonly string[]; accounts: readonly MariaDbAccount[]; passwords: Readonly<Record<string, string>> },
): Promise<void> {
  // Names end up in SQL text (identifiers cannot be bound), so only plain identifiers are accepted.
  for (const name of [...declared.databases, ...declared.accounts.map((a) => a.user)]) {
    if (!IDENTIFIER.test(name)) throw new Error(`not a plain identifier: ${JSON.stringify(name)}`);
  }
  const connection = await adminConnection(instance);
  try {
    for (const database of declared.databases) {
      await connection.query(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    }
    for (const account of declared.accounts) {
      const password = declared.passwords[account.user];
      if (password === undefined) throw new Error(`no password for MariaDB account ${account.user}`);
      const host = account.host ?? '127.0.0.1';
      if (!/^[A-Za-z0-9.%:_-]+$/.test(host)) throw new Error(`not a plain host: ${JSON.stringify(host)}`);
      const who = `'${account.user}'@'${host}'`;
      await connection.query(`CREATE USER IF NOT EXISTS ${who} IDENTIFIED BY ?`, [password]);
      await connection.query(`ALTER USER ${who} IDENTIFIED BY ?`, [password]);
      await connection.query(`REVOKE ALL PRIVILEGES, GRANT OPTION FROM ${who}`);
      for (const grant of account.grants) {
        const bad = grant.privileges.find((p) => !PRIVILEGE.test(p));
        if (bad !== undefined || !GRANT_TARGET.test(grant.on)) throw new Error(`invalid grant for ${account.user}: ${grant.privileges.join(', ')} ON ${grant.on}`);
        await connection.query(`GRANT ${grant.privileges.join(', ')} ON ${grant.on} TO ${who}`);
      }
    }
  } finally {
    await connection.end();
  }
}

/**
 * mariadb-install-db leaves password-less root accounts for TCP (127.0.0.1, ::1, the hostname): anyone on the
 * machine could log in as root. Keep only root@localhost, reachable through the socket in the (0700) home.
 */
export async function restrictRootToSocket(instance: MariaDbInstance): Promise<void> {
  const connection = await adminConnection(instance);
  try {
    const [rows] = await connection.query("SELECT Host AS host FROM mysql.user WHERE User = 'root' AND Host <> 'localhost'");
    for (const { host } of rows as Array<{ host: string }>) await connection.query('DROP USER ?@?', ['root', host]);
  } finally {
    await connection.end();
  }
}
