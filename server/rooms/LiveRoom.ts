/**
 * A room while people are in it: the participants the signalling layer
 * attached, and the room's media. It decides who receives whom (today:
 * everyone joined receives everyone else) and turns media events into
 * notifications. It knows nothing of sockets: each participant brings a
 * `notify` function.
 */
import type { ConsumerId, PeerId, ProducerId, RoomId } from '../../shared/ids';
import type { ConsumerCreated, Notifications, PeerInfo } from '../../shared/protocol';
import type { MediaLogger } from '../../media/logger';
import type { MediaPeer, Producer } from '../../media/MediaPeer';
import type { MediaRoom, MediaRoomCloseReason } from '../../media/MediaRoom';
import { AppError } from '../../shared/errors';

export type Notify = <K extends keyof Notifications>(name: K, payload: Notifications[K]) => void;

export interface Participant {
  peerId: PeerId;
  notify: Notify;
  /** Set on `room:join`; until then the participant is invisible to others. */
  info: PeerInfo | null;
}

export class LiveRoom {
  readonly roomId: RoomId;
  readonly media: MediaRoom;
  readonly #participants = new Map<PeerId, Participant>();
  readonly #log: MediaLogger;
  readonly #onClosed: (reason: MediaRoomCloseReason) => void;

  constructor(media: MediaRoom, logger: MediaLogger, onClosed: (reason: MediaRoomCloseReason) => void) {
    this.roomId = media.roomId;
    this.media = media;
    this.#log = logger.child({ roomId: media.roomId });
    this.#onClosed = onClosed;
    media.on('producerCreated', (producer, owner) => this.#onProducerCreated(producer, owner));
    media.on('activeSpeakerChanged', (peerId) => this.#broadcast('room:activeSpeakerChanged', { peerId }));
    media.on('close', (reason) => this.#onMediaClosed(reason));
  }

  get closed(): boolean {
    return this.media.closed;
  }

  get isEmpty(): boolean {
    return this.#participants.size === 0;
  }

  get joinedPeers(): PeerInfo[] {
    return [...this.#participants.values()].flatMap((p) => (p.info ? [p.info] : []));
  }

  /** Registers a connection (idempotent) and returns its media peer. */
  attach(peerId: PeerId, notify: Notify): MediaPeer {
    if (this.closed) throw new AppError('UNAVAILABLE', 'the room is restarting; join again');
    const peer = this.media.peer(peerId);
    if (!this.#participants.has(peerId)) {
      this.#participants.set(peerId, { peerId, notify, info: null });
      peer.on('consumerClosed', (consumerId) => notify('media:consumerClosed', { consumerId }));
      peer.on('consumerPaused', (consumerId) => notify('media:consumerPaused', { consumerId }));
      peer.on('consumerResumed', (consumerId) => notify('media:consumerResumed', { consumerId }));
    }
    return peer;
  }

  isJoined(peerId: PeerId): boolean {
    return Boolean(this.#participants.get(peerId)?.info);
  }

  join(info: PeerInfo): { peers: PeerInfo[]; activeSpeakerPeerId: PeerId | null } {
    const participant = this.#participants.get(info.peerId);
    if (!participant) throw new AppError('CONFLICT', 'create the transports before joining');
    if (participant.info) throw new AppError('CONFLICT', 'already joined');
    const peers = this.joinedPeers;
    participant.info = info;
    this.#log.info({ peerId: info.peerId, role: info.role, peers: peers.length }, 'LiveRoom.join()');
    this.#broadcast('room:peerJoined', { peer: info }, info.peerId);
    return { peers, activeSpeakerPeerId: this.media.activeSpeaker };
  }

  /** Start receiving everyone else's current media; called once the join has been answered. */
  async consumeExisting(peerId: PeerId): Promise<void> {
    const receiver = this.media.getPeer(peerId);
    if (!receiver) return;
    for (const sender of this.media.peers) {
      if (sender.peerId === peerId || !this.isJoined(sender.peerId)) continue;
      for (const producer of sender.producers) await this.#consume(receiver, producer);
    }
  }

  /** Removes a participant and its media (idempotent). Returns true when the room became empty. */
  leave(peerId: PeerId): boolean {
    const participant = this.#participants.get(peerId);
    if (!participant) return this.#participants.size === 0;
    this.#participants.delete(peerId);
    this.media.getPeer(peerId)?.close();
    if (participant.info) {
      this.#log.info({ peerId }, 'LiveRoom.leave()');
      this.#broadcast('room:peerLeft', { peerId });
    }
    return this.#participants.size === 0;
  }

  close(): void {
    this.media.close('closed');
  }

  async #onProducerCreated(producer: Producer, owner: MediaPeer): Promise<void> {
    // Producers of a peer that has not joined yet are consumed by the others when it joins.
    if (!this.isJoined(owner.peerId)) return;
    for (const participant of this.#participants.values()) {
      if (participant.peerId === owner.peerId || !participant.info) continue;
      const receiver = this.media.getPeer(participant.peerId);
      if (receiver) await this.#consume(receiver, producer);
    }
  }

  async #consume(receiver: MediaPeer, producer: Producer): Promise<void> {
    const participant = this.#participants.get(receiver.peerId);
    if (!participant || producer.closed || receiver.closed) return;
    try {
      const consumer = await receiver.consume(producer);
      if (!consumer) return;
      participant.notify('media:consumerCreated', {
        consumerId: consumer.id as ConsumerId,
        producerId: producer.id as ProducerId,
        peerId: producer.appData.peerId,
        kind: consumer.kind,
        source: producer.appData.source,
        // mediasoup and mediasoup-client describe the same JSON with slightly different unions.
        rtpParameters: consumer.rtpParameters as unknown as ConsumerCreated['rtpParameters'],
        producerPaused: consumer.producerPaused,
      });
    } catch (error) {
      // A peer or producer that closed meanwhile is the normal race; anything else is worth a line.
      if (!receiver.closed && !producer.closed) {
        this.#log.warn({ err: error, peerId: receiver.peerId, producerId: producer.id }, 'LiveRoom.consume() failed');
      }
    }
  }

  #onMediaClosed(reason: MediaRoomCloseReason): void {
    if (reason === 'workerDied') {
      this.#log.warn({ participants: this.#participants.size }, 'LiveRoom: worker died, participants rejoin');
      for (const participant of this.#participants.values()) participant.notify('room:mediaReset', { reason });
    }
    this.#participants.clear();
    this.#onClosed(reason);
  }

  #broadcast<K extends keyof Notifications>(name: K, payload: Notifications[K], except?: PeerId): void {
    for (const participant of this.#participants.values()) {
      if (participant.peerId !== except && participant.info) participant.notify(name, payload);
    }
  }
}
