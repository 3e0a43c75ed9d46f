/**
 * The durable side of agreements: the update log, its snapshot, and the
 * per-case setting of what parties may do. SQL that runs the same on
 * PostgreSQL and PGlite (server/db/migrations/005_agreement.sql).
 */
import type { PartyAgreementAccess } from '../../shared/agreement';
import type { CaseId, StaffId } from '../../shared/ids';
import { SqlAuditLog } from '../audit/AuditLog';
import type { Db } from '../db/Db';

export interface StoredAgreement {
  /** The compacted state, or null when the log was never compacted. */
  snapshot: Uint8Array | null;
  /** The last update folded into the snapshot (0 without one). */
  snapshotSeq: number;
  /** Every update after the snapshot, in log order. */
  updates: { seq: number; update: Uint8Array }[];
}

export interface AppendedRow {
  caseId: CaseId;
  seq: number;
}

export interface AgreementStore {
  load(caseId: CaseId): Promise<StoredAgreement>;
  /** Appends updates (of any cases) in one statement, so they commit together; returns each row's case and seq. */
  append(rows: readonly { caseId: CaseId; update: Uint8Array }[]): Promise<AppendedRow[]>;
  /**
   * Replaces the snapshot with `state`, which must contain every update up to
   * `upToSeq`, and deletes those updates, in one transaction. Returns how many
   * were deleted. A snapshot older than the stored one is ignored.
   */
  compact(caseId: CaseId, state: Uint8Array, upToSeq: number): Promise<number>;
  /** Undefined when there is no such case. */
  partyAccess(caseId: CaseId): Promise<PartyAgreementAccess | undefined>;
  /** Changes the setting and writes its audit row; false when there is no such case. */
  setPartyAccess(caseId: CaseId, access: PartyAgreementAccess, actorId: StaffId): Promise<boolean>;
}

// Statements carry at most this many rows (two parameters each): far below
// PostgreSQL's 65 535 parameters, and a batch of this size is one round trip.
export const MAX_ROWS_PER_APPEND = 1000;

export class SqlAgreementStore implements AgreementStore {
  constructor(private readonly db: Db) {}

  async load(caseId: CaseId): Promise<StoredAgreement> {
    const [snapshot] = await this.db.query<{ state: Uint8Array; upToSeq: number }>(
      'select state, up_to_seq as "upToSeq" from agreement_snapshots where case_id = $1',
      [caseId],
    );
    const snapshotSeq = snapshot?.upToSeq ?? 0;
    const updates = await this.db.query<{ seq: number; update: Uint8Array }>(
      'select seq, update from agreement_updates where case_id = $1 and seq > $2 order by seq',
      [caseId, snapshotSeq],
    );
    return {
      snapshot: snapshot ? bytes(snapshot.state) : null,
      snapshotSeq,
      updates: updates.map((u) => ({ seq: u.seq, update: bytes(u.update) })),
    };
  }

  async append(rows: readonly { caseId: CaseId; update: Uint8Array }[]): Promise<AppendedRow[]> {
    if (rows.length === 0) return [];
    if (rows.length > MAX_ROWS_PER_APPEND) throw new Error(`append: at most ${MAX_ROWS_PER_APPEND} rows at once`);
    const values = rows.map((_, i) => `($${2 * i + 1}::uuid, $${2 * i + 2}::bytea)`).join(', ');
    const params = rows.flatMap((row) => [
      row.caseId,
      Buffer.from(row.update.buffer, row.update.byteOffset, row.update.byteLength),
    ]);
    return this.db.query<AppendedRow>(
      `insert into agreement_updates (case_id, update) values ${values} returning case_id as "caseId", seq`,
      params,
    );
  }

  async compact(caseId: CaseId, state: Uint8Array, upToSeq: number): Promise<number> {
    return this.db.transaction(async (tx) => {
      const stored = await tx.query<{ upToSeq: number }>(
        `insert into agreement_snapshots (case_id, state, up_to_seq) values ($1, $2, $3)
         on conflict (case_id) do update set state = excluded.state, up_to_seq = excluded.up_to_seq, updated_at = now()
           where agreement_snapshots.up_to_seq <= excluded.up_to_seq
         returning up_to_seq as "upToSeq"`,
        [caseId, Buffer.from(state.buffer, state.byteOffset, state.byteLength), upToSeq],
      );
      if (stored.length === 0) return 0; // a newer snapshot is already there
      const [deleted] = await tx.query<{ n: number }>(
        'with d as (delete from agreement_updates where case_id = $1 and seq <= $2 returning 1) select count(*)::int as n from d',
        [caseId, upToSeq],
      );
      return deleted?.n ?? 0;
    });
  }

  async partyAccess(caseId: CaseId): Promise<PartyAgreementAccess | undefined> {
    const [row] = await this.db.query<{ access: PartyAgreementAccess }>(
      'select agreement_party_access as access from cases where id = $1',
      [caseId],
    );
    return row?.access;
  }

  async setPartyAccess(caseId: CaseId, access: PartyAgreementAccess, actorId: StaffId): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const [before] = await tx.query<{ access: PartyAgreementAccess }>(
        'select agreement_party_access as access from cases where id = $1 for update',
        [caseId],
      );
      if (!before) return false;
      if (before.access === access) return true;
      await tx.query('update cases set agreement_party_access = $2, updated_at = now() where id = $1', [
        caseId,
        access,
      ]);
      await new SqlAuditLog(tx).write({
        actorId,
        action: 'case.agreementPartyAccessChanged',
        entity: 'case',
        entityId: caseId,
        caseId,
        details: { from: before.access, to: access },
      });
      return true;
    });
  }
}

/** pg gives a Buffer, PGlite a Uint8Array; Yjs wants a plain Uint8Array view either way. */
function bytes(value: Uint8Array): Uint8Array {
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}
