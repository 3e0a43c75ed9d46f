/**
 * A room's media: one router on one worker, its active-speaker observer and the
 * media peers in it. Who may receive whom is not decided here: the room only
 * announces new producers, and its owner asks a peer to consume them (that is
 * where a private caucus will draw its line).
 */
import type { types as ms } from 'mediasoup';
import type { PeerId, RoomId } from '../shared/ids';
import { ROUTER_MEDIA_CODECS } from './codecs';
import type { MediaLogger } from './logger';
import { MediaPeer, type Producer } from './MediaPeer';
import { SafeEmitter } from './SafeEmitter';
import type { PooledWorker } from './WorkerPool';

/** Why a room's media closed. */
export type MediaRoomCloseReason = 'closed' | 'workerDied';

export interface MediaRoomEvents {
  /** Some peer started sending; the owner decides who consumes it. */
  producerCreated: [producer: Producer, owner: MediaPeer];
  /** The dominant speaker changed (null when the last speaker's producer went away). */
  activeSpeakerChanged: [peerId: PeerId | null];
  close: [reason: MediaRoomCloseReason];
}

export interface MediaRoomOptions {
  roomId: RoomId;
  pooledWorker: PooledWorker;
  logger: MediaLogger;
}

export class MediaRoom extends SafeEmitter<MediaRoomEvents> {
  readonly roomId: RoomId;
  readonly router: ms.Router;
  readonly workerIndex: number;
  readonly #webRtcServer: ms.WebRtcServer;
  readonly #listenIp: string;
  readonly #activeSpeakerObserver: ms.ActiveSpeakerObserver;
  readonly #peers = new Map<PeerId, MediaPeer>();
  readonly #log: MediaLogger;
  #activeSpeaker: PeerId | null = null;
  #closed = false;

  private constructor(options: MediaRoomOptions, router: ms.Router, activeSpeakerObserver: ms.ActiveSpeakerObserver) {
    super();
    this.roomId = options.roomId;
    this.router = router;
    this.workerIndex = options.pooledWorker.index;
    this.#webRtcServer = options.pooledWorker.webRtcServer;
    this.#listenIp = options.pooledWorker.listenIp;
    this.#activeSpeakerObserver = activeSpeakerObserver;
    this.#log = options.logger.child({ roomId: options.roomId, workerIndex: options.pooledWorker.index });

    router.on('workerclose', () => this.close('workerDied'));
    activeSpeakerObserver.on('dominantspeaker', ({ producer }) => {
      this.#setActiveSpeaker((producer.appData as { peerId: PeerId }).peerId);
    });
  }

  static async create(options: MediaRoomOptions): Promise<MediaRoom> {
    const router = await options.pooledWorker.worker.createRouter({ mediaCodecs: ROUTER_MEDIA_CODECS });
    try {
      const observer = await router.createActiveSpeakerObserver({ interval: 300 });
      return new MediaRoom(options, router, observer);
    } catch (error) {
      router.close();
      throw error;
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  get activeSpeaker(): PeerId | null {
    return this.#activeSpeaker;
  }

  get peers(): readonly MediaPeer[] {
    return [...this.#peers.values()];
  }

  getPeer(peerId: PeerId): MediaPeer | undefined {
    return this.#peers.get(peerId);
  }

  /** The peer's media, created on first use (a peer creates its transports before it joins). */
  peer(peerId: PeerId): MediaPeer {
    const existing = this.#peers.get(peerId);
    if (existing) return existing;
    if (this.#closed) throw new Error('MediaRoom.peer(): room closed');
    const peer = new MediaPeer({
      peerId,
      router: this.router,
      listenIp: this.#listenIp,
      webRtcServer: this.#webRtcServer,
      logger: this.#log,
    });
    this.#peers.set(peerId, peer);
    peer.once('close', () => {
      this.#peers.delete(peerId);
      if (this.#activeSpeaker === peerId) this.#setActiveSpeaker(null);
    });
    peer.on('producerCreated', (producer) => {
      if (producer.kind === 'audio') {
        // The observer may already be gone if the room closes meanwhile; that is harmless.
        this.#activeSpeakerObserver.addProducer({ producerId: producer.id }).catch(() => undefined);
      }
      this.safeEmit('producerCreated', producer, peer);
    });
    return peer;
  }

  /** Idempotent; closing the router closes every transport, producer and consumer in the worker. */
  close(reason: MediaRoomCloseReason = 'closed'): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#log.info({ reason }, 'MediaRoom.close()');
    for (const peer of this.#peers.values()) peer.close();
    this.#peers.clear();
    this.router.close();
    this.safeEmit('close', reason);
    this.removeAllListeners();
  }

  #setActiveSpeaker(peerId: PeerId | null): void {
    if (peerId === this.#activeSpeaker) return;
    this.#activeSpeaker = peerId;
    this.safeEmit('activeSpeakerChanged', peerId);
  }
}
