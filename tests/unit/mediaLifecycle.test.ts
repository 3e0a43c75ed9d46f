/**
 * Ownership means cleanup: with a real mediasoup worker, closing a room or a
 * peer closes what it owns exactly once, a child that closes is forgotten, and
 * a worker that dies takes its rooms with it and is replaced.
 */
import { randomUUID } from 'node:crypto';
import type { types as ms } from 'mediasoup';
import type { ConsumerId, PeerId, RoomId, TransportId } from '../../shared/ids';
import type { Notifications } from '../../shared/protocol';
import type { MediaLogger } from '../../media/logger';
import type { Consumer, MediaPeer, Producer } from '../../media/MediaPeer';
import { MediaRoom, type MediaRoomCloseReason } from '../../media/MediaRoom';
import { WorkerPool, type PooledWorker } from '../../media/WorkerPool';
import { LiveRoom, type Notify, type ParticipantConnection } from '../../server/rooms/LiveRoom';
import { SessionMemory } from '../../server/rooms/SessionMemory';
import { AppError } from '../../shared/errors';
import { eventually } from '../helpers/eventually';

const silent: MediaLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silent,
};

const createPool = () =>
  WorkerPool.create({
    numWorkers: 1,
    listenIp: '127.0.0.1',
    rtcMinPort: 40000,
    rtcMaxPort: 49999,
    logLevel: 'warn',
    logTags: [],
    logger: silent,
  });

const newPeerId = () => randomUUID() as PeerId;
const newRoomId = () => `room-${randomUUID()}` as RoomId;

const vp8Camera = (ssrc: number): ms.RtpParameters => ({
  codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
  encodings: [{ ssrc }],
});

/** A peer sending a (silent) VP8 camera through a PlainTransport: a producer without a browser. */
async function withCamera(peer: MediaPeer): Promise<Producer> {
  const plain = await peer.createPlainTransport();
  return peer.produce({
    transportId: plain.id as TransportId,
    kind: 'video',
    source: 'camera',
    rtpParameters: vp8Camera(Math.floor(Math.random() * 1e9) + 1),
  });
}

/** A peer able to receive: a recv WebRTC transport and the router's own capabilities. */
async function asReceiver(peer: MediaPeer, room: MediaRoom): Promise<void> {
  await peer.createWebRtcTransport('recv');
  peer.setRtpCapabilities(room.router.rtpCapabilities);
}

function countEvents(emitter: { on(event: string, fn: (...args: unknown[]) => void): unknown }, event: string) {
  const calls: unknown[][] = [];
  emitter.on(event, (...args: unknown[]) => calls.push(args));
  return calls;
}

/** An in-memory participant connection: its notify() records what the room told it. */
function participant() {
  const got: { name: keyof Notifications; payload: unknown }[] = [];
  const notify: Notify = (name, payload) => void got.push({ name, payload });
  const connection: ParticipantConnection = { key: `link:${randomUUID()}`, notify, disconnect: () => undefined };
  return { got, connection, names: () => got.map((n) => n.name) };
}

const settings = { title: 'Unit room', waitingRoom: false, recording: false };

function liveRoomOn(media: MediaRoom, closedWith: MediaRoomCloseReason[]): LiveRoom {
  return new LiveRoom({
    media,
    settings,
    memory: new SessionMemory(),
    logger: silent,
    onClosed: (reason) => closedWith.push(reason),
  });
}

describe('with one real worker', () => {
  let pool: WorkerPool;
  let rooms: MediaRoom[] = [];

  beforeAll(async () => {
    pool = await createPool();
  });
  afterAll(() => pool.close());
  afterEach(() => {
    for (const room of rooms) room.close();
    rooms = [];
  });

  async function createRoom(): Promise<MediaRoom> {
    const room = await MediaRoom.create({ roomId: newRoomId(), pooledWorker: pool.pick(), logger: silent });
    rooms.push(room);
    return room;
  }

  describe('MediaPeer.close()', () => {
    test('closes its transports, producers and consumers and empties its maps', async () => {
      const room = await createRoom();
      const sender = room.peer(newPeerId());
      const producer = await withCamera(sender);
      const receiver = room.peer(newPeerId());
      await asReceiver(receiver, room);
      const otherProducer = await withCamera(room.peer(newPeerId()));
      const consumer = (await receiver.consume(otherProducer))!;
      expect(consumer).not.toBeNull();
      // The receiver also sends, so it owns one of each.
      const ownProducer = await withCamera(receiver);
      const transports = receiver.transports;
      expect(transports).toHaveLength(2);

      receiver.close();

      expect(transports.every((t) => t.closed)).toBe(true);
      expect(consumer.closed).toBe(true);
      expect(ownProducer.closed).toBe(true);
      expect(receiver.transports).toEqual([]);
      expect(receiver.producers).toEqual([]);
      expect(receiver.consumers).toEqual([]);
      expect(receiver.closed).toBe(true);
      // What the receiver did not own is untouched.
      expect(producer.closed).toBe(false);
      expect(otherProducer.closed).toBe(false);
    });

    test('is idempotent and emits close once', async () => {
      const room = await createRoom();
      const peer = room.peer(newPeerId());
      await withCamera(peer);
      const closes = countEvents(peer, 'close');
      peer.close();
      peer.close();
      expect(closes).toHaveLength(1);
    });

    test('a closed peer refuses new transports with NOT_FOUND', async () => {
      const room = await createRoom();
      const peer = room.peer(newPeerId());
      peer.close();
      await expect(peer.createWebRtcTransport('send')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(peer.createPlainTransport()).rejects.toBeInstanceOf(AppError);
    });

    test('a peer that closes is forgotten by its room', async () => {
      const room = await createRoom();
      const stays = room.peer(newPeerId());
      const leaves = room.peer(newPeerId());
      await withCamera(leaves);
      leaves.close();
      expect(room.getPeer(leaves.peerId)).toBeUndefined();
      expect(room.peers).toEqual([stays]);
    });

    test('asking the room for a forgotten peer id gives a new, open peer', async () => {
      const room = await createRoom();
      const peerId = newPeerId();
      const first = room.peer(peerId);
      first.close();
      const second = room.peer(peerId);
      expect(second).not.toBe(first);
      expect(second.closed).toBe(false);
    });
  });

  describe('children closing on their own', () => {
    test("a sender that closes closes the receivers' consumers, which are announced once and forgotten", async () => {
      const room = await createRoom();
      const sender = room.peer(newPeerId());
      const producer = await withCamera(sender);
      const receiver = room.peer(newPeerId());
      await asReceiver(receiver, room);
      const consumer = (await receiver.consume(producer)) as Consumer;
      const announced = countEvents(receiver, 'consumerClosed');

      sender.close();

      await eventually(() => consumer.closed, { what: 'consumer closed' });
      await eventually(() => announced.length === 1, { what: 'consumerClosed announced' });
      expect(announced).toEqual([[consumer.id as ConsumerId]]);
      expect(receiver.consumers).toEqual([]);
      expect(receiver.closed).toBe(false);
    });

    test('a producer closed by its owner is forgotten by the peer', async () => {
      const room = await createRoom();
      const peer = room.peer(newPeerId());
      const producer = await withCamera(peer);
      peer.closeProducer(producer.id as never);
      expect(producer.closed).toBe(true);
      expect(peer.producers).toEqual([]);
      // The source is free again.
      await expect(withCamera(peer)).resolves.toMatchObject({ closed: false });
    });

    test('a second producer for the same source is refused with CONFLICT', async () => {
      const room = await createRoom();
      const peer = room.peer(newPeerId());
      await withCamera(peer);
      await expect(withCamera(peer)).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(peer.producers).toHaveLength(1);
    });

    test('a transport closed underneath the peer is forgotten with what it carried', async () => {
      const room = await createRoom();
      const peer = room.peer(newPeerId());
      const producer = await withCamera(peer);
      peer.transports[0]!.close();
      expect(producer.closed).toBe(true);
      expect(peer.transports).toEqual([]);
      expect(peer.producers).toEqual([]);
    });
  });

  describe('MediaRoom.close()', () => {
    test('closes the router and every peer with everything they own, and empties the room', async () => {
      const room = await createRoom();
      const sender = room.peer(newPeerId());
      const producer = await withCamera(sender);
      const receiver = room.peer(newPeerId());
      await asReceiver(receiver, room);
      const consumer = (await receiver.consume(producer))!;
      const transports = [...sender.transports, ...receiver.transports];

      room.close();

      expect(room.closed).toBe(true);
      expect(room.router.closed).toBe(true);
      expect([sender.closed, receiver.closed]).toEqual([true, true]);
      expect(transports.every((t) => t.closed)).toBe(true);
      expect([producer.closed, consumer.closed]).toEqual([true, true]);
      expect(room.peers).toEqual([]);
    });

    test("is idempotent and emits close once, with reason 'closed'", async () => {
      const room = await createRoom();
      const reasons = countEvents(room, 'close');
      const peerCloses = countEvents(room.peer(newPeerId()), 'close');
      room.close();
      room.close();
      expect(reasons).toEqual([['closed']]);
      expect(peerCloses).toHaveLength(1);
    });

    test('a closed room creates no more peers', async () => {
      const room = await createRoom();
      room.close();
      expect(() => room.peer(newPeerId())).toThrow(/closed/);
    });
  });

  describe('LiveRoom', () => {
    async function createLiveRoom() {
      const media = await createRoom();
      const closedWith: MediaRoomCloseReason[] = [];
      return { live: liveRoomOn(media, closedWith), media, closedWith };
    }
    const info = (peerId: PeerId, displayName: string) => ({ peerId, displayName, role: 'party' as const });

    test('leave() removes the participant and closes its media peer', async () => {
      const { live, media } = await createLiveRoom();
      const [a, b] = [newPeerId(), newPeerId()];
      const peerA = live.attach(a, participant().connection);
      live.attach(b, participant().connection);
      live.join(info(a, 'A'));
      live.join(info(b, 'B'));
      await withCamera(peerA);

      live.leave(a);

      expect(live.joinedPeers.map((p) => p.peerId)).toEqual([b]);
      expect(live.isJoined(a)).toBe(false);
      expect(peerA.closed).toBe(true);
      expect(media.getPeer(a)).toBeUndefined();
    });

    test('leave() returns false while others remain and true when the room becomes empty', async () => {
      const { live } = await createLiveRoom();
      const [a, b] = [newPeerId(), newPeerId()];
      live.attach(a, participant().connection);
      live.attach(b, participant().connection);
      live.join(info(a, 'A'));
      expect(live.leave(a)).toBe(false);
      expect(live.leave(a)).toBe(false); // idempotent, b is still attached
      expect(live.leave(b)).toBe(true);
    });

    test('the others hear room:peerLeft when a joined participant leaves', async () => {
      const { live } = await createLiveRoom();
      const [a, b] = [newPeerId(), newPeerId()];
      const watcher = participant();
      live.attach(a, participant().connection);
      live.attach(b, watcher.connection);
      live.join(info(a, 'A'));
      live.join(info(b, 'B'));
      live.leave(a);
      expect(watcher.got).toContainEqual({ name: 'room:peerLeft', payload: { peerId: a } });
    });

    test('a participant who never joined is invisible: no peerJoined, no peerLeft, not listed', async () => {
      const { live } = await createLiveRoom();
      const [joined, lurker] = [newPeerId(), newPeerId()];
      const watcher = participant();
      live.attach(joined, watcher.connection);
      live.join(info(joined, 'Joined'));
      await withCamera(live.attach(lurker, participant().connection));
      live.leave(lurker);
      expect(live.joinedPeers.map((p) => p.peerId)).toEqual([joined]);
      expect(watcher.got).toEqual([]);
    });

    test("a joiner's answer lists those joined before it, and they hear room:peerJoined", async () => {
      const { live } = await createLiveRoom();
      const [first, second] = [newPeerId(), newPeerId()];
      const firstWatcher = participant();
      const secondWatcher = participant();
      live.attach(first, firstWatcher.connection);
      live.attach(second, secondWatcher.connection);
      expect(live.join(info(first, 'First')).peers).toEqual([]);
      expect(live.join(info(second, 'Second')).peers).toEqual([info(first, 'First')]);
      expect(firstWatcher.got).toEqual([{ name: 'room:peerJoined', payload: { peer: info(second, 'Second') } }]);
      expect(secondWatcher.got).toEqual([]);
    });

    test('a second join by the same peer is refused with CONFLICT and announced to nobody', async () => {
      const { live } = await createLiveRoom();
      const [a, b] = [newPeerId(), newPeerId()];
      const watcher = participant();
      live.attach(a, participant().connection);
      live.attach(b, watcher.connection);
      live.join(info(b, 'B'));
      live.join(info(a, 'A'));
      expect(() => live.join(info(a, 'A again'))).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
      expect(watcher.names()).toEqual(['room:peerJoined']);
      expect(live.joinedPeers.find((p) => p.peerId === a)?.displayName).toBe('A');
    });

    test('joining without attaching first is refused with CONFLICT', async () => {
      const { live } = await createLiveRoom();
      expect(() => live.join(info(newPeerId(), 'Nobody'))).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
      expect(live.joinedPeers).toEqual([]);
    });

    test("a joined participant's new producer is consumed by the others, who hear media:consumerCreated", async () => {
      const { live, media } = await createLiveRoom();
      const [sender, receiver] = [newPeerId(), newPeerId()];
      const watcher = participant();
      live.attach(sender, participant().connection);
      await asReceiver(live.attach(receiver, watcher.connection), media);
      live.join(info(sender, 'S'));
      live.join(info(receiver, 'R'));
      const producer = await withCamera(live.attach(sender, participant().connection));
      const created = await eventually(() => watcher.got.find((n) => n.name === 'media:consumerCreated'));
      expect(created.payload).toMatchObject({
        producerId: producer.id,
        peerId: sender,
        source: 'camera',
        kind: 'video',
      });
    });

    test("closing the LiveRoom closes its media with reason 'closed' and no mediaReset", async () => {
      const { live, media, closedWith } = await createLiveRoom();
      const watcher = participant();
      const peerId = newPeerId();
      live.attach(peerId, watcher.connection);
      live.join(info(peerId, 'A'));
      live.close();
      expect(media.closed).toBe(true);
      expect(closedWith).toEqual(['closed']);
      expect(watcher.names()).not.toContain('room:mediaReset');
      expect(() => live.attach(newPeerId(), participant().connection)).toThrow(
        expect.objectContaining({ code: 'UNAVAILABLE' }),
      );
    });
  });
});

describe('when a worker process dies', () => {
  let pool: WorkerPool;
  let dead: PooledWorker;
  let media: MediaRoom;
  let roomClosed: MediaRoomCloseReason[];
  let liveClosed: MediaRoomCloseReason[];
  let watcher: ReturnType<typeof participant>;
  let poolDied: Promise<[PooledWorker, PooledWorker | null]>;

  beforeAll(async () => {
    pool = await createPool();
    dead = pool.pick();
    media = await MediaRoom.create({ roomId: newRoomId(), pooledWorker: dead, logger: silent });
    roomClosed = [];
    media.on('close', (reason) => roomClosed.push(reason));
    liveClosed = [];
    const live = liveRoomOn(media, liveClosed);
    watcher = participant();
    const peerId = newPeerId();
    live.attach(peerId, watcher.connection);
    live.join({ peerId, displayName: 'A', role: 'party' });
    poolDied = new Promise((resolve) => pool.once('workerDied', (d, r) => resolve([d, r])));

    // worker.close() is an orderly close, not a death: kill the process as the OOM killer would.
    process.kill(dead.worker.pid, 'SIGKILL');
    await poolDied;
  });
  afterAll(() => {
    media.close();
    pool.close();
  });

  test("its rooms close with reason 'workerDied', once", () => {
    expect(media.closed).toBe(true);
    expect(roomClosed).toEqual(['workerDied']);
  });

  test('the participants of its rooms are told room:mediaReset so they rejoin', () => {
    expect(watcher.got).toContainEqual({ name: 'room:mediaReset', payload: { reason: 'workerDied' } });
    expect(liveClosed).toEqual(['workerDied']);
  });

  test('the pool announces workerDied with a live replacement in the same slot', async () => {
    const [reportedDead, replacement] = await poolDied;
    expect(reportedDead).toBe(dead);
    expect(replacement).not.toBeNull();
    expect(replacement!.index).toBe(dead.index);
    expect(replacement!.worker.pid).not.toBe(dead.worker.pid);
    expect(replacement!.worker.closed).toBe(false);
  });

  test('the pool is ready again and hands out the replacement', async () => {
    const [, replacement] = await poolDied;
    expect(pool.ready).toBe(true);
    expect(pool.workers).toEqual([replacement]);
    expect(pool.pick()).toBe(replacement);
  });

  test('a new room can be created on the replacement', async () => {
    const room = await MediaRoom.create({ roomId: newRoomId(), pooledWorker: pool.pick(), logger: silent });
    try {
      await expect(withCamera(room.peer(newPeerId()))).resolves.toMatchObject({ closed: false });
    } finally {
      room.close();
    }
  });
});

describe('WorkerPool.close()', () => {
  test('closes every worker, is idempotent, and leaves the pool not ready', async () => {
    const pool = await createPool();
    const [worker] = pool.workers;
    pool.close();
    pool.close();
    expect(worker!.worker.closed).toBe(true);
    expect(pool.ready).toBe(false);
    expect(() => pool.pick()).toThrow(/no live worker/);
  });
});
