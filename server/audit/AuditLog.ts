/**
 * The append-only record of every change: who, what, when. Written in the same
 * transaction as the change it describes, so there is never a change without
 * its row nor a row without its change. The database refuses UPDATE and DELETE
 * on it (004_audit.sql).
 */
import type { CaseId, StaffId } from '../../shared/ids';
import type { Queryable } from '../db/Db';

export interface AuditEntryInput {
  /** Null for the system (the first-admin CLI) and for failed logins. */
  actorId: StaffId | null;
  /** `<entity>.<pastTense>`: case.registered, case.statusChanged, staff.loggedIn, ... */
  action: string;
  entity: 'case' | 'staff' | 'session' | 'district' | 'township' | 'grid' | 'committee' | 'expert' | 'expertRequest';
  entityId: string | null;
  caseId?: CaseId | null;
  /** What changed. Never a password, a token or an ID number. */
  details?: Record<string, unknown>;
}

export interface AuditEntry extends Required<AuditEntryInput> {
  id: number;
  at: Date;
  /** The actor's username at reading time, for display. */
  actorUsername: string | null;
}

export interface AuditLog {
  write(entry: AuditEntryInput): Promise<void>;
  forCase(caseId: CaseId): Promise<AuditEntry[]>;
  count(): Promise<number>;
}

export class SqlAuditLog implements AuditLog {
  constructor(private readonly q: Queryable) {}

  async write(entry: AuditEntryInput): Promise<void> {
    await this.q.query(
      'insert into audit_log (actor_id, action, entity, entity_id, case_id, details) values ($1, $2, $3, $4, $5, $6::jsonb)',
      [
        entry.actorId,
        entry.action,
        entry.entity,
        entry.entityId,
        entry.caseId ?? null,
        JSON.stringify(entry.details ?? {}),
      ],
    );
  }

  forCase(caseId: CaseId): Promise<AuditEntry[]> {
    return this.q.query<AuditEntry>(
      `select a.id, a.at, a.actor_id as "actorId", s.username as "actorUsername", a.action, a.entity,
              a.entity_id as "entityId", a.case_id as "caseId", a.details
       from audit_log a left join staff s on s.id = a.actor_id
       where a.case_id = $1 order by a.id`,
      [caseId],
    );
  }

  async count(): Promise<number> {
    const [row] = await this.q.query<{ n: number }>('select count(*) as n from audit_log');
    return row!.n;
  }
}
