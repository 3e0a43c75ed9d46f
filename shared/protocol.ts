/**
 * The wire contract between the browser client and the signalling server,
 * declared once. Server handlers validate against these schemas and the client
 * types its `request()` and notification listeners from them, so the two can
 * never drift apart.
 *
 * Requests are socket.io events with an ack; every ack is an `Ack<T>` from
 * `errors.ts`. Notifications are server→client events named as past facts.
 */
import { z } from 'zod';
import type { types as msc } from 'mediasoup-client';
import type { Ack } from './errors';
import {
  consumerIdSchema,
  peerIdSchema,
  producerIdSchema,
  transportIdSchema,
  type ConsumerId,
  type PeerId,
  type ProducerId,
  type RoomId,
  type TransportId,
} from './ids';
import { roleSchema } from './roles';

/** Bumped on any incompatible change; the server refuses other versions. */
export const PROTOCOL_VERSION = 1;

/**
 * Largest JSON payload any request may carry. The biggest legitimate one is a
 * `media:produce` with its RTP parameters (a few KiB for H264 with RTX).
 */
export const MAX_REQUEST_BYTES = 16 * 1024;

/** Sent in the socket.io handshake (`io(url, { auth })`). */
export const handshakeAuthSchema = z.object({
  token: z.string().min(1).max(4096),
  protocolVersion: z.number().int(),
});
export type HandshakeAuth = z.infer<typeof handshakeAuthSchema>;

/** What a peer sends: a microphone, a camera, or a shared screen. */
export const mediaSourceSchema = z.enum(['mic', 'camera', 'screen']);
export type MediaSource = z.infer<typeof mediaSourceSchema>;

export const transportDirectionSchema = z.enum(['send', 'recv']);
export type TransportDirection = z.infer<typeof transportDirectionSchema>;

// mediasoup validates RTP parameters and capabilities deeply itself (and
// throws TypeError, mapped to BAD_REQUEST); here we check their outline so a
// payload of the wrong shape never reaches it. Loose objects keep fields that
// newer browsers add.
const rtcpFeedbackSchema = z.looseObject({ type: z.string().max(32), parameter: z.string().max(32).optional() });
const codecCapabilitySchema = z.looseObject({
  kind: z.enum(['audio', 'video']),
  mimeType: z.string().max(64),
  clockRate: z.number().int().positive(),
  channels: z.number().int().positive().optional(),
  preferredPayloadType: z.number().int().min(0).max(127).optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  rtcpFeedback: z.array(rtcpFeedbackSchema).max(16).optional(),
});
const headerExtensionCapabilitySchema = z.looseObject({
  kind: z.enum(['audio', 'video']),
  uri: z.string().max(256),
  preferredId: z.number().int(),
  preferredEncrypt: z.boolean().optional(),
  direction: z.string().max(16).optional(),
});
export const rtpCapabilitiesSchema = z.looseObject({
  codecs: z.array(codecCapabilitySchema).max(64).optional(),
  headerExtensions: z.array(headerExtensionCapabilitySchema).max(64).optional(),
});

export const dtlsParametersSchema = z.looseObject({
  role: z.enum(['auto', 'client', 'server']).optional(),
  fingerprints: z
    .array(z.object({ algorithm: z.string().max(16), value: z.string().max(256) }))
    .min(1)
    .max(8),
});

export const rtpParametersSchema = z.looseObject({
  mid: z.string().max(32).optional(),
  codecs: z
    .array(
      z.looseObject({
        mimeType: z.string().max(64),
        payloadType: z.number().int().min(0).max(127),
        clockRate: z.number().int().positive(),
        channels: z.number().int().positive().optional(),
        parameters: z.record(z.string(), z.unknown()).optional(),
        rtcpFeedback: z.array(rtcpFeedbackSchema).max(16).optional(),
      }),
    )
    .min(1)
    .max(16),
  headerExtensions: z.array(z.looseObject({ uri: z.string().max(256), id: z.number().int() })).max(32).optional(),
  encodings: z.array(z.looseObject({ ssrc: z.number().int().optional() })).max(8).optional(),
  rtcp: z.looseObject({ cname: z.string().max(256).optional() }).optional(),
});

/** A joined participant as other participants see them. */
export const peerInfoSchema = z.object({
  peerId: peerIdSchema,
  displayName: z.string(),
  role: roleSchema,
});
export interface PeerInfo {
  peerId: PeerId;
  displayName: string;
  role: z.infer<typeof roleSchema>;
}

// A display name is what others see on a tile: printable, trimmed, short.
const displayNameSchema = z
  .string()
  .trim()
  .min(1, 'a name is required')
  .max(60, 'at most 60 characters')
  .regex(/^[^\p{Cc}\p{Cf}]+$/u, 'control characters are not allowed');

const empty = z.object({}).strict();

/** A response the server produces itself: typed, not validated at run time. */
const out = <T>() => z.custom<T>();

/** Every client→server request: its payload schema and its response type. */
export const requests = {
  /** The router's RTP capabilities, to load the mediasoup-client Device. */
  'room:getRouterRtpCapabilities': {
    payload: empty,
    response: out<{ rtpCapabilities: msc.RtpCapabilities }>(),
  },
  /** Create a WebRTC transport on the room's WebRtcServer (one UDP + one TCP port per worker). */
  'media:createTransport': {
    payload: z.object({ direction: transportDirectionSchema }).strict(),
    response: out<{
      transportId: TransportId;
      iceParameters: msc.IceParameters;
      iceCandidates: msc.IceCandidate[];
      dtlsParameters: msc.DtlsParameters;
    }>(),
  },
  /**
   * Become visible in the room. Sent after the transports exist, so the server
   * can start consuming everybody else's media right after it answers.
   */
  'room:join': {
    payload: z.object({ displayName: displayNameSchema, rtpCapabilities: rtpCapabilitiesSchema }).strict(),
    response: out<{
      roomId: RoomId;
      self: PeerInfo;
      peers: PeerInfo[];
      activeSpeakerPeerId: PeerId | null;
    }>(),
  },
  'media:connectTransport': {
    payload: z.object({ transportId: transportIdSchema, dtlsParameters: dtlsParametersSchema }).strict(),
    response: out<Record<string, never>>(),
  },
  /** New ICE credentials after a network change; the client then restarts ICE. */
  'media:restartIce': {
    payload: z.object({ transportId: transportIdSchema }).strict(),
    response: out<{ iceParameters: msc.IceParameters }>(),
  },
  'media:produce': {
    payload: z
      .object({
        transportId: transportIdSchema,
        kind: z.enum(['audio', 'video']),
        source: mediaSourceSchema,
        rtpParameters: rtpParametersSchema,
      })
      .strict(),
    response: out<{ producerId: ProducerId }>(),
  },
  /** Mute (pause) or unmute (resume) one's own producer. */
  'media:setProducerPaused': {
    payload: z.object({ producerId: producerIdSchema, paused: z.boolean() }).strict(),
    response: out<Record<string, never>>(),
  },
  /** Stop one's own producer (camera off, screen share ended). */
  'media:closeProducer': {
    payload: z.object({ producerId: producerIdSchema }).strict(),
    response: out<Record<string, never>>(),
  },
  /** Consumers are created paused; the client resumes each once it is ready to render it. */
  'media:resumeConsumer': {
    payload: z.object({ consumerId: consumerIdSchema }).strict(),
    response: out<Record<string, never>>(),
  },
  'room:leave': {
    payload: empty,
    response: out<Record<string, never>>(),
  },
} as const;

/** A consumer the server created for this client (paused until resumed). */
export interface ConsumerCreated {
  consumerId: ConsumerId;
  producerId: ProducerId;
  peerId: PeerId;
  kind: 'audio' | 'video';
  source: MediaSource;
  rtpParameters: msc.RtpParameters;
  /** The producer is muted right now; the consumer will carry nothing until it is resumed. */
  producerPaused: boolean;
}

/** Every server→client notification and its payload. */
export interface Notifications {
  'room:peerJoined': { peer: PeerInfo };
  'room:peerLeft': { peerId: PeerId };
  'room:activeSpeakerChanged': { peerId: PeerId | null };
  /**
   * The room's media went away (its worker died, or the room was closed). The
   * client drops its transports and joins again with the same link.
   */
  'room:mediaReset': { reason: 'workerDied' | 'roomClosed' };
  'media:consumerCreated': ConsumerCreated;
  'media:consumerClosed': { consumerId: ConsumerId };
  'media:consumerPaused': { consumerId: ConsumerId };
  'media:consumerResumed': { consumerId: ConsumerId };
}

export type RequestName = keyof typeof requests;
export type NotificationName = keyof Notifications;
export type RequestPayload<K extends RequestName> = z.input<(typeof requests)[K]['payload']>;
export type ParsedPayload<K extends RequestName> = z.output<(typeof requests)[K]['payload']>;
export type ResponseData<K extends RequestName> = z.output<(typeof requests)[K]['response']>;

/** socket.io event maps derived from the declarations above. */
export type ClientToServerEvents = {
  [K in RequestName]: (payload: RequestPayload<K>, ack: (response: Ack<ResponseData<K>>) => void) => void;
};
export type ServerToClientEvents = {
  [K in NotificationName]: (payload: Notifications[K]) => void;
};

export const requestNames = Object.keys(requests) as RequestName[];
