/**
 * The embedded database: PGlite (PostgreSQL compiled to WebAssembly) keeping
 * its files in a folder, so `npm start` needs no database server. PGlite has a
 * single connection, so every statement and transaction here waits its turn in
 * one queue: a statement from elsewhere can never land inside someone else's
 * open transaction.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Logger } from 'pino';
import type { Db, Queryable } from './Db';

export interface PgliteDbOptions {
  /** Folder of the database files (created when missing). */
  dir: string;
  logger: Logger;
}

// Marks the async context of an open transaction, so that a statement sent to
// the Db instead of the transaction fails at once rather than waiting forever
// behind the transaction it belongs to.
const insideTransaction = new AsyncLocalStorage<true>();

export class PgliteDb implements Db {
  readonly kind = 'pglite' as const;
  readonly #pglite: PGlite;
  readonly #lock: DirLock;
  #queue: Promise<unknown> = Promise.resolve();
  #closed: Promise<void> | undefined;

  private constructor(pglite: PGlite, lock: DirLock) {
    this.#pglite = pglite;
    this.#lock = lock;
  }

  static async open({ dir, logger }: PgliteDbOptions): Promise<PgliteDb> {
    const log = logger.child({ component: 'db' });
    fs.mkdirSync(path.dirname(path.resolve(dir)), { recursive: true });
    const lock = DirLock.take(dir);
    const started = Date.now();
    try {
      const fresh = !fs.existsSync(path.join(dir, 'PG_VERSION'));
      const pglite = await PGlite.create(dir);
      log.info({ dir, fresh, ms: Date.now() - started }, 'PgliteDb.open(): ready');
      return new PgliteDb(pglite, lock);
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  query<T extends object>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.#enqueue(async () => (await this.#pglite.query<T>(sql, params as unknown[])).rows);
  }

  script(sql: string): Promise<void> {
    return this.#enqueue(async () => void (await this.#pglite.exec(sql)));
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.#enqueue(() =>
      this.#pglite.transaction((t) =>
        insideTransaction.run(true, () =>
          fn({
            query: async <R extends object>(sql: string, params: readonly unknown[] = []) =>
              (await t.query<R>(sql, params as unknown[])).rows,
            script: async (sql) => void (await t.exec(sql)),
          }),
        ),
      ),
    );
  }

  close(): Promise<void> {
    return (this.#closed ??= (async () => {
      // Let queued work finish first: closing under a running statement corrupts nothing but fails it.
      await this.#queue.catch(() => undefined);
      await this.#pglite.close();
      this.#lock.release();
    })());
  }

  #enqueue<T>(work: () => Promise<T>): Promise<T> {
    if (insideTransaction.getStore()) {
      return Promise.reject(
        new Error('PgliteDb: a statement inside a transaction must use the transaction, not the Db'),
      );
    }
    if (this.#closed) return Promise.reject(new Error('PgliteDb: closed'));
    const result = this.#queue.then(work, work);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}

/**
 * One process at a time per data folder: two PGlite instances writing the
 * same files corrupt them (a CLI run beside the running server, say).
 */
class DirLock {
  private constructor(readonly file: string) {}

  static take(dir: string): DirLock {
    // Beside the folder, not in it: PGlite wants its folder to itself.
    const file = `${dir.replace(/[\\/]+$/, '')}.lock`;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
        return new DirLock(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = Number(fs.readFileSync(file, 'utf8'));
        if (isAlive(holder)) {
          throw new Error(`the data folder ${dir} is in use by process ${holder}; stop it first (or set DATABASE_URL)`);
        }
        fs.rmSync(file, { force: true }); // left by a process that died: take it over
      }
    }
    throw new Error(`could not lock the data folder ${dir}`);
  }

  release(): void {
    fs.rmSync(this.file, { force: true });
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
