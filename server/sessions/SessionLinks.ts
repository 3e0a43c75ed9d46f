/**
 * Join links as rows: issuing one (a session_links row whose token is derived
 * from it), turning a row into its URL again, and the check every presented
 * link passes after its signature: the row exists and belongs to the room,
 * is not revoked, and, for a single-device link, is used from its device.
 * The join page and the socket handshake both ask check().
 */
import { AppError } from '../../shared/errors';
import type { PartyId, RoomId, StaffId } from '../../shared/ids';
import type { Role } from '../../shared/roles';
import type { LinkView } from '../../shared/sessions';
import type { Queryable } from '../db/Db';
import { newLinkTimes, type JoinClaims, type JoinTokens } from '../links/joinToken';
import { SqlSessionLinkStore, type LinkRecord } from './SessionStore';

export interface NewLinkInput {
  sessionId: RoomId;
  role: Role;
  label: string;
  /** Seconds the link works, counted from `validFrom` (default: now). */
  ttlSeconds: number;
  /** A session scheduled for later: its links must still work then, so their lifetime counts from the meeting. */
  validFrom?: Date | undefined;
  partyId?: PartyId | null;
  singleDevice?: boolean;
  createdBy: StaffId | null;
}

export interface SessionLinksDeps {
  db: Queryable;
  joinTokens: JoinTokens;
  /** The base URL links are made with (PUBLIC_URL or the bound address). */
  baseUrl: () => string;
}

export class SessionLinks {
  readonly #db: Queryable;
  readonly #tokens: JoinTokens;
  readonly #baseUrl: () => string;

  constructor(deps: SessionLinksDeps) {
    this.#db = deps.db;
    this.#tokens = deps.joinTokens;
    this.#baseUrl = deps.baseUrl;
  }

  /** Stores a new link on `q` (the caller's transaction, or the database). */
  async issue(q: Queryable, input: NewLinkInput): Promise<LinkRecord> {
    const now = new Date();
    const times = newLinkTimes(input.ttlSeconds, now);
    if (input.validFrom && input.validFrom > now) {
      times.expiresAt = new Date(times.expiresAt.getTime() + (input.validFrom.getTime() - now.getTime()));
      times.expiresAt.setMilliseconds(0);
    }
    return new SqlSessionLinkStore(q).insertLink({
      id: times.linkId,
      sessionId: input.sessionId,
      role: input.role,
      partyId: input.partyId ?? null,
      label: input.label,
      issuedAt: times.issuedAt,
      expiresAt: times.expiresAt,
      singleDevice: input.singleDevice ?? false,
      createdBy: input.createdBy,
    });
  }

  /** The link's URL; the same row always gives the same one. */
  async url(link: LinkRecord): Promise<string> {
    const { token } = await this.#tokens.sign(link.sessionId, link.role, {
      linkId: link.id,
      issuedAt: link.issuedAt,
      expiresAt: link.expiresAt,
    });
    return `${this.#baseUrl()}/join/${token}`;
  }

  async view(link: LinkRecord, withUrl: boolean): Promise<LinkView> {
    return {
      linkId: link.id,
      role: link.role,
      partyId: link.partyId,
      label: link.label,
      url: withUrl ? await this.url(link) : null,
      expiresAt: link.expiresAt.toISOString(),
      singleDevice: link.singleDevice,
      deviceBound: link.deviceId !== null,
      revokedAt: link.revokedAt?.toISOString() ?? null,
    };
  }

  /**
   * After the signature: throws INVALID_LINK (no such link for this room),
   * LINK_REVOKED, LINK_EXPIRED, or LINK_IN_USE (a single-device link opened on
   * another device). `device` is the handshake's; the join page has none, so
   * it cannot bind a device and checks the rest only.
   */
  async check(claims: JoinClaims, device?: { deviceId: string | undefined }): Promise<LinkRecord> {
    const store = new SqlSessionLinkStore(this.#db);
    const link = await store.link(claims.linkId);
    if (!link || link.sessionId !== claims.roomId || link.role !== claims.role) {
      throw new AppError('INVALID_LINK', 'this link is not valid');
    }
    if (link.revokedAt) throw new AppError('LINK_REVOKED', 'the mediator has withdrawn this link');
    if (link.expiresAt.getTime() <= Date.now()) throw new AppError('LINK_EXPIRED', 'this link has expired');
    if (device && link.singleDevice) {
      if (!device.deviceId) throw new AppError('INVALID_LINK', 'this link works only from the Gridroom page');
      // Atomic: of two phones opening the link at once, exactly one binds it.
      if (!(await store.bindDevice(link.id, device.deviceId))) {
        throw new AppError('LINK_IN_USE', 'this link is already in use on another device');
      }
    }
    return link;
  }
}
