/**
 * A join link is a signed token (JWT, HS256) carrying the room, the role and
 * the expiry. Nothing else is trusted from a link: whether its room still
 * exists is checked against the room store on every use.
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

export class JoinTokens {
  readonly #key: Uint8Array;

  constructor(secret: string) {
    this.#key = new TextEncoder().encode(secret);
  }

  async sign(roomId: RoomId, role: Role, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }> {
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
    const token = await new SignJWT({ room: roomId, role })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.#key);
    return { token, expiresAt };
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
