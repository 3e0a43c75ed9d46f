/**
 * Presence in Redis (node-redis), shared by every server node. Each change is
 * one Lua script (luaScripts.ts); this class only builds keys, runs scripts
 * and reads their replies.
 *
 * Scripts run by EVALSHA with the digest computed here, falling back to EVAL
 * when Redis answers NOSCRIPT: a restarted Redis has forgotten its script
 * cache, and the first call after it must still work.
 */
import { createHash } from 'node:crypto';
import type { ChosenState, ExpertState } from '../../shared/experts';
import type { CaseId, ExpertId, ExpertRequestId, OfferId } from '../../shared/ids';
import type { Level } from '../../shared/cases';
import { PresenceKeys } from './keys';
import { LUA, type ScriptName } from './luaScripts';
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

/**
 * The one method of a node-redis client this store uses. Structural, so a
 * client created with any modules or scripts fits, and so is a cluster-free
 * test double if one is ever wanted.
 */
export interface RedisCommander {
  sendCommand(args: string[]): Promise<unknown>;
}

export interface RedisPresenceStoreOptions {
  client: RedisCommander;
  /** Key prefix (keys.ts), e.g. `gridroom:`. */
  prefix: string;
  heartbeatTtlMs: number;
  clock?: Clock;
  /** How many overdue records one sweep() settles at most; the next sweep takes the rest. */
  sweepBatch?: number;
}

const NEARNESS: Record<string, Level> = { '1': 'grid', '2': 'township', '3': 'district' };
const SHA = Object.fromEntries(
  Object.entries(LUA).map(([name, source]) => [name, createHash('sha1').update(source).digest('hex')]),
) as Record<ScriptName, string>;

export class RedisPresenceStore implements PresenceStore {
  readonly heartbeatTtlMs: number;
  readonly keys: PresenceKeys;
  readonly #client: RedisCommander;
  readonly #now: Clock;
  readonly #sweepBatch: number;

  constructor(options: RedisPresenceStoreOptions) {
    this.#client = options.client;
    this.keys = new PresenceKeys(options.prefix);
    this.heartbeatTtlMs = options.heartbeatTtlMs;
    this.#now = options.clock ?? Date.now;
    this.#sweepBatch = options.sweepBatch ?? 500;
  }

  async heartbeat(expertId: ExpertId, profile: ExpertProfile, fallback: ChosenState): Promise<Presence> {
    return (await this.#touch(expertId, profile, fallback, false)).presence;
  }

  setAvailability(expertId: ExpertId, profile: ExpertProfile, state: ChosenState): Promise<ChangeResult> {
    return this.#touch(expertId, profile, state, true);
  }

  async goOffline(expertId: ExpertId): Promise<Presence> {
    return (await this.#change('goOffline', expertId, [])).presence;
  }

  async get(expertId: ExpertId): Promise<Presence> {
    return (await this.#change('get', expertId, [])).presence;
  }

  async findAvailable(query: AvailabilityQuery): Promise<Candidate[]> {
    const cells = this.keys.cellsFor(query.specialty, query.language, query.at);
    const reply = (await this.#run(
      'find',
      [this.keys.deadlines(), ...cells],
      [this.keys.expertPrefix(), String(this.#now()), String(query.limit), ...(query.exclude ?? [])],
    )) as string[];
    const found: Candidate[] = [];
    for (let i = 0; i + 2 < reply.length; i += 3) {
      found.push({
        expertId: reply[i] as ExpertId,
        nearness: NEARNESS[reply[i + 1]!]!,
        idleSince: Number(reply[i + 2]),
      });
    }
    return found;
  }

  claim(input: ClaimInput): Promise<ChangeResult> {
    const ringUntil = this.#now() + input.ringMs;
    return this.#change('claim', input.expertId, [input.caseId, input.requestId, input.offerId, String(ringUntil)]);
  }

  endRing(expertId: ExpertId, offerId: OfferId, how: RingEnd): Promise<ChangeResult> {
    return this.#change('endRing', expertId, [offerId, how]);
  }

  release(expertId: ExpertId, caseId: CaseId): Promise<ChangeResult> {
    return this.#change('release', expertId, [caseId]);
  }

  async sweep(): Promise<number> {
    const reply = await this.#run(
      'sweep',
      [this.keys.deadlines()],
      [this.keys.expertPrefix(), String(this.#now()), String(this.#sweepBatch)],
    );
    return Number(reply);
  }

  #touch(expertId: ExpertId, profile: ExpertProfile, state: ChosenState, choose: boolean): Promise<ChangeResult> {
    const now = this.#now();
    const cells = this.keys.cellsOf(profile.specialties, profile.languages, profile.serves);
    return this.#change(
      'touch',
      expertId,
      [String(now + this.heartbeatTtlMs), state, choose ? '1' : '0', cells.join('\n')],
      now,
    );
  }

  /** Runs a one-expert script: KEYS are the expert's hash and the deadlines; ARGV starts with id and now. */
  async #change(name: ScriptName, expertId: ExpertId, args: string[], now = this.#now()): Promise<ChangeResult> {
    const reply = (await this.#run(
      name,
      [this.keys.expert(expertId), this.keys.deadlines()],
      [expertId, String(now), ...args],
    )) as unknown[];
    return { ok: Number(reply[0]) === 1, presence: presenceOf(expertId, reply as [number, ...string[]]) };
  }

  async #run(name: ScriptName, keys: string[], args: string[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await this.#client.sendCommand(['EVALSHA', SHA[name], ...tail]);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      // EVAL also puts the script back in the cache, so the next EVALSHA finds it.
      return this.#client.sendCommand(['EVAL', LUA[name], ...tail]);
    }
  }
}

/** Reads a script's reply: {ok, state, idleSince, deadline, caseId, requestId, offerId, ringUntil}. */
function presenceOf(expertId: ExpertId, reply: [number, ...string[]]): Presence {
  const [, state, idleSince, deadline, caseId, requestId, offerId, ringUntil] = reply;
  const presence: Presence = { expertId, state: (state || 'offline') as ExpertState };
  if (presence.state === 'offline') return presence;
  if (idleSince) presence.idleSince = Number(idleSince);
  if (deadline) presence.deadline = Number(deadline);
  if (caseId) presence.caseId = caseId as CaseId;
  if (requestId) presence.requestId = requestId as ExpertRequestId;
  if (offerId) presence.offerId = offerId as OfferId;
  if (ringUntil) presence.ringUntil = Number(ringUntil);
  return presence;
}
