/**
 * /api/reports: the coordinator's view of an area — caseload, success rate,
 * escalations and the monthly report as JSON, CSV and a printable page. The
 * area is ?districtId=, ?townshipId= or ?gridId= (default: the caller's own).
 */
import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import { districtIdSchema, gridIdSchema, townshipIdSchema } from '../../shared/ids';
import type { Actor } from '../authz/actor';
import { authorize } from '../authz/authorize';
import { parseInput } from '../http/validate';
import type { Records } from '../records';
import { staffOf } from '../staff/authenticate';
import { langSchema } from './labels';
import { buildMonthlyReport, monthlyCsv, type NamedArea } from './monthlyReport';
import { monthlyPage } from './monthlyPage';
import { currentMonth, monthPeriod, monthSchema } from './period';

const areaQuery = {
  districtId: districtIdSchema.optional(),
  townshipId: townshipIdSchema.optional(),
  gridId: gridIdSchema.optional(),
};
const oneArea = (q: { districtId?: unknown; townshipId?: unknown; gridId?: unknown }) =>
  [q.districtId, q.townshipId, q.gridId].filter((v) => v !== undefined).length <= 1;
const oneAreaMessage = { message: 'give at most one of districtId, townshipId and gridId' };

const caseloadQuery = z.object(areaQuery).strict().refine(oneArea, oneAreaMessage);
const periodQuery = z
  .object({ ...areaQuery, month: monthSchema.optional() })
  .strict()
  .refine(oneArea, oneAreaMessage);
const monthlyQuery = z
  .object({ ...areaQuery, month: monthSchema.default(() => currentMonth()), lang: langSchema })
  .strict()
  .refine(oneArea, oneAreaMessage);

export function reportRoutes(records: Records): Router {
  const router = Router();

  /** The area asked for (or the caller's own), named, and authorized for this caller. */
  async function areaFor(actor: Actor, q: z.output<typeof caseloadQuery>): Promise<NamedArea> {
    const area = await resolveArea(records, actor, q);
    authorize(actor, 'report:read', area);
    return area;
  }

  router.get('/caseload', async (req, res) => {
    const actor = staffOf(req);
    const q = parseInput(caseloadQuery, req.query, 'query');
    const area = await areaFor(actor, q);
    res.json({ area, caseload: await records.read.reports.caseload(area) });
  });

  router.get('/success-rate', async (req, res) => {
    const actor = staffOf(req);
    const q = parseInput(periodQuery, req.query, 'query');
    const area = await areaFor(actor, q);
    const rows = await records.read.reports.successRate(area, q.month ? monthPeriod(q.month) : undefined);
    res.json({ area, month: q.month ?? null, rows });
  });

  router.get('/escalations', async (req, res) => {
    const actor = staffOf(req);
    const q = parseInput(periodQuery, req.query, 'query');
    const area = await areaFor(actor, q);
    const month = q.month ?? currentMonth();
    res.json({ area, month, escalations: await records.read.reports.escalations(area, monthPeriod(month)) });
  });

  router.get('/monthly', async (req, res) => {
    const actor = staffOf(req);
    const q = parseInput(monthlyQuery, req.query, 'query');
    res.json({ report: await buildMonthlyReport(records.read.reports, await areaFor(actor, q), q.month) });
  });

  router.get('/monthly.csv', async (req, res) => {
    const actor = staffOf(req);
    const q = parseInput(monthlyQuery, req.query, 'query');
    const report = await buildMonthlyReport(records.read.reports, await areaFor(actor, q), q.month);
    res
      .type('text/csv; charset=utf-8')
      .attachment(`gridroom-monthly-${q.month}.csv`)
      .set('Cache-Control', 'no-store')
      .send(monthlyCsv(report, q.lang));
  });

  router.get('/monthly.html', async (req, res) => {
    if (!req.staff) return void res.redirect(303, `/staff/login?next=${encodeURIComponent(req.originalUrl)}`);
    const actor = staffOf(req);
    const q = parseInput(monthlyQuery, req.query, 'query');
    const report = await buildMonthlyReport(records.read.reports, await areaFor(actor, q), q.month);
    res
      .type('html')
      .set('Cache-Control', 'no-store')
      .set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
      .send(monthlyPage(report, q.lang));
  });

  return router;
}

async function resolveArea(records: Records, actor: Actor, q: z.output<typeof caseloadQuery>): Promise<NamedArea> {
  const org = records.read.org;
  if (q.gridId) {
    const grid = await org.grid(q.gridId);
    const township = grid && (await org.township(grid.townshipId));
    const district = grid && (await org.district(grid.districtId));
    if (!grid || !township || !district) throw new AppError('NOT_FOUND', 'no such grid');
    const name = `${district.name} ${township.name} ${grid.name}`;
    return {
      level: 'grid',
      districtId: grid.districtId,
      townshipId: grid.townshipId,
      gridId: grid.id,
      name,
      districtName: district.name,
    };
  }
  if (q.townshipId) {
    const township = await org.township(q.townshipId);
    const district = township && (await org.district(township.districtId));
    if (!township || !district) throw new AppError('NOT_FOUND', 'no such township');
    const name = `${district.name} ${township.name}`;
    return {
      level: 'township',
      districtId: district.id,
      townshipId: township.id,
      gridId: null,
      name,
      districtName: district.name,
    };
  }
  const districtId = q.districtId ?? actor.post?.districtId;
  if (!districtId) throw new AppError('BAD_REQUEST', 'query: say which districtId, townshipId or gridId');
  if (!q.districtId && actor.post?.townshipId)
    return resolveArea(records, actor, { townshipId: actor.post.townshipId });
  const district = await org.district(districtId);
  if (!district) throw new AppError('NOT_FOUND', 'no such district');
  return {
    level: 'district',
    districtId: district.id,
    townshipId: null,
    gridId: null,
    name: district.name,
    districtName: district.name,
  };
}
