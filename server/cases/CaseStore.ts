/**
 * Cases, their parties, escalations and follow-up visits in SQL (the same on
 * PostgreSQL and PGlite). It stores and fetches; the rules are in CaseService.
 */
import type {
  CaseOutcome,
  CaseStatus,
  DisputeType,
  FollowUpMethod,
  Level,
  PartyRole,
  Performance,
} from '../../shared/cases';
import type { CaseId, CommitteeId, DistrictId, GridId, PartyId, StaffId, TownshipId } from '../../shared/ids';
import type { CaseScope, ReadScope } from '../authz/can';
import type { Queryable } from '../db/Db';

export interface CaseRecord extends CaseScope {
  id: CaseId;
  caseNo: string;
  disputeType: DisputeType;
  status: CaseStatus;
  outcome: CaseOutcome | null;
  summary: string;
  registeredBy: StaffId;
  registeredAt: Date;
  concludedAt: Date | null;
  closedAt: Date | null;
  updatedAt: Date;
  /** Its sessions are recorded (with everyone's consent); off by default. New sessions take it over. */
  sessionRecording: boolean;
  /** Names for display, resolved by the same query. */
  districtName: string;
  townshipName: string;
  gridName: string;
  committeeName: string | null;
  handlerName: string | null;
}

export type NewCase = Pick<CaseRecord, 'id' | 'caseNo' | 'disputeType' | 'summary' | 'registeredBy' | keyof CaseScope>;

export interface PartyRecord {
  id: PartyId;
  position: number;
  role: PartyRole;
  name: string;
  contact: string;
  /** Sealed with SealedBox, context `partyIdContext(id)`. */
  idNumberSealed: string | null;
  idNumberTail: string | null;
}

export interface EscalationRecord {
  id: string;
  fromLevel: Level;
  toLevel: Level;
  fromCommitteeId: CommitteeId | null;
  toCommitteeId: CommitteeId;
  toCommitteeName: string;
  fromStatus: CaseStatus;
  reason: string;
  transferredBy: StaffId;
  transferredByName: string;
  transferredAt: Date;
}

export interface FollowUpRecord {
  id: string;
  visitedAt: Date;
  method: FollowUpMethod;
  performance: Performance;
  notes: string;
  recordedBy: StaffId;
  recordedByName: string;
  recordedAt: Date;
}

export interface CaseFilter {
  status?: CaseStatus | undefined;
  disputeType?: DisputeType | undefined;
  level?: Level | undefined;
  gridId?: GridId | undefined;
  townshipId?: TownshipId | undefined;
  limit: number;
  offset: number;
}

/** The fields a change may set; absent ones stay as they are. */
export interface CasePatch {
  status?: CaseStatus;
  outcome?: CaseOutcome;
  concludedAt?: 'now';
  closedAt?: 'now';
  level?: Level;
  committeeId?: CommitteeId | null;
  handlerId?: StaffId | null;
}

export interface CaseStore {
  /** The next case number of a district for a year, e.g. D01-2025-000042 (gap-free within a transaction). */
  allocateCaseNo(districtId: DistrictId, year: number): Promise<string>;
  insert(record: NewCase, parties: PartyRecord[]): Promise<void>;
  /** With `forUpdate` the row stays locked until the transaction ends, so two changes cannot interleave. */
  get(id: CaseId, options?: { forUpdate?: boolean }): Promise<CaseRecord | undefined>;
  list(scope: ReadScope, filter: CaseFilter): Promise<CaseRecord[]>;
  update(id: CaseId, patch: CasePatch): Promise<void>;
  parties(caseId: CaseId): Promise<PartyRecord[]>;
  addEscalation(
    caseId: CaseId,
    escalation: Omit<EscalationRecord, 'id' | 'transferredAt' | 'transferredByName' | 'toCommitteeName'> & {
      id: string;
    },
  ): Promise<void>;
  escalations(caseId: CaseId): Promise<EscalationRecord[]>;
  addFollowUp(caseId: CaseId, followUp: Omit<FollowUpRecord, 'recordedAt' | 'recordedByName'>): Promise<void>;
  followUps(caseId: CaseId): Promise<FollowUpRecord[]>;
}

/** The AAD a party's sealed ID number is bound to. */
export const partyIdContext = (partyId: PartyId): string => `case_parties.id_number:${partyId}`;

const CASE_SELECT = `select c.id, c.case_no as "caseNo", c.dispute_type as "disputeType", c.status, c.outcome, c.level,
    c.district_id as "districtId", c.township_id as "townshipId", c.grid_id as "gridId",
    c.committee_id as "committeeId", c.handler_id as "handlerId", c.summary, c.registered_by as "registeredBy",
    c.registered_at as "registeredAt", c.concluded_at as "concludedAt", c.closed_at as "closedAt",
    c.updated_at as "updatedAt", c.session_recording as "sessionRecording", d.name as "districtName", t.name as "townshipName", g.name as "gridName",
    cm.name as "committeeName", h.display_name as "handlerName"
  from cases c
  join districts d on d.id = c.district_id
  join townships t on t.id = c.township_id
  join grids g on g.id = c.grid_id
  left join committees cm on cm.id = c.committee_id
  left join staff h on h.id = c.handler_id`;

// Column of each patchable field; values always travel as parameters.
const PATCH_COLUMNS: Record<Exclude<keyof CasePatch, 'concludedAt' | 'closedAt'>, string> = {
  status: 'status',
  outcome: 'outcome',
  level: 'level',
  committeeId: 'committee_id',
  handlerId: 'handler_id',
};

export class SqlCaseStore implements CaseStore {
  constructor(private readonly q: Queryable) {}

  async allocateCaseNo(districtId: DistrictId, year: number): Promise<string> {
    const [row] = await this.q.query<{ code: string; last: number }>(
      `with next as (
         insert into case_counters (district_id, year, last) values ($1, $2, 1)
         on conflict (district_id, year) do update set last = case_counters.last + 1
         returning last
       )
       select d.code, next.last from next, districts d where d.id = $1`,
      [districtId, year],
    );
    if (!row) throw new Error(`allocateCaseNo: no district ${districtId}`);
    return `${row.code}-${year}-${String(row.last).padStart(6, '0')}`;
  }

  async insert(record: NewCase, parties: PartyRecord[]): Promise<void> {
    await this.q.query(
      `insert into cases (id, case_no, dispute_type, status, level, district_id, township_id, grid_id, committee_id,
         handler_id, summary, registered_by)
       values ($1, $2, $3, 'registered', $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        record.id,
        record.caseNo,
        record.disputeType,
        record.level,
        record.districtId,
        record.townshipId,
        record.gridId,
        record.committeeId,
        record.handlerId,
        record.summary,
        record.registeredBy,
      ],
    );
    for (const party of parties) {
      await this.q.query(
        `insert into case_parties (id, case_id, position, role, name, contact, id_number_sealed, id_number_tail)
         values ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          party.id,
          record.id,
          party.position,
          party.role,
          party.name,
          party.contact,
          party.idNumberSealed,
          party.idNumberTail,
        ],
      );
    }
  }

  async get(id: CaseId, options: { forUpdate?: boolean } = {}): Promise<CaseRecord | undefined> {
    const [row] = await this.q.query<CaseRecord>(
      `${CASE_SELECT} where c.id = $1${options.forUpdate ? ' for update of c' : ''}`,
      [id],
    );
    return row;
  }

  list(scope: ReadScope, filter: CaseFilter): Promise<CaseRecord[]> {
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    const visible: string[] = [];
    if (scope.handlerId) visible.push(`c.handler_id = ${param(scope.handlerId)}`);
    if (scope.area) {
      const parts = [`c.district_id = ${param(scope.area.districtId)}`];
      if (scope.area.townshipId) parts.push(`c.township_id = ${param(scope.area.townshipId)}`);
      if (scope.area.gridId) parts.push(`c.grid_id = ${param(scope.area.gridId)}`);
      visible.push(`(${parts.join(' and ')})`);
    }
    if (visible.length === 0) return Promise.resolve([]);
    const where = [`(${visible.join(' or ')})`];
    if (filter.status) where.push(`c.status = ${param(filter.status)}`);
    if (filter.disputeType) where.push(`c.dispute_type = ${param(filter.disputeType)}`);
    if (filter.level) where.push(`c.level = ${param(filter.level)}`);
    if (filter.gridId) where.push(`c.grid_id = ${param(filter.gridId)}`);
    if (filter.townshipId) where.push(`c.township_id = ${param(filter.townshipId)}`);
    return this.q.query<CaseRecord>(
      `${CASE_SELECT} where ${where.join(' and ')} order by c.registered_at desc, c.id
       limit ${param(filter.limit)} offset ${param(filter.offset)}`,
      params,
    );
  }

  async update(id: CaseId, patch: CasePatch): Promise<void> {
    const params: unknown[] = [id];
    const sets = ['updated_at = now()'];
    for (const [field, column] of Object.entries(PATCH_COLUMNS) as [keyof typeof PATCH_COLUMNS, string][]) {
      if (patch[field] !== undefined) sets.push(`${column} = $${params.push(patch[field])}`);
    }
    if (patch.concludedAt) sets.push('concluded_at = now()');
    if (patch.closedAt) sets.push('closed_at = now()');
    await this.q.query(`update cases set ${sets.join(', ')} where id = $1`, params);
  }

  parties(caseId: CaseId): Promise<PartyRecord[]> {
    return this.q.query<PartyRecord>(
      `select id, position, role, name, contact, id_number_sealed as "idNumberSealed", id_number_tail as "idNumberTail"
       from case_parties where case_id = $1 order by position`,
      [caseId],
    );
  }

  async addEscalation(
    caseId: CaseId,
    e: Omit<EscalationRecord, 'id' | 'transferredAt' | 'transferredByName' | 'toCommitteeName'> & { id: string },
  ): Promise<void> {
    await this.q.query(
      `insert into case_escalations (id, case_id, from_level, to_level, from_committee_id, to_committee_id, from_status,
         reason, transferred_by)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        e.id,
        caseId,
        e.fromLevel,
        e.toLevel,
        e.fromCommitteeId,
        e.toCommitteeId,
        e.fromStatus,
        e.reason,
        e.transferredBy,
      ],
    );
  }

  escalations(caseId: CaseId): Promise<EscalationRecord[]> {
    return this.q.query<EscalationRecord>(
      `select e.id, e.from_level as "fromLevel", e.to_level as "toLevel", e.from_committee_id as "fromCommitteeId",
              e.to_committee_id as "toCommitteeId", cm.name as "toCommitteeName", e.from_status as "fromStatus",
              e.reason, e.transferred_by as "transferredBy", s.display_name as "transferredByName",
              e.transferred_at as "transferredAt"
       from case_escalations e join staff s on s.id = e.transferred_by join committees cm on cm.id = e.to_committee_id
       where e.case_id = $1 order by e.transferred_at, e.id`,
      [caseId],
    );
  }

  async addFollowUp(caseId: CaseId, f: Omit<FollowUpRecord, 'recordedAt' | 'recordedByName'>): Promise<void> {
    await this.q.query(
      `insert into case_follow_ups (id, case_id, visited_at, method, performance, notes, recorded_by)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [f.id, caseId, f.visitedAt.toISOString(), f.method, f.performance, f.notes, f.recordedBy],
    );
  }

  followUps(caseId: CaseId): Promise<FollowUpRecord[]> {
    return this.q.query<FollowUpRecord>(
      `select f.id, f.visited_at as "visitedAt", f.method, f.performance, f.notes, f.recorded_by as "recordedBy",
              s.display_name as "recordedByName", f.recorded_at as "recordedAt"
       from case_follow_ups f join staff s on s.id = f.recorded_by
       where f.case_id = $1 order by f.visited_at, f.id`,
      [caseId],
    );
  }
}
