/**
 * Which server of a deployment holds each live session. A room lives on one
 * node (its router and every transport are in that node's workers, as
 * LiveKit's rooms are): the first node to open it claims it in Redis, and a
 * link opened on another node is sent there. Each node registers itself with
 * its load and renews its registration and its claims; a node that dies stops
 * renewing, and its rooms are free to be claimed again within the TTL.
 *
 * Without Redis there is one node and every room is here (`singleNode`).
 * While Redis is unreachable each node serves what is opened on it: joining
 * a session matters more than keeping it on one node for those minutes.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { RedisClientType } from 'redis';
import { AppError } from '../../shared/errors';
import type { RoomId } from '../../shared/ids';
import { RoutingKeys } from '../presence/keys';

export type RoomPlace = { here: true } | { here: false; url: string };

export interface NodeRouter {
  readonly nodeId: string;
  /** Claims the room for this node when no live node holds it; otherwise says where it is. */
  claim(roomId: RoomId): Promise<RoomPlace>;
  /** The URL of the other live node holding the room, if one does (claims nothing). */
  elsewhere(roomId: RoomId): Promise<string | null>;
  /** This node closed the room: another may take it. */
  release(roomId: RoomId): Promise<void>;
  close(): Promise<void>;
}

export const singleNode: NodeRouter = {
  nodeId: 'single',
  claim: () => Promise.resolve({ here: true }),
  elsewhere: () => Promise.resolve(null),
  release: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

/** A node's registration, as other nodes read it. */
export interface NodeRecord {
  url: string;
  /** Live rooms and participants on this node when it last renewed. */
  rooms: number;
  participants: number;
  at: number;
}

// KEYS[1] the room's key; ARGV: this node's id, the claim TTL (ms), the node-key prefix.
// The room is ours when nobody claims it, we do, or its holder's registration has lapsed.
const CLAIM = `
local owner = redis.call('GET', KEYS[1])
if owner and owner ~= ARGV[1] and redis.call('EXISTS', ARGV[3] .. owner) == 1 then return owner end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]`;

// Deletes the claim only if it is still ours.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface RedisNodeRouterOptions {
  client: RedisClientType;
  prefix: string;
  /** This node's public base URL (links opened elsewhere are sent here). */
  url: () => string;
  load: () => { rooms: number; participants: number };
  logger: Logger;
  /** How long a registration or claim lives without renewal; renewed every third of it. Default 10 s. */
  ttlMs?: number;
}

export class RedisNodeRouter implements NodeRouter {
  readonly nodeId = randomUUID();
  readonly #client: RedisClientType;
  readonly #keys: RoutingKeys;
  readonly #options: RedisNodeRouterOptions;
  readonly #ttlMs: number;
  readonly #held = new Set<RoomId>();
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: RedisNodeRouterOptions) {
    this.#client = options.client;
    this.#keys = new RoutingKeys(options.prefix);
    this.#options = options;
    this.#ttlMs = options.ttlMs ?? 10_000;
    this.#log = options.logger.child({ component: 'routing', nodeId: this.nodeId });
  }

  /** Registers this node and keeps its registration and claims alive. */
  async start(): Promise<void> {
    await this.#renew();
    this.#timer = setInterval(
      () => void this.#renew().catch((err: unknown) => this.#log.warn({ err }, 'renew(): failed')),
      Math.round(this.#ttlMs / 3),
    );
    this.#timer.unref();
    this.#log.info({ url: this.#options.url() }, 'start(): registered');
  }

  async claim(roomId: RoomId, retried = false): Promise<RoomPlace> {
    let owner: string;
    try {
      owner = (await withTimeout(
        this.#client.eval(CLAIM, {
          keys: [this.#keys.room(roomId)],
          arguments: [this.nodeId, String(this.#ttlMs), this.#keys.nodePrefix()],
        }),
      )) as string;
    } catch (err) {
      // Redis is away: serve the room here rather than turn everyone away; the claim is
      // taken on the next open once Redis is back (a session may briefly live on two nodes).
      this.#log.warn({ err, roomId }, 'claim(): Redis unavailable, serving here');
      return { here: true };
    }
    if (owner === this.nodeId) {
      this.#held.add(roomId);
      return { here: true };
    }
    const url = await this.#urlOf(owner);
    if (url) return { here: false, url };
    // Its registration lapsed between the script and this read: once more, it is free now. A
    // registration that stays unreadable is not ours to override: say so rather than loop.
    if (retried) throw new AppError('UNAVAILABLE', 'the server holding this session cannot be reached; try again');
    return this.claim(roomId, true);
  }

  async elsewhere(roomId: RoomId): Promise<string | null> {
    try {
      const owner = await withTimeout(this.#client.get(this.#keys.room(roomId)));
      if (!owner || owner === this.nodeId) return null;
      return await withTimeout(this.#urlOf(owner));
    } catch (err) {
      this.#log.warn({ err, roomId }, 'elsewhere(): Redis unavailable, serving here');
      return null;
    }
  }

  async release(roomId: RoomId): Promise<void> {
    this.#held.delete(roomId);
    await withTimeout(this.#client.eval(RELEASE, { keys: [this.#keys.room(roomId)], arguments: [this.nodeId] }));
  }

  /** Releases this node's rooms and registration; with Redis away they lapse by themselves. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await Promise.allSettled([...this.#held].map((roomId) => this.release(roomId)));
    await withTimeout(this.#client.del(this.#keys.node(this.nodeId))).catch(() => undefined);
  }

  async #urlOf(nodeId: string): Promise<string | null> {
    const raw = await this.#client.get(this.#keys.node(nodeId));
    if (!raw) return null;
    try {
      return (JSON.parse(raw) as NodeRecord).url;
    } catch {
      return null;
    }
  }

  async #renew(): Promise<void> {
    const record: NodeRecord = { url: this.#options.url(), ...this.#options.load(), at: Date.now() };
    const multi = this.#client.multi().set(this.#keys.node(this.nodeId), JSON.stringify(record), { PX: this.#ttlMs });
    for (const roomId of this.#held) multi.pExpire(this.#keys.room(roomId), this.#ttlMs);
    await multi.exec();
  }
}

/**
 * node-redis queues commands while it reconnects: without a bound, a join
 * would wait for Redis to come back. A second is long for a round trip here.
 */
const REDIS_TIMEOUT_MS = 1000;

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis in ${REDIS_TIMEOUT_MS} ms`)), REDIS_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
