/**
 * A room lives on one node. Two real apps (createApp, each with its worker)
 * share one database and one real Redis: the first node to open a session
 * holds it, a link opened on the other node is sent there (a 307 from the
 * join page, WRONG_NODE with the holder's address at the socket handshake),
 * the room is free again once its node closes it, and a node whose
 * registration lapsed (it died) loses its rooms to the next one that asks.
 */
import pino from 'pino';
import type { RedisClientType } from 'redis';
import type { RoomId } from '../../shared/ids';
import { RoutingKeys } from '../../server/presence/keys';
import { RedisNodeRouter } from '../../server/routing/NodeRouter';
import { eventually } from '../helpers/eventually';
import { joinRoom } from '../helpers/joinRoom';
import { connectRedis, deleteKeys, OwnRedisServer, testPrefix, testRedisUrl } from '../helpers/redis';
import { TestSignalingClient } from '../helpers/signalingClient';
import { createTestDb, type TestDb } from '../helpers/testDb';
import { startTestServer, tokenOf, type TestServer } from '../helpers/testServer';

let testDb: TestDb;
let redis: RedisClientType;
let prefix: string;
let nodeA: TestServer;
let nodeB: TestServer;

beforeAll(async () => {
  testDb = await createTestDb();
  redis = await connectRedis();
  prefix = testPrefix();
  const env = {
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: prefix,
    TOKEN_SECRET: `room-routing-${prefix}`.padEnd(40, '-'),
  };
  nodeA = await startTestServer(env, { db: testDb.db });
  nodeB = await startTestServer(env, { db: testDb.db });
});

afterAll(async () => {
  await nodeB?.close();
  await nodeA?.close();
  if (redis) await deleteKeys(redis, prefix);
  redis?.destroy();
  await testDb?.drop();
});

/** The handshake's refusal (code and data), or 'connected'. */
async function handshake(node: TestServer, token: string): Promise<'connected' | { message: string; data: unknown }> {
  try {
    (await TestSignalingClient.connect(node.url, token, { deviceId: 'device-elsewhere-1' })).close();
    return 'connected';
  } catch (error) {
    const { message, data } = error as Error & { data: unknown };
    return { message, data };
  }
}

test('the node that opened a session holds it; the other sends its links there, until the room closes', async () => {
  const room = await nodeA.createRoom('Held by node A', { waitingRoom: false });
  const token = tokenOf(room.links.party);
  const party = await TestSignalingClient.connect(nodeA.url, token, { deviceId: 'device-party-a1' });
  await joinRoom(party, 'Li Wei');

  const page = await fetch(`${nodeB.url}/join/${token}`, { redirect: 'manual' });
  expect(page.status).toBe(307);
  expect(page.headers.get('location')).toBe(`${nodeA.url}/join/${token}`);
  expect(await handshake(nodeB, tokenOf(room.links.mediator))).toEqual({
    message: 'WRONG_NODE',
    data: expect.objectContaining({ code: 'WRONG_NODE', location: nodeA.url }),
  });
  expect(await handshake(nodeA, tokenOf(room.links.mediator))).toBe('connected');

  // Everyone leaves node A's room: it is released, and node B may open it now.
  party.close();
  await eventually(async () => (await nodeA.app.rooms.find(room.roomId)) === undefined, { what: 'room closed on A' });
  await eventually(async () => (await handshake(nodeB, tokenOf(room.links.mediator))) === 'connected', {
    what: 'node B serves the session',
  });
});

test('each node registers itself with its load', async () => {
  const keys = await redis.keys(`${prefix}routing:node:*`);
  expect(keys).toHaveLength(2);
  const records = await Promise.all(keys.map(async (key) => JSON.parse((await redis.get(key))!) as { url: string }));
  expect(records.map((r) => r.url).sort()).toEqual([nodeA.url, nodeB.url].sort());
  expect(records[0]).toMatchObject({ rooms: expect.any(Number), participants: expect.any(Number) });
});

test('a room held by a node whose registration lapsed (it died) goes to the next node that asks', async () => {
  const own = testPrefix();
  const keys = new RoutingKeys(own);
  const alive = new RedisNodeRouter({
    client: redis,
    prefix: own,
    url: () => 'http://alive.example',
    load: () => ({ rooms: 0, participants: 0 }),
    logger: pino({ level: 'silent' }),
    ttlMs: 300,
  });
  const roomId = 'RoutedRoom0001' as RoomId;
  try {
    await alive.start();
    // A node that holds the room and then dies: its claim stays, its registration runs out.
    await redis.set(keys.node('ghost'), JSON.stringify({ url: 'http://ghost.example', rooms: 1, participants: 2 }), {
      PX: 300,
    });
    await redis.set(keys.room(roomId), 'ghost', { PX: 60_000 });
    expect(await alive.claim(roomId)).toEqual({ here: false, url: 'http://ghost.example' });
    expect(await alive.elsewhere(roomId)).toBe('http://ghost.example');
    await eventually(async () => (await alive.claim(roomId)).here, { what: 'the room free once ghost lapsed' });
    expect(await redis.get(keys.room(roomId))).toBe(alive.nodeId);
    expect(await alive.elsewhere(roomId)).toBeNull();
  } finally {
    await alive.close();
    await deleteKeys(redis, own);
  }
});

test('while Redis is away a node serves the rooms opened on it (within a second), instead of turning people away', async () => {
  const own = await OwnRedisServer.start();
  const client = await connectRedis(own.url);
  client.on('error', () => undefined);
  const router = new RedisNodeRouter({
    client,
    prefix: testPrefix(),
    url: () => 'http://here.example',
    load: () => ({ rooms: 0, participants: 0 }),
    logger: pino({ level: 'silent' }),
  });
  try {
    await router.start();
    await own.stop();
    const started = performance.now();
    expect(await router.claim('RedisAwayRoom01' as RoomId)).toEqual({ here: true });
    expect(await router.elsewhere('RedisAwayRoom02' as RoomId)).toBeNull();
    expect(performance.now() - started).toBeLessThan(3000);
    // Shutting down with Redis away does not hang either.
    await router.close();
  } finally {
    await own.stop();
    client.destroy();
  }
});
