/**
 * What this session receives: the other participants and the consumers of
 * their media. Owns the consumers; closing a peer or the whole session closes
 * them (their tracks end with them).
 */
import type { types as msc } from 'mediasoup-client';
import type { ConsumerId, PeerId } from '../../../shared/ids';
import type { ConsumerCreated, MediaSource, PeerInfo } from '../../../shared/protocol';
import type { SessionTransport } from './transports';

/** One received track, as the UI shows it. */
export interface RemoteTrack {
  consumerId: ConsumerId;
  kind: 'audio' | 'video';
  source: MediaSource;
  track: MediaStreamTrack;
  /** The sender has muted it (paused its producer): nothing flows until it resumes. */
  paused: boolean;
}

/** Another participant, as the UI shows it. */
export interface PeerView extends PeerInfo {
  tracks: readonly RemoteTrack[];
}

export interface InboundStat {
  peerId: string;
  kind: 'audio' | 'video';
  source: string;
  framesDecoded: number;
  packetsReceived: number;
  bytesReceived: number;
}

interface Entry {
  consumer: msc.Consumer;
  peerId: PeerId;
  source: MediaSource;
  paused: boolean;
}

export class RemoteMedia {
  readonly #peers = new Map<PeerId, PeerInfo>();
  readonly #entries = new Map<ConsumerId, Entry>();
  // Closed (or paused) by the server while our consume() was still running.
  readonly #closedEarly = new Set<ConsumerId>();
  readonly #pausedEarly = new Map<ConsumerId, boolean>();
  readonly #onChange: () => void;

  constructor(onChange: () => void) {
    this.#onChange = onChange;
  }

  /** The others in our space, after a join or a move: whoever is not among them is gone with their media. */
  setPeers(peers: readonly PeerInfo[]): void {
    const keep = new Set(peers.map((p) => p.peerId));
    for (const peerId of [...this.#peers.keys()]) if (!keep.has(peerId)) this.#dropPeer(peerId);
    for (const peer of peers) this.#peers.set(peer.peerId, peer);
    this.#onChange();
  }

  addPeer(peer: PeerInfo): void {
    this.#peers.set(peer.peerId, peer);
    this.#onChange();
  }

  removePeer(peerId: PeerId): void {
    this.#dropPeer(peerId);
    this.#onChange();
  }

  /** Creates the local consumer; returns false when it was closed before it was ready. */
  async consume(recv: SessionTransport, created: ConsumerCreated): Promise<boolean> {
    const { consumerId, producerId, kind, rtpParameters, peerId, source } = created;
    const consumer = await recv.consume({
      id: consumerId,
      producerId,
      kind,
      rtpParameters,
      appData: { peerId, source },
    });
    if (this.#closedEarly.delete(consumerId) || recv.closed) {
      consumer.close();
      return false;
    }
    const paused = this.#pausedEarly.get(consumerId) ?? created.producerPaused;
    this.#pausedEarly.delete(consumerId);
    this.#entries.set(consumerId, { consumer, peerId, source, paused });
    consumer.on('transportclose', () => this.#entries.delete(consumerId));
    this.#onChange();
    return true;
  }

  close(consumerId: ConsumerId): void {
    const entry = this.#entries.get(consumerId);
    if (!entry) {
      this.#closedEarly.add(consumerId);
      return;
    }
    entry.consumer.close();
    this.#entries.delete(consumerId);
    this.#onChange();
  }

  setPaused(consumerId: ConsumerId, paused: boolean): void {
    const entry = this.#entries.get(consumerId);
    if (!entry) {
      this.#pausedEarly.set(consumerId, paused);
      return;
    }
    entry.paused = paused;
    this.#onChange();
  }

  closeAll(): void {
    for (const entry of this.#entries.values()) entry.consumer.close();
    this.#entries.clear();
    this.#peers.clear();
  }

  views(): PeerView[] {
    const tracks = new Map<PeerId, RemoteTrack[]>();
    for (const [consumerId, { consumer, peerId, source, paused }] of this.#entries) {
      const list = tracks.get(peerId) ?? [];
      list.push({ consumerId, kind: consumer.kind, source, track: consumer.track, paused });
      tracks.set(peerId, list);
    }
    return [...this.#peers.values()].map((peer) => ({ ...peer, tracks: tracks.get(peer.peerId) ?? [] }));
  }

  #dropPeer(peerId: PeerId): void {
    this.#peers.delete(peerId);
    for (const [id, entry] of this.#entries) {
      if (entry.peerId !== peerId) continue;
      entry.consumer.close();
      this.#entries.delete(id);
    }
  }

  async inboundStats(): Promise<InboundStat[]> {
    const all = await Promise.all(
      [...this.#entries.values()].map(async ({ consumer, peerId, source }) => {
        const report = await consumer.getStats().catch(() => null);
        const stats: InboundStat[] = [];
        report?.forEach((s: Record<string, unknown>) => {
          if (s.type !== 'inbound-rtp') return;
          stats.push({
            peerId,
            kind: consumer.kind,
            source,
            framesDecoded: Number(s.framesDecoded ?? 0),
            packetsReceived: Number(s.packetsReceived ?? 0),
            bytesReceived: Number(s.bytesReceived ?? 0),
          });
        });
        return stats;
      }),
    );
    return all.flat();
  }
}
