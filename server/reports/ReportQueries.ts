/**
 * The coordinator's figures, each one SQL statement over an area (a district,
 * or one of its townships or grids). Success rate = agreed / concluded, where
 * concluded means mediated to an end: agreed or failed (a withdrawn case was
 * not mediated to an end and counts in neither). Cases count where they arose
 * (their grid), whatever level concluded them, so a township's figure is the
 * sum of its grids'.
 */
import type { CaseStatus, DisputeType, Level } from '../../shared/cases';
import type { CaseId, GridId, TownshipId } from '../../shared/ids';
import type { Area } from '../authz/can';
import type { Queryable } from '../db/Db';
import type { Period } from './period';
import type { Caseload, SuccessRateRow } from '../../shared/reports';

export type { Caseload, SuccessRateRow } from '../../shared/reports';

export interface MonthlyGridRow {
  townshipId: TownshipId;
  townshipName: string;
  gridId: GridId;
  gridName: string;
  registered: number;
  agreed: number;
  failed: number;
  withdrawn: number;
  escalated: number;
}

export interface EscalationRow {
  caseId: CaseId;
  caseNo: string;
  gridName: string;
  townshipName: string;
  fromLevel: Level;
  toLevel: Level;
  toCommitteeName: string;
  reason: string;
  transferredByName: string;
  transferredAt: Date;
}

export interface ReportQueries {
  caseload(area: Area): Promise<Caseload>;
  /** Per district, township and grid of the area (units with no concluded case are absent). */
  successRate(area: Area, period?: Period): Promise<SuccessRateRow[]>;
  /** One row per grid of the area, zeros included. */
  monthly(area: Area, period: Period): Promise<MonthlyGridRow[]>;
  escalations(area: Area, period: Period): Promise<EscalationRow[]>;
}

/** `alias.district_id = $n and ...` for an area; every value becomes a parameter. */
function areaWhere(area: Area, param: (value: unknown) => string, alias: string): string {
  const parts = [`${alias}.district_id = ${param(area.districtId)}`];
  if (area.townshipId) parts.push(`${alias}.township_id = ${param(area.townshipId)}`);
  if (area.gridId) parts.push(`${alias}.grid_id = ${param(area.gridId)}`);
  return parts.join(' and ');
}

function paramList(): { params: unknown[]; param: (value: unknown) => string } {
  const params: unknown[] = [];
  return { params, param: (value) => `$${params.push(value)}` };
}

const rate = (agreed: number, concluded: number) => (concluded > 0 ? agreed / concluded : null);

export class SqlReportQueries implements ReportQueries {
  constructor(private readonly q: Queryable) {}

  async caseload(area: Area): Promise<Caseload> {
    const { params, param } = paramList();
    const rows = await this.q.query<{ dim: 'status' | 'type' | 'level' | 'grid'; key: string; n: number }>(
      `select case when grouping(c.status) = 0 then 'status' when grouping(c.dispute_type) = 0 then 'type'
                   when grouping(c.level) = 0 then 'level' else 'grid' end as dim,
              coalesce(c.status, c.dispute_type, c.level, c.grid_id::text) as key, count(*) as n
       from cases c where ${areaWhere(area, param, 'c')}
       group by grouping sets ((c.status), (c.dispute_type), (c.level), (c.grid_id))`,
      params,
    );
    const result: Caseload = { total: 0, byStatus: {}, byType: {}, byLevel: {}, byGrid: {} };
    for (const { dim, key, n } of rows) {
      if (dim === 'status') {
        result.byStatus[key as CaseStatus] = n;
        result.total += n;
      } else if (dim === 'type') result.byType[key as DisputeType] = n;
      else if (dim === 'level') result.byLevel[key as Level] = n;
      else result.byGrid[key as GridId] = n;
    }
    return result;
  }

  async successRate(area: Area, period?: Period): Promise<SuccessRateRow[]> {
    const { params, param } = paramList();
    const when = period
      ? ` and c.concluded_at >= ${param(period.from.toISOString())} and c.concluded_at < ${param(period.to.toISOString())}`
      : '';
    const rows = await this.q.query<Omit<SuccessRateRow, 'rate' | 'unit'>>(
      // Counted per grid first, then rolled up: the three grouping sets then hash
      // a few hundred grid rows instead of every case three times.
      `with per_grid as (
         select c.district_id, c.township_id, c.grid_id,
                count(*) filter (where c.outcome = 'agreed') as agreed, count(*) as concluded
         from cases c
         where c.outcome in ('agreed', 'failed') and ${areaWhere(area, param, 'c')}${when}
         group by c.district_id, c.township_id, c.grid_id
       ),
       r as (
         select district_id, township_id, grid_id, sum(agreed)::int8 as agreed, sum(concluded)::int8 as concluded
         from per_grid
         group by grouping sets ((district_id), (district_id, township_id), (district_id, township_id, grid_id))
       )
       select r.district_id as "districtId", r.township_id as "townshipId", r.grid_id as "gridId",
              coalesce(g.name, t.name, d.name) as name, r.agreed, r.concluded
       from r join districts d on d.id = r.district_id
         left join townships t on t.id = r.township_id left join grids g on g.id = r.grid_id
       order by r.township_id nulls first, r.grid_id nulls first`,
      params,
    );
    return rows.map((row) => ({
      ...row,
      unit: row.gridId ? 'grid' : row.townshipId ? 'township' : 'district',
      rate: rate(row.agreed, row.concluded),
    }));
  }

  monthly(area: Area, period: Period): Promise<MonthlyGridRow[]> {
    const { params, param } = paramList();
    const from = param(period.from.toISOString());
    const to = param(period.to.toISOString());
    const caseArea = areaWhere(area, param, 'c');
    return this.q.query<MonthlyGridRow>(
      `with units as (
         select g.id as grid_id, g.name as grid_name, t.id as township_id, t.name as township_name, t.district_id
         from grids g join townships t on t.id = g.township_id
       ),
       registered as (
         select c.grid_id, count(*) as n from cases c
         where ${caseArea} and c.registered_at >= ${from} and c.registered_at < ${to} group by c.grid_id
       ),
       concluded as (
         select c.grid_id, count(*) filter (where c.outcome = 'agreed') as agreed,
                count(*) filter (where c.outcome = 'failed') as failed,
                count(*) filter (where c.outcome = 'withdrawn') as withdrawn
         from cases c
         where ${caseArea} and c.concluded_at >= ${from} and c.concluded_at < ${to} group by c.grid_id
       ),
       escalated as (
         select c.grid_id, count(*) as n from case_escalations e join cases c on c.id = e.case_id
         where ${caseArea} and e.transferred_at >= ${from} and e.transferred_at < ${to} group by c.grid_id
       )
       select u.township_id as "townshipId", u.township_name as "townshipName", u.grid_id as "gridId",
              u.grid_name as "gridName", coalesce(r.n, 0) as registered, coalesce(k.agreed, 0) as agreed,
              coalesce(k.failed, 0) as failed, coalesce(k.withdrawn, 0) as withdrawn, coalesce(e.n, 0) as escalated
       from units u
         left join registered r on r.grid_id = u.grid_id
         left join concluded k on k.grid_id = u.grid_id
         left join escalated e on e.grid_id = u.grid_id
       where ${areaWhere(area, param, 'u')}
       order by u.township_name, u.grid_name`,
      params,
    );
  }

  escalations(area: Area, period: Period): Promise<EscalationRow[]> {
    const { params, param } = paramList();
    return this.q.query<EscalationRow>(
      `select c.id as "caseId", c.case_no as "caseNo", g.name as "gridName", t.name as "townshipName",
              e.from_level as "fromLevel", e.to_level as "toLevel", cm.name as "toCommitteeName", e.reason,
              s.display_name as "transferredByName", e.transferred_at as "transferredAt"
       from case_escalations e
         join cases c on c.id = e.case_id
         join grids g on g.id = c.grid_id
         join townships t on t.id = c.township_id
         join committees cm on cm.id = e.to_committee_id
         join staff s on s.id = e.transferred_by
       where ${areaWhere(area, param, 'c')}
         and e.transferred_at >= ${param(period.from.toISOString())} and e.transferred_at < ${param(period.to.toISOString())}
       order by e.transferred_at, e.id`,
      params,
    );
  }
}
