/**
 * Sessions (case_sessions) and their join links (session_links) in SQL, the
 * same on PostgreSQL and PGlite. It stores and fetches; the rules are in
 * SessionService and the checks of a presented link in LinkGate.
 */
import type { CaseId, PartyId, RoomId, StaffId } from '../../shared/ids';
import type { Role } from '../../shared/roles';
import type { Queryable } from '../db/Db';

export interface SessionRecord {
  id: RoomId;
  caseId: CaseId | null;
  title: string;
  scheduledAt: Date | null;
  waitingRoom: boolean;
  recording: boolean;
  createdBy: StaffId | null;
  createdAt: Date;
}

export interface LinkRecord {
  /** The token's jti. */
  id: string;
  sessionId: RoomId;
  role: Role;
  partyId: PartyId | null;
  label: string;
  issuedAt: Date;
  expiresAt: Date;
  singleDevice: boolean;
  /** The device a single-device link is bound to, once it has been opened. */
  deviceId: string | null;
  revokedAt: Date | null;
  revokedBy: StaffId | null;
  createdBy: StaffId | null;
}

export type NewSession = Omit<SessionRecord, 'createdAt'>;
export type NewLink = Omit<LinkRecord, 'deviceId' | 'revokedAt' | 'revokedBy'>;

const SESSION_SELECT = `select id, case_id as "caseId", title, scheduled_at as "scheduledAt", waiting_room as "waitingRoom",
    recording, created_by as "createdBy", created_at as "createdAt"
  from case_sessions`;

/** The link columns, as LinkRecord fields; `t` qualifies them for a join. */
const linkColumns = (t = '') =>
  [
    `${t}id`,
    `${t}session_id as "sessionId"`,
    `${t}role`,
    `${t}party_id as "partyId"`,
    `${t}label`,
    `${t}issued_at as "issuedAt"`,
    `${t}expires_at as "expiresAt"`,
    `${t}single_device as "singleDevice"`,
    `${t}device_id as "deviceId"`,
    `${t}revoked_at as "revokedAt"`,
    `${t}revoked_by as "revokedBy"`,
    `${t}created_by as "createdBy"`,
  ].join(', ');
const LINK_COLUMNS = linkColumns();

export class SqlSessionLinkStore {
  constructor(private readonly q: Queryable) {}

  async insertSession(s: NewSession): Promise<SessionRecord> {
    const [row] = await this.q.query<SessionRecord>(
      `insert into case_sessions (id, case_id, title, scheduled_at, waiting_room, recording, created_by)
       values ($1, $2, $3, $4, $5, $6, $7)
       returning id, case_id as "caseId", title, scheduled_at as "scheduledAt", waiting_room as "waitingRoom",
         recording, created_by as "createdBy", created_at as "createdAt"`,
      [s.id, s.caseId, s.title, s.scheduledAt?.toISOString() ?? null, s.waitingRoom, s.recording, s.createdBy],
    );
    return row!;
  }

  async session(id: RoomId): Promise<SessionRecord | undefined> {
    const [row] = await this.q.query<SessionRecord>(`${SESSION_SELECT} where id = $1`, [id]);
    return row;
  }

  sessionsOfCase(caseId: CaseId): Promise<SessionRecord[]> {
    return this.q.query<SessionRecord>(`${SESSION_SELECT} where case_id = $1 order by created_at desc, id`, [caseId]);
  }

  async insertLink(l: NewLink): Promise<LinkRecord> {
    const [row] = await this.q.query<LinkRecord>(
      `insert into session_links (id, session_id, role, party_id, label, issued_at, expires_at, single_device, created_by)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       returning ${LINK_COLUMNS}`,
      [
        l.id,
        l.sessionId,
        l.role,
        l.partyId,
        l.label,
        l.issuedAt.toISOString(),
        l.expiresAt.toISOString(),
        l.singleDevice,
        l.createdBy,
      ],
    );
    return row!;
  }

  async link(id: string): Promise<LinkRecord | undefined> {
    const [row] = await this.q.query<LinkRecord>(`select ${LINK_COLUMNS} from session_links where id = $1`, [id]);
    return row;
  }

  /** The links of these sessions, in the order they were issued. */
  linksOf(sessionIds: readonly RoomId[]): Promise<LinkRecord[]> {
    if (sessionIds.length === 0) return Promise.resolve([]);
    return this.q.query<LinkRecord>(
      `select ${linkColumns('l.')}
       from session_links l left join case_parties p on p.id = l.party_id
       where l.session_id = any($1::text[])
       order by l.issued_at, case l.role when 'party' then 0 when 'mediator' then 1 else 2 end, p.position, l.label, l.id`,
      [sessionIds],
    );
  }

  /**
   * Binds a single-device link to `deviceId` unless another device has it.
   * One statement, so two phones opening the link at once cannot both win.
   */
  async bindDevice(linkId: string, deviceId: string): Promise<boolean> {
    const rows = await this.q.query(
      `update session_links set device_id = $2
       where id = $1 and (device_id is null or device_id = $2) returning id`,
      [linkId, deviceId],
    );
    return rows.length > 0;
  }

  /** Revokes a link; undefined when it was already revoked (the row is left as it was). */
  async revoke(linkId: string, by: StaffId | null): Promise<LinkRecord | undefined> {
    const [row] = await this.q.query<LinkRecord>(
      `update session_links set revoked_at = now(), revoked_by = $2
       where id = $1 and revoked_at is null returning ${LINK_COLUMNS}`,
      [linkId, by],
    );
    return row;
  }

  /** The case's recording setting, which its new sessions inherit (read with the case: CaseRecord.sessionRecording). */
  async setCaseRecording(caseId: CaseId, enabled: boolean): Promise<void> {
    await this.q.query('update cases set session_recording = $2, updated_at = now() where id = $1', [caseId, enabled]);
  }
}
