/**
 * /api/agreement/<caseId>/…: lock, unlock, sign and the sealed PDF, for the
 * people in the session, authenticated by their join link
 * (`Authorization: Bearer <token>`) and the device they opened it on
 * (`X-Device-Id`), checked against the stored link as the socket handshake
 * does, so that a revoked link, or a single-device link on another phone,
 * signs nothing. The signature records that link (the session) and device.
 *
 * Staff see the signing state, set whether parties edit or only comment, and
 * read the sealed PDF from the case (/api/cases/<id>/agreement…).
 */
import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import { caseIdSchema, type CaseId } from '../../shared/ids';
import { partyAgreementAccessSchema, type PartyAgreementAccess } from '../../shared/agreement';
import { signRequestSchema } from '../../shared/signing';
import { can } from '../authz/can';
import { linkAccess } from '../collab/access';
import type { CollabServer } from '../collab/CollabServer';
import { parseInput } from '../http/validate';
import type { JoinTokens } from '../links/joinToken';
import type { Records } from '../records';
import type { SessionLinks } from '../sessions/SessionLinks';
import { staffOf } from '../staff/authenticate';
import type { AgreementSigning, LinkActor } from './AgreementSigning';

export interface SigningRouteDeps {
  signing: AgreementSigning;
  joinTokens: JoinTokens;
  links: Pick<SessionLinks, 'check'>;
  /** The case's setting: parties edit the agreement or only comment. */
  partyAccess(caseId: CaseId): Promise<PartyAgreementAccess | undefined>;
}

const caseParams = z.object({ caseId: caseIdSchema });
const DEVICE_ID = /^[A-Za-z0-9_-]{8,64}$/;

export function signingRoutes(deps: SigningRouteDeps): Router {
  const router = Router();
  router.use(express.json({ limit: '32kb' }));

  /** The link and device behind a request, and the case it may act on. */
  const actorOf = async (req: Request): Promise<{ actor: LinkActor; caseId: CaseId }> => {
    const { caseId } = parseInput(caseParams, req.params, 'path');
    const token = /^Bearer (\S{20,2000})$/.exec(req.get('authorization') ?? '')?.[1];
    if (!token) throw new AppError('UNAUTHENTICATED', 'open the agreement from your link');
    const deviceId = req.get('x-device-id') ?? '';
    if (!DEVICE_ID.test(deviceId)) throw new AppError('BAD_REQUEST', 'X-Device-Id: 8 to 64 letters, digits, - or _');
    const claims = await deps.joinTokens.verify(token);
    const link = await deps.links.check(claims, { deviceId });
    const actor: LinkActor = { link, deviceId, userAgent: req.get('user-agent')?.slice(0, 400) ?? null };
    return { actor, caseId: await deps.signing.caseOf(actor, caseId) };
  };

  // What this link may do to the agreement, so the page offers only that (the server enforces it anyway).
  router.get('/:caseId/access', async (req, res) => {
    const { actor, caseId } = await actorOf(req);
    const partyAccess = await deps.partyAccess(caseId);
    if (!partyAccess) throw new AppError('NOT_FOUND', 'no such case');
    res.json({ access: linkAccess(actor.link.role, partyAccess) });
  });

  router.get('/:caseId/signing', async (req, res) => {
    const { caseId } = await actorOf(req);
    res.json({ signing: await deps.signing.state(caseId) });
  });

  router.post('/:caseId/lock', async (req, res) => {
    const { actor, caseId } = await actorOf(req);
    res.json({ signing: await deps.signing.lock(actor, caseId) });
  });

  router.post('/:caseId/unlock', async (req, res) => {
    const { actor, caseId } = await actorOf(req);
    res.json({ signing: await deps.signing.unlock(actor, caseId) });
  });

  router.post('/:caseId/sign', async (req, res) => {
    const { actor, caseId } = await actorOf(req);
    const body = parseInput(signRequestSchema, req.body);
    res.json({ signing: await deps.signing.sign(actor, caseId, body) });
  });

  router.get('/:caseId/sealed.pdf', async (req, res) => {
    const { caseId } = await actorOf(req);
    sendPdf(res, caseId, await deps.signing.sealedPdf(caseId));
  });

  return router;
}

export interface StaffAgreementDeps {
  signing: AgreementSigning;
  collab: Pick<CollabServer, 'setPartyAccess'>;
  records: Records;
  partyAccess(caseId: CaseId): Promise<PartyAgreementAccess | undefined>;
}

const partyAccessBody = z.object({ access: partyAgreementAccessSchema }).strict();

/**
 * /api/cases/<caseId>/agreement… for staff: the signing state and the party
 * setting (read by whoever may read the agreement), the setting changed (by
 * whoever may configure it, through the collab server, which applies it to
 * the parties connected now), and the sealed PDF.
 */
export function staffAgreementRoutes(deps: StaffAgreementDeps): Router {
  const router = Router();
  router.use(express.json({ limit: '4kb' }));

  /** The case, once the caller may read its agreement. */
  const readable = async (req: Request) => {
    const actor = staffOf(req);
    const { caseId } = parseInput(caseParams, req.params, 'path');
    const scope = await deps.records.read.cases.get(caseId);
    if (!scope) throw new AppError('NOT_FOUND', 'no such case');
    const decision = can(actor, 'agreement:read', scope);
    if (!decision.allowed) throw new AppError('FORBIDDEN', decision.reason);
    return { actor, caseId, scope };
  };
  const view = async ({ actor, caseId, scope }: Awaited<ReturnType<typeof readable>>) => ({
    partyAccess: await deps.partyAccess(caseId),
    mayConfigure: can(actor, 'agreement:configure', scope).allowed,
    signing: await deps.signing.state(caseId),
  });

  router.get('/:caseId/agreement', async (req, res) => {
    res.json(await view(await readable(req)));
  });

  router.post('/:caseId/agreement/party-access', async (req, res) => {
    const { access } = parseInput(partyAccessBody, req.body);
    const readableCase = await readable(req);
    await deps.collab.setPartyAccess(readableCase.actor, readableCase.caseId, access);
    res.json(await view(readableCase));
  });

  router.get('/:caseId/agreement.pdf', async (req, res) => {
    const { caseId } = await readable(req);
    sendPdf(res, caseId, await deps.signing.sealedPdf(caseId));
  });
  return router;
}

function sendPdf(res: express.Response, caseId: CaseId, sealed: { pdf: Uint8Array; sha256: string } | undefined) {
  if (!sealed) throw new AppError('NOT_FOUND', 'the agreement has not been signed and sealed yet');
  res
    .type('application/pdf')
    .set('Content-Disposition', `attachment; filename="agreement-${caseId}.pdf"`)
    .set('X-Content-SHA256', sealed.sha256)
    .set('Cache-Control', 'private, no-store')
    .send(Buffer.from(sealed.pdf));
}
