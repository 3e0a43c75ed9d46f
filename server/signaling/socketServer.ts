/**
 * The socket.io edge: authenticate the link before anything stateful happens,
 * then route each request through its handler and clean up on disconnect.
 */
import { randomUUID } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { Server, type Socket } from 'socket.io';
import { AppError, type Ack } from '../../shared/errors';
import type { PeerId, RoomId } from '../../shared/ids';
import {
  handshakeAuthSchema,
  PROTOCOL_VERSION,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '../../shared/protocol';
import type { Role } from '../../shared/roles';
import type { JoinTokens } from '../links/joinToken';
import type { LiveRooms } from '../rooms/LiveRooms';
import type { RoomSettings, RoomStore } from '../rooms/RoomStore';
import type { SessionLinks } from '../sessions/SessionLinks';
import type { ConnectionContext } from './ConnectionContext';
import { mediaHandlers } from './handlers/mediaHandlers';
import { sessionHandlers } from './handlers/sessionHandlers';
import { RateLimiter } from './RateLimiter';

interface SocketData {
  peerId: PeerId;
  roomId: RoomId;
  role: Role;
  participantKey: string;
  settings: RoomSettings;
}

const handlers = [...mediaHandlers, ...sessionHandlers];

type GridroomSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface SocketServerDeps {
  httpServer: HttpServer;
  joinTokens: JoinTokens;
  roomStore: RoomStore;
  /** The link rows: issued, not revoked, bound to its device. */
  links: Pick<SessionLinks, 'check'>;
  rooms: LiveRooms;
  /** Which server holds a live session (a link opened on another is refused with WRONG_NODE and its URL). */
  roomElsewhere?: (roomId: RoomId) => Promise<string | null>;
  logger: Logger;
}

// socket.io drops a connection whose single message exceeds this; requests are
// checked against the smaller MAX_REQUEST_BYTES first and answered with a code.
const MAX_MESSAGE_BYTES = 64 * 1024;

export function createSocketServer({
  httpServer,
  joinTokens,
  roomStore,
  links,
  rooms,
  roomElsewhere,
  logger,
}: SocketServerDeps) {
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(httpServer, {
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    // Phones on a bad network: notice a dead connection within ~25 s, not minutes.
    pingInterval: 10_000,
    pingTimeout: 15_000,
    // Other upgrades (the co-editing endpoint) are answered by their own listeners; see rejectUpgrade.ts.
    destroyUpgrade: false,
  });
  const log = logger.child({ component: 'signaling' });

  io.use(async (socket, next) => {
    try {
      socket.data = await authenticate(socket.handshake.auth, { joinTokens, roomStore, links });
      const owner = await roomElsewhere?.(socket.data.roomId);
      if (owner) throw new AppError('WRONG_NODE', 'this session is held by another server', owner);
      next();
    } catch (error) {
      const body =
        error instanceof AppError ? error.toBody() : { code: 'INTERNAL', message: 'could not check the link' };
      if (!(error instanceof AppError)) log.error({ err: error }, 'io.use(): authentication failed');
      // The client sees err.message === code and err.data.message.
      next(Object.assign(new Error(body.code), { data: body }));
    }
  });

  io.on('connection', (socket) => onConnection(socket, rooms, log));
  return io;
}

async function authenticate(
  auth: unknown,
  { joinTokens, roomStore, links }: Pick<SocketServerDeps, 'joinTokens' | 'roomStore' | 'links'>,
): Promise<SocketData> {
  const parsed = handshakeAuthSchema.safeParse(auth);
  if (!parsed.success) throw new AppError('INVALID_LINK', 'no valid link was presented');
  if (parsed.data.protocolVersion !== PROTOCOL_VERSION) {
    throw new AppError('UNSUPPORTED_PROTOCOL', 'please reload the page to get the current app');
  }
  const claims = await joinTokens.verify(parsed.data.token);
  const room = await roomStore.get(claims.roomId);
  if (!room) throw new AppError('NOT_FOUND', 'this room does not exist');
  // Revoked? Expired? A single-device link on another phone? Binds the device on first use.
  await links.check(claims, { deviceId: parsed.data.deviceId });
  const peerId = randomUUID() as PeerId;
  return {
    peerId,
    roomId: claims.roomId,
    role: claims.role,
    // Without a device id every connection is a new participant (nothing to return to).
    participantKey: `${claims.linkId}:${parsed.data.deviceId ?? peerId}`,
    settings: { title: room.title, waitingRoom: room.waitingRoom, recording: room.recording, caseId: room.caseId },
  };
}

function onConnection(socket: GridroomSocket, rooms: LiveRooms, log: Logger): void {
  const { peerId, roomId, role, participantKey, settings } = socket.data;
  const ctxLog = log.child({ roomId, peerId });
  const ctx: Omit<ConnectionContext, 'afterAck'> = {
    peerId,
    roomId,
    role,
    participantKey,
    settings,
    log: ctxLog,
    rooms,
    notify: (name, payload) => void socket.emit(name, ...([payload] as never)),
    rateLimiter: new RateLimiter(60, 30),
    isConnected: () => socket.connected,
    // Let the last notification (why they were removed) go out before the close.
    disconnect: () => void setTimeout(() => socket.disconnect(true), 100),
  };
  ctxLog.info({ role }, 'connection');

  for (const handler of handlers) {
    socket.on(handler.name, async (...args: unknown[]) => {
      // `emit(name, ack)` with no payload is fine for requests that take none.
      const [payload, ack] = args.length === 1 && typeof args[0] === 'function' ? [{}, args[0]] : args;
      if (typeof ack !== 'function') {
        ctxLog.debug({ request: handler.name }, 'request without ack ignored');
        return;
      }
      // Per request, since requests of one connection may run concurrently.
      const after: (() => Promise<void> | void)[] = [];
      const response = await handler.run({ ...ctx, afterAck: (fn) => after.push(fn) }, payload);
      (ack as (r: Ack<unknown>) => void)(response);
      if (!response.ok) return;
      for (const fn of after) {
        await Promise.resolve()
          .then(fn)
          .catch((err: unknown) => ctxLog.error({ err, request: handler.name }, 'afterAck failed'));
      }
    });
  }

  const known = new Set<string>(handlers.map((h) => h.name));
  socket.onAny((event: string, ...args: unknown[]) => {
    const ack = args.at(-1);
    if (!known.has(event) && typeof ack === 'function') {
      ack({ ok: false, error: { code: 'BAD_REQUEST', message: `unknown request "${event.slice(0, 64)}"` } });
    }
  });

  socket.on('disconnect', async (reason) => {
    ctxLog.info({ reason }, 'disconnect');
    const room = await rooms.find(roomId);
    if (room?.leave(peerId)) room.close();
  });
}
