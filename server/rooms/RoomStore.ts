/**
 * Rooms that have been created and may be joined by link. The in-memory store
 * is the whole story until cases arrive (rooms then become sessions of a case
 * in the database); the interface is what the rest of the server depends on.
 */
import { randomBytes } from 'node:crypto';
import type { RoomId } from '../../shared/ids';

export interface RoomRecord {
  roomId: RoomId;
  title: string;
  createdAt: Date;
}

export interface RoomStore {
  create(title: string): Promise<RoomRecord>;
  get(roomId: RoomId): Promise<RoomRecord | undefined>;
}

export class InMemoryRoomStore implements RoomStore {
  readonly #rooms = new Map<RoomId, RoomRecord>();

  async create(title: string): Promise<RoomRecord> {
    // 80 random bits: room ids appear in logs and links, so they must not be guessable.
    const record = { roomId: randomBytes(10).toString('base64url') as RoomId, title, createdAt: new Date() };
    this.#rooms.set(record.roomId, record);
    return record;
  }

  async get(roomId: RoomId): Promise<RoomRecord | undefined> {
    return this.#rooms.get(roomId);
  }
}
