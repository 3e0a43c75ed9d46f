/**
 * What the HTTP routes of expert pools (server/presence/expertRoutes.ts) send,
 * as JSON delivers it (dates are ISO strings): an expert's own record and
 * history of offers, a district's pool as mediators see it, and the
 * coordinator's board of who is available. The live calls themselves travel
 * on the /presence socket (shared/presenceProtocol.ts).
 */
import { z } from 'zod';
import type { DisputeType, Level } from './cases';
import type { ExpertState } from './experts';
import {
  districtIdSchema,
  type CaseId,
  type DistrictId,
  type ExpertId,
  type GridId,
  type OfferId,
  type TownshipId,
} from './ids';

/** An expert's own pool record (GET /api/experts/me). */
export interface ExpertSelf {
  id: ExpertId;
  displayName: string;
  /** "主任医师 · 区人民医院". */
  title: string;
  specialties: DisputeType[];
  languages: string[];
  active: boolean;
}

/** How an offer ended; null while it still rings. */
export type OfferAnswerView = 'accepted' | 'declined' | 'timed_out' | 'withdrawn' | null;

/**
 * One call an expert was offered (GET /api/experts/me/offers), newest first.
 * Like the ring itself it names no party: only the case's number, kind and place.
 */
export interface OfferHistoryEntry {
  offerId: OfferId;
  caseId: CaseId;
  caseNo: string;
  disputeType: DisputeType;
  gridName: string;
  townshipName: string;
  requestedByName: string;
  nearness: Level;
  offeredAt: string;
  answer: OfferAnswerView;
  answeredAt: string | null;
}

export const offerHistoryQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }).strict();

/** One expert of a district's pool (GET /api/experts/pool), public to the district's staff. */
export interface PoolMember {
  id: ExpertId;
  displayName: string;
  title: string;
  specialties: DisputeType[];
  languages: string[];
}

export const poolQuery = z.object({ districtId: districtIdSchema.optional() }).strict();

/** A grid of the board, with its township for grouping. */
export interface BoardGrid {
  gridId: GridId;
  gridName: string;
  townshipId: TownshipId;
  townshipName: string;
}

/**
 * The coordinator's board (GET /api/experts/board): how many experts of the
 * area's pool could take a case of each specialty in each grid right now.
 * An expert who serves a township or the whole district counts in each of
 * its grids, as the dispatcher would ring them there.
 */
export interface AvailabilityBoard {
  districtId: DistrictId;
  /** Set when the coordinator's post is a township: the board covers only its grids. */
  townshipId: TownshipId | null;
  grids: BoardGrid[];
  /** The specialties anyone in the pool has, in the order of shared/cases.ts DISPUTE_TYPES. */
  specialties: DisputeType[];
  /** available[specialty][gridId]: available experts of that specialty serving that grid; absent means 0. */
  available: Partial<Record<DisputeType, Record<string, number>>>;
  /** The pool's experts by state, per specialty (an expert of two specialties counts in both). */
  bySpecialty: Partial<Record<DisputeType, Record<ExpertState, number>>>;
  /** The whole pool by state, each expert once. */
  states: Record<ExpertState, number>;
  /** Server time the counts were read, epoch ms. */
  at: number;
}
