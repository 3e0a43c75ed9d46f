/**
 * The notary's HTTP API (staff login required; can() decides): schedule an
 * act, read it, move it along, record identity, attach the document, and
 * export one's journal. Mounted at /api/notary next to the public
 * verification routes (verifyRoutes.ts); `/acts` and `/journal` need
 * authenticateStaff in front, `/verify` and `/ca.pem` must stay public.
 *
 *   POST /acts                    { actType, documentDescription, jurisdiction, signers[], feeMinor?, ... }
 *   GET  /acts                    one's own acts, newest first (the console's list)
 *   GET  /acts/:id                the act, its signers, the events it accepts now, whether it is being
 *                                 recorded, its recordings, this attempt's stills, the room's
 *                                 participants and, once final, its journal entry: what a console shows
 *   POST /acts/:id/document       the PDF as the signer will sign it (Content-Type: application/pdf)
 *   POST /acts/:id/stills         { peerId, side: front|back|face }: a still of that participant's camera
 *   GET  /acts/:id/stills/:sha256 the still, as PNG
 *   POST /acts/:id/identity       [{ signerId, method, idDocument?, witnessName?, images? }] one per signer
 *   POST /acts/:id/events         { type: start|consentGiven|documentSigned|seal|interrupt|resume|abort, reason? }
 *   GET  /acts/:id/sealed.pdf     the notarized PDF, once the act is sealed
 *   GET  /journal?format=json|csv one's own entries, with their hashes
 */
import path from 'node:path';
import express, { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import { notaryActIdSchema, type NotaryActId } from '../../shared/ids';
import type { Actor } from '../authz/actor';
import { authorize } from '../authz/authorize';
import type { Queryable } from '../db/Db';
import { parseInput } from '../http/validate';
import { staffOf } from '../staff/authenticate';
import { acceptedEvents, RECORDED_STATES } from './actMachine';
import { journalToCsv, journalToJson } from './journalExport';
import { NotaryJournal } from './NotaryJournal';
import type { NotaryService } from './NotaryService';
import { SqlNotaryStore, type ActRecord } from './NotaryStore';
import { eventBody } from './schemas';

const actParams = z.object({ id: notaryActIdSchema });
const stillParams = actParams.extend({ sha256: z.string().regex(/^[0-9a-f]{64}$/) });

const journalQuery = z.object({ format: z.enum(['json', 'csv']).default('json') });

export interface NotaryRoutesOptions {
  /** The folder the stills' references are relative to (RoomRecordings.dir). */
  mediaDir?: string;
  /** Who is in the act's room now, and whether they send a camera picture (for the still buttons). */
  participantsOf?(act: ActRecord): Promise<{ peerId: string; displayName: string | null; camera: boolean }[]>;
  /** The notary's own join link into the act's room (its newest live moderator link), for the console. */
  roomLinkOf?(act: ActRecord): Promise<string | null>;
}

export function notaryRoutes(service: NotaryService, q: Queryable, options: NotaryRoutesOptions = {}): Router {
  const { mediaDir } = options;
  const router = Router();
  const json = express.json({ limit: '64kb' });

  /** The act, if the caller may act on it; NOT_FOUND before FORBIDDEN would tell whether it exists. */
  const actFor = async (actor: Actor, id: NotaryActId): Promise<ActRecord> => {
    const act = await service.act(id);
    if (!act) throw new AppError('NOT_FOUND', 'no such notarial act');
    authorize(actor, 'notary:act', { notaryId: act.notaryId });
    return act;
  };
  const view = async (act: ActRecord) => {
    const store = new SqlNotaryStore(q);
    const journalRow = await new NotaryJournal(q).forAct(act.id);
    return {
      act,
      signers: await store.signers(act.id),
      accepts: acceptedEvents(act.state),
      recording: RECORDED_STATES.includes(act.state),
      recordings: await store.recordings(act.id),
      stills: act.attempt > 0 ? await store.stills(act.id, act.attempt) : [],
      participants: (await options.participantsOf?.(act)) ?? [],
      roomLink: (await options.roomLinkOf?.(act)) ?? null,
      journal: journalRow ? { seq: journalRow.seq, hash: journalRow.hash, entry: journalRow.entry } : null,
    };
  };

  router.post('/acts', json, async (req, res) => {
    const actor = staffOf(req);
    authorize(actor, 'notary:schedule', { notaryId: null });
    const act = await service.schedule(actor.staffId, req.body);
    res.status(201).json(await view(act));
  });

  router.get('/acts', async (req, res) => {
    const actor = staffOf(req);
    // Scheduling and listing are both "one's own acts": the same rule decides.
    authorize(actor, 'notary:schedule', { notaryId: null });
    res.json({ acts: await new SqlNotaryStore(q).actsOf(actor.staffId) });
  });

  router.get('/acts/:id', async (req, res) => {
    const actor = staffOf(req);
    const { id } = parseInput(actParams, req.params, 'path');
    res.json(await view(await actFor(actor, id)));
  });

  router.post('/acts/:id/document', express.raw({ type: 'application/pdf', limit: '25mb' }), async (req, res) => {
    const actor = staffOf(req);
    const { id } = parseInput(actParams, req.params, 'path');
    await actFor(actor, id);
    const body: unknown = req.body;
    if (!Buffer.isBuffer(body) || body.subarray(0, 5).toString('latin1') !== '%PDF-') {
      throw new AppError('BAD_REQUEST', 'send the PDF itself as the body, with Content-Type: application/pdf');
    }
    res.json(await view(await service.attachDocument(id, body)));
  });

  router.post('/acts/:id/stills', json, async (req, res) => {
    const actor = staffOf(req);
    const { id } = parseInput(actParams, req.params, 'path');
    await actFor(actor, id);
    res.status(201).json({ still: await service.takeStill(id, actor.staffId, req.body) });
  });

  router.get('/acts/:id/stills/:sha256', async (req, res) => {
    const actor = staffOf(req);
    const { id, sha256 } = parseInput(stillParams, req.params, 'path');
    await actFor(actor, id);
    const still = (await new SqlNotaryStore(q).stills(id)).find((s) => s.sha256 === sha256);
    if (!still || !mediaDir) throw new AppError('NOT_FOUND', 'no such still of this act');
    // The reference comes from our own row, never from the request: no path is built from user input.
    res.type('image/png').set('Cache-Control', 'private, max-age=3600').sendFile(path.join(mediaDir, still.reference));
  });

  router.post('/acts/:id/identity', json, async (req, res) => {
    const actor = staffOf(req);
    const { id } = parseInput(actParams, req.params, 'path');
    await actFor(actor, id);
    const { act } = await service.establishIdentity(id, actor.staffId, req.body);
    res.json(await view(act));
  });

  router.post('/acts/:id/events', json, async (req, res) => {
    const actor = staffOf(req);
    const { id } = parseInput(actParams, req.params, 'path');
    const event = parseInput(eventBody, req.body);
    await actFor(actor, id);
    const { act } = await service.apply(id, event);
    res.json(await view(act));
  });

  router.get('/acts/:id/sealed.pdf', async (req, res) => {
    const actor = staffOf(req);
    const { id } = parseInput(actParams, req.params, 'path');
    await actFor(actor, id);
    const pdf = await service.sealedPdf(id);
    if (!pdf) throw new AppError('NOT_FOUND', 'this act has no sealed document (yet)');
    res.type('application/pdf').attachment(`notarized-${id}.pdf`).send(pdf);
  });

  router.get('/journal', async (req, res) => {
    const actor = staffOf(req);
    authorize(actor, 'notary:readJournal', { notaryId: null });
    const { format } = parseInput(journalQuery, req.query, 'query');
    const journal = new NotaryJournal(q);
    const rows = await journal.rows({ notaryId: actor.staffId });
    if (format === 'csv') {
      res.type('text/csv; charset=utf-8').attachment('notary-journal.csv').send(journalToCsv(rows));
      return;
    }
    res.json(journalToJson(rows, await journal.head()));
  });

  return router;
}
