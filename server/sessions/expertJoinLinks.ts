/**
 * The link an expert who accepted a call opens to join the case's session.
 * Issued only for the offer that expert accepted (the dispatcher has logged
 * the acceptance before the answer comes back), into the case's latest
 * session, in the name of the mediator who asked: the audit row says so.
 * The expert then waits in the room like anyone else, and the parties are
 * asked there before the expert sees or hears them (server/rooms/expertConsent.ts).
 */
import { AppError } from '../../shared/errors';
import type { CaseId, OfferId, RoomId, StaffId } from '../../shared/ids';
import { SqlAuditLog } from '../audit/AuditLog';
import type { Db } from '../db/Db';
import type { ExpertRecord } from '../presence/ExpertStore';
import type { SessionLinks } from './SessionLinks';

/** Long enough for a hard case; the link dies with its session's other links anyway when revoked. */
const EXPERT_LINK_TTL_SECONDS = 6 * 3600;

export function expertJoinLinks(deps: { db: Db; links: SessionLinks }) {
  return (offerId: OfferId, expert: ExpertRecord): Promise<string | null> =>
    deps.db.transaction(async (q) => {
      const [accepted] = await q.query<{ caseId: CaseId; requestedBy: StaffId }>(
        `select r.case_id as "caseId", r.requested_by as "requestedBy"
           from expert_offers o join expert_requests r on r.id = o.request_id
          where o.id = $1 and o.expert_id = $2 and r.outcome = 'accepted' and r.expert_id = $2`,
        [offerId, expert.id],
      );
      if (!accepted) throw new AppError('CONFLICT', 'this call was not accepted by this expert');
      const [session] = await q.query<{ id: RoomId }>(
        'select id from case_sessions where case_id = $1 order by created_at desc limit 1',
        [accepted.caseId],
      );
      if (!session) return null;
      const link = await deps.links.issue(q, {
        sessionId: session.id,
        role: 'expert',
        label: `专家 ${expert.displayName}`.slice(0, 100),
        ttlSeconds: EXPERT_LINK_TTL_SECONDS,
        createdBy: accepted.requestedBy,
      });
      await new SqlAuditLog(q).write({
        actorId: accepted.requestedBy,
        action: 'session.linkIssued',
        entity: 'session',
        entityId: session.id,
        caseId: accepted.caseId,
        details: { linkId: link.id, role: 'expert', label: link.label, expertId: expert.id, offerId },
      });
      return (await deps.links.view(link, true)).url;
    });
}
