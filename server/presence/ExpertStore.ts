/**
 * The expert pools as durable records (008_experts.sql): who is an expert,
 * for which dispute types, in which languages, serving which areas. Presence
 * is built from a record's profile (`profileOf`); this store never knows who
 * is online.
 */
import { randomUUID } from 'node:crypto';
import type { DisputeType } from '../../shared/cases';
import type { DistrictId, ExpertId, GridId, StaffId, TownshipId } from '../../shared/ids';
import type { Queryable } from '../db/Db';
import type { ServedAreas } from './keys';
import type { ExpertProfile } from './PresenceStore';

export interface ExpertRecord {
  id: ExpertId;
  staffId: StaffId;
  /** The account's display name, resolved by the same query. */
  displayName: string;
  /** The district whose centre keeps the expert in its pool. */
  districtId: DistrictId;
  title: string;
  active: boolean;
  specialties: DisputeType[];
  languages: string[];
  serves: ServedAreas;
}

export interface NewExpert {
  staffId: StaffId;
  districtId: DistrictId;
  title: string;
  specialties: readonly DisputeType[];
  languages: readonly string[];
  serves: ServedAreas;
  createdBy: StaffId | null;
}

export interface ExpertStore {
  create(input: NewExpert): Promise<ExpertRecord>;
  get(id: ExpertId): Promise<ExpertRecord | undefined>;
  byStaff(staffId: StaffId): Promise<ExpertRecord | undefined>;
  /** The pool of one district centre, by name. */
  ofDistrict(districtId: DistrictId): Promise<ExpertRecord[]>;
}

/** What presence indexes of a record. */
export function profileOf(expert: Pick<ExpertRecord, 'specialties' | 'languages' | 'serves'>): ExpertProfile {
  return { specialties: expert.specialties, languages: expert.languages, serves: expert.serves };
}

interface Row {
  id: ExpertId;
  staffId: StaffId;
  displayName: string;
  districtId: DistrictId;
  title: string;
  active: boolean;
}

const EXPERT = `select e.id, e.staff_id as "staffId", s.display_name as "displayName", e.district_id as "districtId",
  e.title, e.active from experts e join staff s on s.id = e.staff_id`;

export class SqlExpertStore implements ExpertStore {
  constructor(private readonly q: Queryable) {}

  /** Inserts the record and its specialties, languages and areas; call it inside a transaction. */
  async create(input: NewExpert): Promise<ExpertRecord> {
    const id = randomUUID() as ExpertId;
    await this.q.query(
      'insert into experts (id, staff_id, district_id, title, created_by) values ($1, $2, $3, $4, $5)',
      [id, input.staffId, input.districtId, input.title, input.createdBy],
    );
    for (const specialty of new Set(input.specialties)) {
      await this.q.query('insert into expert_specialties (expert_id, specialty) values ($1, $2)', [id, specialty]);
    }
    for (const language of new Set(input.languages)) {
      await this.q.query('insert into expert_languages (expert_id, language) values ($1, $2)', [id, language]);
    }
    const areas: [GridId | null, TownshipId | null, DistrictId | null][] = [
      ...input.serves.grids.map((g) => [g, null, null] as [GridId, null, null]),
      ...input.serves.townships.map((t) => [null, t, null] as [null, TownshipId, null]),
      ...input.serves.districts.map((d) => [null, null, d] as [null, null, DistrictId]),
    ];
    for (const area of areas) {
      await this.q.query(
        'insert into expert_areas (expert_id, grid_id, township_id, district_id) values ($1, $2, $3, $4)',
        [id, ...area],
      );
    }
    return (await this.get(id))!;
  }

  async get(id: ExpertId): Promise<ExpertRecord | undefined> {
    return (await this.#load(`${EXPERT} where e.id = $1`, [id]))[0];
  }

  async byStaff(staffId: StaffId): Promise<ExpertRecord | undefined> {
    return (await this.#load(`${EXPERT} where e.staff_id = $1`, [staffId]))[0];
  }

  ofDistrict(districtId: DistrictId): Promise<ExpertRecord[]> {
    return this.#load(`${EXPERT} where e.district_id = $1 order by s.display_name, e.id`, [districtId]);
  }

  /** The rows, then their specialties, languages and areas in one query each (not one per expert). */
  async #load(sql: string, params: unknown[]): Promise<ExpertRecord[]> {
    const rows = await this.q.query<Row>(sql, params);
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [specialties, languages, areas] = [
      await this.q.query<{ expertId: ExpertId; specialty: DisputeType }>(
        'select expert_id as "expertId", specialty from expert_specialties where expert_id = any($1::uuid[]) order by specialty',
        [ids],
      ),
      await this.q.query<{ expertId: ExpertId; language: string }>(
        'select expert_id as "expertId", language from expert_languages where expert_id = any($1::uuid[]) order by language',
        [ids],
      ),
      await this.q.query<{
        expertId: ExpertId;
        gridId: GridId | null;
        townshipId: TownshipId | null;
        districtId: DistrictId | null;
      }>(
        `select expert_id as "expertId", grid_id as "gridId", township_id as "townshipId", district_id as "districtId"
         from expert_areas where expert_id = any($1::uuid[])
         order by coalesce(grid_id, township_id, district_id)`,
        [ids],
      ),
    ];
    return rows.map((row) => {
      const mine = areas.filter((a) => a.expertId === row.id);
      return {
        ...row,
        specialties: specialties.filter((s) => s.expertId === row.id).map((s) => s.specialty),
        languages: languages.filter((l) => l.expertId === row.id).map((l) => l.language),
        serves: {
          grids: mine.flatMap((a) => (a.gridId ? [a.gridId] : [])),
          townships: mine.flatMap((a) => (a.townshipId ? [a.townshipId] : [])),
          districts: mine.flatMap((a) => (a.districtId ? [a.districtId] : [])),
        },
      };
    });
  }
}
