/**
 * Sessions of a case and their join links as the staff API returns them
 * (server/sessions/routes.ts). Times are ISO 8601 strings.
 */
import type { CaseId, PartyId, RoomId } from './ids';
import type { Role } from './roles';

/** One live meeting of a case; its id is the room id of its links. */
export interface SessionView {
  id: RoomId;
  /** Null for an ad-hoc room (admin API, demo room). */
  caseId: CaseId | null;
  title: string;
  /** When the parties were told to come; null for an ad-hoc room. */
  scheduledAt: string | null;
  /** Parties, experts and observers wait in the lobby until the mediator admits them. */
  waitingRoom: boolean;
  /** Recorded, with everyone's consent before media starts; inherited from the case's setting. */
  recording: boolean;
  createdAt: string;
}

/** One join link: signed, role-scoped, expiring, revocable, optionally bound to one device. */
export interface LinkView {
  /** The token's jti; revoking uses it. */
  linkId: string;
  role: Role;
  /** The party it was made for (party links of a scheduled session). */
  partyId: PartyId | null;
  /** Who it is for, e.g. the party's name. */
  label: string;
  /** The link itself; null for callers who may see the session but not hand out its links. */
  url: string | null;
  expiresAt: string;
  /** Works on the first device that opens it only. */
  singleDevice: boolean;
  /** A single-device link has been opened and is now bound to that device. */
  deviceBound: boolean;
  /** When it was revoked; null while it works. */
  revokedAt: string | null;
}

/** The text a mediator pastes into SMS/WeChat for one party. */
export interface SmsText {
  linkId: string;
  partyId: PartyId;
  text: string;
}

/** `POST /api/cases/:caseId/sessions` → 201. */
export interface ScheduledSession {
  session: SessionView;
  links: LinkView[];
  smsTexts: SmsText[];
}

/** `GET /api/cases/:caseId/sessions`, newest first. */
export interface CaseSessions {
  sessions: { session: SessionView; links: LinkView[] }[];
}
