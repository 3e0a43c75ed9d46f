/**
 * Presence in this process: the embedded default of a single machine (no
 * REDIS_URL) and the store of unit tests. Same contract as the Redis one,
 * step for step like its Lua scripts: every method runs to completion without
 * an await in between, which is what makes a claim atomic here.
 */
import type { ChosenState } from '../../shared/experts';
import type { CaseId, ExpertId, OfferId } from '../../shared/ids';
import { PresenceKeys } from './keys';
import type {
  AvailabilityQuery,
  Candidate,
  ChangeResult,
  ClaimInput,
  Clock,
  ExpertProfile,
  Presence,
  PresenceStore,
  RingEnd,
} from './PresenceStore';

interface Rec extends Omit<Presence, 'expertId' | 'idleSince' | 'deadline'> {
  idleSince: number;
  deadline: number;
  cells: string[];
}

const TIERS = ['grid', 'township', 'district'] as const;

export class MemoryPresenceStore implements PresenceStore {
  readonly heartbeatTtlMs: number;
  readonly #now: Clock;
  readonly #keys = new PresenceKeys('');
  readonly #records = new Map<ExpertId, Rec>();
  /** Availability cell → expert → idleSince; the same cells as the Redis index. */
  readonly #cells = new Map<string, Map<ExpertId, number>>();

  constructor(options: { heartbeatTtlMs: number; clock?: Clock }) {
    this.heartbeatTtlMs = options.heartbeatTtlMs;
    this.#now = options.clock ?? Date.now;
  }

  async heartbeat(expertId: ExpertId, profile: ExpertProfile, fallback: ChosenState): Promise<Presence> {
    return this.#touch(expertId, profile, fallback, false).presence;
  }

  async setAvailability(expertId: ExpertId, profile: ExpertProfile, state: ChosenState): Promise<ChangeResult> {
    return this.#touch(expertId, profile, state, true);
  }

  async goOffline(expertId: ExpertId): Promise<Presence> {
    const before = this.#view(expertId, this.#settle(expertId, this.#now()));
    this.#drop(expertId);
    return before;
  }

  async get(expertId: ExpertId): Promise<Presence> {
    return this.#view(expertId, this.#settle(expertId, this.#now()));
  }

  async findAvailable(query: AvailabilityQuery): Promise<Candidate[]> {
    // Rings that ended unanswered are in no cell until settled, as in the Lua script.
    await this.sweep();
    const now = this.#now();
    const skip = new Set<ExpertId>(query.exclude ?? []);
    const found: Candidate[] = [];
    const cells = this.#keys.cellsFor(query.specialty, query.language, query.at);
    for (const [tier, cell] of cells.entries()) {
      const members = [...(this.#cells.get(cell) ?? [])].sort(([a, x], [b, y]) => x - y || (a < b ? -1 : 1));
      for (const [expertId, idleSince] of members) {
        if (found.length >= query.limit) return found;
        if (skip.has(expertId)) continue;
        skip.add(expertId);
        if (this.#settle(expertId, now)?.state !== 'available') continue;
        found.push({ expertId, nearness: TIERS[tier]!, idleSince });
      }
    }
    return found;
  }

  async claim(input: ClaimInput): Promise<ChangeResult> {
    const now = this.#now();
    const rec = this.#settle(input.expertId, now);
    if (rec?.state !== 'available') return { ok: false, presence: this.#view(input.expertId, rec) };
    this.#unindex(input.expertId, rec);
    Object.assign(rec, {
      state: 'ringing',
      caseId: input.caseId,
      requestId: input.requestId,
      offerId: input.offerId,
      ringUntil: now + input.ringMs,
    });
    return { ok: true, presence: this.#view(input.expertId, rec) };
  }

  async endRing(expertId: ExpertId, offerId: OfferId, how: RingEnd): Promise<ChangeResult> {
    const rec = this.#settle(expertId, this.#now());
    if (rec?.state !== 'ringing' || rec.offerId !== offerId) return { ok: false, presence: this.#view(expertId, rec) };
    delete rec.ringUntil;
    if (how === 'accept') {
      rec.state = 'in_case';
    } else {
      this.#backToAvailable(expertId, rec, rec.idleSince);
    }
    return { ok: true, presence: this.#view(expertId, rec) };
  }

  async release(expertId: ExpertId, caseId: CaseId): Promise<ChangeResult> {
    const now = this.#now();
    const rec = this.#settle(expertId, now);
    if (rec?.state !== 'in_case' || rec.caseId !== caseId) return { ok: false, presence: this.#view(expertId, rec) };
    this.#backToAvailable(expertId, rec, now);
    return { ok: true, presence: this.#view(expertId, rec) };
  }

  async sweep(): Promise<number> {
    const now = this.#now();
    let settled = 0;
    for (const [expertId, rec] of [...this.#records]) {
      const due = rec.state === 'ringing' ? Math.min(rec.deadline, rec.ringUntil!) : rec.deadline;
      if (due > now) continue;
      this.#settle(expertId, now);
      settled++;
    }
    return settled;
  }

  #touch(expertId: ExpertId, profile: ExpertProfile, state: ChosenState, choose: boolean): ChangeResult {
    const now = this.#now();
    const cells = this.#keys.cellsOf(profile.specialties, profile.languages, profile.serves);
    let rec = this.#settle(expertId, now);
    if (!rec) {
      rec = { state, idleSince: now, deadline: now + this.heartbeatTtlMs, cells };
      this.#records.set(expertId, rec);
      if (state === 'available') this.#index(expertId, rec);
      return { ok: true, presence: this.#view(expertId, rec) };
    }
    rec.deadline = now + this.heartbeatTtlMs;
    if (rec.cells.join('\n') !== cells.join('\n')) {
      this.#unindex(expertId, rec);
      rec.cells = cells;
      if (rec.state === 'available') this.#index(expertId, rec);
    }
    if (!choose || rec.state === state) return { ok: true, presence: this.#view(expertId, rec) };
    if (rec.state === 'ringing' || rec.state === 'in_case') return { ok: false, presence: this.#view(expertId, rec) };
    if (state === 'away') {
      this.#unindex(expertId, rec);
      rec.state = 'away';
    } else {
      this.#backToAvailable(expertId, rec, now);
    }
    return { ok: true, presence: this.#view(expertId, rec) };
  }

  /** Brings one record up to `now`, as the Lua `settle` does; undefined means offline. */
  #settle(expertId: ExpertId, now: number): Rec | undefined {
    const rec = this.#records.get(expertId);
    if (!rec) return undefined;
    if (rec.deadline <= now) {
      this.#drop(expertId);
      return undefined;
    }
    if (rec.state === 'ringing' && rec.ringUntil! <= now) {
      delete rec.ringUntil;
      this.#backToAvailable(expertId, rec, rec.idleSince);
    }
    return rec;
  }

  #backToAvailable(expertId: ExpertId, rec: Rec, idleSince: number): void {
    delete rec.caseId;
    delete rec.requestId;
    delete rec.offerId;
    rec.state = 'available';
    rec.idleSince = idleSince;
    this.#index(expertId, rec);
  }

  #drop(expertId: ExpertId): void {
    const rec = this.#records.get(expertId);
    if (rec) this.#unindex(expertId, rec);
    this.#records.delete(expertId);
  }

  #index(expertId: ExpertId, rec: Rec): void {
    for (const cell of rec.cells) {
      let members = this.#cells.get(cell);
      if (!members) this.#cells.set(cell, (members = new Map()));
      members.set(expertId, rec.idleSince);
    }
  }

  #unindex(expertId: ExpertId, rec: Rec): void {
    for (const cell of rec.cells) {
      const members = this.#cells.get(cell);
      members?.delete(expertId);
      if (members?.size === 0) this.#cells.delete(cell);
    }
  }

  #view(expertId: ExpertId, rec: Rec | undefined): Presence {
    if (!rec) return { expertId, state: 'offline' };
    const { cells: _cells, ...rest } = rec;
    return { expertId, ...rest };
  }
}
