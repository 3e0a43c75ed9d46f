/**
 * Two server processes (`server/index.ts`, each with its own worker) on one
 * PostgreSQL schema and one real Redis, as two nodes of a deployment: an
 * expert whose page is connected to node B is rung and taken by a request
 * made on node A; when node B is killed (SIGKILL: no goodbye, no cleanup),
 * the expert turns offline within the heartbeat TTL + 1 s.
 */
import { randomBytes } from 'node:crypto';
import type { RedisClientType } from 'redis';
import { RedisPresenceStore } from '../../server/presence/RedisPresenceStore';
import { eventually } from '../helpers/eventually';
import { createExpertPool, type ExpertPool } from '../helpers/expertPool';
import { freePort } from '../helpers/freePort';
import { connectPresence, goOnCall, staffSession, type PresenceClient } from '../helpers/presenceClient';
import { connectRedis, deleteKeys, testPrefix, testRedisUrl } from '../helpers/redis';
import { startServerProcess, type ServerProcess } from '../helpers/serverProcess';
import { createTestDb, testDatabaseUrl, type TestDb } from '../helpers/testDb';

jest.setTimeout(120_000);

const TTL_SECONDS = 3;
let testDb: TestDb;
let pool: ExpertPool;
let redis: RedisClientType;
let prefix: string;
let nodeA: ServerProcess;
let nodeB: ServerProcess;
let urlA: string;
let urlB: string;
const clients: PresenceClient[] = [];

beforeAll(async () => {
  testDb = await createTestDb();
  pool = await createExpertPool(testDb.db);
  redis = await connectRedis();
  prefix = testPrefix();
  const databaseUrl = `${await testDatabaseUrl()}?options=${encodeURIComponent(`-c search_path=${testDb.where}`)}`;
  const shared = {
    DATABASE_URL: databaseUrl,
    DATA_KEY: randomBytes(32).toString('base64'),
    TOKEN_SECRET: randomBytes(32).toString('base64url'),
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: prefix,
    EXPERT_HEARTBEAT_TTL_SECONDS: String(TTL_SECONDS),
  };
  const [portA, portB] = [await freePort(), await freePort()];
  urlA = `http://127.0.0.1:${portA}`;
  urlB = `http://127.0.0.1:${portB}`;
  [nodeA, nodeB] = await Promise.all([
    startServerProcess({ ...shared, PORT: String(portA), PUBLIC_URL: urlA }),
    startServerProcess({ ...shared, PORT: String(portB), PUBLIC_URL: urlB }),
  ]);
});

afterAll(async () => {
  for (const client of clients) client.socket.disconnect();
  await Promise.all([nodeA?.stop('SIGKILL'), nodeB?.stop('SIGKILL')]);
  if (redis) await deleteKeys(redis, prefix);
  redis?.destroy();
  await testDb?.drop();
});

test('an expert on node B is taken by a request on node A; killing node B turns them offline within TTL + 1 s', async () => {
  const record = await pool.addExpert('卫专家');
  const expert = await connectPresence(urlB, await staffSession(testDb.db, record.staffId));
  clients.push(expert);
  await goOnCall(expert, 500);
  const mediator = await connectPresence(urlA, await staffSession(testDb.db, pool.mediatorId));
  clients.push(mediator);

  const asked = await mediator.request('expertRequest:create', { caseId: pool.caseId, specialty: 'traffic' });
  expect(asked).toMatchObject({ ok: true, data: { status: 'ringing', ringing: [record.id] } });
  const ring = await eventually(() => expert.rings[0], { what: 'the call on node B', intervalMs: 20 });
  expect(await expert.request('expert:answer', { offerId: ring.offerId, answer: 'accept' })).toMatchObject({
    ok: true,
    data: { result: 'accepted' },
  });
  await eventually(() => mediator.updates.some((u) => u.status === 'accepted'), { intervalMs: 20 });
  expect(await expert.request('expert:leaveCase', {})).toMatchObject({ ok: true, data: { state: 'available' } });

  // The store as every node reads it, straight from Redis.
  const store = new RedisPresenceStore({ client: redis, prefix, heartbeatTtlMs: TTL_SECONDS * 1000 });
  expect((await store.get(record.id)).state).toBe('available');
  const killedAt = performance.now();
  await nodeB.stop('SIGKILL');
  await eventually(async () => (await store.get(record.id)).state === 'offline', {
    what: 'the expert offline',
    timeoutMs: 10_000,
    intervalMs: 50,
  });
  const offlineAfterMs = performance.now() - killedAt;
  console.log(`expert offline ${Math.round(offlineAfterMs)} ms after node B was killed (TTL ${TTL_SECONDS} s)`);
  expect(offlineAfterMs).toBeLessThanOrEqual(TTL_SECONDS * 1000 + 1000);
});
