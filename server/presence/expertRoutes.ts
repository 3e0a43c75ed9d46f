/**
 * /api/experts: what the expert's page, the mediator's case screen and the
 * coordinator's board read over HTTP (the live calls are on the /presence
 * socket). An expert reads their own record and history of offers; staff of
 * a district read its pool; its coordinators read the board of who is
 * available. Read-only: pools are changed elsewhere, presence by the socket.
 */
import { Router } from 'express';
import { AppError } from '../../shared/errors';
import { offerHistoryQuery, poolQuery, type ExpertSelf, type PoolMember } from '../../shared/expertViews';
import type { Actor } from '../authz/actor';
import { authorize } from '../authz/authorize';
import { parseInput } from '../http/validate';
import type { Records } from '../records';
import { authenticateStaff, staffOf } from '../staff/authenticate';
import { noQuery } from '../staff/schemas';
import { availabilityBoard } from './availabilityBoard';
import { SqlExpertStore, type ExpertRecord } from './ExpertStore';
import { offerHistory } from './offerHistory';
import type { PresenceStore } from './PresenceStore';

export interface ExpertRoutesDeps {
  records: Records;
  store: Pick<PresenceStore, 'get'>;
  now?: () => number;
}

export function expertRoutes(deps: ExpertRoutesDeps): Router {
  const { records } = deps;
  const experts = new SqlExpertStore(records.db);
  const now = deps.now ?? Date.now;
  const router = Router();
  // Mounted beside, not under, the record routes' own login check: look the session up here.
  router.use(authenticateStaff(records));
  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store'); // presence and history change by the second
    next();
  });

  async function ownRecord(actor: Actor): Promise<ExpertRecord> {
    if (actor.role !== 'expert') throw new AppError('FORBIDDEN', 'only experts have an expert record');
    const expert = await experts.byStaff(actor.staffId);
    if (!expert) throw new AppError('FORBIDDEN', 'this account is in no expert pool');
    return expert;
  }

  router.get('/me', async (req, res) => {
    const expert = await ownRecord(staffOf(req));
    parseInput(noQuery, req.query, 'query');
    const { id, displayName, title, specialties, languages, active } = expert;
    const self: ExpertSelf = { id, displayName, title, specialties, languages, active };
    res.json({ expert: self });
  });

  router.get('/me/offers', async (req, res) => {
    const expert = await ownRecord(staffOf(req));
    const { limit } = parseInput(offerHistoryQuery, req.query, 'query');
    res.json({ offers: await offerHistory(records.db, expert.id, limit) });
  });

  // The seeds: expert lists are public to the grid. Any staff member posted in the district reads its pool.
  router.get('/pool', async (req, res) => {
    const actor = staffOf(req);
    const q = parseInput(poolQuery, req.query, 'query');
    const districtId = q.districtId ?? actor.post?.districtId;
    if (!districtId || districtId !== actor.post?.districtId) {
      throw new AppError('FORBIDDEN', 'you see the expert pool of your own district');
    }
    const pool: PoolMember[] = (await experts.ofDistrict(districtId))
      .filter((e) => e.active)
      .map(({ id, displayName, title, specialties, languages }) => ({
        id,
        displayName,
        title,
        specialties,
        languages,
      }));
    res.json({ districtId, experts: pool });
  });

  // Live counts for the coordinator's post: polled by the board page (there is no push of presence changes).
  router.get('/board', async (req, res) => {
    const actor = staffOf(req);
    parseInput(noQuery, req.query, 'query');
    if (!actor.post) throw new AppError('FORBIDDEN', 'the board is for coordinators');
    const area = { districtId: actor.post.districtId, townshipId: actor.post.townshipId, gridId: null };
    authorize(actor, 'report:read', area);
    const [org, pool] = await Promise.all([records.read.org.tree(), experts.ofDistrict(area.districtId)]);
    res.json(await availabilityBoard({ area, org, pool, store: deps.store, now: now() }));
  });

  return router;
}
