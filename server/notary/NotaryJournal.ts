/**
 * The notary journal: one entry per act, append-only, each entry's hash
 * covering the previous one, so that an edited or deleted row is found by
 * `verifyJournal`. The database keeps the chain's shape (009_notary.sql:
 * inserts must follow the head, UPDATE and TRUNCATE are refused, DELETE is
 * refused before the entry's retention has expired and for anything but the
 * oldest entry); this module computes and checks the hashes, which SQL cannot
 * do over canonical JSON.
 *
 * What the chain cannot stop is someone with the database's owner rights
 * rewriting every row from the edit onwards and the head with them; the
 * export carries the head hash so the notary can keep an anchor elsewhere.
 */
import { journalEntrySchema, type JournalEntry } from '../../shared/notary';
import { AppError } from '../../shared/errors';
import type { Queryable } from '../db/Db';
import { canonicalJson, sha256Hex } from './canonicalJson';
import { DEFAULT_RETENTION, retainUntil, type RetentionPolicy } from './retention';

export const GENESIS_HASH = '0'.repeat(64);

/** A journal row as stored and exported. */
export interface JournalRow {
  seq: number;
  actId: string;
  entry: JournalEntry;
  recordedAt: Date;
  retainUntil: Date;
  prevHash: string;
  hash: string;
}

export interface JournalHead {
  /** The last entry appended (0 and GENESIS_HASH when there is none). */
  lastSeq: number;
  lastHash: string;
  /** The last entry pruned after its retention; verification starts after it. */
  prunedSeq: number;
  prunedHash: string;
}

export interface JournalProblem {
  /** The entry where the chain breaks. */
  seq: number;
  problem: string;
}

export interface JournalVerification {
  ok: boolean;
  /** Entries checked. */
  entries: number;
  head: JournalHead;
  problems: JournalProblem[];
}

/** The hash of one entry: what `hash` must hold and the next entry's `prev_hash` must repeat. */
export function entryHash(row: Omit<JournalRow, 'hash' | 'actId'>): string {
  return sha256Hex(
    canonicalJson({
      seq: row.seq,
      prevHash: row.prevHash,
      recordedAt: row.recordedAt.toISOString(),
      retainUntil: row.retainUntil.toISOString(),
      entry: row.entry,
    }),
  );
}

const ROW_COLUMNS = `seq, act_id as "actId", entry, recorded_at as "recordedAt", retain_until as "retainUntil",
  prev_hash as "prevHash", hash`;

const HEAD_SELECT = `select last_seq as "lastSeq", last_hash as "lastHash", pruned_seq as "prunedSeq",
  pruned_hash as "prunedHash" from notary_journal_head`;

/** SQLSTATE raised by the retention trigger (009_notary.sql). */
const RETENTION_SQLSTATE = 'GR001';

export class NotaryJournal {
  constructor(
    private readonly q: Queryable,
    private readonly retention: RetentionPolicy = DEFAULT_RETENTION,
  ) {}

  /**
   * Appends the entry of an act. Call it inside the transaction that ends the
   * act, so the act is never final without its entry. The head row is locked
   * until that transaction ends, which orders concurrent appends.
   */
  async append(entry: JournalEntry, now = new Date()): Promise<JournalRow> {
    const valid = journalEntrySchema.parse(entry);
    const [head] = await this.q.query<JournalHead>(`${HEAD_SELECT} for update`);
    // Whole milliseconds: what a timestamptz gives back to JavaScript is what was hashed.
    const recordedAt = new Date(Math.floor(now.getTime()));
    const row = {
      seq: head!.lastSeq + 1,
      actId: valid.actId,
      entry: valid,
      recordedAt,
      retainUntil: retainUntil(recordedAt, valid.jurisdiction, this.retention),
      prevHash: head!.lastHash,
    };
    const hash = entryHash(row);
    await this.q.query(
      `insert into notary_journal (seq, act_id, entry, recorded_at, retain_until, prev_hash, hash)
       values ($1, $2, $3::jsonb, $4, $5, $6, $7)`,
      [
        row.seq,
        row.actId,
        JSON.stringify(valid),
        recordedAt.toISOString(),
        row.retainUntil.toISOString(),
        row.prevHash,
        hash,
      ],
    );
    return { ...row, hash };
  }

  head(): Promise<JournalHead> {
    return this.q.query<JournalHead>(HEAD_SELECT).then(([head]) => head!);
  }

  /** Entries in chain order, optionally of one notary, optionally up to a sequence number. */
  rows(filter: { notaryId?: string; upTo?: number } = {}): Promise<JournalRow[]> {
    return this.q.query<JournalRow>(
      `select ${ROW_COLUMNS} from notary_journal
       where ($1::text is null or entry->'notary'->>'id' = $1) and ($2::bigint is null or seq <= $2)
       order by seq`,
      [filter.notaryId ?? null, filter.upTo ?? null],
    );
  }

  /** One entry by its sequence number. */
  async entry(seq: number): Promise<JournalRow | undefined> {
    const [row] = await this.q.query<JournalRow>(`select ${ROW_COLUMNS} from notary_journal where seq = $1`, [seq]);
    return row;
  }

  /** The entry of one act, if the act has ended. */
  async forAct(actId: string): Promise<JournalRow | undefined> {
    const [row] = await this.q.query<JournalRow>(`select ${ROW_COLUMNS} from notary_journal where act_id = $1`, [
      actId,
    ]);
    return row;
  }

  /**
   * Deletes the oldest entries whose retention has expired, oldest first (the
   * trigger accepts no other order). Returns how many went.
   */
  async pruneExpired(): Promise<number> {
    let pruned = 0;
    for (;;) {
      const [oldest] = await this.q.query<{ seq: number }>(
        'select seq from notary_journal where retain_until <= now() order by seq limit 1',
      );
      if (!oldest) return pruned;
      await this.delete(oldest.seq);
      pruned += 1;
    }
  }

  /** Deletes one entry; RETENTION_NOT_EXPIRED while it is retained (or while older entries remain). */
  async delete(seq: number): Promise<void> {
    try {
      await this.q.query('delete from notary_journal where seq = $1', [seq]);
    } catch (error) {
      if ((error as { code?: string }).code === RETENTION_SQLSTATE) {
        throw new AppError('RETENTION_NOT_EXPIRED', (error as Error).message.replace(/^notary_journal: /, ''));
      }
      throw error;
    }
  }
}

/**
 * The head and the rows it covers, read while the server keeps appending and
 * pruning: rows after the head are left out (appended meanwhile: the head and
 * its row commit together), and a prune between the two reads is retried, so
 * a live journal is never reported broken for being busy.
 */
async function consistentRead(
  journal: NotaryJournal,
): Promise<{ head: JournalHead; rows: JournalRow[]; strays: JournalRow[] }> {
  for (let attempt = 0; ; attempt += 1) {
    const head = await journal.head();
    const all = await journal.rows();
    const after = await journal.head();
    if (after.prunedSeq !== head.prunedSeq && attempt < 2) continue;
    return {
      head,
      rows: all.filter((r) => r.seq <= head.lastSeq),
      // Past even the second head: no append wrote them (it moves the head in the same transaction).
      strays: all.filter((r) => r.seq > after.lastSeq),
    };
  }
}

/**
 * Recomputes the chain from the first unpruned entry to the head and reports
 * every break: a missing sequence number (a deleted row), an entry that does
 * not name its predecessor's hash, a hash that does not match its content (an
 * edited row), an entry the schema refuses, and a head that does not point at
 * the last row (a deleted tail).
 */
export async function verifyJournal(q: Queryable): Promise<JournalVerification> {
  const { head, rows, strays } = await consistentRead(new NotaryJournal(q));
  const problems: JournalProblem[] = [];
  let expectedSeq = head.prunedSeq + 1;
  let prevHash = head.prunedHash;
  for (const row of rows) {
    if (row.seq < expectedSeq) {
      problems.push({
        seq: row.seq,
        problem: `entry ${row.seq} is older than the last pruned one (${head.prunedSeq})`,
      });
    } else if (row.seq > expectedSeq) {
      const missing = row.seq - expectedSeq === 1 ? `${expectedSeq}` : `${expectedSeq}-${row.seq - 1}`;
      problems.push({ seq: row.seq, problem: `entries before ${row.seq} are missing: ${missing}` });
    }
    if (row.prevHash !== prevHash) {
      problems.push({ seq: row.seq, problem: `entry ${row.seq} does not follow the entry before it` });
    }
    if (entryHash(row) !== row.hash) {
      problems.push({ seq: row.seq, problem: `entry ${row.seq} was changed after it was written` });
    }
    const parsed = journalEntrySchema.safeParse(row.entry);
    if (!parsed.success) problems.push({ seq: row.seq, problem: `entry ${row.seq} is not a valid journal entry` });
    else if (parsed.data.actId !== row.actId) {
      problems.push({ seq: row.seq, problem: `entry ${row.seq} is filed under another act` });
    }
    // Go on from what the row says, so one edit is reported once and not as a break of every later link.
    expectedSeq = row.seq + 1;
    prevHash = row.hash;
  }
  const lastSeq = rows.at(-1)?.seq ?? head.prunedSeq;
  if (lastSeq !== head.lastSeq || prevHash !== head.lastHash) {
    problems.push({
      seq: head.lastSeq,
      problem:
        lastSeq < head.lastSeq
          ? `entries after ${lastSeq} are missing (the journal's head is entry ${head.lastSeq})`
          : `the journal's head does not match its last entry (${lastSeq})`,
    });
  }
  for (const stray of strays) {
    problems.push({ seq: stray.seq, problem: `entry ${stray.seq} lies past the journal's head: it was not appended` });
  }
  return { ok: problems.length === 0, entries: rows.length, head, problems };
}
