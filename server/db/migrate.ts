/**
 * Applies server/db/migrations/NNN_name.sql in order at start-up, all pending
 * ones in one transaction, and records each in schema_migrations with a
 * checksum. On PostgreSQL several servers may start at once: an advisory lock
 * (per schema) makes the second wait and then find nothing left to do.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Db } from './Db';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

// An arbitrary constant that says "gridroom migrations" among advisory locks.
const LOCK_CLASS = 0x67726d;

/** The migrations folder, from server/db under tsx and from dist/server/db when built. */
/** `002_staff.sql`: how a migration is named in messages, as on disk. */
const fileName = (m: { version: number; name: string }) => `${String(m.version).padStart(3, '0')}_${m.name}.sql`;

export function migrationsDir(): string {
  const beside = path.join(__dirname, 'migrations');
  if (fs.existsSync(beside)) return beside;
  // tsc does not copy .sql files: dist/server/db -> server/db/migrations of the checkout.
  return path.resolve(__dirname, '..', '..', '..', 'server', 'db', 'migrations');
}

export function readMigrations(dir = migrationsDir()): Migration[] {
  const migrations = fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => {
      const match = /^(\d{3})_([a-z0-9_]+)\.sql$/.exec(file);
      if (!match) throw new Error(`migrate: ${file} is not named NNN_name.sql`);
      const sql = fs.readFileSync(path.join(dir, file), 'utf8');
      return {
        version: Number(match[1]),
        name: match[2]!,
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrate: expected migration ${i + 1}, found ${fileName(m)}`);
  });
  return migrations;
}

/** Brings the database (its current schema) up to date; returns the versions it applied. */
export async function migrate(db: Db, logger: Logger, migrations = readMigrations()): Promise<number[]> {
  const log = logger.child({ component: 'db' });
  const started = Date.now();
  const applied = await db.transaction(async (tx) => {
    if (db.kind === 'postgres') {
      await tx.query('select pg_advisory_xact_lock($1, hashtext(current_schema()))', [LOCK_CLASS]);
    }
    await tx.query(`create table if not exists schema_migrations (
      version int primary key,
      name text not null,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`);
    const done = await tx.query<{ version: number; name: string; checksum: string }>(
      'select version, name, checksum from schema_migrations order by version',
    );
    for (const row of done) {
      const known = migrations.find((m) => m.version === row.version);
      if (!known) {
        throw new Error(
          `migrate: the database has migration ${fileName(row)}, which this server does not know (is it older?)`,
        );
      }
      if (known.checksum !== row.checksum) {
        throw new Error(`migrate: ${fileName(row)} changed after it was applied; add a new migration instead`);
      }
    }
    const pending = migrations.filter((m) => !done.some((row) => row.version === m.version));
    for (const migration of pending) {
      await tx.script(migration.sql);
      await tx.query('insert into schema_migrations (version, name, checksum) values ($1, $2, $3)', [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
    }
    return pending.map((m) => m.version);
  });
  log.info({ applied, total: migrations.length, ms: Date.now() - started }, 'migrate(): up to date');
  return applied;
}
