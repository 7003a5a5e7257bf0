import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { adminConnection, ensureDatabasesAndAccounts, type MariaDbInstance } from './mariadb.js';

const server = inject('mariadb');
const instance: MariaDbInstance = { home: dirname(server.socket), port: server.port, serverId: 901 };
const suffix = randomBytes(3).toString('hex');
const database = `t_provision_${suffix}`;
const app = `app_${suffix}`;
const reader = `rd_${suffix}`;

async function grantsOf(user: string): Promise<string[]> {
  const admin = await adminConnection(instance);
  try {
    const [rows] = await admin.query(`SHOW GRANTS FOR '${user}'@'127.0.0.1'`);
    return (rows as Array<Record<string, string>>).map((row) => Object.values(row)[0] ?? '').map((g) => g.replace(/ IDENTIFIED BY PASSWORD '[^']*'/, ''));
  } finally {
    await admin.end();
  }
}

async function canConnect(user: string, password: string): Promise<boolean> {
  try {
    const connection = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user, password, database });
    await connection.end();
    return true;
  } catch {
    return false;
  }
}

describe('ensureDatabasesAndAccounts', () => {
  const declared = (passwords: Record<string, string>) => ({
    databases: [database],
    accounts: [
      { user: app, grants: [{ privileges: ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'ALTER', 'INDEX', 'DROP', 'REFERENCES', 'LOCK TABLES'], on: `\`${database}\`.*` }] },
      { user: reader, grants: [{ privileges: ['SELECT', 'RELOAD', 'SHOW DATABASES', 'REPLICATION SLAVE', 'REPLICATION CLIENT'], on: '*.*' }] },
    ],
    passwords,
  });

  afterAll(async () => {
    const admin = await adminConnection(instance);
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\`; DROP USER IF EXISTS '${app}'@'127.0.0.1', '${reader}'@'127.0.0.1'`);
    await admin.end();
  });

  it('creates the database and least-privilege accounts, idempotently, converging passwords and grants', async () => {
    await ensureDatabasesAndAccounts(instance, declared({ [app]: 'first-password', [reader]: 'reader-password' }));
    expect(await grantsOf(app)).toEqual([
      `GRANT USAGE ON *.* TO \`${app}\`@\`127.0.0.1\``,
      `GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, REFERENCES, INDEX, ALTER, LOCK TABLES ON \`${database}\`.* TO \`${app}\`@\`127.0.0.1\``,
    ]);
    // MariaDB 10.11 spells REPLICATION CLIENT as BINLOG MONITOR.
    expect(await grantsOf(reader)).toEqual([`GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO \`${reader}\`@\`127.0.0.1\``]);
    expect(await canConnect(app, 'first-password')).toBe(true);

    // A grant added by hand is revoked and a changed password is applied on the next start.
    const admin = await adminConnection(instance);
    await admin.query(`GRANT ALL PRIVILEGES ON *.* TO '${app}'@'127.0.0.1'`);
    await admin.end();
    await ensureDatabasesAndAccounts(instance, declared({ [app]: 'second-password', [reader]: 'reader-password' }));
    expect(await grantsOf(app)).toHaveLength(2);
    expect((await grantsOf(app))[0]).toBe(`GRANT USAGE ON *.* TO \`${app}\`@\`127.0.0.1\``);
    expect(await canConnect(app, 'first-password')).toBe(false);
    expect(await canConnect(app, 'second-password')).toBe(true);
  });

  it('refuses names that are not plain identifiers', async () => {
    await expect(ensureDatabasesAndAccounts(instance, { databases: ['x`; DROP DATABASE mysql; --'], accounts: [], passwords: {} })).rejects.toThrow(/not a plain identifier/);
  });
});
