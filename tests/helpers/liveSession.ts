/**
 * A session on the real server driven from Node, as the spaces and consent
 * tests need it: join over the real signalling like the browser does, give a
 * participant a producer on a server-side PlainTransport (no browser), and
 * read from mediasoup itself whose media a participant receives.
 */
import type { types as ms } from 'mediasoup';
import type { PeerId, RoomId } from '../../shared/ids';
import type { ResponseData } from '../../shared/protocol';
import type { LiveRoom } from '../../server/rooms/LiveRoom';
import { TestSignalingClient } from './signalingClient';
import { tokenOf, type TestServer } from './testServer';

export interface Joined {
  client: TestSignalingClient;
  joined: ResponseData<'room:join'>;
  peerId: PeerId;
}

export interface LiveSession {
  /** Connects with `link` from `deviceId` and joins the way the browser does. */
  join(link: string, name: string, deviceId: string): Promise<Joined>;
  live(): Promise<LiveRoom>;
  /** A video producer for a joined participant, on a server-side PlainTransport. */
  produceFor(peerId: PeerId, ssrc: number): Promise<ms.Producer>;
  /** Whose producers a participant holds open consumers of, read from mediasoup. */
  receivesFrom(peerId: PeerId): Promise<string[]>;
  /** Closes every client this session connected. */
  close(): void;
}

export function liveSession(server: TestServer, roomId: RoomId): LiveSession {
  const clients: TestSignalingClient[] = [];
  const live = async () => (await server.app.rooms.find(roomId))!;
  return {
    async join(link, name, deviceId) {
      const client = await TestSignalingClient.connect(server.url, tokenOf(link), { deviceId });
      clients.push(client);
      const { rtpCapabilities } = await client.request('room:getRouterRtpCapabilities', {});
      await client.request('media:createTransport', { direction: 'send' });
      await client.request('media:createTransport', { direction: 'recv' });
      const joined = await client.request('room:join', { displayName: name, rtpCapabilities });
      return { client, joined, peerId: joined.self.peerId };
    },
    live,
    async produceFor(peerId, ssrc) {
      const peer = (await live()).media.getPeer(peerId)!;
      const plain = await peer.createPlainTransport();
      return peer.produce({
        transportId: plain.id as never,
        kind: 'video',
        source: 'camera',
        rtpParameters: {
          codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
          encodings: [{ ssrc }],
        },
      });
    },
    async receivesFrom(peerId) {
      const peer = (await live()).media.getPeer(peerId);
      return (peer?.consumers ?? [])
        .filter((c) => !c.closed)
        .map((c) => c.appData.producerPeerId)
        .sort();
    },
    close() {
      for (const client of clients.splice(0)) client.close();
    },
  };
}
