/**
 * The vocabulary of expert pools, shared by the server and the expert's and
 * coordinator's pages: presence states, languages, how near a candidate is to
 * the case, and what an expert sees of a case when it rings. Specialties are
 * the dispute types of shared/cases.ts.
 */
import { z } from 'zod';
import type { DisputeType, Label, Level } from './cases';
import type { CaseId, ExpertId, ExpertRequestId, OfferId, StaffId } from './ids';

/**
 * Where an expert stands. Only `available` experts are offered cases;
 * `ringing` holds one open offer, `in_case` one accepted case.
 */
export const EXPERT_STATES = {
  offline: { zh: '离线', en: 'Offline' },
  available: { zh: '空闲', en: 'Available' },
  ringing: { zh: '来电中', en: 'Ringing' },
  in_case: { zh: '调解中', en: 'In a case' },
  away: { zh: '暂离', en: 'Away' },
} as const satisfies Record<string, Label>;
export type ExpertState = keyof typeof EXPERT_STATES;

/** What an expert may choose for themselves; the other states are reached by offers and cases. */
export const chosenStateSchema = z.enum(['available', 'away']);
export type ChosenState = z.infer<typeof chosenStateSchema>;

/**
 * A spoken language as a lower-case BCP 47 primary subtag with an optional
 * subtag: zh, en, yue (Cantonese), ug, bo, zh-sichuan. Never a ":" (it would
 * split a Redis key).
 */
export const languageSchema = z
  .string()
  .regex(/^[a-z]{2,3}(-[a-z0-9]{2,8})?$/, 'must be a language tag such as zh, en, yue or zh-sichuan');

/**
 * How near a candidate is to the case, nearest first: they serve its grid,
 * its whole township, or its whole district.
 */
export const NEARNESS: readonly Level[] = ['grid', 'township', 'district'];

/**
 * What an expert sees of a case while it rings. It never holds a party's
 * name, ID number, phone or address: the expert decides on the kind of
 * dispute and where it is, and meets the parties only once they consent.
 */
export interface OfferSummary {
  caseNo: string;
  disputeType: DisputeType;
  level: Level;
  gridName: string;
  townshipName: string;
  districtName: string;
  /** Who asks (a staff member, not a party). */
  requestedByName: string;
  /** The mediator's question for the expert, with party names and long digit runs masked. */
  note: string;
}

/** One ring as the expert's page receives it. */
export interface OfferView {
  offerId: OfferId;
  requestId: ExpertRequestId;
  caseId: CaseId;
  /** Epoch ms after which the offer is withdrawn. */
  expiresAt: number;
  summary: OfferSummary;
}

interface RequestBase {
  requestId: ExpertRequestId;
  caseId: CaseId;
  requestedBy: StaffId;
  /** How many experts have been rung for it so far. */
  offered: number;
}

/** The news of a request for expert help, as its mediator receives it. */
export type RequestUpdate = RequestBase &
  (
    | { status: 'ringing'; ringing: ExpertId[] }
    | { status: 'accepted'; expertId: ExpertId }
    | { status: 'exhausted' }
    | { status: 'cancelled' }
    /** The server could not go on with it (its database was down): nobody rings; ask again. */
    | { status: 'failed' }
  );
