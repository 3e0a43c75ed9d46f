/** How handlers find the room and the caller's place in it. */
import { AppError } from '../../../shared/errors';
import { permissionsOf } from '../../../shared/roles';
import type { ConnectionContext } from '../ConnectionContext';

/** The live room (created on first use) and the caller's media peer in it. */
export async function roomOf(ctx: ConnectionContext) {
  const room = await ctx.rooms.getOrCreate(ctx.roomId, ctx.settings);
  if (!ctx.isConnected()) {
    // The socket left while the room was being made: do not leave an empty router behind.
    if (room.isEmpty) room.close();
    throw new AppError('NOT_FOUND', 'the connection closed');
  }
  return { room, peer: room.attach(ctx.peerId, connectionOf(ctx)) };
}

/** The room, for a caller who must have joined it. */
export async function joinedRoom(ctx: ConnectionContext) {
  const room = await ctx.rooms.find(ctx.roomId);
  if (!room || !room.isJoined(ctx.peerId)) throw new AppError('NOT_JOINED', 'join the room first');
  return { room, peer: room.attach(ctx.peerId, connectionOf(ctx)) };
}

/** The room, for a joined caller whose role may moderate. */
export async function moderatedRoom(ctx: ConnectionContext) {
  if (!permissionsOf(ctx.role).canModerate) throw new AppError('FORBIDDEN', 'only the mediator can do that');
  return (await joinedRoom(ctx)).room;
}

function connectionOf(ctx: ConnectionContext) {
  return { key: ctx.participantKey, notify: ctx.notify, disconnect: ctx.disconnect };
}
