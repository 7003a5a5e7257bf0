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

/** The server settings CDC needs (row-based binlog with full images and metadata) and a UTC clock. */
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
    'log_bin=mariadb-bin',
    'binlog_format=ROW',
    'binlog_row_image=FULL',
    'binlog_row_metadata=FULL',
    'binlog_expire_logs_seconds=604800',
    "default_time_zone='+00:00'",
    'character_set_server=utf8mb4',
    'collation_server=utf8mb4_unicode_ci',
    'max_connections=500',
    'innodb_buffer_pool_size=256M',
    ...(instance.fast ? ['innodb_flush_log_at_trx_commit=2', 'sync_binlog=0'] : []),
    ...(runsAsRoot() ? ['user=root'] : []),
  ];
  return `${lines.join('\n')}\n`;
}

/** Creates the data dir on first use; returns true when it was created now (so callers can seed once). */
export async function prepareMariaDb(instance: MariaDbInstance): Promise<boolean> {
  const paths = mariaDbPaths(instance);
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

export async function startMariaDb(instance: MariaDbInstance, timeoutMs = 60_000): Promise<ManagedProcess> {
  const paths = mariaDbPaths(instance);
  const mariadbd = requireExecutable(['mariadbd', 'mysqld'], INSTALL_HINT);
  // A crashed earlier run may have left a server on our data dir; it would hold the lock and the port.
  await stopFromPidFile(paths.pidFile);
  const child = spawnManaged({
    name: 'mariadb',
    command: mariadbd,
    args: [`--defaults-file=${paths.configFile}`],
    logFile: join(instance.home, 'mariadbd.stdout.log'),
    pidFile: paths.pidFile,
  });
  await waitUntil(`mariadb on 127.0.0.1:${instance.port}`, () => isMariaDbReady(instance), {
    timeoutMs,
    process: child,
  });
  return child;
}

export async function stopMariaDb(child: ManagedProcess): Promise<void> {
  // mariadbd flushes and exits cleanly on SIGTERM; give InnoDB time before escalating.
  await stopPid(child.pid, 60_000);
}
