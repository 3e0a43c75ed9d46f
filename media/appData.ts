/**
 * Typed appData carried by every transport, producer and consumer, so a
 * mediasoup object found in stats or events always says whose it is.
 */
import type { MediaSource, TransportDirection } from '../shared/protocol';
import type { PeerId } from '../shared/ids';

export interface TransportAppData extends Record<string, unknown> {
  peerId: PeerId;
  direction: TransportDirection;
}

export interface ProducerAppData extends Record<string, unknown> {
  peerId: PeerId;
  source: MediaSource;
}

export interface ConsumerAppData extends Record<string, unknown> {
  /** The peer that receives this consumer's media. */
  peerId: PeerId;
  /** The peer whose producer it carries. */
  producerPeerId: PeerId;
  source: MediaSource;
}
