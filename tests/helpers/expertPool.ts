/**
 * A small expert pool on a real database for presence tests: one district
 * with a township and two grids, a mediator, a traffic-accident case in the
 * first grid handled by them (parties 王秀英 and 李建国), and experts created on demand, each a staff account with the
 * role "expert" and a pool record.
 */
import { randomUUID } from 'node:crypto';
import type { DisputeType } from '../../shared/cases';
import type { CaseId, StaffId } from '../../shared/ids';
import type { Db } from '../../server/db/Db';
import type { CaseLocation, ServedAreas } from '../../server/presence/keys';
import { SqlExpertStore, type ExpertRecord } from '../../server/presence/ExpertStore';
import { SqlOrgStore, type District, type Grid, type Township } from '../../server/org/OrgStore';
import { SqlStaffStore } from '../../server/staff/StaffStore';

export interface ExpertPool {
  district: District;
  township: Township;
  grids: [Grid, Grid];
  mediatorId: StaffId;
  caseId: CaseId;
  /** Where the case arose. */
  at: CaseLocation;
  addExpert(
    name: string,
    options?: { serves?: Partial<ServedAreas>; specialties?: DisputeType[]; languages?: string[] },
  ): Promise<ExpertRecord>;
}

let counter = 0;
/** Unique per process, within the username pattern ^[a-z0-9._-]{3,40}$. */
const username = (base: string) => `${base}.${process.pid}.${++counter}`;

export async function createExpertPool(db: Db): Promise<ExpertPool> {
  const org = new SqlOrgStore(db);
  const staff = new SqlStaffStore(db);
  const district = await org.createDistrict({ code: `P${counter % 1000}`, name: '东城区' });
  const township = await org.createTownship({ districtId: district.id, kind: 'street', name: '和平街道' });
  const grids: [Grid, Grid] = [
    await org.createGrid({ townshipId: township.id, name: '和平一网格' }),
    await org.createGrid({ townshipId: township.id, name: '和平二网格' }),
  ];
  const mediator = await staff.create({
    username: username('mediator'),
    displayName: '张调解',
    role: 'mediator',
    passwordHash: 'not-a-login',
    gridId: grids[0].id,
    committeeId: null,
    townshipId: null,
    districtId: null,
  });
  const caseId = randomUUID() as CaseId;
  await db.query(
    `insert into cases (id, case_no, dispute_type, status, level, district_id, township_id, grid_id, summary,
                        registered_by, handler_id)
     values ($1, $2, 'traffic', 'mediating', 'grid', $3, $4, $5, '王秀英诉李建国追尾事故责任争议', $6, $6)`,
    [caseId, `P-${randomUUID().slice(0, 8)}`, district.id, township.id, grids[0].id, mediator.id],
  );
  for (const [position, role, name, contact] of [
    [1, 'applicant', '王秀英', '13800138000'],
    [2, 'respondent', '李建国', '13900139000'],
  ] as const) {
    await db.query(
      'insert into case_parties (id, case_id, position, role, name, contact) values ($1, $2, $3, $4, $5, $6)',
      [randomUUID(), caseId, position, role, name, contact],
    );
  }
  const experts = new SqlExpertStore(db);
  return {
    district,
    township,
    grids,
    mediatorId: mediator.id,
    caseId,
    at: { gridId: grids[0].id, townshipId: township.id, districtId: district.id },
    async addExpert(name, options = {}) {
      const account = await staff.create({
        username: username('expert'),
        displayName: name,
        role: 'expert',
        passwordHash: 'not-a-login',
        gridId: null,
        committeeId: null,
        townshipId: null,
        districtId: null,
      });
      return experts.create({
        staffId: account.id,
        districtId: district.id,
        title: '交通事故鉴定',
        specialties: options.specialties ?? ['traffic'],
        languages: options.languages ?? ['zh'],
        serves: { grids: [grids[0].id], townships: [], districts: [], ...options.serves },
        createdBy: null,
      });
    },
  };
}
