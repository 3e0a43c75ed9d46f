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
  type CaseId,
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
  /**
   * A random id the browser keeps (localStorage). With the link it names one
   * participant across reconnections, so a dropped party returns to the room
   * they were in; a single-device link is bound to the first one.
   */
  deviceId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,64}$/)
    .optional(),
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
  headerExtensions: z
    .array(z.looseObject({ uri: z.string().max(256), id: z.number().int() }))
    .max(32)
    .optional(),
  encodings: z
    .array(z.looseObject({ ssrc: z.number().int().optional() }))
    .max(8)
    .optional(),
  rtcp: z.looseObject({ cname: z.string().max(256).optional() }).optional(),
});

/**
 * Where a participant is in a session: the waiting room, the joint room, or a
 * private caucus. Media and chat never cross spaces; nobody in the lobby
 * receives anyone's media.
 */
export const spaceIdSchema = z
  .string()
  .regex(/^(lobby|main|caucus-[A-Za-z0-9]{1,16})$/, 'not a space')
  .transform((s) => s as SpaceId);
export type SpaceId = 'lobby' | 'main' | `caucus-${string}`;

/** A participant as the mediator's control panel sees them. */
export interface RosterEntry {
  peerId: PeerId;
  displayName: string;
  role: z.infer<typeof roleSchema>;
  space: SpaceId;
  /** When they entered their current space (ISO time): "waiting for 3 min". */
  since: string;
  /** Recording sessions only: whether they have consented. */
  consented: boolean;
  /**
   * Experts only: whether every party who has joined agreed to their taking
   * part (until then they exchange no media with a party who has not, and may
   * not open the agreement), and who declined.
   */
  expertConsent?: { cleared: boolean; declinedBy: string[] };
}

export interface ChatMessage {
  messageId: string;
  peerId: PeerId;
  displayName: string;
  text: string;
  /** ISO time the server received it. */
  at: string;
}

/** What a participant is told about the space they are in. */
export interface SpaceView {
  space: SpaceId;
  since: string;
  /** The others in the same space (empty in the lobby: waiting parties do not see each other). */
  peers: PeerInfo[];
  chat: ChatMessage[];
}

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
    response: out<
      SpaceView & {
        roomId: RoomId;
        title: string;
        /** The case this session belongs to (its agreement is at /collab/<caseId>); null for an ad-hoc room. */
        caseId?: CaseId | null;
        self: PeerInfo;
        activeSpeakerPeerId: PeerId | null;
        /** The session is recorded: media starts only after `session:consentToRecording`. */
        recording: boolean;
        consented: boolean;
        /** Moderators get the whole roster (and `session:rosterChanged` from then on). */
        roster: RosterEntry[] | null;
      }
    >(),
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
  /** Recording sessions: this participant agrees to be recorded (kept in the audit log). */
  'session:consentToRecording': {
    payload: empty,
    response: out<Record<string, never>>(),
  },
  /**
   * A party's answer to an expert joining the session: until a party agrees,
   * the expert and that party exchange no media, and until every party has,
   * the expert may not open the agreement.
   */
  'session:consentToExpert': {
    payload: z.object({ expertPeerId: peerIdSchema, consent: z.boolean() }).strict(),
    response: out<Record<string, never>>(),
  },
  /** Send a chat message to everyone in one's own space. */
  'chat:send': {
    payload: z.object({ text: z.string().trim().min(1).max(1000) }).strict(),
    response: out<{ message: ChatMessage }>(),
  },
  // Moderation (mediators only).
  /** Let a waiting participant into the joint room. */
  'session:admit': {
    payload: z.object({ peerId: peerIdSchema }).strict(),
    response: out<Record<string, never>>(),
  },
  /** Send someone back to the waiting room. */
  'session:sendToLobby': {
    payload: z.object({ peerId: peerIdSchema }).strict(),
    response: out<Record<string, never>>(),
  },
  /** Remove someone from the session (they are disconnected and told why). */
  'session:remove': {
    payload: z.object({ peerId: peerIdSchema }).strict(),
    response: out<Record<string, never>>(),
  },
  /** Open a private caucus with these participants and move the mediator into it. */
  'session:openCaucus': {
    payload: z.object({ peerIds: z.array(peerIdSchema).min(1).max(8) }).strict(),
    response: out<{ space: SpaceId }>(),
  },
  /** Move a participant (or oneself: shuttle between rooms) to an existing space. */
  'session:move': {
    payload: z.object({ peerId: peerIdSchema, space: spaceIdSchema }).strict(),
    response: out<Record<string, never>>(),
  },
  /** Close every caucus and bring everyone in them back to the joint room. */
  'session:endCaucuses': {
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
  /** Someone entered this participant's space. */
  'room:peerJoined': { peer: PeerInfo };
  /** Someone left this participant's space (moved elsewhere, or left the session). */
  'room:peerLeft': { peerId: PeerId };
  /** This participant was moved (admitted, sent to the lobby, into or out of a caucus). */
  'session:spaceChanged': SpaceView;
  /** Moderators: the whole roster after any change. */
  'session:rosterChanged': { roster: RosterEntry[] };
  /** This participant was removed by the mediator; the connection closes next. */
  'session:removed': { reason: 'removedByMediator' | 'linkRevoked' | 'openedElsewhere' };
  /** Parties: an expert is in (or admitted to) this party's space and asks to take part. */
  'session:expertConsentRequested': { expert: PeerInfo };
  /** The expert: whether every party has agreed (the agreement opens once they have). */
  'session:expertConsentChanged': { cleared: boolean; declinedBy: string[] };
  'chat:messageReceived': ChatMessage;
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
