/**
 * One room on the real server, told as a story: two socket clients join in the
 * protocol's order, an ffmpeg camera sends real VP8 over RTP, both clients are
 * offered it, the media is seen leaving the SFU, and the room empties again
 * through leave, disconnect and the last one out. The steps run in order and
 * share the room, like the participants of a session do.
 */
import { randomUUID } from 'node:crypto';
import type { types as ms } from 'mediasoup';
import type { ConsumerId, PeerId, ProducerId, RoomId, TransportId } from '../../shared/ids';
import type { ConsumerCreated, Notifications } from '../../shared/protocol';
import type { LiveRoom, Notify } from '../../server/rooms/LiveRoom';
import type { Producer } from '../../media/MediaPeer';
import { eventually } from '../helpers/eventually';
import { sendVp8TestPattern, type FfmpegProcess } from '../helpers/ffmpegRtp';
import { joinRoom, type Joined } from '../helpers/joinRoom';
import { RtpSink } from '../helpers/rtpSink';
import { TestSignalingClient } from '../helpers/signalingClient';
import { startTestServer, tokenOf, type TestServer } from '../helpers/testServer';

// jest reads testTimeout from the root config only, not per project.

const SSRC = 22222222;
const PAYLOAD_TYPE = 101;

let server: TestServer;
let roomId: RoomId;
let links: Record<'mediator' | 'party' | 'expert' | 'observer', string>;
let live: LiveRoom;
const clients: TestSignalingClient[] = [];
let alice: TestSignalingClient; // mediator
let bob: TestSignalingClient; // party
let aliceJoined: Joined;
let bobJoined: Joined;

// The ffmpeg camera: a participant attached in-process, sending through a PlainTransport.
const cameraPeerId = randomUUID() as PeerId;
const cameraHeard: { name: keyof Notifications; payload: unknown }[] = [];
let camera: Producer;
let ffmpeg: FfmpegProcess | undefined;
let sink: RtpSink | undefined;
let sinkTransport: ms.PlainTransport | undefined;

async function connect(link: string): Promise<TestSignalingClient> {
  const client = await TestSignalingClient.connect(server.url, tokenOf(link));
  clients.push(client);
  return client;
}

const peerIdOf = (joined: Joined) => joined.join.self.peerId;
const consumerOfCamera = (client: TestSignalingClient) =>
  client.notifications('media:consumerCreated').find((c) => c.producerId === camera.id);
const serverConsumer = (peerId: PeerId, consumerId: ConsumerId) =>
  live.media.getPeer(peerId)?.consumers.find((c) => c.id === consumerId);

async function producerCounts(producer: Producer): Promise<{ packets: number; bytes: number }> {
  const stats = await producer.getStats();
  return {
    packets: stats.reduce((sum, s) => sum + s.packetCount, 0),
    bytes: stats.reduce((sum, s) => sum + s.byteCount, 0),
  };
}

beforeAll(async () => {
  server = await startTestServer();
  const room = await server.createRoom('Room flow');
  roomId = room.roomId;
  links = room.links;
  alice = await connect(links.mediator);
  bob = await connect(links.party);
});

afterAll(async () => {
  await ffmpeg?.stop();
  sinkTransport?.close();
  await sink?.close();
  for (const client of clients) client.close();
  await server?.close();
});

describe('joining', () => {
  test('the first participant joins an empty room and sees nobody', async () => {
    aliceJoined = await joinRoom(alice, 'Alice');
    expect(aliceJoined.join).toMatchObject({ roomId, self: { displayName: 'Alice', role: 'mediator' }, peers: [] });
    live = (await server.app.rooms.find(roomId))!;
    expect(live.joinedPeers).toEqual([aliceJoined.join.self]);
  });

  test("the second participant's join answer lists the first", async () => {
    bobJoined = await joinRoom(bob, 'Bob');
    expect(bobJoined.join.self).toMatchObject({ displayName: 'Bob', role: 'party' });
    expect(bobJoined.join.peers).toEqual([aliceJoined.join.self]);
  });

  test('the first participant hears room:peerJoined for the second, and nobody hears about themselves', async () => {
    const joined = await alice.waitFor('room:peerJoined', (n) => n.peer.peerId === peerIdOf(bobJoined));
    expect(joined.peer).toEqual(bobJoined.join.self);
    expect(alice.notifications('room:peerJoined').map((n) => n.peer.peerId)).toEqual([peerIdOf(bobJoined)]);
    expect(bob.notifications('room:peerJoined')).toEqual([]);
  });

  test('both participants have a send and a recv transport on the server', () => {
    for (const joined of [aliceJoined, bobJoined]) {
      const peer = live.media.getPeer(peerIdOf(joined))!;
      expect(peer.transports.map((t) => [t.id, t.appData.direction]).sort()).toEqual(
        [
          [joined.send!.transportId, 'send'],
          [joined.recv.transportId, 'recv'],
        ].sort(),
      );
    }
  });
});

describe('an ffmpeg camera', () => {
  let plain: ms.PlainTransport;

  test('joins as a participant and both clients hear room:peerJoined', async () => {
    live = await server.app.rooms.getOrCreate(roomId, { title: 'Room flow', waitingRoom: false, recording: false });
    const notify: Notify = (name, payload) => void cameraHeard.push({ name, payload });
    const peer = live.attach(cameraPeerId, { key: `ffmpeg:${cameraPeerId}`, notify, disconnect: () => undefined });
    const joined = live.join({ peerId: cameraPeerId, displayName: 'ffmpeg', role: 'party' });
    expect(joined.peers.map((p) => p.displayName).sort()).toEqual(['Alice', 'Bob']);
    plain = await peer.createPlainTransport();
    for (const client of [alice, bob]) await client.waitFor('room:peerJoined', (n) => n.peer.peerId === cameraPeerId);
  });

  test('produces VP8 from a PlainTransport, and the producer counts the packets ffmpeg sends', async () => {
    const peer = live.media.getPeer(cameraPeerId)!;
    camera = await peer.produce({
      transportId: plain.id as TransportId,
      kind: 'video',
      source: 'camera',
      rtpParameters: {
        codecs: [{ mimeType: 'video/VP8', payloadType: PAYLOAD_TYPE, clockRate: 90000 }],
        encodings: [{ ssrc: SSRC }],
      },
    });
    expect(await producerCounts(camera)).toEqual({ packets: 0, bytes: 0 });
    ffmpeg = sendVp8TestPattern({ port: plain.tuple.localPort, ssrc: SSRC, payloadType: PAYLOAD_TYPE, seconds: 40 });

    const first = await eventually(
      async () => {
        const counts = await producerCounts(camera);
        return counts.packets >= 10 ? counts : null;
      },
      { what: `producer packets (ffmpeg said: ${ffmpeg.stderr() || 'nothing'})` },
    );
    const later = await eventually(
      async () => {
        const counts = await producerCounts(camera);
        return counts.packets > first.packets ? counts : null;
      },
      { what: 'producer packets rising' },
    );
    expect(later.bytes).toBeGreaterThan(first.bytes);
    // comedia: the transport learnt ffmpeg's address from its first packet.
    expect(plain.tuple.remotePort).toBeGreaterThan(0);
  });

  test.each([
    ['the mediator', () => [alice, aliceJoined] as const],
    ['the party', () => [bob, bobJoined] as const],
  ])('%s is offered the camera: media:consumerCreated with its producer, peer and source', async (_, who) => {
    const [client, joined] = who();
    const created: ConsumerCreated = await eventually(() => consumerOfCamera(client), { what: 'consumerCreated' });
    expect(created).toMatchObject({
      producerId: camera.id as ProducerId,
      peerId: cameraPeerId,
      kind: 'video',
      source: 'camera',
      producerPaused: false,
    });
    expect(created.rtpParameters.codecs[0]?.mimeType).toBe('video/VP8');
    // Consumers start paused on the server until the client says it is ready.
    expect(serverConsumer(peerIdOf(joined), created.consumerId)?.paused).toBe(true);
  });

  test.each([
    ['the mediator', () => [alice, aliceJoined] as const],
    ['the party', () => [bob, bobJoined] as const],
  ])('media:resumeConsumer from %s unpauses its consumer on the server', async (_, who) => {
    const [client, joined] = who();
    const { consumerId } = consumerOfCamera(client)!;
    await expect(client.send('media:resumeConsumer', { consumerId })).resolves.toEqual({ ok: true, data: {} });
    expect(serverConsumer(peerIdOf(joined), consumerId)?.paused).toBe(false);
  });

  test('resuming a consumer that is not yours is NOT_FOUND', async () => {
    const { consumerId } = consumerOfCamera(alice)!;
    const response = await bob.send('media:resumeConsumer', { consumerId });
    expect(response).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  test("the camera's RTP leaves the SFU: a plain consumer of our own receives its packets", async () => {
    sink = await RtpSink.open();
    const router = live.media.router;
    sinkTransport = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: true,
      comedia: false,
    });
    await sinkTransport.connect({ ip: '127.0.0.1', port: sink.port });
    const consumer = await sinkTransport.consume({
      producerId: camera.id,
      rtpCapabilities: router.rtpCapabilities,
      paused: true,
    });
    await consumer.resume();
    const ssrc = consumer.rtpParameters.encodings![0]!.ssrc!;
    const payloadType = consumer.rtpParameters.codecs[0]!.payloadType;

    const packets = await eventually(
      () => sink!.packetsOf(ssrc, payloadType).length >= 20 && sink!.packetsOf(ssrc, payloadType),
      {
        what: `RTP packets with ssrc ${ssrc} on our socket (got ${sink.rtp.length} in all)`,
      },
    );
    // The SFU rewrites the stream for each consumer: its own SSRC, consecutive sequence numbers.
    expect(ssrc).not.toBe(SSRC);
    const gaps = packets.slice(1).filter((p, i) => ((p.sequenceNumber - packets[i]!.sequenceNumber) & 0xffff) !== 1);
    expect(gaps.length).toBeLessThan(packets.length / 10);
    expect(packets.every((p) => p.bytes > 12 && p.bytes <= 1300)).toBe(true);
  });

  test('when ffmpeg stops and the producer closes, both clients hear media:consumerClosed', async () => {
    const consumerIds = [alice, bob].map((c) => consumerOfCamera(c)!.consumerId);
    await ffmpeg!.stop();
    live.media.getPeer(cameraPeerId)!.closeProducer(camera.id as ProducerId);

    for (const [i, client] of [alice, bob].entries()) {
      await client.waitFor('media:consumerClosed', (n) => n.consumerId === consumerIds[i]);
    }
    expect(serverConsumer(peerIdOf(aliceJoined), consumerIds[0]!)).toBeUndefined();
    expect(serverConsumer(peerIdOf(bobJoined), consumerIds[1]!)).toBeUndefined();
    expect(sinkTransport!.closed).toBe(false); // only its consumer went with the producer
  });

  test('when the camera participant leaves, both clients hear room:peerLeft', async () => {
    expect(live.leave(cameraPeerId)).toBe(false);
    for (const client of [alice, bob]) await client.waitFor('room:peerLeft', (n) => n.peerId === cameraPeerId);
    expect(live.media.getPeer(cameraPeerId)).toBeUndefined();
  });
});

describe('leaving', () => {
  let carol: TestSignalingClient;
  let carolJoined: Joined;

  test('a client that sends room:leave is announced to the other as room:peerLeft and its media peer is gone', async () => {
    await expect(alice.send('room:leave', {})).resolves.toEqual({ ok: true, data: {} });
    await bob.waitFor('room:peerLeft', (n) => n.peerId === peerIdOf(aliceJoined));
    expect(live.media.getPeer(peerIdOf(aliceJoined))).toBeUndefined();
    expect(live.joinedPeers.map((p) => p.peerId)).toEqual([peerIdOf(bobJoined)]);
    expect(live.closed).toBe(false);
    expect(alice.socket.connected).toBe(true); // leaving is not disconnecting
  });

  test('a client that disconnects without leaving is announced as room:peerLeft and its peer is gone', async () => {
    carol = await connect(links.expert);
    carolJoined = await joinRoom(carol, 'Carol');
    expect(carolJoined.join.peers.map((p) => p.peerId)).toEqual([peerIdOf(bobJoined)]);

    bob.close();

    await carol.waitFor('room:peerLeft', (n) => n.peerId === peerIdOf(bobJoined));
    await eventually(() => live.media.getPeer(peerIdOf(bobJoined)) === undefined, { what: "Bob's media peer gone" });
    expect(live.joinedPeers.map((p) => p.peerId)).toEqual([peerIdOf(carolJoined)]);
    expect(server.app.rooms.size).toBe(1);
  });

  test('the last one leaving closes the live room and its router', async () => {
    const router = live.media.router;
    await carol.request('room:leave', {});
    await eventually(() => server.app.rooms.size === 0, { what: 'no live rooms' });
    expect(live.closed).toBe(true);
    expect(router.closed).toBe(true);
    await expect(server.app.rooms.find(roomId)).resolves.toBeUndefined();
  });

  test('the room opens again for the next joiner', async () => {
    const dave = await connect(links.party);
    const joined = await joinRoom(dave, 'Dave');
    expect(joined.join.peers).toEqual([]);
    const reopened = await server.app.rooms.find(roomId);
    expect(reopened).toBeDefined();
    expect(reopened).not.toBe(live);
    dave.close();
    await eventually(() => server.app.rooms.size === 0, { what: 'room closed after Dave disconnects' });
  });
});
