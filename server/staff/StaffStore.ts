/**
 * Staff accounts and login sessions. A session is a random token held by the
 * browser (cookie) or an API client (Bearer); only its sha-256 is stored, so a
 * copy of the database does not let anyone log in.
 */
import { randomUUID } from 'node:crypto';
import type { Level } from '../../shared/cases';
import type { CommitteeId, DistrictId, GridId, StaffId, TownshipId } from '../../shared/ids';
import type { StaffRole } from '../../shared/staff';
import type { Actor } from '../authz/actor';
import type { Queryable } from '../db/Db';

/** Where someone works; at most one is set (see 002_staff.sql). */
export interface StaffPlacement {
  gridId: GridId | null;
  committeeId: CommitteeId | null;
  townshipId: TownshipId | null;
  districtId: DistrictId | null;
}

export interface StaffRecord extends StaffPlacement {
  id: StaffId;
  username: string;
  displayName: string;
  role: StaffRole;
  active: boolean;
  createdAt: Date;
}

export interface NewStaff extends StaffPlacement {
  username: string;
  displayName: string;
  role: StaffRole;
  passwordHash: string;
}

export interface StaffStore {
  create(input: NewStaff): Promise<StaffRecord>;
  get(id: StaffId): Promise<StaffRecord | undefined>;
  list(): Promise<StaffRecord[]>;
  /** The password hash with the record, for login only. */
  credentials(username: string): Promise<{ staff: StaffRecord; passwordHash: string } | undefined>;
  setActive(id: StaffId, active: boolean): Promise<boolean>;
  setPasswordHash(id: StaffId, passwordHash: string): Promise<void>;
  /** The actor of an active account, post resolved; undefined when deactivated or unknown. */
  actor(id: StaffId): Promise<Actor | undefined>;
  /** Inside a transaction, keeps the counted rows locked until it ends. */
  countActiveAdmins(): Promise<number>;
}

export interface SessionStore {
  create(staffId: StaffId, tokenHash: string, expiresAt: Date): Promise<void>;
  /** The actor behind a live session of an active account. */
  actorForToken(tokenHash: string, now: Date): Promise<{ actor: Actor; expiresAt: Date } | undefined>;
  /** Ends one session; returns whose it was. */
  remove(tokenHash: string): Promise<StaffId | undefined>;
  /** Ends every session of an account (but the one named in `except`). */
  removeAllOf(staffId: StaffId, options?: { except?: string }): Promise<void>;
  removeExpired(now: Date): Promise<number>;
}

const STAFF_COLUMNS = `id, username, display_name as "displayName", role, grid_id as "gridId",
  committee_id as "committeeId", township_id as "townshipId", district_id as "districtId", active,
  created_at as "createdAt"`;
const STAFF = `select ${STAFF_COLUMNS} from staff`;

// One row per active account with its post resolved through the org tables;
// `s` is the staff table. Kept in one place so sessions and lookups agree.
const ACTOR_COLUMNS = `s.id as "staffId", s.username, s.display_name as "displayName", s.role,
  case when s.grid_id is not null then 'grid' when s.committee_id is not null then c.level
       when s.township_id is not null then 'township' when s.district_id is not null then 'district' end as level,
  coalesce(gt.district_id, c.district_id, st.district_id, s.district_id) as "districtId",
  coalesce(g.township_id, c.township_id, s.township_id) as "townshipId",
  s.grid_id as "gridId", s.committee_id as "committeeId"`;
const ACTOR_JOINS = `left join grids g on g.id = s.grid_id
  left join townships gt on gt.id = g.township_id
  left join committees c on c.id = s.committee_id
  left join townships st on st.id = s.township_id`;

type ActorRow = Pick<Actor, 'staffId' | 'username' | 'displayName' | 'role'> & {
  level: Level | null;
  districtId: DistrictId | null;
  townshipId: TownshipId | null;
  gridId: GridId | null;
  committeeId: CommitteeId | null;
};

function toActor(row: ActorRow): Actor {
  const { staffId, username, displayName, role, level, districtId, townshipId, gridId, committeeId } = row;
  const post = level && districtId ? { level, districtId, townshipId, gridId, committeeId } : null;
  return { staffId, username, displayName, role, post };
}

export class SqlStaffStore implements StaffStore {
  constructor(private readonly q: Queryable) {}

  async create(input: NewStaff): Promise<StaffRecord> {
    const id = randomUUID() as StaffId;
    const [row] = await this.q.query<{ createdAt: Date }>(
      `insert into staff (id, username, display_name, role, password_hash, grid_id, committee_id, township_id, district_id)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning created_at as "createdAt"`,
      [
        id,
        input.username,
        input.displayName,
        input.role,
        input.passwordHash,
        input.gridId,
        input.committeeId,
        input.townshipId,
        input.districtId,
      ],
    );
    const { passwordHash: _hash, ...rest } = input;
    return { id, ...rest, active: true, createdAt: row!.createdAt };
  }

  async get(id: StaffId): Promise<StaffRecord | undefined> {
    return (await this.q.query<StaffRecord>(`${STAFF} where id = $1`, [id]))[0];
  }

  list(): Promise<StaffRecord[]> {
    return this.q.query<StaffRecord>(`${STAFF} order by username`);
  }

  async credentials(username: string): Promise<{ staff: StaffRecord; passwordHash: string } | undefined> {
    const [row] = await this.q.query<StaffRecord & { passwordHash: string }>(
      `select ${STAFF_COLUMNS}, password_hash as "passwordHash" from staff where username = $1`,
      [username],
    );
    if (!row) return undefined;
    const { passwordHash, ...staff } = row;
    return { staff, passwordHash };
  }

  async setActive(id: StaffId, active: boolean): Promise<boolean> {
    const rows = await this.q.query('update staff set active = $2 where id = $1 returning id', [id, active]);
    return rows.length > 0;
  }

  async setPasswordHash(id: StaffId, passwordHash: string): Promise<void> {
    await this.q.query('update staff set password_hash = $2 where id = $1', [id, passwordHash]);
  }

  async actor(id: StaffId): Promise<Actor | undefined> {
    const [row] = await this.q.query<ActorRow>(
      `select ${ACTOR_COLUMNS} from staff s ${ACTOR_JOINS} where s.id = $1 and s.active`,
      [id],
    );
    return row && toActor(row);
  }

  async countActiveAdmins(): Promise<number> {
    // Locks the rows it counts: two admins deactivating each other at once cannot both see "two left".
    return (await this.q.query(`select id from staff where role = 'admin' and active for update`)).length;
  }
}

export class SqlSessionStore implements SessionStore {
  constructor(private readonly q: Queryable) {}

  async create(staffId: StaffId, tokenHash: string, expiresAt: Date): Promise<void> {
    await this.q.query('insert into staff_sessions (token_hash, staff_id, expires_at) values ($1, $2, $3)', [
      tokenHash,
      staffId,
      expiresAt.toISOString(),
    ]);
  }

  async actorForToken(tokenHash: string, now: Date): Promise<{ actor: Actor; expiresAt: Date } | undefined> {
    const [row] = await this.q.query<ActorRow & { expiresAt: Date }>(
      `select ${ACTOR_COLUMNS}, ss.expires_at as "expiresAt"
       from staff_sessions ss join staff s on s.id = ss.staff_id ${ACTOR_JOINS}
       where ss.token_hash = $1 and ss.expires_at > $2 and s.active`,
      [tokenHash, now.toISOString()],
    );
    return row && { actor: toActor(row), expiresAt: row.expiresAt };
  }

  async remove(tokenHash: string): Promise<StaffId | undefined> {
    const [row] = await this.q.query<{ staffId: StaffId }>(
      'delete from staff_sessions where token_hash = $1 returning staff_id as "staffId"',
      [tokenHash],
    );
    return row?.staffId;
  }

  async removeAllOf(staffId: StaffId, options: { except?: string } = {}): Promise<void> {
    await this.q.query('delete from staff_sessions where staff_id = $1 and token_hash is distinct from $2', [
      staffId,
      options.except ?? null,
    ]);
  }

  async removeExpired(now: Date): Promise<number> {
    return (await this.q.query('delete from staff_sessions where expires_at <= $1 returning 1', [now.toISOString()]))
      .length;
  }
}
