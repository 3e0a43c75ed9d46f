import type { Logger } from 'pino';
import type { PeerId, RoomId } from '../../shared/ids';
import type { Role } from '../../shared/roles';
import type { LiveRooms } from '../rooms/LiveRooms';
import type { Notify } from '../rooms/LiveRoom';
import type { RoomSettings } from '../rooms/RoomStore';
import type { RateLimiter } from './RateLimiter';

/** What a handler knows about the connection it serves; filled by the auth middleware. */
export interface ConnectionContext {
  peerId: PeerId;
  roomId: RoomId;
  role: Role;
  /** Link + device: names the same person across reconnections. */
  participantKey: string;
  /** The room's settings as read at the handshake. */
  settings: RoomSettings;
  log: Logger;
  notify: Notify;
  rooms: LiveRooms;
  rateLimiter: RateLimiter;
  /** False once the socket is gone: a request still in flight must not attach it to a room again. */
  isConnected(): boolean;
  /** Ends this connection (after a removal); the disconnect cleanup then runs. */
  disconnect(): void;
  /** Runs `fn` right after the current request's ack has been sent (so notifications follow the answer). */
  afterAck(fn: () => Promise<void> | void): void;
}
