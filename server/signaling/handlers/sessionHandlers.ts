/**
 * The mediator's controls (waiting room, caucus, removal), chat, recording
 * consent and the parties' answer to an expert. Moderation is refused to any role that may not moderate.
 */
import { AppError } from '../../../shared/errors';
import { defineHandler, type RegisteredHandler } from '../defineHandler';
import { joinedRoom, moderatedRoom } from './lookup';

export const sessionHandlers: RegisteredHandler[] = [
  defineHandler('session:consentToRecording', async (ctx) => {
    const { room } = await joinedRoom(ctx);
    if (!room.settings.recording) throw new AppError('CONFLICT', 'this session is not recorded');
    room.consentToRecording(ctx.peerId);
    return {};
  }),

  defineHandler('session:consentToExpert', async (ctx, { expertPeerId, consent }) => {
    const { room } = await joinedRoom(ctx);
    room.consentToExpert(ctx.peerId, expertPeerId, consent);
    return {};
  }),

  defineHandler('chat:send', async (ctx, { text }) => {
    const { room } = await joinedRoom(ctx);
    return { message: room.chat(ctx.peerId, text) };
  }),

  defineHandler('session:admit', async (ctx, { peerId }) => {
    const room = await moderatedRoom(ctx);
    if (room.spaceOf(peerId) !== 'lobby') throw new AppError('CONFLICT', 'they are not waiting');
    await room.move(peerId, 'main');
    return {};
  }),

  defineHandler('session:sendToLobby', async (ctx, { peerId }) => {
    const room = await moderatedRoom(ctx);
    if (peerId === ctx.peerId) throw new AppError('CONFLICT', 'a mediator does not wait in the lobby');
    await room.move(peerId, 'lobby');
    return {};
  }),

  defineHandler('session:remove', async (ctx, { peerId }) => {
    const room = await moderatedRoom(ctx);
    if (peerId === ctx.peerId) throw new AppError('CONFLICT', 'use leave to leave');
    room.remove(peerId, 'removedByMediator');
    return {};
  }),

  defineHandler('session:openCaucus', async (ctx, { peerIds }) => {
    const room = await moderatedRoom(ctx);
    return { space: await room.openCaucus(ctx.peerId, peerIds) };
  }),

  defineHandler('session:move', async (ctx, { peerId, space }) => {
    const room = await moderatedRoom(ctx);
    if (peerId === ctx.peerId && space === 'lobby')
      throw new AppError('CONFLICT', 'a mediator does not wait in the lobby');
    await room.move(peerId, space);
    return {};
  }),

  defineHandler('session:endCaucuses', async (ctx) => {
    await (await moderatedRoom(ctx)).endCaucuses();
    return {};
  }),
];
