/**
 * PostgreSQL through a pg.Pool: what production runs on (DATABASE_URL).
 */
import pg from 'pg';
import type { Logger } from 'pino';
import type { Db, Queryable } from './Db';

export interface PgDbOptions {
  connectionString: string;
  /** Schema to put first on the search_path (tests use one schema per file). */
  schema?: string;
  /** Pool size; pg's default (10) unless set. */
  max?: number;
  logger: Logger;
}

const INT8_OID = 20;

// Counts and bigint ids stay far below 2^53; numbers make pg agree with PGlite.
// Passed per pool rather than through pg.types.setTypeParser, which is global.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export class PgDb implements Db {
  readonly kind = 'postgres' as const;
  readonly #pool: pg.Pool;
  #closed: Promise<void> | undefined;

  constructor(options: PgDbOptions) {
    const log = options.logger.child({ component: 'db' });
    this.#pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.max,
      types,
      // Quoted as an identifier inside the option string; callers pass names they minted.
      options: options.schema ? `-c search_path="${options.schema.replace(/"/g, '""')}"` : undefined,
    });
    // An idle client that loses its connection emits here; without a listener it would crash the process.
    this.#pool.on('error', (error) => log.error({ err: error }, 'PgDb: idle connection failed'));
  }

  async query<T extends object>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const result = await this.#pool.query<T>(sql, params as unknown[]);
    return result.rows;
  }

  async script(sql: string): Promise<void> {
    // Without parameters pg uses the simple protocol, which accepts several statements.
    await this.#pool.query(sql);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    const tx: Queryable = {
      query: async <R extends object>(sql: string, params: readonly unknown[] = []) =>
        (await client.query<R>(sql, params as unknown[])).rows,
      script: async (sql) => void (await client.query(sql)),
    };
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(tx);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // The connection itself is gone: destroy it instead of returning it to the pool.
        broken = rollbackError as Error;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  close(): Promise<void> {
    return (this.#closed ??= this.#pool.end());
  }
}
