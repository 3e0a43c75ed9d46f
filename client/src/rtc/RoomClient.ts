/**
 * One person in one room, from the join click to leaving: connects, joins,
 * receives media (sending is the Sender's), and recovers by itself from
 * network drops and media resets by joining again. The UI reads `store` and
 * calls the controls; it never touches mediasoup or the socket.
 */
import type { PeerId } from '../../../shared/ids';
import type { Notifications } from '../../../shared/protocol';
import { permissionsOf, type RoomPermissions } from '../../../shared/roles';
import { deviceId } from '../signaling/deviceId';
import { codeOf, isFatalHandshake, isFatalRequest, RequestError, type ClientErrorCode } from '../signaling/errors';
import { SignalingClient } from '../signaling/SignalingClient';
import { Store } from '../store';
import { IceRecovery } from './IceRecovery';
import type { LocalMedia } from './LocalMedia';
import { markOnce } from './marks';
import { MediaSession, SessionClosed } from './MediaSession';
import type { OutboundStat } from './Publisher';
import { Moderation } from './Moderation';
import type { InboundStat } from './RemoteMedia';
import { initialSnapshot, type RemovedReason, type RoomSnapshot } from './roomSnapshot';
import { Sender } from './Sender';

export type { RoomSnapshot, RoomStatus } from './roomSnapshot';

export interface RoomClientOptions {
  origin: string;
  token: string;
  displayName: string;
  /** Owned by the room client from now on: it closes the tracks on leave. */
  local: LocalMedia;
  micOn: boolean;
  cameraOn: boolean;
  /** What the link says about publishing, until the server tells us our role. */
  permissions: RoomPermissions;
  /** Settles once the microphone and camera asked for are open (or failed): joining does not wait for it, sending does. */
  localReady?: Promise<unknown>;
}

const MAX_BACKOFF_MS = 8_000;
const LEAVE_WAIT_MS = 1_500;

export class RoomClient {
  readonly store: Store<RoomSnapshot>;
  readonly displayName: string;
  /** Where the page was served from and the join link's token: the agreement's connection uses them too. */
  readonly origin: string;
  readonly token: string;
  /** The mediator's controls; the server refuses them to every other role. */
  readonly moderation: Moderation;
  readonly #signaling: SignalingClient;
  readonly #local: LocalMedia;
  readonly #unsubscribe: (() => void)[] = [];
  #session: MediaSession | null = null;
  #ice: IceRecovery | null = null;
  #finished = false;
  #everJoined = false;
  #attempt = 0;
  #connectFailures = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  readonly #sender: Sender;

  constructor(opts: RoomClientOptions) {
    this.#signaling = new SignalingClient(opts.origin, opts.token, deviceId());
    this.#local = opts.local;
    this.displayName = opts.displayName.trim();
    this.origin = opts.origin;
    this.token = opts.token;
    this.store = new Store<RoomSnapshot>(initialSnapshot(opts));
    this.moderation = new Moderation(this.#signaling);
    this.#sender = new Sender({
      store: this.store,
      local: this.#local,
      session: () => this.#session,
      onFailure: (session, error) => this.#onFailure(session, error),
      localReady: (opts.localReady ?? Promise.resolve()).catch(() => undefined),
    });
    this.#local.onEnded = (source) => this.#sender.onTrackEnded(source);
    this.#listen();
    window.addEventListener('offline', this.#onOffline);
    window.addEventListener('online', this.#onOnline);
  }

  get peerId(): PeerId | null {
    return this.store.get().self?.peerId ?? null;
  }

  start(): void {
    this.#signaling.connect();
  }

  setMicOn(on: boolean): Promise<void> {
    return this.#sender.setMicOn(on);
  }

  setCameraOn(on: boolean): Promise<void> {
    return this.#sender.setCameraOn(on);
  }

  startScreenShare(): Promise<void> {
    return this.#sender.startScreenShare();
  }

  stopScreenShare(): Promise<void> {
    return this.#sender.stopScreenShare();
  }

  /** Recorded sessions: the person agrees to the recording; media starts with it. */
  async consentToRecording(): Promise<void> {
    const session = this.#session;
    if (!session || this.store.get().status !== 'joined') return;
    try {
      await this.#signaling.request('session:consentToRecording', {});
      this.store.set({ consented: true });
      await this.#sender.publishWanted(session);
    } catch (error) {
      this.#onFailure(session, error);
    }
  }

  /** A party's answer to an expert asking to take part. */
  async answerExpert(expertPeerId: PeerId, consent: boolean): Promise<void> {
    await this.#signaling.request('session:consentToExpert', { expertPeerId, consent });
    this.store.set({ expertsAsking: this.store.get().expertsAsking.filter((e) => e.peerId !== expertPeerId) });
  }

  /** Sends a chat message to everyone in our space; the server does not echo it back to us. */
  async sendChat(text: string): Promise<void> {
    const { message } = await this.#signaling.request('chat:send', { text });
    this.store.set({ chat: [...this.store.get().chat, message] });
  }

  /** Leaves for good (the UI offers to join again with a new room client). */
  async leave(): Promise<void> {
    if (this.#finished) return;
    const wasJoined = this.store.get().status === 'joined';
    this.#finish();
    this.store.set({ status: 'left', peers: [], activeSpeakerPeerId: null });
    if (wasJoined && this.#signaling.connected) {
      // Tell the others at once; if the answer is slow, the disconnect tells them anyway.
      const told = this.#signaling.request('room:leave', {}).catch(() => undefined);
      await Promise.race([told, new Promise((resolve) => setTimeout(resolve, LEAVE_WAIT_MS))]);
    }
    this.#endSession();
    this.#signaling.disconnect();
  }

  async getInboundStats(): Promise<InboundStat[]> {
    return (await this.#session?.remote.inboundStats()) ?? [];
  }

  async getOutboundStats(): Promise<OutboundStat[]> {
    return (await this.#session?.publisher?.outboundStats()) ?? [];
  }

  #listen(): void {
    const s = this.#signaling;
    const on = <K extends keyof Notifications>(
      name: K,
      fn: (payload: Notifications[K], session: MediaSession) => void,
    ) =>
      this.#unsubscribe.push(
        s.onNotification(name, (payload) => {
          const session = this.#session;
          if (session && !session.closed && !this.#finished) fn(payload, session);
        }),
      );
    this.#unsubscribe.push(
      s.on('connect', () => this.#onConnect()),
      s.on('disconnect', (willReconnect) => this.#onDisconnect(willReconnect)),
      s.on('connectError', (code, message) => this.#onConnectError(code, message)),
    );
    on('room:peerJoined', ({ peer }, session) => session.remote.addPeer(peer));
    on('room:peerLeft', ({ peerId }, session) => session.remote.removePeer(peerId));
    on('room:activeSpeakerChanged', ({ peerId }) => this.store.set({ activeSpeakerPeerId: peerId }));
    on('room:mediaReset', () => this.#recover());
    on('media:consumerCreated', (created, session) => {
      session.consume(created).catch((error: unknown) => this.#onFailure(session, error));
    });
    on('media:consumerClosed', ({ consumerId }, session) => session.remote.close(consumerId));
    on('media:consumerPaused', ({ consumerId }, session) => session.remote.setPaused(consumerId, true));
    on('media:consumerResumed', ({ consumerId }, session) => session.remote.setPaused(consumerId, false));
    on('session:spaceChanged', ({ space, since, peers, chat }, session) => {
      // The server has closed the consumers that crossed the new line; the new space's follow.
      this.store.set({ space, spaceSince: since, chat, activeSpeakerPeerId: null });
      session.remote.setPeers(peers);
    });
    on('session:rosterChanged', ({ roster }) => this.store.set({ roster }));
    on('session:expertConsentRequested', ({ expert }) => {
      const asking = this.store.get().expertsAsking.filter((e) => e.peerId !== expert.peerId);
      this.store.set({ expertsAsking: [...asking, expert] });
    });
    on('session:expertConsentChanged', (expertConsent) => this.store.set({ expertConsent }));
    on('chat:messageReceived', (message) => this.store.set({ chat: [...this.store.get().chat, message] }));
    on('session:removed', ({ reason }) => this.#removed(reason));
  }

  readonly #onOffline = () => {
    if (this.store.get().status === 'joined') this.store.set({ mediaInterrupted: true });
  };

  /** Back online: try at once rather than at the end of socket.io's current backoff. */
  readonly #onOnline = () => {
    if (this.#finished) return;
    if (this.store.get().status === 'joined') {
      this.store.set({ mediaInterrupted: this.#ice?.interrupted ?? false });
    }
    if (!this.#signaling.connected) {
      this.#signaling.disconnect();
      this.#signaling.connect();
    }
  };

  #onConnect(): void {
    markOnce('socketConnected');
    this.#connectFailures = 0;
    if (!this.#finished) void this.#join();
  }

  #onDisconnect(willReconnect: boolean): void {
    if (this.#finished) return;
    this.#endSession();
    this.store.set({ status: this.#everJoined ? 'reconnecting' : 'connecting', peers: [], activeSpeakerPeerId: null });
    // socket.io retries a lost network by itself, but not a disconnect by the server or by us.
    if (!willReconnect) this.#scheduleConnect();
  }

  #onConnectError(code: ClientErrorCode | null, message: string): void {
    if (this.#finished) return;
    if (code && isFatalHandshake(code)) return this.#fail(code, message);
    // A refusal for now (server starting, busy): socket.io will not retry that by itself.
    if (code) return this.#scheduleConnect();
    this.#connectFailures += 1;
    if (this.#connectFailures >= 3) this.store.set({ slow: true });
  }

  async #join(): Promise<void> {
    this.#endSession();
    const session = new MediaSession({
      signaling: this.#signaling,
      mayPublish: this.store.get().permissions.canPublish,
      onTransportState: (transport, state) => {
        if (state === 'connected' && transport.appData.direction === 'recv') markOnce('iceDtlsConnected');
        if (session === this.#session) this.#ice?.onState(transport, state);
      },
      onChange: () => {
        if (session === this.#session) this.store.set({ peers: session.remote.views() });
      },
    });
    this.#session = session;
    this.#ice = new IceRecovery(
      this.#signaling,
      (error) => this.#onFailure(session, error),
      (interrupted) => {
        if (session === this.#session) this.store.set({ mediaInterrupted: interrupted || !navigator.onLine });
      },
    );
    try {
      const joined = await session.join(this.displayName);
      const permissions = permissionsOf(joined.self.role);
      this.#everJoined = true;
      this.#attempt = 0;
      this.store.set({
        status: 'joined',
        self: joined.self,
        title: joined.title,
        caseId: joined.caseId ?? null,
        space: joined.space,
        spaceSince: joined.since,
        chat: joined.chat,
        permissions,
        peers: session.remote.views(),
        activeSpeakerPeerId: joined.activeSpeakerPeerId,
        recording: joined.recording,
        consented: joined.consented,
        roster: joined.roster,
        slow: false,
        mediaInterrupted: !navigator.onLine,
      });
      if (!permissions.canPublish) this.#sender.dropLocalMedia();
      await this.#sender.publishWanted(session);
    } catch (error) {
      this.#onFailure(session, error);
    }
  }

  /** Decides what a failure means: nothing, a fresh join, or the end. */
  #onFailure(session: MediaSession, error: unknown): void {
    if (this.#finished || session !== this.#session || error instanceof SessionClosed) return;
    const code = codeOf(error);
    // The socket's own disconnect handling rebuilds the session.
    if (code === 'DISCONNECTED') return;
    if (isFatalRequest(code)) return this.#fail(code, error instanceof Error ? error.message : String(error));
    // A consumer or producer that went away meanwhile is the normal race, not a broken session.
    if (code === 'NOT_FOUND' && this.store.get().status === 'joined') return;
    // Errors that are not the server's (a local WebRTC hiccup on one track) do not justify a rejoin.
    if (!(error instanceof RequestError) && this.store.get().status === 'joined' && !session.closed) return;
    this.#recover();
  }

  /** Drops the session and joins again on a fresh connection (the server forgets the old one with it). */
  #recover(): void {
    if (this.#finished) return;
    this.#endSession();
    this.store.set({ status: this.#everJoined ? 'reconnecting' : 'connecting', peers: [], activeSpeakerPeerId: null });
    this.#signaling.disconnect();
    this.#scheduleConnect();
  }

  #scheduleConnect(): void {
    if (this.#timer || this.#finished) return;
    const base = this.#attempt === 0 ? 0 : Math.min(500 * 2 ** this.#attempt, MAX_BACKOFF_MS);
    this.#attempt += 1;
    // Jitter, so a room whose server restarted does not come back all in the same millisecond.
    this.#timer = setTimeout(
      () => {
        this.#timer = null;
        if (!this.#finished && !this.#signaling.connected) this.#signaling.connect();
      },
      base * (0.75 + Math.random() * 0.5),
    );
  }

  #endSession(): void {
    this.#ice?.dispose();
    this.#ice = null;
    this.#session?.close();
    this.#session = null;
  }

  #finish(): void {
    this.#finished = true;
    window.removeEventListener('offline', this.#onOffline);
    window.removeEventListener('online', this.#onOnline);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#local.onEnded = () => {};
    this.#local.closeAll();
  }

  /** The mediator removed us, or the same link was opened on this device again: no reconnecting then. */
  #removed(reason: RemovedReason): void {
    this.#finish();
    this.#endSession();
    this.#signaling.disconnect();
    this.store.set({ status: 'left', removed: reason, peers: [], activeSpeakerPeerId: null });
  }

  #fail(code: ClientErrorCode, message: string): void {
    this.#finish();
    this.#endSession();
    this.#signaling.disconnect();
    this.store.set({ status: 'error', error: { code, message }, peers: [] });
  }
}
