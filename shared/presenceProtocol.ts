/**
 * The wire contract of the `/presence` socket.io namespace, where staff are
 * connected while not in a room: experts on call (availability, heartbeats,
 * ringing calls and their answers) and mediators asking for an expert. It
 * follows shared/protocol.ts (zod payloads, `Ack<T>` replies, `domain:verb`
 * requests, notifications as past facts) but has its own version and
 * handshake, because it authenticates a staff login, not a room link.
 */
import { z } from 'zod';
import { disputeTypeSchema } from './cases';
import type { Ack } from './errors';
import { chosenStateSchema, languageSchema, type ExpertState, type OfferView, type RequestUpdate } from './experts';
import { caseIdSchema, expertIdSchema, expertRequestIdSchema, offerIdSchema, type CaseId, type OfferId } from './ids';

export const PRESENCE_NAMESPACE = '/presence';

/** Bumped on any incompatible change; the server refuses other versions. */
export const PRESENCE_PROTOCOL_VERSION = 1;

/** Largest JSON payload of any request here (the longest is a request's note). */
export const MAX_PRESENCE_REQUEST_BYTES = 4 * 1024;

/**
 * Sent in the handshake (`io(url + '/presence', { auth })`). A browser that is
 * logged in may leave `token` out: its session cookie is read instead.
 */
export const presenceHandshakeSchema = z.object({
  token: z
    .string()
    .regex(/^[A-Za-z0-9_-]{20,200}$/)
    .optional(),
  protocolVersion: z.number().int(),
});

/** An expert's presence as their own page shows it. */
export interface PresenceView {
  state: ExpertState;
  /** Epoch ms by which the next heartbeat must arrive. */
  deadline: number | null;
  /** Send a heartbeat this often (a third of the TTL, so two may be lost). */
  heartbeatEveryMs: number;
}

const out = <T>() => z.custom<T>();

export const presenceRequests = {
  /**
   * Sign of life from the expert's open page; without one for the TTL the
   * expert is offline. `chosen` is what the expert last chose: it rebuilds
   * them if the server lost their presence (a Redis restart, another node).
   */
  'expert:heartbeat': {
    payload: z.object({ chosen: chosenStateSchema }).strict(),
    response: out<PresenceView>(),
  },
  /** The expert is available for calls, or away; refused (CONFLICT) while ringing or in a case. */
  'expert:setAvailability': {
    payload: z.object({ state: chosenStateSchema }).strict(),
    response: out<PresenceView>(),
  },
  /**
   * The expert's answer to the call ringing on their page. On accepting, the
   * link that takes them into the case's session (null when the case has no
   * session to join).
   */
  'expert:answer': {
    payload: z.object({ offerId: offerIdSchema, answer: z.enum(['accept', 'decline']) }).strict(),
    response: out<{ result: 'accepted' | 'declined'; joinUrl: string | null }>(),
  },
  /** The expert leaves the case they are in: available again, idle from now. */
  'expert:leaveCase': {
    payload: z.object({}).strict(),
    response: out<PresenceView>(),
  },
  /** The case's mediator lets its expert go (their page hears `expert:released`). */
  'expertRequest:release': {
    payload: z.object({ caseId: caseIdSchema, expertId: expertIdSchema }).strict(),
    response: out<Record<string, never>>(),
  },
  /** A mediator asks for an expert of a specialty (and a language) for a case they mediate. */
  'expertRequest:create': {
    payload: z
      .object({
        caseId: caseIdSchema,
        specialty: disputeTypeSchema,
        language: languageSchema.optional(),
        /** The question for the expert; party names and numbers in it are masked before anyone sees it. */
        note: z.string().max(1000).default(''),
      })
      .strict(),
    response: out<RequestUpdate>(),
  },
  /** The mediator withdraws their request; every ring stops. */
  'expertRequest:cancel': {
    payload: z.object({ requestId: expertRequestIdSchema }).strict(),
    response: out<Record<string, never>>(),
  },
} as const;

export interface PresenceNotifications {
  /** A call rings for this expert: show the summary, sound, until it is answered or ends. */
  'expert:ringing': OfferView;
  /** The call stopped without the expert's answer: nobody answered in time, or it was withdrawn. */
  'expert:ringEnded': { offerId: OfferId; why: 'timed_out' | 'withdrawn' };
  /** The case's mediator released this expert from it. */
  'expert:released': { caseId: CaseId };
  /** News of a mediator's request: who rings now, who accepted, or that nobody is left. */
  'expertRequest:updated': RequestUpdate;
}

export type PresenceRequestName = keyof typeof presenceRequests;
export type PresenceRequestPayload<K extends PresenceRequestName> = z.input<(typeof presenceRequests)[K]['payload']>;
export type ParsedPresencePayload<K extends PresenceRequestName> = z.output<(typeof presenceRequests)[K]['payload']>;
export type PresenceResponse<K extends PresenceRequestName> = z.output<(typeof presenceRequests)[K]['response']>;

export type PresenceClientEvents = {
  [K in PresenceRequestName]: (
    payload: PresenceRequestPayload<K>,
    ack: (response: Ack<PresenceResponse<K>>) => void,
  ) => void;
};
export type PresenceServerEvents = {
  [K in keyof PresenceNotifications]: (payload: PresenceNotifications[K]) => void;
};
