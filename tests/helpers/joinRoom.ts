/**
 * The protocol's join sequence for a TestSignalingClient, in the client's
 * order: router capabilities, transports, then room:join. In Node the router's
 * own capabilities stand in for a browser's (a valid capability set that can
 * consume everything the router routes).
 */
import type { ResponseData } from '../../shared/protocol';
import type { TestSignalingClient } from './signalingClient';

export interface Joined {
  rtpCapabilities: ResponseData<'room:getRouterRtpCapabilities'>['rtpCapabilities'];
  send: ResponseData<'media:createTransport'> | null;
  recv: ResponseData<'media:createTransport'>;
  join: ResponseData<'room:join'>;
}

export async function joinRoom(
  client: TestSignalingClient,
  displayName: string,
  { send = true }: { send?: boolean } = {},
): Promise<Joined> {
  const { rtpCapabilities } = await client.request('room:getRouterRtpCapabilities', {});
  const sendTransport = send ? await client.request('media:createTransport', { direction: 'send' }) : null;
  const recv = await client.request('media:createTransport', { direction: 'recv' });
  const join = await client.request('room:join', { displayName, rtpCapabilities: rtpCapabilities as never });
  return { rtpCapabilities, send: sendTransport, recv, join };
}

/** A VP8 camera producer's parameters on a send transport (no RTP need flow for the SFU to route it). */
export const vp8Camera = (transportId: string, codec: Record<string, unknown> = {}) => ({
  transportId,
  kind: 'video' as const,
  source: 'camera' as const,
  rtpParameters: {
    codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, ...codec }],
    encodings: [{ ssrc: 11111111 }],
  },
});
