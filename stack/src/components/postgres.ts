import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, chmodSync, chownSync, constants, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { MissingPrerequisiteError } from '../prerequisites.js';
import { spawnManaged, stopFromPidFile, stopPid, waitUntil, type ManagedProcess } from '../processes.js';

const run = promisify(execFile);

/** The stack runs PostgreSQL 15 from Debian's packages (the major version fixes the data format). */
export const POSTGRES_BIN_DIR = '/usr/lib/postgresql/15/bin';
export const POSTGRES_INSTALL_HINT = 'apt-get update && apt-get install -y postgresql-15';
export const POSTGRES_BINARIES = ['initdb', 'postgres', 'pg_isready'] as const;
/** The bootstrap superuser initdb creates; reachable only through the unix socket (trust, in a 0700 folder). */
export const POSTGRES_SUPERUSER = 'postgres';
/** The OS user the server runs as when the launcher runs as root: postgres refuses to run as root. */
export const POSTGRES_OS_USER = 'postgres';

/** Fast shutdown: abort open transactions, disconnect clients, checkpoint, exit (SIGTERM would wait for clients). */
export const POSTGRES_STOP_SIGNAL: NodeJS.Signals = 'SIGINT';
const STOP_GRACE_MS = 60_000;

/**
 * Where the server's own files go when the launcher runs as root from a folder the postgres OS user cannot pass
 * through (a clone under /root, a 0700 mktemp folder): one folder per stack, named after the stack's real path.
 */
export const DEFAULT_RELOCATION_ROOT = '/var/lib/strangler';

export interface PostgresInstance {
  /** Folder holding data/, the socket folder, pid file and log (the server's files may be relocated: see below). */
  home: string;
  /** Parent of the relocated server files when `home` is out of the server's reach (default DEFAULT_RELOCATION_ROOT). */
  relocationRoot?: string;
  port: number;
  /** Trade durability for speed (test runs): no fsync. */
  fast?: boolean;
  /** Environment of the server (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Run the server in its own process group (the launcher stops it itself; a terminal Ctrl-C must not). */
  detached?: boolean;
}

/** Names the folder that holds the server's files when they are not in `home` (written once, by preparePostgres). */
function relocationFileOf(home: string): string {
  return join(home, 'server-home');
}

/** The folder with data/, run/ and pg_hba.conf: `home`, unless preparePostgres relocated them. */
export function serverHomeOf(home: string): string {
  const file = relocationFileOf(home);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : home;
}

export function postgresPaths(instance: Pick<PostgresInstance, 'home' | 'port'>) {
  const serverHome = serverHomeOf(instance.home);
  const socketDir = join(serverHome, 'run');
  return {
    serverHome,
    dataDir: join(serverHome, 'data'),
    socketDir,
    socket: join(socketDir, `.s.PGSQL.${instance.port}`),
    hbaFile: join(serverHome, 'pg_hba.conf'),
    relocationFile: relocationFileOf(instance.home),
    /** Written by the launcher (postmaster.pid is the server's own lock file and stays its business). */
    pidFile: join(instance.home, 'postgres.pid'),
    logFile: join(instance.home, 'postgres.log'),
  };
}

export function postgresBinary(name: (typeof POSTGRES_BINARIES)[number]): string {
  const path = join(POSTGRES_BIN_DIR, name);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new MissingPrerequisiteError(`${path} (PostgreSQL 15)`, POSTGRES_INSTALL_HINT);
  }
  return path;
}

function runsAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

/** The user initdb and the server run as: `postgres` when we are root, otherwise nobody else (undefined). */
export function postgresOsUser(asRoot = runsAsRoot()): OsUser | undefined {
  if (!asRoot) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', POSTGRES_OS_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', POSTGRES_OS_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    if (Number.isInteger(uid) && Number.isInteger(gid) && uid > 0) return { name: POSTGRES_OS_USER, uid, gid };
  } catch {
    // reported below
  }
  throw new Error(
    `the launcher runs as root, and PostgreSQL refuses to run as root, but there is no "${POSTGRES_OS_USER}" OS user to run it as.\n` +
      `    ${POSTGRES_INSTALL_HINT}   # creates it; or run the launcher as a normal user`,
  );
}

/**
 * The first folder from / down to `dir` that the server's user cannot search (it could not reach its files
 * there), or undefined when the whole chain is searchable.
 */
async function firstUnsearchable(dir: string, user: OsUser): Promise<string | undefined> {
  const chain: string[] = [];
  for (let current = dir; ; current = dirname(current)) {
    chain.unshift(current);
    if (dirname(current) === current) break;
  }
  try {
    // Asked as that user, so ACLs and group membership count exactly as they will for the server.
    await run('/bin/sh', ['-c', 'for d in "$@"; do [ -x "$d" ] || { echo "$d"; exit 1; }; done', 'check', ...chain], {
      uid: user.uid,
      gid: user.gid,
      cwd: '/',
    });
    return undefined;
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? '').trim() || dir;
  }
}

/** What preparePostgres decided about where the server's files live. */
export interface ServerHomePlacement {
  serverHome: string;
  /** True when they are outside `home`. */
  relocated: boolean;
  /** When relocated now: the folder the server's user could not pass through. */
  blocked?: string;
}

/**
 * Keeps the server's files in `home` when its OS user can reach it; otherwise moves them (once, recorded in
 * <home>/server-home) to a per-stack folder under the relocation root, so that `npm start` works from a clone in
 * root's home without anyone changing permissions. Later starts follow the record.
 */
async function placeServerHome(instance: PostgresInstance, user: OsUser | undefined): Promise<ServerHomePlacement> {
  const relocationFile = relocationFileOf(instance.home);
  if (existsSync(relocationFile)) return { serverHome: serverHomeOf(instance.home), relocated: true };
  const blocked = user ? await firstUnsearchable(instance.home, user) : undefined;
  if (!user || !blocked) return { serverHome: instance.home, relocated: false };

  const relocationRoot = instance.relocationRoot ?? DEFAULT_RELOCATION_ROOT;
  mkdirSync(relocationRoot, { recursive: true, mode: 0o711 });
  const rootBlocked = await firstUnsearchable(relocationRoot, user);
  if (rootBlocked) {
    throw new Error(
      `PostgreSQL runs as the "${user.name}" OS user (the launcher runs as root), who can reach neither ${instance.home} (${blocked} is not searchable for it) ` +
        `nor ${relocationRoot} (${rootBlocked}).
    chmod o+x ${blocked}   # or point STACK_DIR at a folder under a searchable path (e.g. /var/tmp/strangler)`,
    );
  }
  const digest = createHash('sha256').update(realpathSync(instance.home)).digest('hex').slice(0, 16);
  const serverHome = join(relocationRoot, `postgres-${digest}`);
  // Without the record, whatever is there belongs to an earlier stack at this path that was deleted by hand.
  rmSync(serverHome, { recursive: true, force: true });
  mkdirSync(serverHome, { mode: 0o700 });
  const writing = `${relocationFile}.tmp`;
  writeFileSync(writing, `${serverHome}\n`, { mode: 0o600 });
  renameSync(writing, relocationFile);
  return { serverHome, relocated: true, blocked };
}

/** Deletes the server's relocated files, if any (the stack's own folder is the caller's to delete). */
export function removeRelocatedServerHome(home: string): string | undefined {
  if (!existsSync(relocationFileOf(home))) return undefined;
  const serverHome = serverHomeOf(home);
  rmSync(serverHome, { recursive: true, force: true });
  return serverHome;
}

/** Unix socket paths are limited to 108 bytes (sun_path), the terminating NUL included. */
const MAX_SOCKET_PATH_BYTES = 107;

/**
 * Who may connect, rewritten on every start: the superuser through the socket only (its folder is private to the
 * server's OS user), every other role over TCP from 127.0.0.1 with a SCRAM password. Nothing else matches: rejected.
 */
export const PG_HBA = `# Written by the strangler launcher on every start; edits are overwritten.
# TYPE  DATABASE  USER      ADDRESS        METHOD
local   all       ${POSTGRES_SUPERUSER}                  trust
host    all       all       127.0.0.1/32   scram-sha-256
`;

/** Server settings, on the command line so the data dir stays exactly as initdb wrote it. */
export function postgresSettings(instance: PostgresInstance): Record<string, string> {
  const paths = postgresPaths(instance);
  return {
    port: String(instance.port),
    listen_addresses: '127.0.0.1',
    unix_socket_directories: paths.socketDir,
    unix_socket_permissions: '0700',
    hba_file: paths.hbaFile,
    password_encryption: 'scram-sha-256',
    // Bounded memory: a developer machine runs this next to MariaDB and a handful of services.
    shared_buffers: '64MB',
    max_connections: '50',
    work_mem: '4MB',
    maintenance_work_mem: '32MB',
    huge_pages: 'off',
    timezone: 'UTC',
    logging_collector: 'off',
    log_destination: 'stderr',
    ...(instance.fast ? { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' } : {}),
  };
}

function chownTo(path: string, user: OsUser | undefined): void {
  if (user) chownSync(path, user.uid, user.gid);
}

/**
 * Creates the cluster on first use (initdb into a temporary folder, renamed when complete, so an interrupted
 * initdb never leaves a half-made cluster) and rewrites pg_hba.conf. Returns true when the cluster was created now;
 * `placed` hears where the server's files are (see placeServerHome).
 */
export async function preparePostgres(instance: PostgresInstance, placed?: (placement: ServerHomePlacement) => void): Promise<boolean> {
  const user = postgresOsUser();
  mkdirSync(instance.home, { recursive: true });
  chmodSync(instance.home, 0o700);
  chownTo(instance.home, user);
  const placement = await placeServerHome(instance, user);
  const paths = postgresPaths(instance);
  if (Buffer.byteLength(paths.socket) > MAX_SOCKET_PATH_BYTES) {
    throw new Error(`PostgreSQL socket path is too long for a unix socket (max ${MAX_SOCKET_PATH_BYTES} bytes): ${paths.socket}; use a shorter STACK_DIR`);
  }
  mkdirSync(paths.socketDir, { recursive: true });
  for (const dir of [paths.serverHome, paths.socketDir]) {
    chmodSync(dir, 0o700);
    chownTo(dir, user);
  }
  placed?.(placement);
  writeFileSync(paths.hbaFile, PG_HBA, { mode: 0o600 });
  chownTo(paths.hbaFile, user);
  if (existsSync(join(paths.dataDir, 'PG_VERSION'))) return false;

  const initdb = postgresBinary('initdb');
  const building = `${paths.dataDir}.initdb`;
  rmSync(building, { recursive: true, force: true });
  try {
    await run(
      initdb,
      [
        '-D',
        building,
        '-U',
        POSTGRES_SUPERUSER,
        '--auth-local=trust',
        '--auth-host=scram-sha-256',
        '--encoding=UTF8',
        '--no-locale',
        '--no-instructions',
        ...(instance.fast ? ['--no-sync'] : []),
      ],
      { cwd: paths.serverHome, env: instance.env, uid: user?.uid, gid: user?.gid },
    );
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    const { stderr, message } = error as { stderr?: string; message: string };
    throw new Error(`initdb failed: ${(stderr ?? '').trim() || message}`);
  }
  renameSync(building, paths.dataDir);
  return true;
}

/** Stops a server a crashed earlier run left on this data dir: it would hold the port and the data dir's lock. */
export async function stopLeftoverPostgres(instance: PostgresInstance): Promise<boolean> {
  const paths = postgresPaths(instance);
  // Only a postgres started on this very data dir: after a reboot the pid may be someone else's.
  return stopFromPidFile(paths.pidFile, STOP_GRACE_MS, paths.dataDir, POSTGRES_STOP_SIGNAL);
}

/** Launches the server without waiting for it; callers poll `isPostgresReady` (and own the process from now on). */
export async function spawnPostgres(instance: PostgresInstance): Promise<ManagedProcess> {
  const paths = postgresPaths(instance);
  const postgres = postgresBinary('postgres');
  const user = postgresOsUser();
  await stopLeftoverPostgres(instance);
  const settings = Object.entries(postgresSettings(instance)).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
  return spawnManaged({
    name: 'postgres',
    command: postgres,
    args: ['-D', paths.dataDir, ...settings],
    cwd: paths.serverHome,
    logFile: paths.logFile,
    pidFile: paths.pidFile,
    env: instance.env,
    detached: instance.detached,
    uid: user?.uid,
    gid: user?.gid,
  });
}

/** pg_isready through the socket: 0 = accepting connections. */
export async function isPostgresReady(instance: PostgresInstance): Promise<boolean> {
  const paths = postgresPaths(instance);
  try {
    await run(postgresBinary('pg_isready'), ['-q', '-h', paths.socketDir, '-p', String(instance.port), '-U', POSTGRES_SUPERUSER, '-d', 'postgres'], {
      timeout: 5_000,
    });
    return true;
  } catch {
    return false;
  }
}

export async function startPostgres(instance: PostgresInstance, timeoutMs = 60_000): Promise<ManagedProcess> {
  const child = await spawnPostgres(instance);
  try {
    await waitUntil(`postgres on 127.0.0.1:${instance.port}`, () => isPostgresReady(instance), { timeoutMs, process: child });
  } catch (error) {
    await stopPostgres(child);
    throw error;
  }
  return child;
}

export async function stopPostgres(child: ManagedProcess): Promise<void> {
  await stopPid(child.pid, STOP_GRACE_MS, POSTGRES_STOP_SIGNAL);
  await child.exited;
}

/** The superuser over the unix socket (no password: the socket folder is private to the server's OS user). */
export async function postgresAdminClient(instance: PostgresInstance, database = 'postgres'): Promise<pg.Client> {
  const client = new pg.Client({ host: postgresPaths(instance).socketDir, port: instance.port, user: POSTGRES_SUPERUSER, database });
  await client.connect();
  return client;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Makes a login role with this password and a database it owns exist: creates what is missing and resets the
 * password (the secrets file is the truth). Idempotent; run on every start.
 */
export async function ensureRoleAndDatabase(instance: PostgresInstance, declared: { role: string; password: string; database: string }): Promise<void> {
  for (const name of [declared.role, declared.database]) {
    if (!IDENTIFIER.test(name)) throw new Error(`not a plain identifier: ${JSON.stringify(name)}`);
  }
  const client = await postgresAdminClient(instance);
  try {
    const role = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [declared.role]);
    const verb = role.rowCount === 0 ? 'CREATE' : 'ALTER';
    // Utility statements take no bind parameters: let the server quote the password (format %L) instead of us.
    const statement = await client.query<{ sql: string }>(`SELECT format('${verb} ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', $1::text, $2::text) AS sql`, [
      declared.role,
      declared.password,
    ]);
    await client.query(statement.rows[0]?.sql ?? '');
    const database = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [declared.database]);
    if (database.rowCount === 0) await client.query(`CREATE DATABASE "${declared.database}" OWNER "${declared.role}" ENCODING 'UTF8' TEMPLATE template0`);
    await client.query(`ALTER DATABASE "${declared.database}" OWNER TO "${declared.role}"`);
    // Only its owner connects to it.
    await client.query(`REVOKE ALL ON DATABASE "${declared.database}" FROM PUBLIC`);
  } finally {
    await client.end();
  }
}
