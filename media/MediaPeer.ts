/**
 * One participant's media in a room: at most one send and one recv WebRTC
 * transport, the producers it sends (one per source) and the consumers it
 * receives. The peer owns them: closing it closes them, and each child that
 * closes on its own (its producer went away, its transport closed) is
 * forgotten and announced.
 */
import type { types as ms } from 'mediasoup';
import { AppError } from '../shared/errors';
import type { ConsumerId, PeerId, ProducerId, TransportId } from '../shared/ids';
import type { MediaSource, TransportDirection } from '../shared/protocol';
import type { ConsumerAppData, ProducerAppData, TransportAppData } from './appData';
import type { MediaLogger } from './logger';
import { SafeEmitter } from './SafeEmitter';

export type Transport = ms.WebRtcTransport<TransportAppData> | ms.PlainTransport<TransportAppData>;
export type Producer = ms.Producer<ProducerAppData>;
export type Consumer = ms.Consumer<ConsumerAppData>;

export interface MediaPeerEvents {
  /** A producer of this peer was created. */
  producerCreated: [producer: Producer];
  /** A consumer of this peer closed without being asked to (its producer or transport went away). */
  consumerClosed: [consumerId: ConsumerId];
  consumerPaused: [consumerId: ConsumerId];
  consumerResumed: [consumerId: ConsumerId];
  /** A transport's ICE or DTLS state changed (for logs and reconnection hints). */
  transportStateChanged: [transportId: TransportId, state: string];
  close: [];
}

export interface MediaPeerOptions {
  peerId: PeerId;
  router: ms.Router;
  /** Where PlainTransports listen (the worker's own address, never announced to browsers). */
  listenIp: string;
  webRtcServer: ms.WebRtcServer;
  logger: MediaLogger;
}

// Start at a bitrate a phone on 4G can carry; the BWE ramps up from there.
const INITIAL_OUTGOING_BITRATE = 600_000;

export class MediaPeer extends SafeEmitter<MediaPeerEvents> {
  readonly peerId: PeerId;
  readonly #router: ms.Router;
  readonly #listenIp: string;
  readonly #webRtcServer: ms.WebRtcServer;
  readonly #log: MediaLogger;
  readonly #transports = new Map<TransportId, Transport>();
  readonly #producers = new Map<ProducerId, Producer>();
  readonly #consumers = new Map<ConsumerId, Consumer>();
  /** Producers this peer consumes or is about to. */
  readonly #consuming = new Set<string>();
  #rtpCapabilities: ms.RtpCapabilities | null = null;
  #closed = false;

  constructor({ peerId, router, listenIp, webRtcServer, logger }: MediaPeerOptions) {
    super();
    this.peerId = peerId;
    this.#router = router;
    this.#listenIp = listenIp;
    this.#webRtcServer = webRtcServer;
    this.#log = logger.child({ peerId });
  }

  get closed(): boolean {
    return this.#closed;
  }

  get producers(): readonly Producer[] {
    return [...this.#producers.values()];
  }

  get consumers(): readonly Consumer[] {
    return [...this.#consumers.values()];
  }

  get transports(): readonly Transport[] {
    return [...this.#transports.values()];
  }

  /** What this peer's browser can decode; set when it joins, required to consume. */
  setRtpCapabilities(rtpCapabilities: ms.RtpCapabilities): void {
    this.#rtpCapabilities = rtpCapabilities;
  }

  /** The browser's WebRTC transport of that direction, if created. */
  transportFor(direction: TransportDirection): ms.WebRtcTransport<TransportAppData> | undefined {
    return this.transports.find(
      (t): t is ms.WebRtcTransport<TransportAppData> => t.type === 'webrtc' && t.appData.direction === direction,
    );
  }

  async createWebRtcTransport(direction: TransportDirection): Promise<ms.WebRtcTransport<TransportAppData>> {
    this.#assertOpen();
    if (this.transportFor(direction)) throw new AppError('CONFLICT', `a ${direction} transport exists already`);
    const transport = await this.#router.createWebRtcTransport<TransportAppData>({
      webRtcServer: this.#webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: INITIAL_OUTGOING_BITRATE,
      appData: { peerId: this.peerId, direction },
    });
    // The peer may have closed while the worker was creating the transport.
    if (this.#closed) {
      transport.close();
      throw new AppError('NOT_FOUND', 'the peer left');
    }
    const id = this.#adopt(transport);
    transport.on('icestatechange', (state) => this.safeEmit('transportStateChanged', id, `ice:${state}`));
    transport.on('dtlsstatechange', (state) => {
      if (state === 'failed' || state === 'closed') this.#log.warn({ transportId: id, state }, 'MediaPeer: DTLS state');
      this.safeEmit('transportStateChanged', id, `dtls:${state}`);
    });
    return transport;
  }

  /**
   * A plain RTP transport for a server-side media source (ffmpeg, a SIP or
   * phone gateway). comedia: the worker learns the sender's address from the
   * first packet, so the source needs to know only our port. rtcpMux: RTP and
   * RTCP share that port, so the source must send both from one socket (an
   * RTCP report from another socket would be taken for the source's address;
   * ffmpeg needs `-rtpflags skip_rtcp` for that reason).
   */
  async createPlainTransport(): Promise<ms.PlainTransport<TransportAppData>> {
    this.#assertOpen();
    const transport = await this.#router.createPlainTransport<TransportAppData>({
      listenInfo: { protocol: 'udp', ip: this.#listenIp },
      rtcpMux: true,
      comedia: true,
      appData: { peerId: this.peerId, direction: 'send' },
    });
    if (this.#closed) {
      transport.close();
      throw new AppError('NOT_FOUND', 'the peer left');
    }
    this.#adopt(transport);
    return transport;
  }

  async connectTransport(transportId: TransportId, dtlsParameters: ms.DtlsParameters): Promise<void> {
    await this.#webRtcTransport(transportId).connect({ dtlsParameters });
  }

  async restartIce(transportId: TransportId): Promise<ms.IceParameters> {
    return this.#webRtcTransport(transportId).restartIce();
  }

  async produce(options: {
    transportId: TransportId;
    kind: ms.MediaKind;
    source: MediaSource;
    rtpParameters: ms.RtpParameters;
  }): Promise<Producer> {
    const transport = this.#transport(options.transportId);
    if (transport.appData.direction !== 'send') throw new AppError('BAD_REQUEST', 'that is not a send transport');
    const expectedKind = options.source === 'mic' ? 'audio' : 'video';
    if (options.kind !== expectedKind)
      throw new AppError('BAD_REQUEST', `source ${options.source} must be ${expectedKind}`);
    if (this.producers.some((p) => p.appData.source === options.source)) {
      throw new AppError('CONFLICT', `a ${options.source} producer exists already`);
    }
    const producer = await transport.produce<ProducerAppData>({
      kind: options.kind,
      rtpParameters: options.rtpParameters,
      appData: { peerId: this.peerId, source: options.source },
    });
    const id = producer.id as ProducerId;
    this.#producers.set(id, producer);
    producer.observer.once('close', () => this.#producers.delete(id));
    this.safeEmit('producerCreated', producer);
    return producer;
  }

  async setProducerPaused(producerId: ProducerId, paused: boolean): Promise<void> {
    const producer = this.#producer(producerId);
    if (paused) await producer.pause();
    else await producer.resume();
  }

  closeProducer(producerId: ProducerId): void {
    this.#producer(producerId).close();
  }

  /**
   * Consume another peer's producer on this peer's recv transport, paused: the
   * client resumes it once it has set up its side, so no keyframe is wasted.
   * Returns null when this peer cannot receive it (no recv transport yet, or
   * its browser cannot decode the codec).
   */
  async consume(producer: Producer): Promise<Consumer | null> {
    this.#assertOpen();
    const transport = this.transportFor('recv');
    if (!transport || !this.#rtpCapabilities) return null;
    if (!this.#router.canConsume({ producerId: producer.id, rtpCapabilities: this.#rtpCapabilities })) {
      this.#log.warn({ producerId: producer.id }, 'MediaPeer.consume(): cannot consume (codecs)');
      return null;
    }
    // Two paths may ask for the same producer at once (joining while the other
    // side starts its camera); the set is taken before the first await.
    if (this.#consuming.has(producer.id)) return null;
    this.#consuming.add(producer.id);
    let consumer: Consumer;
    try {
      consumer = await transport.consume<ConsumerAppData>({
        producerId: producer.id,
        rtpCapabilities: this.#rtpCapabilities,
        paused: true,
        appData: { peerId: this.peerId, producerPeerId: producer.appData.peerId, source: producer.appData.source },
      });
    } catch (error) {
      this.#consuming.delete(producer.id);
      throw error;
    }
    const id = consumer.id as ConsumerId;
    this.#consumers.set(id, consumer);
    consumer.observer.once('close', () => {
      this.#consumers.delete(id);
      this.#consuming.delete(producer.id);
    });
    // Closed by the other side: tell our client. (A close we ask for ourselves, on peer close, needs no notice.)
    consumer.on('producerclose', () => this.safeEmit('consumerClosed', id));
    consumer.on('transportclose', () => this.safeEmit('consumerClosed', id));
    consumer.on('producerpause', () => this.safeEmit('consumerPaused', id));
    consumer.on('producerresume', () => this.safeEmit('consumerResumed', id));
    return consumer;
  }

  /** Closes one of this peer's consumers (the owner decided it may no longer receive that media). */
  closeConsumer(consumerId: ConsumerId): void {
    this.#consumers.get(consumerId)?.close();
  }

  async resumeConsumer(consumerId: ConsumerId): Promise<void> {
    const consumer = this.#consumers.get(consumerId);
    if (!consumer) throw new AppError('NOT_FOUND', 'no such consumer');
    await consumer.resume();
  }

  /** Idempotent; closing the transports closes their producers and consumers in the worker. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const transport of this.#transports.values()) transport.close();
    this.#transports.clear();
    this.#producers.clear();
    this.#consumers.clear();
    this.#consuming.clear();
    this.safeEmit('close');
    this.removeAllListeners();
  }

  #adopt(transport: Transport): TransportId {
    const id = transport.id as TransportId;
    this.#transports.set(id, transport);
    (transport as ms.Transport).observer.once('close', () => this.#transports.delete(id));
    return id;
  }

  #webRtcTransport(transportId: TransportId): ms.WebRtcTransport<TransportAppData> {
    const transport = this.#transport(transportId);
    if (transport.type !== 'webrtc') throw new AppError('BAD_REQUEST', 'not a WebRTC transport');
    return transport as ms.WebRtcTransport<TransportAppData>;
  }

  #transport(transportId: TransportId): Transport {
    this.#assertOpen();
    const transport = this.#transports.get(transportId);
    if (!transport) throw new AppError('NOT_FOUND', 'no such transport');
    return transport;
  }

  #producer(producerId: ProducerId): Producer {
    this.#assertOpen();
    const producer = this.#producers.get(producerId);
    if (!producer) throw new AppError('NOT_FOUND', 'no such producer');
    return producer;
  }

  #assertOpen(): void {
    if (this.#closed) throw new AppError('NOT_FOUND', 'the peer left');
  }
}
