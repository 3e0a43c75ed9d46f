/**
 * The live rooms of this server, created on first use on the next worker of
 * the pool and closed when the last participant leaves. A room's memory
 * (spaces, caucuses, chat, consents) outlives it for a while, so a session
 * that empties for a moment picks up where it was.
 */
import type { RoomId } from '../../shared/ids';
import { AppError } from '../../shared/errors';
import type { MediaLogger } from '../../media/logger';
import { MediaRoom } from '../../media/MediaRoom';
import type { WorkerPool } from '../../media/WorkerPool';
import { LiveRoom, type RecordingConsentEvent } from './LiveRoom';
import type { RoomSettings } from './RoomStore';
import { ExpertConsents } from './expertConsent';
import { SessionMemory } from './SessionMemory';
import { singleNode, type NodeRouter } from '../routing/NodeRouter';

/** How long a session's memory is kept after its last participant left. */
const MEMORY_TTL_MS = 6 * 3600_000;

export class LiveRooms {
  readonly #pool: WorkerPool;
  readonly #log: MediaLogger;
  // Promises, not rooms: two first joiners arriving together must get the same
  // room, so the lookup is stored before the first await (never check, await, then set).
  readonly #rooms = new Map<RoomId, Promise<LiveRoom>>();
  readonly #memories = new Map<RoomId, SessionMemory>();
  readonly #onRecordingConsent: ((consent: RecordingConsentEvent) => void) | undefined;
  readonly #router: NodeRouter;
  /** The rooms that finished opening, by id (what #rooms' promises resolved to). */
  readonly #live = new Map<RoomId, LiveRoom>();

  constructor(
    pool: WorkerPool,
    logger: MediaLogger,
    options: {
      /** Each participant's first consent to a recording (the composition root audits it). */
      onRecordingConsent?: (consent: RecordingConsentEvent) => void;
      /** Which node of the deployment holds each room (the single node by default). */
      router?: NodeRouter;
    } = {},
  ) {
    this.#pool = pool;
    this.#log = logger;
    this.#onRecordingConsent = options.onRecordingConsent;
    this.#router = options.router ?? singleNode;
  }

  /** Participants in the live rooms of this node, for its registration's load. */
  get participants(): number {
    let count = 0;
    for (const room of this.#live.values()) count += room.joinedPeers.length;
    return count;
  }

  get size(): number {
    return this.#rooms.size;
  }

  getOrCreate(roomId: RoomId, settings: RoomSettings): Promise<LiveRoom> {
    const existing = this.#rooms.get(roomId);
    if (existing) return existing;
    const creating = this.#create(roomId, settings);
    this.#rooms.set(roomId, creating);
    creating.then(
      (room) => room.closed && this.#forget(roomId, creating),
      () => this.#forget(roomId, creating),
    );
    return creating;
  }

  /** The room if it is live, without creating it. */
  async find(roomId: RoomId): Promise<LiveRoom | undefined> {
    const room = await this.#rooms.get(roomId)?.catch(() => undefined);
    return room && !room.closed ? room : undefined;
  }

  /** Ends at once every live connection made with a link that was just revoked. */
  async removeLink(roomId: RoomId, linkId: string): Promise<number> {
    const room = await this.find(roomId);
    const removed = room?.removeLink(linkId) ?? 0;
    if (removed) this.#log.info({ roomId, linkId, removed }, 'LiveRooms.removeLink()');
    return removed;
  }

  /** Whether every party of the session agreed to the expert of this link (the agreement opens to them then). */
  expertCleared(roomId: RoomId, linkId: string): boolean {
    const memory = this.#memories.get(roomId);
    return memory ? new ExpertConsents(memory).cleared(linkId) : false;
  }

  closeAll(): void {
    for (const room of this.#rooms.values()) room.then((r) => r.close()).catch(() => undefined);
    this.#rooms.clear();
  }

  async #create(roomId: RoomId, settings: RoomSettings): Promise<LiveRoom> {
    // A room lives on one node: the one that claims it first (NodeRouter).
    const place = await this.#router.claim(roomId);
    if (!place.here) throw new AppError('WRONG_NODE', 'this session is held by another server', place.url);
    const pooledWorker = this.#pool.workers.find((w) => !w.worker.closed) && this.#pool.pick();
    if (!pooledWorker) throw new AppError('UNAVAILABLE', 'no media server is available; try again shortly');
    const media = await MediaRoom.create({ roomId, pooledWorker, logger: this.#log });
    // getOrCreate() stored our promise synchronously, before this first await returned.
    const self = this.#rooms.get(roomId);
    const room = new LiveRoom({
      media,
      settings,
      memory: this.#memoryOf(roomId),
      logger: this.#log,
      onRecordingConsent: this.#onRecordingConsent,
      onClosed: () => {
        if (self) this.#forget(roomId, self);
      },
    });
    this.#log.info({ roomId, workerIndex: media.workerIndex }, 'LiveRooms.create()');
    this.#live.set(roomId, room);
    return room;
  }

  #memoryOf(roomId: RoomId): SessionMemory {
    const now = Date.now();
    for (const [id, memory] of this.#memories) {
      if (now - memory.lastActive > MEMORY_TTL_MS && !this.#rooms.has(id)) this.#memories.delete(id);
    }
    let memory = this.#memories.get(roomId);
    if (!memory) this.#memories.set(roomId, (memory = new SessionMemory()));
    return memory;
  }

  #forget(roomId: RoomId, entry: Promise<LiveRoom>): void {
    // Only forget the entry we made: a newer room for the same id may already stand there.
    if (this.#rooms.get(roomId) !== entry) return;
    this.#rooms.delete(roomId);
    this.#live.delete(roomId);
    void this.#router.release(roomId).catch((err: unknown) => this.#log.warn({ err, roomId }, 'release() failed'));
  }
}
