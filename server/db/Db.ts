/**
 * The records database as the rest of the server sees it: parameterised
 * queries, transactions, close. Two implementations: PostgreSQL through a
 * pg.Pool (PgDb) and the embedded PGlite (PgliteDb); the same SQL runs on both.
 */

/** Anything that runs statements: the database itself or an open transaction. */
export interface Queryable {
  /**
   * Runs one statement. User input goes in `params` ($1, $2, ...), never into
   * `sql`. int8 columns arrive as numbers on both implementations.
   */
  query<T extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a trusted multi-statement script (a migration file); it takes no parameters. */
  script(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  /** Which engine is behind this: logged at start-up, and PGlite has no advisory locks worth taking. */
  readonly kind: 'postgres' | 'pglite';
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when
   * it throws (the error is rethrown). Statements inside must go through the
   * `tx` given, not the Db.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Waits for running work, then releases connections (or the embedded files). Idempotent. */
  close(): Promise<void>;
}
