/**
 * What every socket request passes before its handler runs, in the room
 * namespace (defineHandler) and in /presence (definePresenceHandler) alike:
 * the connection's rate limit, a size limit, and its zod schema. A refused
 * request throws an AppError and its handler never runs, so it changes nothing.
 */
import type { z } from 'zod';
import { AppError } from '../../shared/errors';
import type { RateLimiter } from './RateLimiter';

export function checkRequest<S extends z.ZodType>(
  schema: S,
  payload: unknown,
  limits: { rateLimiter: RateLimiter; maxBytes: number },
): z.output<S> {
  if (!limits.rateLimiter.take()) throw new AppError('RATE_LIMITED', 'too many requests; slow down');
  if (jsonSize(payload) > limits.maxBytes) {
    throw new AppError('PAYLOAD_TOO_LARGE', `payload exceeds ${limits.maxBytes} bytes`);
  }
  const parsed = schema.safeParse(payload ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('BAD_REQUEST', `${issue?.path.join('.') || 'payload'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function jsonSize(value: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? '');
  } catch {
    return Infinity; // cyclic or unserialisable: certainly not a payload of ours
  }
}
