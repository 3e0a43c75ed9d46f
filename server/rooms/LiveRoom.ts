/**
 * A session while people are in it: the participants the signalling layer
 * attached, the space each is in (waiting room, joint room, private caucus),
 * and the room's media. It decides who receives whom: two participants
 * exchange media only while they are in the same space and that space is not
 * the lobby. Privacy is therefore enforced where the media flows: no consumer
 * is ever created across spaces, and moving someone closes the consumers that
 * crossed the new line before any new one is made.
 *
 * It knows nothing of sockets: each participant brings a `notify` function.
 */
import { randomUUID } from 'node:crypto';
import type { ConsumerId, PeerId, ProducerId, RoomId } from '../../shared/ids';
import type {
  ChatMessage,
  ConsumerCreated,
  Notifications,
  PeerInfo,
  RosterEntry,
  SpaceId,
  SpaceView,
} from '../../shared/protocol';
import { permissionsOf } from '../../shared/roles';
import type { MediaLogger } from '../../media/logger';
import type { MediaPeer, Producer } from '../../media/MediaPeer';
import type { MediaRoom, MediaRoomCloseReason } from '../../media/MediaRoom';
import { AppError } from '../../shared/errors';
import type { RoomSettings } from './RoomStore';
import { ExpertConsents, linkOfKey } from './expertConsent';
import type { SessionMemory } from './SessionMemory';

export type Notify = <K extends keyof Notifications>(name: K, payload: Notifications[K]) => void;

/** What the signalling layer hands over for each connection. */
export interface ParticipantConnection {
  /** Link + device: the same person across reconnections. */
  key: string;
  notify: Notify;
  /** Ends the connection (after a removal); the disconnect cleanup follows. */
  disconnect(): void;
}

export interface Participant extends ParticipantConnection {
  peerId: PeerId;
  /** Set on `room:join`; until then the participant is invisible to others. */
  info: PeerInfo | null;
  space: SpaceId;
  since: Date;
}

/** A participant agreed to be recorded: reported so the consent can be kept on record (the audit log). */
export interface RecordingConsentEvent {
  roomId: RoomId;
  peerId: PeerId;
  participantKey: string;
  displayName: string;
  role: PeerInfo['role'];
}

export class LiveRoom {
  readonly roomId: RoomId;
  readonly media: MediaRoom;
  readonly settings: RoomSettings;
  readonly #memory: SessionMemory;
  readonly #experts: ExpertConsents;
  readonly #participants = new Map<PeerId, Participant>();
  readonly #log: MediaLogger;
  readonly #onClosed: (reason: MediaRoomCloseReason) => void;
  readonly #onRecordingConsent: ((consent: RecordingConsentEvent) => void) | undefined;

  constructor(options: {
    media: MediaRoom;
    settings: RoomSettings;
    memory: SessionMemory;
    logger: MediaLogger;
    onClosed: (reason: MediaRoomCloseReason) => void;
    /** Told of each new consent (not of a repeated one); the room itself keeps no records. */
    onRecordingConsent?: (consent: RecordingConsentEvent) => void;
  }) {
    this.roomId = options.media.roomId;
    this.media = options.media;
    this.settings = options.settings;
    this.#memory = options.memory;
    this.#experts = new ExpertConsents(options.memory);
    this.#log = options.logger.child({ roomId: this.roomId });
    this.#onClosed = options.onClosed;
    this.#onRecordingConsent = options.onRecordingConsent;
    this.media.on('producerCreated', (producer, owner) => void this.#onProducerCreated(producer, owner));
    this.media.on('activeSpeakerChanged', (peerId) => this.#onActiveSpeaker(peerId));
    this.media.on('close', (reason) => this.#onMediaClosed(reason));
  }

  get closed(): boolean {
    return this.media.closed;
  }

  get isEmpty(): boolean {
    return this.#participants.size === 0;
  }

  get joinedPeers(): PeerInfo[] {
    return this.#joined().map((p) => p.info!);
  }

  /** Where a joined participant is, for tests and the mediator's view. */
  spaceOf(peerId: PeerId): SpaceId | undefined {
    return this.#participants.get(peerId)?.space;
  }

  /** Registers a connection (idempotent) and returns its media peer. */
  attach(peerId: PeerId, connection: ParticipantConnection): MediaPeer {
    if (this.closed) throw new AppError('UNAVAILABLE', 'the room is restarting; join again');
    const peer = this.media.peer(peerId);
    if (!this.#participants.has(peerId)) {
      const { notify } = connection;
      this.#participants.set(peerId, { ...connection, peerId, info: null, space: 'lobby', since: new Date() });
      peer.on('consumerClosed', (consumerId) => notify('media:consumerClosed', { consumerId }));
      peer.on('consumerPaused', (consumerId) => notify('media:consumerPaused', { consumerId }));
      peer.on('consumerResumed', (consumerId) => notify('media:consumerResumed', { consumerId }));
    }
    return peer;
  }

  isJoined(peerId: PeerId): boolean {
    return Boolean(this.#participants.get(peerId)?.info);
  }

  join(info: PeerInfo): SpaceView & { consented: boolean; roster: RosterEntry[] | null } {
    const participant = this.#participants.get(info.peerId);
    if (!participant) throw new AppError('CONFLICT', 'create the transports before joining');
    if (participant.info) throw new AppError('CONFLICT', 'already joined');
    // The same person on the same device again: a reconnection whose old socket
    // has not timed out yet. The new connection takes over.
    for (const stale of this.#participants.values()) {
      if (stale.key === participant.key && stale.peerId !== info.peerId) this.remove(stale.peerId, 'openedElsewhere');
    }
    participant.info = info;
    if (info.role === 'party') this.#experts.partyJoined(participant.key);
    participant.space = this.#entrySpace(participant.key, info);
    participant.since = new Date();
    this.#memory.spaces.set(participant.key, participant.space);
    this.#memory.lastActive = Date.now();
    this.#log.info({ peerId: info.peerId, role: info.role, space: participant.space }, 'LiveRoom.join()');
    this.#broadcast(participant.space, 'room:peerJoined', { peer: info }, info.peerId);
    this.#rosterChanged();
    this.#askAboutExperts(participant);
    const moderator = permissionsOf(info.role).canModerate;
    return {
      ...this.#viewOf(participant),
      consented: this.#consented(participant),
      roster: moderator ? this.#roster() : null,
    };
  }

  get activeSpeaker(): PeerId | null {
    return this.media.activeSpeaker;
  }

  /** Start receiving the media of everyone in one's space; called once the join (or a move) has been answered. */
  async consumeSpace(peerId: PeerId): Promise<void> {
    const receiver = this.#participants.get(peerId);
    if (!receiver?.info) return;
    for (const sender of this.#joined()) {
      if (sender.peerId === peerId || !this.#mayExchange(receiver, sender)) continue;
      for (const producer of this.media.getPeer(sender.peerId)?.producers ?? [])
        await this.#consume(receiver, producer);
    }
  }

  /** Media may start only once a recorded session has the participant's consent. */
  mayProduce(peerId: PeerId): boolean {
    const participant = this.#participants.get(peerId);
    return Boolean(participant?.info) && this.#consented(participant!);
  }

  consentToRecording(peerId: PeerId): void {
    const participant = this.#requireJoined(peerId);
    const first = !this.#memory.consented.has(participant.key);
    this.#memory.consented.add(participant.key);
    this.#log.info({ peerId, key: participant.key }, 'LiveRoom.consentToRecording()');
    if (first) {
      const { displayName, role } = participant.info!;
      this.#onRecordingConsent?.({ roomId: this.roomId, peerId, participantKey: participant.key, displayName, role });
    }
    this.#rosterChanged();
    // Their consent lets media flow both ways now.
    void this.consumeSpace(peerId);
    for (const other of this.#joined()) {
      if (other.peerId !== peerId && this.#mayExchange(other, participant)) {
        for (const producer of this.media.getPeer(peerId)?.producers ?? []) void this.#consume(other, producer);
      }
    }
  }

  /** A party's answer to an expert taking part (expertConsent.ts); their media starts flowing on a yes. */
  consentToExpert(partyPeerId: PeerId, expertPeerId: PeerId, consent: boolean): void {
    const party = this.#requireJoined(partyPeerId);
    const expert = this.#requireJoined(expertPeerId);
    if (party.info!.role !== 'party') throw new AppError('FORBIDDEN', 'only the parties answer for an expert');
    if (expert.info!.role !== 'expert') throw new AppError('CONFLICT', 'they are not an expert');
    this.#experts.record(expert.key, party.key, consent);
    this.#log.info({ partyPeerId, expertPeerId, consent }, 'LiveRoom.consentToExpert()');
    expert.notify('session:expertConsentChanged', this.#expertConsentOf(expert));
    this.#rosterChanged();
    // A change of mind closes what flowed; a yes starts it both ways.
    if (!consent) return this.#closeCrossingConsumers(party);
    void this.consumeSpace(partyPeerId);
    void this.consumeSpace(expertPeerId);
  }

  chat(peerId: PeerId, text: string): ChatMessage {
    const sender = this.#requireJoined(peerId);
    if (sender.space === 'lobby') throw new AppError('FORBIDDEN', 'chat opens once you are admitted');
    const message: ChatMessage = {
      messageId: randomUUID(),
      peerId,
      displayName: sender.info!.displayName,
      text,
      at: new Date().toISOString(),
    };
    this.#memory.addChat(sender.space, message);
    this.#broadcast(sender.space, 'chat:messageReceived', message, peerId);
    return message;
  }

  /**
   * Moves a joined participant to another space. Consumers that would cross
   * the new boundary are closed first, then the new space's media is
   * consumed: nobody outside a caucus ever holds a consumer of it.
   */
  async move(peerId: PeerId, space: SpaceId): Promise<void> {
    const participant = this.#requireJoined(peerId);
    if (space !== 'lobby' && space !== 'main' && !this.#memory.caucuses.has(space)) {
      throw new AppError('NOT_FOUND', 'no such caucus');
    }
    if (participant.space === space) return;
    const from = participant.space;
    participant.space = space;
    participant.since = new Date();
    this.#memory.spaces.set(participant.key, space);
    this.#log.info({ peerId, from, to: space }, 'LiveRoom.move()');

    this.#closeCrossingConsumers(participant);
    this.#broadcast(from, 'room:peerLeft', { peerId }, peerId);
    this.#broadcast(space, 'room:peerJoined', { peer: participant.info! }, peerId);
    participant.notify('session:spaceChanged', this.#viewOf(participant));
    this.#rosterChanged();
    this.#askAboutExperts(participant);

    await this.consumeSpace(peerId);
    for (const other of this.#joined()) {
      if (other.peerId === peerId || !this.#mayExchange(other, participant)) continue;
      for (const producer of this.media.getPeer(peerId)?.producers ?? []) await this.#consume(other, producer);
    }
  }

  /** Opens a caucus, moves the given participants and the mediator into it. */
  async openCaucus(mediator: PeerId, peerIds: PeerId[]): Promise<SpaceId> {
    for (const peerId of peerIds) {
      const p = this.#requireJoined(peerId);
      if (p.space === 'lobby') throw new AppError('CONFLICT', 'admit them before a caucus');
    }
    const space = this.#memory.newCaucus();
    for (const peerId of [mediator, ...peerIds.filter((p) => p !== mediator)]) await this.move(peerId, space);
    return space;
  }

  async endCaucuses(): Promise<void> {
    for (const participant of this.#joined()) {
      if (participant.space.startsWith('caucus-')) await this.move(participant.peerId, 'main');
    }
    for (const space of [...this.#memory.caucuses]) this.#memory.closeCaucus(space);
    this.#rosterChanged();
  }

  /** Tells a participant why and ends their connection; the mediator's removal, or a takeover. */
  remove(peerId: PeerId, reason: Notifications['session:removed']['reason']): void {
    const participant = this.#participants.get(peerId);
    if (!participant) throw new AppError('NOT_FOUND', 'no such participant in this session');
    this.#log.info({ peerId, reason }, 'LiveRoom.remove()');
    if (reason === 'removedByMediator') this.#memory.spaces.set(participant.key, 'lobby');
    participant.notify('session:removed', { reason });
    this.leave(peerId);
    participant.disconnect();
  }

  /** Removes everyone who came in with this link (it was revoked); returns how many. */
  removeLink(linkId: string): number {
    const prefix = `${linkId}:`;
    const leaving = [...this.#participants.values()].filter((p) => p.key.startsWith(prefix));
    for (const participant of leaving) this.remove(participant.peerId, 'linkRevoked');
    return leaving.length;
  }

  /** Removes a participant and its media (idempotent). Returns true when the room became empty. */
  leave(peerId: PeerId): boolean {
    const participant = this.#participants.get(peerId);
    if (!participant) return this.isEmpty;
    this.#participants.delete(peerId);
    this.media.getPeer(peerId)?.close();
    this.#memory.lastActive = Date.now();
    if (participant.info) {
      this.#log.info({ peerId }, 'LiveRoom.leave()');
      this.#broadcast(participant.space, 'room:peerLeft', { peerId });
      this.#rosterChanged();
    }
    return this.isEmpty;
  }

  close(): void {
    this.media.close('closed');
  }

  #entrySpace(key: string, info: PeerInfo): SpaceId {
    const remembered = this.#memory.spaces.get(key);
    if (remembered && (remembered === 'main' || remembered === 'lobby' || this.#memory.caucuses.has(remembered))) {
      return remembered;
    }
    return this.settings.waitingRoom && permissionsOf(info.role).waitsInLobby ? 'lobby' : 'main';
  }

  #consented(participant: Participant): boolean {
    return !this.settings.recording || this.#memory.consented.has(participant.key);
  }

  #mayExchange(a: Participant, b: Participant): boolean {
    return (
      Boolean(a.info && b.info) &&
      a.space === b.space &&
      a.space !== 'lobby' &&
      this.#consented(a) &&
      this.#consented(b) &&
      this.#expertAllowed(a, b) &&
      this.#expertAllowed(b, a)
    );
  }

  /** An expert and a party exchange media only once that party has agreed. */
  #expertAllowed(expert: Participant, other: Participant): boolean {
    return (
      expert.info?.role !== 'expert' || other.info?.role !== 'party' || this.#experts.allows(expert.key, other.key)
    );
  }

  /** Asks the parties sharing a space with an expert who have not answered yet, whoever of them just arrived. */
  #askAboutExperts(arrived: Participant): void {
    if (arrived.space === 'lobby' || !arrived.info) return;
    const here = this.#joined().filter((p) => p.space === arrived.space);
    for (const expert of here.filter((p) => p.info!.role === 'expert')) {
      for (const party of here.filter((p) => p.info!.role === 'party')) {
        if ((expert === arrived || party === arrived) && this.#experts.pending(expert.key, party.key)) {
          party.notify('session:expertConsentRequested', { expert: expert.info! });
        }
      }
      if (expert === arrived) expert.notify('session:expertConsentChanged', this.#expertConsentOf(expert));
    }
  }

  #expertConsentOf(expert: Participant): { cleared: boolean; declinedBy: string[] } {
    const names = new Map(this.#joined().map((p) => [p.key, p.info!.displayName]));
    return {
      cleared: this.#experts.cleared(linkOfKey(expert.key)),
      declinedBy: this.#experts.declined(expert.key).map((key) => names.get(key) ?? '—'),
    };
  }

  #closeCrossingConsumers(moved: Participant): void {
    const movedPeer = this.media.getPeer(moved.peerId);
    for (const other of this.#participants.values()) {
      if (other.peerId === moved.peerId || this.#mayExchange(moved, other)) continue;
      const otherPeer = this.media.getPeer(other.peerId);
      for (const consumer of movedPeer?.consumers ?? []) {
        if (consumer.appData.producerPeerId === other.peerId) this.#closeConsumer(moved, consumer.id as ConsumerId);
      }
      for (const consumer of otherPeer?.consumers ?? []) {
        if (consumer.appData.producerPeerId === moved.peerId) this.#closeConsumer(other, consumer.id as ConsumerId);
      }
    }
  }

  #closeConsumer(holder: Participant, consumerId: ConsumerId): void {
    this.media.getPeer(holder.peerId)?.closeConsumer(consumerId);
    holder.notify('media:consumerClosed', { consumerId });
  }

  async #onProducerCreated(producer: Producer, owner: MediaPeer): Promise<void> {
    const sender = this.#participants.get(owner.peerId);
    if (!sender?.info) return; // consumed by the others when it joins
    for (const receiver of this.#joined()) {
      if (receiver.peerId !== owner.peerId && this.#mayExchange(receiver, sender))
        await this.#consume(receiver, producer);
    }
  }

  async #consume(receiver: Participant, producer: Producer): Promise<void> {
    const receiverPeer = this.media.getPeer(receiver.peerId);
    const sender = this.#participants.get(producer.appData.peerId);
    if (!receiverPeer || !sender || producer.closed || receiverPeer.closed) return;
    // Checked again here, after any await of the caller: the line may have moved meanwhile.
    if (!this.#mayExchange(receiver, sender)) return;
    try {
      const consumer = await receiverPeer.consume(producer);
      if (!consumer) return;
      if (!this.#mayExchange(receiver, sender)) {
        consumer.close(); // someone moved while the worker created it
        return;
      }
      receiver.notify('media:consumerCreated', {
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
      if (!receiverPeer.closed && !producer.closed) {
        this.#log.warn({ err: error, peerId: receiver.peerId, producerId: producer.id }, 'LiveRoom.consume() failed');
      }
    }
  }

  #onActiveSpeaker(peerId: PeerId | null): void {
    // Say who speaks only to those who can hear them.
    const speaker = peerId ? this.#participants.get(peerId) : undefined;
    for (const participant of this.#joined()) {
      const audible = speaker && (speaker === participant || this.#mayExchange(participant, speaker));
      participant.notify('room:activeSpeakerChanged', { peerId: audible ? peerId : null });
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

  #viewOf(participant: Participant): SpaceView {
    const peers =
      participant.space === 'lobby'
        ? []
        : this.#joined()
            .filter((p) => p.peerId !== participant.peerId && p.space === participant.space)
            .map((p) => p.info!);
    return {
      space: participant.space,
      since: participant.since.toISOString(),
      peers,
      chat: participant.space === 'lobby' ? [] : this.#memory.chatOf(participant.space),
    };
  }

  #roster(): RosterEntry[] {
    return this.#joined().map((p) => ({
      ...p.info!,
      space: p.space,
      since: p.since.toISOString(),
      consented: this.#consented(p),
      ...(p.info!.role === 'expert' && { expertConsent: this.#expertConsentOf(p) }),
    }));
  }

  #rosterChanged(): void {
    const moderators = this.#joined().filter((p) => permissionsOf(p.info!.role).canModerate);
    if (moderators.length === 0) return;
    const roster = this.#roster();
    for (const moderator of moderators) moderator.notify('session:rosterChanged', { roster });
  }

  #requireJoined(peerId: PeerId): Participant {
    const participant = this.#participants.get(peerId);
    if (!participant?.info) throw new AppError('NOT_FOUND', 'no such participant in this session');
    return participant;
  }

  #joined(): Participant[] {
    return [...this.#participants.values()].filter((p) => p.info);
  }

  #broadcast<K extends keyof Notifications>(space: SpaceId, name: K, payload: Notifications[K], except?: PeerId): void {
    if (space === 'lobby') return; // waiting participants neither see nor hear each other
    for (const participant of this.#joined()) {
      if (participant.peerId !== except && participant.space === space) participant.notify(name, payload);
    }
  }
}
