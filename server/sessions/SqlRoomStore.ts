/**
 * The rooms of the server in the database: every room is a case_sessions row,
 * a scheduled session of a case or an ad-hoc room (admin API, demo room), so
 * its links keep working across a restart and on every server of the database.
 */
import type { CaseId, RoomId } from '../../shared/ids';
import type { Queryable } from '../db/Db';
import { mintRoomId, type RoomRecord, type RoomSettings, type RoomStore } from '../rooms/RoomStore';
import { SqlSessionLinkStore, type SessionRecord } from './SessionStore';

export const roomRecordOf = (s: SessionRecord): RoomRecord => ({
  roomId: s.id,
  caseId: s.caseId,
  title: s.title,
  waitingRoom: s.waitingRoom,
  recording: s.recording,
  createdAt: s.createdAt,
});

export class SqlRoomStore implements RoomStore {
  readonly #store: SqlSessionLinkStore;

  constructor(db: Queryable) {
    this.#store = new SqlSessionLinkStore(db);
  }

  /** An ad-hoc room, of no case. */
  async create(settings: RoomSettings): Promise<RoomRecord> {
    const session = await this.#store.insertSession({
      id: mintRoomId(),
      caseId: null,
      title: settings.title,
      scheduledAt: null,
      waitingRoom: settings.waitingRoom,
      recording: settings.recording,
      createdBy: null,
    });
    return roomRecordOf(session);
  }

  async get(roomId: RoomId): Promise<RoomRecord | undefined> {
    const session = await this.#store.session(roomId);
    return session && roomRecordOf(session);
  }

  /** The case a room is a session of (null for an ad-hoc room or none); bound, so it can be handed around. */
  readonly caseIdOfRoom = async (roomId: RoomId): Promise<CaseId | null> =>
    (await this.#store.session(roomId))?.caseId ?? null;
}
