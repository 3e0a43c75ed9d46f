/**
 * Rooms that have been created and may be joined by link. The server keeps
 * them in the database (server/sessions/SqlRoomStore.ts: a room is a session,
 * of a case or ad hoc); the in-memory store is for tests without one. The
 * interface is what the rest of the server depends on.
 */
import { randomBytes } from 'node:crypto';
import type { CaseId, RoomId } from '../../shared/ids';

/** A new room id: 80 random bits, since room ids appear in logs and links and must not be guessable. */
export const mintRoomId = (): RoomId => randomBytes(10).toString('base64url') as RoomId;

/** How a room behaves; a case's session sets these from the case. */
export interface RoomSettings {
  title: string;
  /** Parties, experts and observers wait until a mediator admits them. */
  waitingRoom: boolean;
  /** The session is recorded: everyone is told and consents before media starts. */
  recording: boolean;
  /** The case this room is a session of (the client opens its agreement); null or absent for an ad-hoc room. */
  caseId?: CaseId | null;
}

export interface RoomRecord extends RoomSettings {
  roomId: RoomId;
  /** The case this room is a session of; null for an ad-hoc room. */
  caseId: CaseId | null;
  createdAt: Date;
}

export interface RoomStore {
  create(settings: RoomSettings): Promise<RoomRecord>;
  get(roomId: RoomId): Promise<RoomRecord | undefined>;
}

export class InMemoryRoomStore implements RoomStore {
  readonly #rooms = new Map<RoomId, RoomRecord>();

  async create(settings: RoomSettings): Promise<RoomRecord> {
    const record = { ...settings, roomId: mintRoomId(), caseId: null, createdAt: new Date() };
    this.#rooms.set(record.roomId, record);
    return record;
  }

  async get(roomId: RoomId): Promise<RoomRecord | undefined> {
    return this.#rooms.get(roomId);
  }
}
