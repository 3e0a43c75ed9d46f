import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '../../shared/errors';

/** Admin routes take `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time. */
export function requireBearer(expected: string): RequestHandler {
  const want = Buffer.from(expected);
  return (req, _res, next) => {
    const got = Buffer.from(/^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1] ?? '');
    if (got.length !== want.length || !timingSafeEqual(got, want)) {
      next(new AppError('FORBIDDEN', 'admin token required'));
      return;
    }
    next();
  };
}
