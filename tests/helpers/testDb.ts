/**
 * A database of its own for one test file: a fresh schema with a random name
 * on the machine's PostgreSQL (db `test`, trust auth), migrated, and dropped
 * afterwards; or, with TEST_DB=pglite (or kind 'pglite'), an embedded PGlite
 * in a temporary folder. Either way the real engine, never a mock.
 *
 * TEST_DATABASE_URL overrides the server (default: root, then postgres, at
 * 127.0.0.1:5432/test).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import type { Db } from '../../server/db/Db';
import { migrate } from '../../server/db/migrate';
import { PgDb } from '../../server/db/PgDb';
import { PgliteDb } from '../../server/db/PgliteDb';

export type TestDbKind = 'postgres' | 'pglite';

export interface TestDb {
  db: Db;
  kind: TestDbKind;
  /** The schema (PostgreSQL) or folder (PGlite) holding this test's tables. */
  where: string;
  /** Closes the database, then drops the schema or deletes the folder. */
  drop(): Promise<void>;
}

const quiet = pino({ level: process.env.LOG_TESTS ? 'debug' : 'silent' });

export const defaultTestDbKind = (): TestDbKind => (process.env.TEST_DB === 'pglite' ? 'pglite' : 'postgres');

let serverUrl: Promise<string> | undefined;

/** The PostgreSQL URL that works on this machine: TEST_DATABASE_URL, or root, or postgres. */
export function testDatabaseUrl(): Promise<string> {
  return (serverUrl ??= (async () => {
    if (process.env.TEST_DATABASE_URL) return process.env.TEST_DATABASE_URL;
    let lastError: unknown;
    for (const user of ['root', 'postgres']) {
      const url = `postgresql://${user}@127.0.0.1:5432/test`;
      const client = new pg.Client({ connectionString: url });
      try {
        await client.connect();
        await client.end();
        return url;
      } catch (error) {
        lastError = error;
        await client.end().catch(() => undefined);
      }
    }
    throw new Error(`no PostgreSQL at 127.0.0.1:5432/test as root or postgres: ${String(lastError)}`);
  })());
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: await testDatabaseUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createTestDb(
  kind: TestDbKind = defaultTestDbKind(),
  options: { migrate?: boolean } = {},
): Promise<TestDb> {
  let testDb: TestDb;
  if (kind === 'pglite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridroom-pglite-'));
    const db = await PgliteDb.open({ dir: path.join(dir, 'pglite'), logger: quiet });
    testDb = {
      db,
      kind,
      where: dir,
      drop: async () => {
        await db.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } else {
    // Minted here from hex digits only, so it is safe to splice into DDL.
    const schema = `test_${randomBytes(6).toString('hex')}`;
    await admin((client) => client.query(`create schema ${schema}`));
    const db = new PgDb({ connectionString: await testDatabaseUrl(), schema, max: 5, logger: quiet });
    testDb = {
      db,
      kind,
      where: schema,
      drop: async () => {
        await db.close();
        await admin((client) => client.query(`drop schema ${schema} cascade`));
      },
    };
  }
  if (options.migrate !== false) await migrate(testDb.db, quiet);
  return testDb;
}
