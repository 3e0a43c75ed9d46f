/**
 * Every Redis key of expert presence, built in this one place. All of them
 * start with a configurable prefix, so several deployments (or test files)
 * can share one Redis without seeing each other.
 *
 * The layout, for a prefix `gridroom:`:
 *
 *   gridroom:presence:expert:<expertId>          hash, one expert's presence
 *   gridroom:presence:deadlines                   zset, when each expert next needs settling
 *   gridroom:presence:avail:<s>:<lang>:<tier>:<area>   zset, available experts of one index cell
 *
 * The Lua scripts read an expert's hash from a member id, so they are handed
 * `expertPrefix()` rather than building the name themselves; that makes the
 * scripts standalone-Redis only (a Cluster would need every key in KEYS).
 */
import type { DisputeType, Level } from '../../shared/cases';
import type { DistrictId, ExpertId, GridId, TownshipId } from '../../shared/ids';

/** Where a case arose: the index cells it asks, nearest first. */
export interface CaseLocation {
  gridId: GridId;
  townshipId: TownshipId;
  districtId: DistrictId;
}

/** The areas an expert serves; serving a township or district means every grid in it. */
export interface ServedAreas {
  grids: readonly GridId[];
  townships: readonly TownshipId[];
  districts: readonly DistrictId[];
}

/** The language cell an expert is always in, so a request without a language finds everyone. */
export const ANY_LANGUAGE = '*';

const SAFE = /^[A-Za-z0-9_*.-]+$/;

function part(value: string, what: string): string {
  // Ids are UUIDs and specialties and languages are zod-checked before they get
  // here; this guard keeps a stray ":" from ever aliasing two keys.
  if (!SAFE.test(value)) throw new Error(`presence key: bad ${what} ${JSON.stringify(value)}`);
  return value;
}

export class PresenceKeys {
  readonly #base: string;

  /** @param prefix e.g. `gridroom:`, or a random one per test; it may be empty. */
  constructor(prefix: string) {
    this.#base = `${prefix}presence:`;
  }

  /**
   * Hash of one expert: state, idleSince, deadline (heartbeat), and while
   * ringing or in a case caseId, requestId, offerId, ringUntil; `idx` lists
   * the availability cells the expert belongs to, one key per line, so going
   * offline can leave every one of them without knowing the profile.
   */
  expert(expertId: ExpertId): string {
    return this.expertPrefix() + part(expertId, 'expert id');
  }

  /** What `expert()` puts before the id; handed to scripts that find experts through an index. */
  expertPrefix(): string {
    return `${this.#base}expert:`;
  }

  /**
   * Sorted set of every known expert scored by the epoch ms at which their
   * record must next be looked at: the heartbeat deadline, or the end of an
   * unanswered ring if sooner. The sweeper reads the overdue head of it.
   */
  deadlines(): string {
    return `${this.#base}deadlines`;
  }

  /**
   * Sorted set of the available experts of one specialty who speak `language`
   * (or `*`: everyone) and serve one area, scored by the epoch ms since which
   * they have been idle, so ZRANGE gives the longest idle first.
   */
  availability(specialty: DisputeType, language: string, tier: Level, areaId: string): string {
    return `${this.#base}avail:${part(specialty, 'specialty')}:${part(language, 'language')}:${tier}:${part(areaId, 'area id')}`;
  }

  /** Every availability cell an expert with this profile belongs to while available. */
  cellsOf(specialties: readonly DisputeType[], languages: readonly string[], serves: ServedAreas): string[] {
    const cells: string[] = [];
    for (const specialty of specialties) {
      for (const language of [...new Set([...languages, ANY_LANGUAGE])]) {
        for (const grid of serves.grids) cells.push(this.availability(specialty, language, 'grid', grid));
        for (const township of serves.townships) {
          cells.push(this.availability(specialty, language, 'township', township));
        }
        for (const district of serves.districts) {
          cells.push(this.availability(specialty, language, 'district', district));
        }
      }
    }
    return [...new Set(cells)].sort();
  }

  /** The cells a request reads, nearest first: the case's grid, township, district. */
  cellsFor(specialty: DisputeType, language: string | undefined, at: CaseLocation): [string, string, string] {
    const lang = language ?? ANY_LANGUAGE;
    return [
      this.availability(specialty, lang, 'grid', at.gridId),
      this.availability(specialty, lang, 'township', at.townshipId),
      this.availability(specialty, lang, 'district', at.districtId),
    ];
  }
}

/**
 * The keys of room-to-node routing (server/routing), under the same prefix:
 *
 *   gridroom:routing:node:<nodeId>    string (JSON: url, load), set by each live node with a TTL
 *   gridroom:routing:room:<roomId>    string, the node id that holds the live session, with a TTL
 */
export class RoutingKeys {
  readonly #base: string;

  constructor(prefix: string) {
    this.#base = `${prefix}routing:`;
  }

  /** One node's registration: gone within its TTL once the node stops renewing it (it died). */
  node(nodeId: string): string {
    return this.nodePrefix() + part(nodeId, 'node id');
  }

  /** What `node()` prepends: the claim script checks the owner's registration from the owner's id alone. */
  nodePrefix(): string {
    return `${this.#base}node:`;
  }

  /** Which node holds a live session (a room lives on one node, as LiveKit's rooms do). */
  room(roomId: string): string {
    return `${this.#base}room:${part(roomId, 'room id')}`;
  }
}
