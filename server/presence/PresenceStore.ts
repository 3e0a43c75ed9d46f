/**
 * Live presence of experts: one state each, kept alive by heartbeats, changed
 * only by atomic steps so that one expert can never be rung for, or claimed
 * by, two cases at once. Two implementations share this contract (and one
 * test suite): RedisPresenceStore for several server nodes, MemoryPresenceStore
 * as the embedded default of a single machine without REDIS_URL.
 *
 * The states and their moves:
 *
 *   offline ──heartbeat/setAvailability──▶ available ⇄ away
 *   available ──claim──▶ ringing ──accept──▶ in_case ──release──▶ available
 *   ringing ──decline / cancel / timeout / ring TTL──▶ available
 *   any ──heartbeat TTL lapses / goOffline──▶ offline (the record is gone)
 *
 * Nothing but heartbeats brings an expert back: after a store loses its data
 * (a Redis restart), the next heartbeat rebuilds them in the state their own
 * client chose (available or away), never ringing or in a case.
 */
import type { DisputeType, Level } from '../../shared/cases';
import type { ChosenState, ExpertState } from '../../shared/experts';
import type { CaseId, ExpertId, ExpertRequestId, OfferId } from '../../shared/ids';
import type { CaseLocation, ServedAreas } from './keys';

/** What the index needs of an expert's pool record (server/presence/ExpertStore.ts). */
export interface ExpertProfile {
  specialties: readonly DisputeType[];
  /** Language tags (shared/experts.ts languageSchema); may be empty. */
  languages: readonly string[];
  serves: ServedAreas;
}

export interface Presence {
  expertId: ExpertId;
  state: ExpertState;
  /** Epoch ms since the expert has been without a case (available, or ringing for one). */
  idleSince?: number;
  /** Epoch ms at which the expert turns offline unless a heartbeat comes first. */
  deadline?: number;
  /** While ringing or in a case. */
  caseId?: CaseId;
  requestId?: ExpertRequestId;
  offerId?: OfferId;
  /** While ringing: epoch ms at which the store itself gives up on the offer. */
  ringUntil?: number;
}

export interface Candidate {
  expertId: ExpertId;
  /** How near: serves the case's grid, its township, or its district. */
  nearness: Level;
  idleSince: number;
}

export interface AvailabilityQuery {
  specialty: DisputeType;
  /** Only experts who speak it; any expert when absent. */
  language?: string | undefined;
  at: CaseLocation;
  /** Experts already offered this request. */
  exclude?: readonly ExpertId[];
  limit: number;
}

export interface ClaimInput {
  expertId: ExpertId;
  caseId: CaseId;
  requestId: ExpertRequestId;
  offerId: OfferId;
  /** How long the store holds the ring if nobody answers or withdraws it. */
  ringMs: number;
}

export type ChangeResult = { ok: true; presence: Presence } | { ok: false; presence: Presence };

/**
 * How a ring ends: the expert accepts or declines, the dispatcher withdraws it
 * (another expert took the request, or the mediator cancelled), or its time runs out.
 */
export type RingEnd = 'accept' | 'decline' | 'cancel' | 'timeout';

export interface PresenceStore {
  /** How long a heartbeat keeps an expert alive. */
  readonly heartbeatTtlMs: number;
  /**
   * A sign of life from the expert's open client: extends their deadline, and
   * takes up a changed profile. An expert the store does not know (never seen,
   * lapsed, or lost with the store's data) is rebuilt as `fallback`.
   */
  heartbeat(expertId: ExpertId, profile: ExpertProfile, fallback: ChosenState): Promise<Presence>;
  /** The expert chooses available or away; refused (ok: false) while ringing or in a case. Counts as a heartbeat. */
  setAvailability(expertId: ExpertId, profile: ExpertProfile, state: ChosenState): Promise<ChangeResult>;
  /** The expert logs out or their last connection closed for good; returns the presence they had. */
  goOffline(expertId: ExpertId): Promise<Presence>;
  get(expertId: ExpertId): Promise<Presence>;
  /** Available experts for a request: nearest first, then longest idle first, then by id. */
  findAvailable(query: AvailabilityQuery): Promise<Candidate[]>;
  /** Rings an available expert for one offer; exactly one of any number of concurrent claims wins. */
  claim(input: ClaimInput): Promise<ChangeResult>;
  /** Ends the ring of `offerId`; refused when that offer is no longer the one ringing. */
  endRing(expertId: ExpertId, offerId: OfferId, how: RingEnd): Promise<ChangeResult>;
  /** The case lets its expert go: back to available, idle from now. Refused unless in that case. */
  release(expertId: ExpertId, caseId: CaseId): Promise<ChangeResult>;
  /**
   * Settles every record whose deadline has passed (lapsed heartbeats go
   * offline, unanswered rings return to available). Reads settle the records
   * they touch anyway; this keeps the index and counts right in between.
   * Returns how many records it settled.
   */
  sweep(): Promise<number>;
}

/** The clock the stores use: epoch ms. Injected so tests can move time. */
export type Clock = () => number;
