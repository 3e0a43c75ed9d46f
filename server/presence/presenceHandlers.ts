/**
 * The requests of the `/presence` namespace: an expert's heartbeat,
 * availability and answer to a call, and a mediator's request for an expert.
 * Each goes through `definePresenceHandler`, which does for this namespace
 * what signaling/defineHandler.ts does for rooms: size check, rate limit, zod
 * validation, and one mapping of whatever the handler throws to the ack.
 */
import type { Logger } from 'pino';
import { AppError, type Ack, type ErrorBody } from '../../shared/errors';
import {
  MAX_PRESENCE_REQUEST_BYTES,
  presenceRequests,
  type ParsedPresencePayload,
  type PresenceRequestName,
  type PresenceResponse,
  type PresenceView,
} from '../../shared/presenceProtocol';
import type { Actor } from '../authz/actor';
import { authorize } from '../authz/authorize';
import type { Records } from '../records';
import { checkRequest } from '../signaling/checkRequest';
import type { RateLimiter } from '../signaling/RateLimiter';
import type { CaseId, ExpertId, OfferId } from '../../shared/ids';
import type { ExpertDispatcher } from './ExpertDispatcher';
import type { OfferLog } from './OfferLog';
import { profileOf, type ExpertRecord } from './ExpertStore';
import { buildOfferSummary } from './offerSummary';
import type { Presence, PresenceStore } from './PresenceStore';

/** What a handler knows of its connection and of the server. */
export interface PresenceContext {
  actor: Actor;
  /** The caller's pool record, when they are an expert in a pool. */
  expert: ExpertRecord | null;
  log: Logger;
  rateLimiter: RateLimiter;
  store: PresenceStore;
  dispatcher: ExpertDispatcher;
  /** Answers an offer, on whichever node made it (PresenceService.answer). */
  answer: ExpertDispatcher['answer'];
  records: Records;
  offerLog: OfferLog;
  /** A join link into the case's session for the expert who accepted this offer (null: no session). */
  joinLinkFor(offerId: OfferId, expert: ExpertRecord): Promise<string | null>;
  /** Tells the expert's pages (on any node) that the mediator released them. */
  tellReleased(expertId: ExpertId, caseId: CaseId): void;
}

type PresenceHandler<K extends PresenceRequestName> = (
  ctx: PresenceContext,
  payload: ParsedPresencePayload<K>,
) => Promise<PresenceResponse<K>>;

export interface RegisteredPresenceHandler {
  name: PresenceRequestName;
  run(ctx: PresenceContext, payload: unknown): Promise<Ack<unknown>>;
}

export function definePresenceHandler<K extends PresenceRequestName>(
  name: K,
  handler: PresenceHandler<K>,
): RegisteredPresenceHandler {
  const schema = presenceRequests[name].payload;
  return {
    name,
    async run(ctx, payload) {
      try {
        const parsed = checkRequest(schema, payload, {
          rateLimiter: ctx.rateLimiter,
          maxBytes: MAX_PRESENCE_REQUEST_BYTES,
        });
        return { ok: true, data: await handler(ctx, parsed as ParsedPresencePayload<K>) };
      } catch (error) {
        return { ok: false, error: toErrorBody(ctx, name, error) };
      }
    },
  };
}

function toErrorBody(ctx: PresenceContext, name: PresenceRequestName, error: unknown): ErrorBody {
  if (error instanceof AppError) {
    ctx.log.debug({ request: name, code: error.code }, `${name}: refused`);
    return error.toBody();
  }
  ctx.log.error({ request: name, err: error }, `${name}: failed`);
  return { code: 'INTERNAL', message: 'the server could not do that' };
}

function expertOf(ctx: PresenceContext): ExpertRecord {
  if (!ctx.expert) throw new AppError('FORBIDDEN', 'only an expert in a pool can do this');
  return ctx.expert;
}

function view(ctx: PresenceContext, presence: Presence): PresenceView {
  return {
    state: presence.state,
    deadline: presence.deadline ?? null,
    heartbeatEveryMs: Math.floor(ctx.store.heartbeatTtlMs / 3),
  };
}

const BUSY = { ringing: 'answer the ringing call first', in_case: 'leave the case first' } as const;

export const presenceHandlers: RegisteredPresenceHandler[] = [
  definePresenceHandler('expert:heartbeat', async (ctx, { chosen }) => {
    const expert = expertOf(ctx);
    return view(ctx, await ctx.store.heartbeat(expert.id, profileOf(expert), chosen));
  }),

  definePresenceHandler('expert:setAvailability', async (ctx, { state }) => {
    const expert = expertOf(ctx);
    const result = await ctx.store.setAvailability(expert.id, profileOf(expert), state);
    if (!result.ok) {
      const busy = result.presence.state as keyof typeof BUSY;
      throw new AppError('CONFLICT', BUSY[busy] ?? 'not now');
    }
    ctx.log.info({ expertId: expert.id, state }, 'expert:setAvailability');
    return view(ctx, result.presence);
  }),

  definePresenceHandler('expert:answer', async (ctx, { offerId, answer }) => {
    const expert = expertOf(ctx);
    const result = await ctx.answer(expert.id, offerId, answer);
    if (result === 'declined') return { result, joinUrl: null };
    // The call is theirs: the link into the session comes with the answer (the parties are asked there).
    const joinUrl = await ctx.joinLinkFor(offerId, expert).catch((error: unknown) => {
      ctx.log.error({ err: error, offerId }, 'expert:answer: no join link issued');
      return null;
    });
    return { result, joinUrl };
  }),

  // Presence is in Redis and the audit row in the database: no transaction spans both, so the
  // state changes first and the row follows; a failure in between leaves a release unaudited,
  // never an audited release that did not happen.
  definePresenceHandler('expert:leaveCase', async (ctx) => {
    const expert = expertOf(ctx);
    const { caseId } = await ctx.store.get(expert.id);
    const result = caseId && (await ctx.store.release(expert.id, caseId));
    if (!result || !result.ok) throw new AppError('CONFLICT', 'you are in no case');
    await ctx.offerLog.released({ expertId: expert.id, caseId: caseId!, how: 'left', by: ctx.actor.staffId });
    return view(ctx, result.presence);
  }),

  definePresenceHandler('expertRequest:release', async (ctx, { caseId, expertId }) => {
    const record = await ctx.records.read.cases.get(caseId);
    if (!record) throw new AppError('NOT_FOUND', 'no such case');
    authorize(ctx.actor, 'case:mediate', record);
    const result = await ctx.store.release(expertId, caseId);
    if (!result.ok) throw new AppError('CONFLICT', 'that expert is not in this case');
    await ctx.offerLog.released({ expertId, caseId, how: 'released', by: ctx.actor.staffId });
    ctx.tellReleased(expertId, caseId);
    return {};
  }),

  definePresenceHandler('expertRequest:create', async (ctx, { caseId, specialty, language, note }) => {
    const record = await ctx.records.read.cases.get(caseId);
    if (!record) throw new AppError('NOT_FOUND', 'no such case');
    // Who may mediate the case may pull an expert into it; the expert then sees only the summary.
    authorize(ctx.actor, 'case:mediate', record);
    const parties = await ctx.records.read.cases.parties(caseId);
    return ctx.dispatcher.request({
      caseId,
      requestedBy: ctx.actor.staffId,
      specialty,
      language,
      at: { gridId: record.gridId, townshipId: record.townshipId, districtId: record.districtId },
      summary: buildOfferSummary({ record, parties, requestedByName: ctx.actor.displayName, note }),
    });
  }),

  definePresenceHandler('expertRequest:cancel', async (ctx, { requestId }) => {
    const open = ctx.dispatcher.requestOf(requestId);
    if (!open) throw new AppError('NOT_FOUND', 'no such open request');
    if (open.requestedBy !== ctx.actor.staffId) throw new AppError('FORBIDDEN', 'only who asked can withdraw it');
    await ctx.dispatcher.cancel(requestId, ctx.actor.staffId);
    return {};
  }),
];
