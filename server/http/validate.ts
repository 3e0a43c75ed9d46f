import type { z } from 'zod';
import { AppError } from '../../shared/errors';

/**
 * Parses request input or throws BAD_REQUEST naming the first bad field, before
 * anything has been read or changed.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what = 'body'): z.output<S> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new AppError('BAD_REQUEST', `${issue?.path.join('.') || what}: ${issue?.message ?? 'invalid'}`);
}
