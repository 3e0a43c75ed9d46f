/**
 * The one path every socket request takes: size check, rate limit, schema
 * validation, the handler, and the mapping of whatever it throws to the
 * uniform ack. A bad payload is answered with a code and changes nothing,
 * because the handler never runs.
 */
import { errors as mediasoupErrors } from 'mediasoup';
import { AppError, type Ack, type ErrorBody } from '../../shared/errors';
import {
  MAX_REQUEST_BYTES,
  requests,
  type ParsedPayload,
  type RequestName,
  type ResponseData,
} from '../../shared/protocol';
import { checkRequest } from './checkRequest';
import type { ConnectionContext } from './ConnectionContext';

export type Handler<K extends RequestName> = (
  ctx: ConnectionContext,
  payload: ParsedPayload<K>,
) => Promise<ResponseData<K>> | ResponseData<K>;

export interface RegisteredHandler {
  name: RequestName;
  run(ctx: ConnectionContext, payload: unknown): Promise<Ack<unknown>>;
}

export function defineHandler<K extends RequestName>(name: K, handler: Handler<K>): RegisteredHandler {
  const schema = requests[name].payload;
  return {
    name,
    async run(ctx, payload) {
      try {
        const parsed = checkRequest(schema, payload, { rateLimiter: ctx.rateLimiter, maxBytes: MAX_REQUEST_BYTES });
        const data = await handler(ctx, parsed as ParsedPayload<K>);
        return { ok: true, data };
      } catch (error) {
        return { ok: false, error: toErrorBody(ctx, name, error) };
      }
    },
  };
}

function toErrorBody(ctx: ConnectionContext, name: RequestName, error: unknown): ErrorBody {
  if (error instanceof AppError) {
    ctx.log.debug({ request: name, code: error.code }, `${name}: refused`);
    return error.toBody();
  }
  // mediasoup rejects parameters it finds invalid with TypeError, and a codec the router
  // lacks with UnsupportedError: the caller's fault, not ours.
  if (error instanceof TypeError || error instanceof mediasoupErrors.UnsupportedError) {
    ctx.log.info({ request: name, err: error }, `${name}: invalid parameters`);
    return { code: 'BAD_REQUEST', message: error.message };
  }
  ctx.log.error({ request: name, err: error }, `${name}: failed`);
  return { code: 'INTERNAL', message: 'the server could not do that' };
}
