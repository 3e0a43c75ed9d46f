/**
 * Keeps a session's transports connected while the socket is up: when the
 * network under a transport changes (Wi-Fi to 4G, a NAT binding lost), ask the
 * server for new ICE credentials and restart ICE. If that does not bring the
 * transport back, give up and let the room client join again from scratch.
 */
import type { types as msc } from 'mediasoup-client';
import type { SignalingClient } from '../signaling/SignalingClient';
import { restartIce, type SessionTransport } from './transports';

// Long enough for ICE to find a path over a slow mobile network after a restart.
const RESTART_GRACE_MS = 15_000;
// After a network switch the socket often looks alive for up to 25 s (until its
// ping times out). A restart request unanswered this long means it is not.
const RESTART_REQUEST_TIMEOUT_MS = 4_000;

export class IceRecovery {
  readonly #signaling: SignalingClient;
  readonly #onGiveUp: (error: unknown) => void;
  readonly #restarting = new Set<SessionTransport>();
  readonly #watchdogs = new Map<SessionTransport, ReturnType<typeof setTimeout>>();
  readonly #broken = new Set<SessionTransport>();
  readonly #onInterrupted: (interrupted: boolean) => void;
  #disposed = false;

  constructor(
    signaling: SignalingClient,
    onGiveUp: (error: unknown) => void,
    /** Media stopped flowing (a transport lost its path), or came back: for the "reconnecting" banner. */
    onInterrupted: (interrupted: boolean) => void,
  ) {
    this.#signaling = signaling;
    this.#onGiveUp = onGiveUp;
    this.#onInterrupted = onInterrupted;
  }

  /** Some transport has lost its path right now. */
  get interrupted(): boolean {
    return this.#broken.size > 0;
  }

  onState(transport: SessionTransport, state: msc.ConnectionState): void {
    if (this.#disposed) return;
    const wasBroken = this.#broken.size > 0;
    if (state === 'disconnected' || state === 'failed') this.#broken.add(transport);
    else this.#broken.delete(transport);
    if (wasBroken !== this.#broken.size > 0) this.#onInterrupted(!wasBroken);
    if (state === 'connected') {
      clearTimeout(this.#watchdogs.get(transport));
      this.#watchdogs.delete(transport);
      return;
    }
    if (state !== 'disconnected' && state !== 'failed') return;
    // Without a socket the server has already dropped this transport; the rejoin on reconnect replaces it.
    if (!this.#signaling.connected || this.#restarting.has(transport)) return;
    this.#restarting.add(transport);
    restartIce(this.#signaling, transport, RESTART_REQUEST_TIMEOUT_MS)
      .then(() => this.#arm(transport))
      .catch((error: unknown) => {
        if (!this.#disposed && !transport.closed) this.#onGiveUp(error);
      })
      .finally(() => this.#restarting.delete(transport));
  }

  dispose(): void {
    this.#disposed = true;
    if (this.#broken.size) this.#onInterrupted(false);
    this.#broken.clear();
    for (const timer of this.#watchdogs.values()) clearTimeout(timer);
    this.#watchdogs.clear();
  }

  #arm(transport: SessionTransport): void {
    if (this.#disposed || this.#watchdogs.has(transport)) return;
    const timer = setTimeout(() => {
      this.#watchdogs.delete(transport);
      if (!this.#disposed && !transport.closed && transport.connectionState !== 'connected') {
        this.#onGiveUp(new Error('ICE did not recover after a restart'));
      }
    }, RESTART_GRACE_MS);
    this.#watchdogs.set(transport, timer);
  }
}
