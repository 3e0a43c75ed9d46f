/**
 * The configured database: PostgreSQL when DATABASE_URL is set, otherwise the
 * embedded PGlite in DATA_DIR/pglite. Migrations are applied before it is
 * handed out, so every caller sees the current schema.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Db } from './Db';
import { migrate } from './migrate';
import { PgDb } from './PgDb';
import { PgliteDb } from './PgliteDb';

export async function openDatabase(database: Config['database'], logger: Logger): Promise<Db> {
  const db = database.url
    ? new PgDb({ connectionString: database.url, logger })
    : await PgliteDb.open({ dir: path.join(database.dataDir, 'pglite'), logger });
  try {
    await migrate(db, logger);
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}
