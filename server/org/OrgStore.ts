/**
 * The organisation: districts → townships/streets → grids, and the committees
 * (township mediation committees, the district centre) that mediate above the grid.
 */
import { randomUUID } from 'node:crypto';
import type { CommitteeId, DistrictId, GridId, TownshipId } from '../../shared/ids';
import type { Queryable } from '../db/Db';

export interface District {
  id: DistrictId;
  /** Short code used in case numbers. */
  code: string;
  name: string;
}

export interface Township {
  id: TownshipId;
  districtId: DistrictId;
  kind: 'township' | 'street';
  name: string;
}

export interface Grid {
  id: GridId;
  townshipId: TownshipId;
  districtId: DistrictId;
  name: string;
}

export interface Committee {
  id: CommitteeId;
  level: 'township' | 'district';
  districtId: DistrictId;
  /** Null for the district centre. */
  townshipId: TownshipId | null;
  name: string;
}

export interface OrgTree {
  districts: District[];
  townships: Township[];
  grids: Grid[];
  committees: Committee[];
}

export interface OrgStore {
  createDistrict(input: Omit<District, 'id'>): Promise<District>;
  createTownship(input: Omit<Township, 'id'>): Promise<Township>;
  createGrid(input: Omit<Grid, 'id' | 'districtId'>): Promise<Grid>;
  createCommittee(input: Omit<Committee, 'id'>): Promise<Committee>;
  district(id: DistrictId): Promise<District | undefined>;
  township(id: TownshipId): Promise<Township | undefined>;
  grid(id: GridId): Promise<Grid | undefined>;
  committee(id: CommitteeId): Promise<Committee | undefined>;
  /** The committees on `level` covering a township: its own committees, or its district's centre. */
  committeesAbove(townshipId: TownshipId, level: 'township' | 'district'): Promise<Committee[]>;
  tree(): Promise<OrgTree>;
}

const DISTRICT = 'select id, code, name from districts';
const TOWNSHIP = 'select id, district_id as "districtId", kind, name from townships';
const GRID = `select g.id, g.township_id as "townshipId", t.district_id as "districtId", g.name
  from grids g join townships t on t.id = g.township_id`;
const COMMITTEE = 'select id, level, district_id as "districtId", township_id as "townshipId", name from committees';

export class SqlOrgStore implements OrgStore {
  constructor(private readonly q: Queryable) {}

  async createDistrict(input: Omit<District, 'id'>): Promise<District> {
    const id = randomUUID() as DistrictId;
    await this.q.query('insert into districts (id, code, name) values ($1, $2, $3)', [id, input.code, input.name]);
    return { id, ...input };
  }

  async createTownship(input: Omit<Township, 'id'>): Promise<Township> {
    const id = randomUUID() as TownshipId;
    await this.q.query('insert into townships (id, district_id, kind, name) values ($1, $2, $3, $4)', [
      id,
      input.districtId,
      input.kind,
      input.name,
    ]);
    return { id, ...input };
  }

  async createGrid(input: Omit<Grid, 'id' | 'districtId'>): Promise<Grid> {
    const id = randomUUID() as GridId;
    const [row] = await this.q.query<{ districtId: DistrictId }>(
      `insert into grids (id, township_id, name) values ($1, $2, $3)
       returning (select district_id from townships where id = $2) as "districtId"`,
      [id, input.townshipId, input.name],
    );
    return { id, districtId: row!.districtId, ...input };
  }

  async createCommittee(input: Omit<Committee, 'id'>): Promise<Committee> {
    const id = randomUUID() as CommitteeId;
    await this.q.query(
      'insert into committees (id, level, district_id, township_id, name) values ($1, $2, $3, $4, $5)',
      [id, input.level, input.districtId, input.townshipId, input.name],
    );
    return { id, ...input };
  }

  async district(id: DistrictId): Promise<District | undefined> {
    return (await this.q.query<District>(`${DISTRICT} where id = $1`, [id]))[0];
  }

  async township(id: TownshipId): Promise<Township | undefined> {
    return (await this.q.query<Township>(`${TOWNSHIP} where id = $1`, [id]))[0];
  }

  async grid(id: GridId): Promise<Grid | undefined> {
    return (await this.q.query<Grid>(`${GRID} where g.id = $1`, [id]))[0];
  }

  async committee(id: CommitteeId): Promise<Committee | undefined> {
    return (await this.q.query<Committee>(`${COMMITTEE} where id = $1`, [id]))[0];
  }

  committeesAbove(townshipId: TownshipId, level: 'township' | 'district'): Promise<Committee[]> {
    return level === 'township'
      ? this.q.query<Committee>(`${COMMITTEE} where level = 'township' and township_id = $1 order by name`, [
          townshipId,
        ])
      : this.q.query<Committee>(
          `${COMMITTEE} where level = 'district' and district_id = (select district_id from townships where id = $1)`,
          [townshipId],
        );
  }

  async tree(): Promise<OrgTree> {
    const [districts, townships, grids, committees] = [
      await this.q.query<District>(`${DISTRICT} order by code`),
      await this.q.query<Township>(`${TOWNSHIP} order by name`),
      await this.q.query<Grid>(`${GRID} order by g.name`),
      await this.q.query<Committee>(`${COMMITTEE} order by level desc, name`),
    ];
    return { districts, townships, grids, committees };
  }
}
