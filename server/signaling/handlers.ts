/**
 * The request handlers: each is a few lines that turn a validated request into
 * calls on the live room and its media peer.
 */
import { AppError } from '../../shared/errors';
import type { ProducerId, TransportId } from '../../shared/ids';
import type { ResponseData } from '../../shared/protocol';
import { permissionsOf } from '../../shared/roles';
import type { types as ms } from 'mediasoup';
import { defineHandler, type RegisteredHandler } from './defineHandler';
import type { ConnectionContext } from './ConnectionContext';

async function roomOf(ctx: ConnectionContext) {
  const room = await ctx.rooms.getOrCreate(ctx.roomId);
  if (!ctx.isConnected()) {
    // The socket left while the room was being made: do not leave an empty router behind.
    if (room.isEmpty) room.close();
    throw new AppError('NOT_FOUND', 'the connection closed');
  }
  return { room, peer: room.attach(ctx.peerId, ctx.notify) };
}

async function joinedPeer(ctx: ConnectionContext) {
  const room = await ctx.rooms.find(ctx.roomId);
  if (!room || !room.isJoined(ctx.peerId)) throw new AppError('NOT_JOINED', 'join the room first');
  return room.attach(ctx.peerId, ctx.notify);
}

export const handlers: RegisteredHandler[] = [
  defineHandler('room:getRouterRtpCapabilities', async (ctx) => {
    const { room } = await roomOf(ctx);
    return { rtpCapabilities: room.media.router.rtpCapabilities as unknown as ResponseData<'room:getRouterRtpCapabilities'>['rtpCapabilities'] };
  }),

  defineHandler('media:createTransport', async (ctx, { direction }) => {
    const { peer } = await roomOf(ctx);
    if (direction === 'send' && !permissionsOf(ctx.role).canPublish) {
      throw new AppError('FORBIDDEN', 'this link may watch and listen only');
    }
    const transport = await peer.createWebRtcTransport(direction);
    return {
      transportId: transport.id as TransportId,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates as unknown as ResponseData<'media:createTransport'>['iceCandidates'],
      dtlsParameters: transport.dtlsParameters as unknown as ResponseData<'media:createTransport'>['dtlsParameters'],
    };
  }),

  defineHandler('room:join', async (ctx, { displayName, rtpCapabilities }) => {
    const { room, peer } = await roomOf(ctx);
    if (!peer.transportFor('recv')) throw new AppError('CONFLICT', 'create the receive transport before joining');
    peer.setRtpCapabilities(rtpCapabilities as unknown as ms.RtpCapabilities);
    const self = { peerId: ctx.peerId, displayName, role: ctx.role };
    const { peers, activeSpeakerPeerId } = room.join(self);
    ctx.log.info({ displayName, peers: peers.length }, 'room:join');
    ctx.afterAck(() => room.consumeExisting(ctx.peerId));
    return { roomId: ctx.roomId, self, peers, activeSpeakerPeerId };
  }),

  defineHandler('media:connectTransport', async (ctx, { transportId, dtlsParameters }) => {
    const { peer } = await roomOf(ctx);
    await peer.connectTransport(transportId, dtlsParameters as ms.DtlsParameters);
    return {};
  }),

  defineHandler('media:restartIce', async (ctx, { transportId }) => {
    const { peer } = await roomOf(ctx);
    return { iceParameters: await peer.restartIce(transportId) };
  }),

  defineHandler('media:produce', async (ctx, { transportId, kind, source, rtpParameters }) => {
    const permissions = permissionsOf(ctx.role);
    if (!permissions.canPublish || (source === 'screen' && !permissions.canShareScreen)) {
      throw new AppError('FORBIDDEN', `this link may not send ${source}`);
    }
    const peer = await joinedPeer(ctx);
    const producer = await peer.produce({
      transportId,
      kind,
      source,
      rtpParameters: rtpParameters as unknown as ms.RtpParameters,
    });
    return { producerId: producer.id as ProducerId };
  }),

  defineHandler('media:setProducerPaused', async (ctx, { producerId, paused }) => {
    await (await joinedPeer(ctx)).setProducerPaused(producerId, paused);
    return {};
  }),

  defineHandler('media:closeProducer', async (ctx, { producerId }) => {
    (await joinedPeer(ctx)).closeProducer(producerId);
    return {};
  }),

  defineHandler('media:resumeConsumer', async (ctx, { consumerId }) => {
    await (await joinedPeer(ctx)).resumeConsumer(consumerId);
    return {};
  }),

  defineHandler('room:leave', async (ctx) => {
    const room = await ctx.rooms.find(ctx.roomId);
    if (room?.leave(ctx.peerId)) room.close();
    return {};
  }),
];
