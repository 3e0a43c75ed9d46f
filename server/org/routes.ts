/**
 * /api/org: the organisation tree (every staff member may read it, to pick a
 * grid or a committee) and its management (administrators), each creation
 * audited in its own transaction.
 */
import express, { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import { districtIdSchema, townshipIdSchema } from '../../shared/ids';
import type { Actor } from '../authz/actor';
import { authorize } from '../authz/authorize';
import { isForeignKeyViolation, isUniqueViolation } from '../db/errors';
import { parseInput } from '../http/validate';
import type { Records, Stores } from '../records';
import { staffOf } from '../staff/authenticate';

const name = z.string().trim().min(1).max(100);
const districtBody = z
  .object({
    code: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9]{1,12}$/, 'must be 1-12 letters or digits'),
    name,
  })
  .strict();
const townshipBody = z.object({ districtId: districtIdSchema, kind: z.enum(['township', 'street']), name }).strict();
const gridBody = z.object({ townshipId: townshipIdSchema, name }).strict();
const committeeBody = z.discriminatedUnion('level', [
  z.object({ level: z.literal('township'), townshipId: townshipIdSchema, name }).strict(),
  z.object({ level: z.literal('district'), districtId: districtIdSchema, name }).strict(),
]);

export function orgRoutes(records: Records): Router {
  const router = Router();
  router.use(express.json({ limit: '8kb' }));

  router.get('/', async (req, res) => {
    const actor = staffOf(req);
    parseInput(z.object({}).strict(), req.query, 'query');
    authorize(actor, 'org:read', null);
    res.json(await records.read.org.tree());
  });

  /** Validates, authorizes, creates and audits one unit, mapping constraint violations to answers. */
  const create = <S extends z.ZodType, T extends { id: string }>(
    path: string,
    entity: 'district' | 'township' | 'grid' | 'committee',
    schema: S,
    make: (s: Stores, body: z.output<S>) => Promise<T>,
  ) =>
    router.post(path, async (req, res) => {
      const actor: Actor = staffOf(req);
      const body = parseInput(schema, req.body);
      authorize(actor, 'org:manage', null);
      try {
        const created = await records.transaction(async (s) => {
          const unit = await make(s, body);
          await s.audit.write({
            actorId: actor.staffId,
            action: `${entity}.created`,
            entity,
            entityId: unit.id,
            details: { ...unit },
          });
          return unit;
        });
        res.status(201).json({ [entity]: created });
      } catch (error) {
        if (isUniqueViolation(error)) throw new AppError('CONFLICT', `such a ${entity} already exists`);
        if (isForeignKeyViolation(error))
          throw new AppError('NOT_FOUND', `the parent of this ${entity} does not exist`);
        throw error;
      }
    });

  create('/districts', 'district', districtBody, (s, body) => s.org.createDistrict(body));
  create('/townships', 'township', townshipBody, (s, body) => s.org.createTownship(body));
  create('/grids', 'grid', gridBody, (s, body) => s.org.createGrid(body));
  create('/committees', 'committee', committeeBody, async (s, body) => {
    if (body.level === 'district')
      return s.org.createCommittee({
        level: 'district',
        districtId: body.districtId,
        townshipId: null,
        name: body.name,
      });
    const township = await s.org.township(body.townshipId);
    if (!township) throw new AppError('NOT_FOUND', 'no such township');
    return s.org.createCommittee({
      level: 'township',
      districtId: township.districtId,
      townshipId: township.id,
      name: body.name,
    });
  });

  return router;
}
