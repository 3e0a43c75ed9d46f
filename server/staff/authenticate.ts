/**
 * Who is calling a staff route: the session token from `Authorization: Bearer`
 * (API clients) or the HttpOnly cookie (the browser), looked up by its hash.
 * Runs before any route touches state; routes then read `req.staff`.
 */
import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { AppError } from '../../shared/errors';
import type { Actor } from '../authz/actor';
import type { Records } from '../records';

declare module 'express-serve-static-core' {
  interface Request {
    /** The logged-in staff member, set by authenticateStaff(); undefined for anyone else. */
    staff?: Actor;
    /** The hash of the session token that authenticated this request. */
    sessionTokenHash?: string;
  }
}

export const SESSION_COOKIE = 'gridroom_session';

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** The presented token, or undefined. A Bearer header wins over the cookie. */
export function presentedToken(req: Request): string | undefined {
  const bearer = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(req.get('authorization') ?? '')?.[1];
  if (bearer) return bearer;
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) {
      const token = value.join('=');
      return /^[A-Za-z0-9_-]{20,200}$/.test(token) ? token : undefined;
    }
  }
  return undefined;
}

export function authenticateStaff(records: Records): RequestHandler {
  return async (req, _res, next) => {
    const token = presentedToken(req);
    if (token) {
      const tokenHash = hashToken(token);
      const session = await records.read.sessions.actorForToken(tokenHash, new Date());
      if (session) {
        req.staff = session.actor;
        req.sessionTokenHash = tokenHash;
      }
    }
    next();
  };
}

/** The caller, or UNAUTHENTICATED: for every route that needs a login. */
export function staffOf(req: Request): Actor {
  if (!req.staff) throw new AppError('UNAUTHENTICATED', 'log in first (the session is missing, ended or expired)');
  return req.staff;
}
