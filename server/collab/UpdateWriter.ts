/**
 * Group commit of accepted updates: one insert in flight at a time; whatever
 * arrives meanwhile goes into the next one. An update is therefore durable one
 * or two database round trips after it was accepted (milliseconds, see
 * docs/BENCHMARKS.md), however many documents are busy, instead of after a
 * debounce window (Hocuspocus and y-redis persist after up to 10 s).
 *
 * When the database fails, the batch is retried with backoff and nothing is
 * dropped; `overloaded` tells connections to stop reading until it recovers,
 * so the backlog (and what a crash could lose) stays small.
 */
import type { Logger } from 'pino';
import type { CaseId } from '../../shared/ids';
import { MAX_ROWS_PER_APPEND, type AgreementStore } from './AgreementStore';

interface Pending {
  caseId: CaseId;
  update: Uint8Array;
  enqueuedAt: number;
  resolve(seq: number): void;
  reject(error: Error): void;
}

export interface WriterStats {
  batches: number;
  rows: number;
  failures: number;
}

const MAX_BATCH_BYTES = 8 * 1024 * 1024;
/** Past this backlog (bytes, or age of the oldest update) connections pause reading until it drains. */
const OVERLOAD_BYTES = 16 * 1024 * 1024;
const OVERLOAD_AGE_MS = 500;
const MAX_BACKOFF_MS = 2000;

export class UpdateWriter {
  readonly #store: AgreementStore;
  readonly #log: Logger;
  #queue: Pending[] = [];
  #queuedBytes = 0;
  #running = false;
  #closed = false;
  #drained: (() => void)[] = [];
  #relieved: (() => void)[] = [];
  readonly stats: WriterStats = { batches: 0, rows: 0, failures: 0 };

  constructor(store: AgreementStore, logger: Logger) {
    this.#store = store;
    this.#log = logger.child({ component: 'collab.writer' });
  }

  /** Resolves with the update's seq once it is committed. */
  append(caseId: CaseId, update: Uint8Array): Promise<number> {
    if (this.#closed) return Promise.reject(new Error('UpdateWriter: closed'));
    return new Promise<number>((resolve, reject) => {
      this.#queue.push({ caseId, update, enqueuedAt: performance.now(), resolve, reject });
      this.#queuedBytes += update.length;
      this.#kick();
    });
  }

  /** The database is behind: readers should pause until `whenRelieved()`. */
  get overloaded(): boolean {
    const oldest = this.#queue[0];
    return (
      this.#queuedBytes > OVERLOAD_BYTES ||
      (oldest !== undefined && performance.now() - oldest.enqueuedAt > OVERLOAD_AGE_MS)
    );
  }

  /** Resolves once the backlog is no longer `overloaded` (checked after every batch). */
  whenRelieved(): Promise<void> {
    if (!this.overloaded) return Promise.resolve();
    return new Promise((resolve) => this.#relieved.push(resolve));
  }

  /** Resolves once nothing waits to be written. */
  whenDrained(): Promise<void> {
    if (this.#queue.length === 0 && !this.#running) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  /** Writes what is queued, then refuses more. Gives up (rejecting what is left) after `timeoutMs`. */
  async close(timeoutMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const result = await Promise.race([this.whenDrained(), timeout]);
    clearTimeout(timer);
    this.#closed = true;
    if (result === 'timeout') {
      this.#log.error({ unwritten: this.#queue.length }, 'close(): database did not take the backlog in time');
      for (const p of this.#queue.splice(0)) p.reject(new Error('UpdateWriter: closed before the update was written'));
    }
  }

  #kick(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#run();
  }

  async #run(): Promise<void> {
    let backoff = 50;
    while (this.#queue.length > 0 && !this.#closed) {
      const batch = this.#takeBatch();
      try {
        const rows = await this.#store.append(batch.map(({ caseId, update }) => ({ caseId, update })));
        // Rows of one case get increasing seqs; each waiter learns the highest of its case.
        const maxSeq = new Map<CaseId, number>();
        for (const row of rows) maxSeq.set(row.caseId, Math.max(row.seq, maxSeq.get(row.caseId) ?? 0));
        this.stats.batches++;
        this.stats.rows += batch.length;
        for (const p of batch) p.resolve(maxSeq.get(p.caseId) ?? 0);
        backoff = 50;
        if (!this.overloaded) for (const resolve of this.#relieved.splice(0)) resolve();
      } catch (error) {
        this.stats.failures++;
        this.#log.error({ err: error, rows: batch.length, retryInMs: backoff }, '#run(): append failed, retrying');
        this.#queue.unshift(...batch); // keep order: the batch goes first next time
        for (const p of batch) this.#queuedBytes += p.update.length;
        await new Promise((resolve) => setTimeout(resolve, backoff));
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
      }
    }
    this.#running = false;
    if (this.#queue.length === 0)
      for (const resolve of [...this.#drained.splice(0), ...this.#relieved.splice(0)]) resolve();
  }

  #takeBatch(): Pending[] {
    let bytes = 0;
    let count = 0;
    while (count < this.#queue.length && count < MAX_ROWS_PER_APPEND) {
      bytes += this.#queue[count]!.update.length;
      count++;
      if (bytes >= MAX_BATCH_BYTES) break;
    }
    this.#queuedBytes -= bytes;
    return this.#queue.splice(0, count);
  }
}
