/**
 * One join over one socket connection: a Device loaded with the router's
 * capabilities, the send and recv transports, what we receive and what we
 * send. A network drop or a media reset ends the session; the next join
 * builds a new one. Closing it at any point, even halfway through `join()`,
 * releases everything it created.
 */
import type { Device, types as msc } from 'mediasoup-client';
import type { ResponseData } from '../../../shared/protocol';
import { RequestError } from '../signaling/errors';
import type { SignalingClient } from '../signaling/SignalingClient';
import { markOnce } from './marks';
import { Publisher } from './Publisher';
import { RemoteMedia } from './RemoteMedia';
import { createTransport, type SessionTransport } from './transports';
import { newDevice } from './warmUp';

/** Thrown by a session's pending work once the session was closed; never shown. */
export class SessionClosed extends Error {
  constructor() {
    super('the media session was closed');
    this.name = 'SessionClosed';
  }
}

export interface MediaSessionOptions {
  signaling: SignalingClient;
  /** False when the link is known to be watch-only: then no send transport is asked for. */
  mayPublish: boolean;
  onTransportState: (transport: SessionTransport, state: msc.ConnectionState) => void;
  /** Something a participant sees changed (peers, tracks, mute states). */
  onChange: () => void;
}

export type JoinResult = ResponseData<'room:join'>;

export class MediaSession {
  readonly remote: RemoteMedia;
  #send: SessionTransport | null = null;
  #recv: SessionTransport | null = null;
  #publisher: Publisher | null = null;
  #closed = false;
  readonly #opts: MediaSessionOptions;
  readonly #recvConnected: Promise<void>;
  #markRecvConnected: () => void = () => {};

  constructor(opts: MediaSessionOptions) {
    this.#recvConnected = new Promise((resolve) => (this.#markRecvConnected = resolve));
    const onTransportState = opts.onTransportState;
    this.#opts = {
      ...opts,
      onTransportState: (transport, state) => {
        if (transport.appData.direction === 'recv' && state === 'connected') this.#markRecvConnected();
        onTransportState(transport, state);
      },
    };
    this.remote = new RemoteMedia(opts.onChange);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Null until joined, and for a link that may not publish. */
  get publisher(): Publisher | null {
    return this.#publisher;
  }

  /** Steps 2 to 4 of the join, in the order the server expects. */
  async join(displayName: string): Promise<JoinResult> {
    const { signaling } = this.#opts;
    const [{ rtpCapabilities }, device] = await Promise.all([
      signaling.request('room:getRouterRtpCapabilities', {}),
      newDevice(),
    ]);
    await device.load({ routerRtpCapabilities: rtpCapabilities });
    this.#assertOpen();
    markOnce('routerCapabilities');

    // Both at once: one round trip less on the way in. Settled, so one failing never orphans the other.
    const [sendResult, recvResult] = await Promise.allSettled([
      this.#opts.mayPublish && device.canProduce('audio') ? this.#createSend(device) : null,
      createTransport(signaling, device, 'recv', this.#opts.onTransportState),
    ]);
    this.#send = sendResult.status === 'fulfilled' ? sendResult.value : null;
    this.#recv = recvResult.status === 'fulfilled' ? recvResult.value : null;
    this.#assertOpen();
    if (sendResult.status === 'rejected' || recvResult.status === 'rejected') {
      this.close();
      throw sendResult.status === 'rejected' ? sendResult.reason : (recvResult as PromiseRejectedResult).reason;
    }
    const send = this.#send;
    markOnce('transportsCreated');

    const joined = await signaling.request('room:join', { displayName, rtpCapabilities: device.recvRtpCapabilities });
    this.#assertOpen();
    this.remote.setPeers(joined.peers);
    if (send) this.#publisher = new Publisher(send, signaling);
    markOnce('joined');
    return joined;
  }

  async consume(created: Parameters<RemoteMedia['consume']>[1]): Promise<void> {
    const recv = this.#recv;
    if (!recv || this.#closed) return;
    if (!(await this.remote.consume(recv, created))) return;
    this.#assertOpen();
    await this.#opts.signaling.request('media:resumeConsumer', { consumerId: created.consumerId });
  }

  /**
   * Resolves once the others' media has a path to us, at once when there is
   * nobody to receive from, and after `maxWaitMs` at the latest.
   */
  receiving(maxWaitMs: number): Promise<void> {
    if (this.remote.views().length === 0) return Promise.resolve();
    return Promise.race([this.#recvConnected, new Promise<void>((resolve) => setTimeout(resolve, maxWaitMs))]);
  }

  /** Idempotent. Closing the transports closes every producer and consumer on them. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.remote.closeAll();
    this.#send?.close();
    this.#recv?.close();
  }

  async #createSend(device: Device): Promise<SessionTransport | null> {
    try {
      return await createTransport(this.#opts.signaling, device, 'send', this.#opts.onTransportState);
    } catch (error) {
      // A watch-only link that we did not recognise as such: join without sending.
      if (error instanceof RequestError && error.code === 'FORBIDDEN') return null;
      throw error;
    }
  }

  #assertOpen(): void {
    if (!this.#closed) return;
    this.#send?.close();
    this.#recv?.close();
    throw new SessionClosed();
  }
}
