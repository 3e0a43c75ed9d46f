/**
 * What this session sends: at most one producer per source (the server
 * enforces the same). Tracks belong to LocalMedia; producers only borrow them.
 */
import type { types as msc } from 'mediasoup-client';
import type { ProducerId } from '../../../shared/ids';
import type { MediaSource } from '../../../shared/protocol';
import { RequestError } from '../signaling/errors';
import type { SignalingClient } from '../signaling/SignalingClient';
import type { ProducerAppData, SessionTransport } from './transports';

export interface OutboundStat {
  kind: string;
  source: string;
  packetsSent: number;
  bytesSent: number;
}

// Two simulcast layers: the SFU forwards the small one to whoever cannot take
// more (a phone on a weak 4G cell) without slowing down everyone else.
const CAMERA_ENCODINGS: msc.RtpEncodingParameters[] = [
  { scaleResolutionDownBy: 2, maxBitrate: 150_000, maxFramerate: 15 },
  { scaleResolutionDownBy: 1, maxBitrate: 600_000, maxFramerate: 24 },
];
const SCREEN_ENCODINGS: msc.RtpEncodingParameters[] = [{ maxBitrate: 1_500_000 }];

export class Publisher {
  readonly #transport: SessionTransport;
  readonly #signaling: SignalingClient;
  readonly #producers = new Map<MediaSource, msc.Producer<ProducerAppData>>();

  constructor(transport: SessionTransport, signaling: SignalingClient) {
    this.#transport = transport;
    this.#signaling = signaling;
  }

  has(source: MediaSource): boolean {
    return this.#producers.has(source);
  }

  async publish(source: MediaSource, track: MediaStreamTrack): Promise<void> {
    if (this.#producers.has(source)) return;
    const producer = await this.#transport.produce<ProducerAppData>({
      track,
      stopTracks: false,
      appData: { source },
      ...(source === 'mic' && { codecOptions: { opusFec: true, opusDtx: true } }),
      ...(source === 'camera' && { encodings: CAMERA_ENCODINGS }),
      ...(source === 'screen' && { encodings: SCREEN_ENCODINGS }),
    });
    if (this.#transport.closed) return;
    this.#producers.set(source, producer);
    producer.on('transportclose', () => this.#producers.delete(source));
  }

  async setPaused(source: MediaSource, paused: boolean): Promise<void> {
    const producer = this.#producers.get(source);
    if (!producer || producer.paused === paused) return;
    // Locally first: muting must take effect at once, even if the answer is slow.
    if (paused) producer.pause();
    else producer.resume();
    await this.#signaling.request('media:setProducerPaused', { producerId: producer.id as ProducerId, paused });
  }

  async unpublish(source: MediaSource): Promise<void> {
    const producer = this.#producers.get(source);
    if (!producer) return;
    this.#producers.delete(source);
    producer.close();
    await this.#signaling.request('media:closeProducer', { producerId: producer.id as ProducerId }).catch((error) => {
      // Already gone on the server (its transport closed meanwhile): that is the state we wanted.
      if (!(error instanceof RequestError && error.code === 'NOT_FOUND')) throw error;
    });
  }

  async outboundStats(): Promise<OutboundStat[]> {
    const all = await Promise.all(
      [...this.#producers.values()].map(async (producer) => {
        const report = await producer.getStats().catch(() => null);
        // One entry per producer: simulcast layers are summed, as a receiver would count them.
        const stat: OutboundStat = {
          kind: producer.kind,
          source: producer.appData.source,
          packetsSent: 0,
          bytesSent: 0,
        };
        report?.forEach((s: Record<string, unknown>) => {
          if (s.type !== 'outbound-rtp') return;
          stat.packetsSent += Number(s.packetsSent ?? 0);
          stat.bytesSent += Number(s.bytesSent ?? 0);
        });
        return stat;
      }),
    );
    return all;
  }
}
