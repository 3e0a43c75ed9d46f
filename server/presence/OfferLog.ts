/**
 * The record of pulling experts into cases: every request, every ring, every
 * answer and every timeout, each written with its audit row in one
 * transaction (008_experts.sql, 004_audit.sql). The dispatcher writes here
 * before it tells anyone, so nothing is rung that the log does not show.
 */
import type { DisputeType, Level } from '../../shared/cases';
import type { CaseId, ExpertId, ExpertRequestId, OfferId, StaffId } from '../../shared/ids';
import { SqlAuditLog } from '../audit/AuditLog';
import type { Db } from '../db/Db';

export interface RequestOpened {
  requestId: ExpertRequestId;
  caseId: CaseId;
  requestedBy: StaffId;
  specialty: DisputeType;
  language: string | null;
  at: Date;
}

export interface OfferMade {
  offerId: OfferId;
  requestId: ExpertRequestId;
  caseId: CaseId;
  expertId: ExpertId;
  requestedBy: StaffId;
  nearness: Level;
  /** 1 for the first expert rung for the request, and so on. */
  rank: number;
  offeredAt: Date;
  expiresAt: Date;
}

/**
 * accepted and declined are the expert's answers; timed_out is no answer in
 * time; withdrawn is the dispatcher's (another expert took the request, the
 * mediator cancelled it, or the expert went offline while it rang).
 */
export type OfferAnswer = 'accepted' | 'declined' | 'timed_out' | 'withdrawn';

export interface OfferAnswered {
  offerId: OfferId;
  requestId: ExpertRequestId;
  caseId: CaseId;
  expertId: ExpertId;
  answer: OfferAnswer;
  at: Date;
  /** Who withdrew it, when a staff member did (a cancelling mediator). */
  by?: StaffId | null;
}

export type RequestOutcome = 'accepted' | 'exhausted' | 'cancelled';

export interface RequestEnded {
  requestId: ExpertRequestId;
  caseId: CaseId;
  outcome: RequestOutcome;
  /** The expert who took it, for `accepted`. */
  expertId: ExpertId | null;
  /** The mediator who cancelled; null when the system ended it. */
  by: StaffId | null;
  /** How many experts were rung for it. */
  offers: number;
  at: Date;
}

/** An expert's part in a case ended: they left it, or its mediator released them. */
export interface ExpertReleased {
  expertId: ExpertId;
  caseId: CaseId;
  how: 'left' | 'released';
  /** The expert's own account when they left; the mediator's when released. */
  by: StaffId;
}

export interface OfferLog {
  requestOpened(event: RequestOpened): Promise<void>;
  offered(event: OfferMade): Promise<void>;
  answered(event: OfferAnswered): Promise<void>;
  requestEnded(event: RequestEnded): Promise<void>;
  released(event: ExpertReleased): Promise<void>;
}

const ANSWER_ACTIONS: Record<OfferAnswer, string> = {
  accepted: 'expert.accepted',
  declined: 'expert.declined',
  timed_out: 'expert.timedOut',
  withdrawn: 'expert.withdrawn',
};

const OUTCOME_ACTIONS: Record<RequestOutcome, string> = {
  accepted: 'expert.requestFilled',
  exhausted: 'expert.requestExhausted',
  cancelled: 'expert.requestCancelled',
};

const staffOf = (expertId: ExpertId) =>
  ['select staff_id as "staffId" from experts where id = $1', [expertId]] as const;

export class SqlOfferLog implements OfferLog {
  constructor(private readonly db: Db) {}

  requestOpened(e: RequestOpened): Promise<void> {
    return this.db.transaction(async (tx) => {
      await tx.query(
        `insert into expert_requests (id, case_id, requested_by, specialty, language, requested_at)
         values ($1, $2, $3, $4, $5, $6)`,
        [e.requestId, e.caseId, e.requestedBy, e.specialty, e.language, e.at],
      );
      await new SqlAuditLog(tx).write({
        actorId: e.requestedBy,
        action: 'expert.requested',
        entity: 'expertRequest',
        entityId: e.requestId,
        caseId: e.caseId,
        details: { specialty: e.specialty, language: e.language },
      });
    });
  }

  offered(e: OfferMade): Promise<void> {
    return this.db.transaction(async (tx) => {
      await tx.query(
        `insert into expert_offers (id, request_id, expert_id, nearness, rank, offered_at, expires_at)
         values ($1, $2, $3, $4, $5, $6, $7)`,
        [e.offerId, e.requestId, e.expertId, e.nearness, e.rank, e.offeredAt, e.expiresAt],
      );
      await new SqlAuditLog(tx).write({
        actorId: e.requestedBy,
        action: 'expert.offered',
        entity: 'expert',
        entityId: e.expertId,
        caseId: e.caseId,
        details: { requestId: e.requestId, offerId: e.offerId, nearness: e.nearness, rank: e.rank },
      });
    });
  }

  answered(e: OfferAnswered): Promise<void> {
    return this.db.transaction(async (tx) => {
      // `answer is null`: the first answer stands; a late duplicate changes nothing and writes no audit row.
      const updated = await tx.query(
        'update expert_offers set answer = $2, answered_at = $3 where id = $1 and answer is null returning id',
        [e.offerId, e.answer, e.at],
      );
      if (updated.length === 0) return;
      const byExpert = e.answer === 'accepted' || e.answer === 'declined';
      const [row] = byExpert ? await tx.query<{ staffId: StaffId }>(...staffOf(e.expertId)) : [];
      await new SqlAuditLog(tx).write({
        actorId: row?.staffId ?? e.by ?? null,
        action: ANSWER_ACTIONS[e.answer],
        entity: 'expert',
        entityId: e.expertId,
        caseId: e.caseId,
        details: { requestId: e.requestId, offerId: e.offerId },
      });
    });
  }

  requestEnded(e: RequestEnded): Promise<void> {
    return this.db.transaction(async (tx) => {
      const updated = await tx.query(
        `update expert_requests set outcome = $2, expert_id = $3, ended_at = $4
         where id = $1 and outcome is null returning id`,
        [e.requestId, e.outcome, e.expertId, e.at],
      );
      if (updated.length === 0) return;
      await new SqlAuditLog(tx).write({
        actorId: e.by,
        action: OUTCOME_ACTIONS[e.outcome],
        entity: 'expertRequest',
        entityId: e.requestId,
        caseId: e.caseId,
        details: { expertId: e.expertId, offers: e.offers },
      });
    });
  }

  released(e: ExpertReleased): Promise<void> {
    return new SqlAuditLog(this.db).write({
      actorId: e.by,
      action: e.how === 'left' ? 'expert.leftCase' : 'expert.released',
      entity: 'expert',
      entityId: e.expertId,
      caseId: e.caseId,
    });
  }
}
