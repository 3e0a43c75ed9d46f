/**
 * The vocabulary of ExpertDispatcher: its settings, what a request asks for,
 * and whom it tells of each step. Kept apart so the socket layer and tests
 * can speak it without the dispatcher's machinery.
 */
import type { DisputeType } from '../../shared/cases';
import type { OfferSummary, OfferView, RequestUpdate } from '../../shared/experts';
import type { CaseId, ExpertId, OfferId, StaffId } from '../../shared/ids';
import type { CaseLocation } from './keys';
import type { OfferAnswer } from './OfferLog';

export interface DispatchSettings {
  /** How long one ring lasts before the request moves on. */
  offerTimeoutMs: number;
  /** How many experts ring at once; the first to accept takes the case. */
  ringAtOnce: number;
  /**
   * How much longer than offerTimeoutMs the store itself holds a ring. It only
   * matters when this dispatcher is gone (its node died): then the store frees
   * the expert on its own.
   */
  ringGraceMs: number;
}

export const DEFAULT_DISPATCH: DispatchSettings = { offerTimeoutMs: 20_000, ringAtOnce: 1, ringGraceMs: 5_000 };

export interface ExpertRequestInput {
  caseId: CaseId;
  requestedBy: StaffId;
  specialty: DisputeType;
  language?: string | undefined;
  /** Where the case arose: candidates are ranked by how near they serve it. */
  at: CaseLocation;
  /** What the experts see while it rings (offerSummary.ts: no party's personal data). */
  summary: OfferSummary;
}

/** Who hears of the dispatcher's steps: the socket layer (rings to experts, news to the mediator). */
export interface DispatchListener {
  /** Ring this expert: their client shows the summary and sounds until the ring ends. */
  ring(expertId: ExpertId, offer: OfferView): void;
  /** Stop ringing an offer that ended without the expert's own answer. */
  ringEnded(expertId: ExpertId, offerId: OfferId, why: Extract<OfferAnswer, 'timed_out' | 'withdrawn'>): void;
  requestUpdated(update: RequestUpdate): void;
}
