/**
 * A join link is a signed token (JWT, HS256) carrying the room, the role and
 * the expiry. Nothing else is trusted from a link: whether its room still
 * exists, and whether the link (its jti) is still issued and not revoked, is
 * checked against the database on every use. The claims are deterministic
 * ({room, role, jti, iat, exp}, whole seconds), so a stored link row always
 * signs to the same token, and so to the same URL.
 */
import { randomUUID } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import { roomIdSchema, type RoomId } from '../../shared/ids';
import { roleSchema, type Role } from '../../shared/roles';

const ISSUER = 'gridroom';
const AUDIENCE = 'gridroom:join';

const claimsSchema = z.object({ room: roomIdSchema, role: roleSchema, jti: z.string().min(1).max(64) });

export interface JoinClaims {
  roomId: RoomId;
  role: Role;
  /** Unique per link, so a later issue can revoke one link without touching the others. */
  linkId: string;
  expiresAt: Date;
}

/** What makes one link's token: its id (the jti) and its validity, whole seconds. */
export interface LinkTimes {
  linkId: string;
  issuedAt: Date;
  expiresAt: Date;
}

export interface SignedLink extends LinkTimes {
  token: string;
}

const toSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

export class JoinTokens {
  readonly #key: Uint8Array;

  constructor(secret: string) {
    this.#key = new TextEncoder().encode(secret);
  }

  /**
   * Signs a link: a new one valid for `validity` seconds from now, or the
   * stored link `validity` describes (the same row always gives the same token).
   */
  async sign(roomId: RoomId, role: Role, validity: number | LinkTimes): Promise<SignedLink> {
    const times = typeof validity === 'number' ? newLinkTimes(validity) : validity;
    const token = await new SignJWT({ room: roomId, role })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setJti(times.linkId)
      .setIssuedAt(toSeconds(times.issuedAt))
      .setExpirationTime(toSeconds(times.expiresAt))
      .sign(this.#key);
    return { token, ...times };
  }

  /** Throws LINK_EXPIRED for an expired link and INVALID_LINK for anything else that is wrong with it. */
  async verify(token: string): Promise<JoinClaims> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ['exp', 'jti'],
      });
      const claims = claimsSchema.parse(payload);
      return { roomId: claims.room, role: claims.role, linkId: claims.jti, expiresAt: new Date(payload.exp! * 1000) };
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new AppError('LINK_EXPIRED', 'this link has expired');
      throw new AppError('INVALID_LINK', 'this link is not valid');
    }
  }
}

/** A fresh link id and its validity from now, in whole seconds (as the token carries them). */
export function newLinkTimes(ttlSeconds: number, now = new Date()): LinkTimes {
  const issuedAt = new Date(toSeconds(now) * 1000);
  return { linkId: randomUUID(), issuedAt, expiresAt: new Date(issuedAt.getTime() + Math.round(ttlSeconds) * 1000) };
}
