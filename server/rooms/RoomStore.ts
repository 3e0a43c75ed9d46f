/**
 * Rooms that have been created and may be joined by link. The in-memory store
 * is the whole story until cases arrive (rooms then become sessions of a case
 * in the database); the interface is what the rest of the server depends on.
 */
import { randomBytes } from 'node:crypto';
import type { RoomId } from '../../shared/ids';

/** How a room behaves; a case's session sets these from the case. */
export interface RoomSettings {
  title: string;
  /** Parties, experts and observers wait until a mediator admits them. */
  waitingRoom: boolean;
  /** The session is recorded: everyone is told and consents before media starts. */
  recording: boolean;
}

export interface RoomRecord extends RoomSettings {
  roomId: RoomId;
  createdAt: Date;
}

export interface RoomStore {
  create(settings: RoomSettings): Promise<RoomRecord>;
  get(roomId: RoomId): Promise<RoomRecord | undefined>;
}

export class InMemoryRoomStore implements RoomStore {
  readonly #rooms = new Map<RoomId, RoomRecord>();

  async create(settings: RoomSettings): Promise<RoomRecord> {
    // 80 random bits: room ids appear in logs and links, so they must not be guessable.
    const record = { ...settings, roomId: randomBytes(10).toString('base64url') as RoomId, createdAt: new Date() };
    this.#rooms.set(record.roomId, record);
    return record;
  }

  async get(roomId: RoomId): Promise<RoomRecord | undefined> {
    return this.#rooms.get(roomId);
  }
}
