/**
 * Joining and media: each handler turns a validated request into calls on the
 * live room and the caller's media peer.
 */
import type { types as ms } from 'mediasoup';
import { AppError } from '../../../shared/errors';
import type { ProducerId, TransportId } from '../../../shared/ids';
import type { ResponseData } from '../../../shared/protocol';
import { permissionsOf } from '../../../shared/roles';
import { defineHandler, type RegisteredHandler } from '../defineHandler';
import { joinedRoom, roomOf } from './lookup';

// mediasoup and mediasoup-client describe the same JSON with slightly different unions.
type Wire<K extends keyof ResponseData<'media:createTransport'>> = ResponseData<'media:createTransport'>[K];

export const mediaHandlers: RegisteredHandler[] = [
  defineHandler('room:getRouterRtpCapabilities', async (ctx) => {
    const { room } = await roomOf(ctx);
    const caps = room.media.router.rtpCapabilities;
    return { rtpCapabilities: caps as unknown as ResponseData<'room:getRouterRtpCapabilities'>['rtpCapabilities'] };
  }),

  defineHandler('media:createTransport', async (ctx, { direction }) => {
    // Permission first: a refused request must not even attach the caller to the room.
    if (direction === 'send' && !permissionsOf(ctx.role).canPublish) {
      throw new AppError('FORBIDDEN', 'this link may watch and listen only');
    }
    const { peer } = await roomOf(ctx);
    const transport = await peer.createWebRtcTransport(direction);
    return {
      transportId: transport.id as TransportId,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates as unknown as Wire<'iceCandidates'>,
      dtlsParameters: transport.dtlsParameters as unknown as Wire<'dtlsParameters'>,
    };
  }),

  defineHandler('room:join', async (ctx, { displayName, rtpCapabilities }) => {
    const { room, peer } = await roomOf(ctx);
    if (!peer.transportFor('recv')) throw new AppError('CONFLICT', 'create the receive transport before joining');
    peer.setRtpCapabilities(rtpCapabilities as unknown as ms.RtpCapabilities);
    const self = { peerId: ctx.peerId, displayName, role: ctx.role };
    const joined = room.join(self);
    ctx.log.info({ displayName, space: joined.space, peers: joined.peers.length }, 'room:join');
    ctx.afterAck(() => room.consumeSpace(ctx.peerId));
    return {
      ...joined,
      roomId: ctx.roomId,
      title: room.settings.title,
      caseId: room.settings.caseId ?? null,
      self,
      activeSpeakerPeerId: room.activeSpeaker,
      recording: room.settings.recording,
    };
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
    const { room, peer } = await joinedRoom(ctx);
    if (!room.mayProduce(ctx.peerId)) throw new AppError('CONFLICT', 'consent to the recording first');
    const producer = await peer.produce({
      transportId,
      kind,
      source,
      rtpParameters: rtpParameters as unknown as ms.RtpParameters,
    });
    return { producerId: producer.id as ProducerId };
  }),

  defineHandler('media:setProducerPaused', async (ctx, { producerId, paused }) => {
    await (await joinedRoom(ctx)).peer.setProducerPaused(producerId, paused);
    return {};
  }),

  defineHandler('media:closeProducer', async (ctx, { producerId }) => {
    (await joinedRoom(ctx)).peer.closeProducer(producerId);
    return {};
  }),

  defineHandler('media:resumeConsumer', async (ctx, { consumerId }) => {
    await (await joinedRoom(ctx)).peer.resumeConsumer(consumerId);
    return {};
  }),

  defineHandler('room:leave', async (ctx) => {
    const room = await ctx.rooms.find(ctx.roomId);
    if (room?.leave(ctx.peerId)) room.close();
    return {};
  }),
];
