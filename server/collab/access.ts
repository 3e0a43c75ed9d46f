/**
 * Who is opening an agreement and what they may do to it, decided from the
 * upgrade request before the websocket is accepted (as y-websocket-server's
 * upgrade comment and y-redis's checkAuth have it): the answer is data,
 * `{ access: 'edit' | 'comment' | 'read', user }`, and a read-only role gets a
 * read-only connection.
 *
 * Two kinds of credentials, the same as everywhere else: a staff session
 * (cookie or `Authorization: Bearer`), decided by can(); or a join link in the
 * `token` query parameter (the browser's WebSocket cannot send headers), whose
 * room must belong to the case. Mediator links edit; party links edit or only
 * comment as the case is set; expert and observer links read.
 */
import type { IncomingMessage } from 'node:http';
import type { AgreementAccess, PartyAgreementAccess } from '../../shared/agreement';
import { AppError } from '../../shared/errors';
import type { CaseId, RoomId, StaffId } from '../../shared/ids';
import type { Role } from '../../shared/roles';
import type { StaffRole } from '../../shared/staff';
import type { Actor } from '../authz/actor';
import { can, type CaseScope } from '../authz/can';
import type { JoinClaims, JoinTokens } from '../links/joinToken';
import { hashToken, SESSION_COOKIE } from '../staff/authenticate';
import type { AgreementStore } from './AgreementStore';

export type CollabUser =
  | { kind: 'staff'; staffId: StaffId; name: string; role: StaffRole }
  | { kind: 'link'; role: Role; roomId: RoomId; linkId: string };

export interface AccessDecision {
  access: AgreementAccess;
  user: CollabUser;
  /** When the credentials run out; the connection is closed then. */
  expiresAt: Date;
  /** Why, for the log. */
  reason: string;
}

/** The credentials an upgrade request carries. */
export type Credentials =
  | { kind: 'link'; token: string }
  | { kind: 'session'; token: string; fromCookie: boolean; origin: string | undefined; host: string | undefined };

export interface AccessDeps {
  /** The staff member behind a session token hash (server/staff's session store). */
  actorForToken(tokenHash: string, now: Date): Promise<{ actor: Actor; expiresAt: Date } | undefined>;
  /** The case's place on the ladder, for can(); undefined when there is no such case. */
  caseScope(caseId: CaseId): Promise<CaseScope | undefined>;
  agreements: Pick<AgreementStore, 'partyAccess'>;
  joinTokens: JoinTokens;
  /** The case a session room belongs to (null for a room of no case). */
  caseIdOfRoom(roomId: RoomId): Promise<CaseId | null>;
  /**
   * The stored link behind a verified token: throws LINK_REVOKED / LINK_EXPIRED /
   * INVALID_LINK as the join page and the socket handshake do, so a withdrawn
   * link opens nothing.
   */
  checkLink(claims: JoinClaims): Promise<void>;
  /** The origin the app is served from (PUBLIC_URL), besides the request's own Host. */
  publicOrigin: () => string | undefined;
}

const TOKEN = /^[A-Za-z0-9_-]{20,200}$/;

/** The credentials of an upgrade request; a `token` parameter (a join link) wins over a session. */
export function credentialsOf(req: IncomingMessage, url: URL): Credentials | undefined {
  const link = url.searchParams.get('token');
  if (link) return { kind: 'link', token: link };
  const origin = req.headers.origin;
  const host = req.headers.host;
  const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (bearer && TOKEN.test(bearer)) return { kind: 'session', token: bearer, fromCookie: false, origin, host };
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    const token = value.join('=');
    if (name === SESSION_COOKIE && TOKEN.test(token)) return { kind: 'session', token, fromCookie: true, origin, host };
  }
  return undefined;
}

/** What a join link's role may do, given the case's party setting. */
export function linkAccess(role: Role, partyAccess: PartyAgreementAccess): AgreementAccess {
  switch (role) {
    case 'mediator':
      return 'edit';
    case 'party':
      return partyAccess;
    case 'expert':
    case 'observer':
      return 'read';
  }
}

/** The one decision; throws AppError (UNAUTHENTICATED, INVALID_LINK, LINK_EXPIRED, FORBIDDEN, NOT_FOUND). */
export async function decideAccess(
  deps: AccessDeps,
  credentials: Credentials | undefined,
  caseId: CaseId,
): Promise<AccessDecision> {
  if (!credentials) throw new AppError('UNAUTHENTICATED', 'log in, or open the agreement from your link');
  if (credentials.kind === 'link') return decideForLink(deps, credentials.token, caseId);

  // A browser sends the cookie to any site's websocket: only our own pages may use it (no cross-site hijacking).
  if (credentials.fromCookie && credentials.origin !== undefined && !sameOrigin(credentials, deps.publicOrigin())) {
    throw new AppError('FORBIDDEN', 'cross-site request');
  }
  const session = await deps.actorForToken(hashToken(credentials.token), new Date());
  if (!session) throw new AppError('UNAUTHENTICATED', 'log in first (the session is missing, ended or expired)');
  const scope = await deps.caseScope(caseId);
  if (!scope) throw new AppError('NOT_FOUND', 'no such case');
  const { actor } = session;
  const user: CollabUser = { kind: 'staff', staffId: actor.staffId, name: actor.displayName, role: actor.role };
  const edit = can(actor, 'agreement:edit', scope);
  if (edit.allowed) return { access: 'edit', user, expiresAt: session.expiresAt, reason: edit.reason };
  const read = can(actor, 'agreement:read', scope);
  if (read.allowed) return { access: 'read', user, expiresAt: session.expiresAt, reason: read.reason };
  throw new AppError('FORBIDDEN', read.reason);
}

async function decideForLink(deps: AccessDeps, token: string, caseId: CaseId): Promise<AccessDecision> {
  const claims = await deps.joinTokens.verify(token);
  await deps.checkLink(claims);
  const linkCase = await deps.caseIdOfRoom(claims.roomId);
  if (linkCase !== caseId) throw new AppError('FORBIDDEN', 'this link is not for this case');
  // Only a party's access depends on the case's setting; the other roles need no lookup
  // (a room that belongs to a case implies the case exists).
  const partyAccess = claims.role === 'party' ? await deps.agreements.partyAccess(caseId) : 'edit';
  if (!partyAccess) throw new AppError('NOT_FOUND', 'no such case');
  return {
    access: linkAccess(claims.role, partyAccess),
    user: { kind: 'link', role: claims.role, roomId: claims.roomId, linkId: claims.linkId },
    expiresAt: claims.expiresAt,
    reason: `a ${claims.role} link of this case's session`,
  };
}

function sameOrigin(
  credentials: { origin: string | undefined; host: string | undefined },
  publicOrigin: string | undefined,
): boolean {
  try {
    const origin = new URL(credentials.origin!);
    if (publicOrigin && origin.origin === new URL(publicOrigin).origin) return true;
    return credentials.host !== undefined && origin.host === credentials.host;
  } catch {
    return false;
  }
}
