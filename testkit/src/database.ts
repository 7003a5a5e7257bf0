import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import mysql from 'mysql2/promise';
import { createDb, type Knex } from '@strangler/platform';
import type {} from './provided.js';

export interface TestDatabase {
  name: string;
  db: Knex;
  /** Connection settings for code under test that builds its own pool (a server, a CLI). */
  connection: { host: string; port: number; user: string; password: string; database: string };
  drop(): Promise<void>;
}

/**
 * A fresh database on the run's private MariaDB, for one test file.
 * Usage: `const t = await createTestDatabase('legacy_users'); ...; await t.drop();`
 */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const server = inject('mariadb');
  const name = `t_${prefix.replace(/[^a-z0-9_]/gi, '_').slice(0, 40)}_${randomBytes(4).toString('hex')}`;
  const user = `u_${randomBytes(6).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const admin = await mysql.createConnection({ socketPath: server.socket, user: 'root', multipleStatements: true });
  try {
    await admin.query(
      `CREATE DATABASE \`${name}\`;
       CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY '${password}';
       GRANT ALL PRIVILEGES ON \`${name}\`.* TO '${user}'@'127.0.0.1';`,
    );
  } finally {
    await admin.end();
  }
  const connection = { host: server.host, port: server.port, user, password, database: name };
  const db = createDb({ ...connection, poolMax: 20 });
  return {
    name,
    db,
    connection,
    async drop() {
      await db.destroy();
      const cleanup = await mysql.createConnection({ socketPath: server.socket, user: 'root', multipleStatements: true });
      try {
        await cleanup.query(`DROP DATABASE IF EXISTS \`${name}\`; DROP USER IF EXISTS '${user}'@'127.0.0.1';`);
      } finally {
        await cleanup.end();
      }
    },
  };
}

/**
 * Runs `work` in a transaction on `db`, rolls it back as a caller would after a failure, and returns every SQL
 * statement sent meanwhile (to check what a store does, or does not do, on a caller's transaction).
 */
export async function sqlOfRolledBackTransaction(db: Knex, work: (trx: Knex.Transaction) => Promise<void>): Promise<string[]> {
  const statements: string[] = [];
  const collect = (query: { sql: string }) => statements.push(query.sql);
  const rollback = new Error('the caller rolls back');
  db.on('query', collect);
  try {
    await db
      .transaction(async (trx) => {
        await work(trx);
        throw rollback;
      })
      .catch((error: unknown) => {
        if (error !== rollback) throw error;
      });
  } finally {
    db.off('query', collect);
  }
  return statements;
}
