/**
 * The real app, twice: two createApp() servers (each with its media worker)
 * on one database and one real Redis (REDIS_URL, a key prefix of this file),
 * as two nodes of a deployment. An expert whose page is connected to node B
 * is pulled into a case by a mediator on node A.
 */
import type { RedisClientType } from 'redis';
import { eventually } from '../helpers/eventually';
import { createExpertPool, type ExpertPool } from '../helpers/expertPool';
import { connectPresence, goOnCall, staffSession, type PresenceClient } from '../helpers/presenceClient';
import { connectRedis, deleteKeys, testPrefix, testRedisUrl } from '../helpers/redis';
import { createTestDb, type TestDb } from '../helpers/testDb';
import { startTestServer, type TestServer } from '../helpers/testServer';

let testDb: TestDb;
let pool: ExpertPool;
let redis: RedisClientType;
let prefix: string;
let nodeA: TestServer;
let nodeB: TestServer;
const clients: PresenceClient[] = [];

beforeAll(async () => {
  testDb = await createTestDb();
  pool = await createExpertPool(testDb.db);
  redis = await connectRedis();
  prefix = testPrefix();
  const env = { REDIS_URL: testRedisUrl(), REDIS_PREFIX: prefix, EXPERT_OFFER_TIMEOUT_SECONDS: '5' };
  nodeA = await startTestServer(env, { db: testDb.db });
  nodeB = await startTestServer(env, { db: testDb.db });
});

afterAll(async () => {
  for (const client of clients) client.socket.disconnect();
  await nodeB?.close();
  await nodeA?.close();
  if (redis) await deleteKeys(redis, prefix);
  redis?.destroy();
  await testDb?.drop();
});

async function connectTo(node: TestServer, staffId: Parameters<typeof staffSession>[1]): Promise<PresenceClient> {
  const client = await connectPresence(node.url, await staffSession(testDb.db, staffId));
  clients.push(client);
  return client;
}

test('with REDIS_URL both nodes share presence and rooms: an expert on node B is pulled in from node A', async () => {
  expect(nodeA.logs.some((l) => l.msg.startsWith('attachRedisAdapter()'))).toBe(true);
  const record = await pool.addExpert('冯专家');
  const expert = await connectTo(nodeB, record.staffId);
  await goOnCall(expert, 5000);
  const mediator = await connectTo(nodeA, pool.mediatorId);
  const asked = await mediator.request('expertRequest:create', { caseId: pool.caseId, specialty: 'traffic' });
  expect(asked).toMatchObject({ ok: true, data: { status: 'ringing', ringing: [record.id] } });
  const ring = await eventually(() => expert.rings[0], { what: 'the call on node B', intervalMs: 20 });
  expect(await expert.request('expert:answer', { offerId: ring.offerId, answer: 'accept' })).toMatchObject({
    ok: true,
    data: { result: 'accepted' },
  });
  await eventually(() => mediator.updates.some((u) => u.status === 'accepted'), { intervalMs: 20 });
  const [row] = await testDb.db.query(
    'select outcome, expert_id as "expertId" from expert_requests where case_id = $1',
    [pool.caseId],
  );
  expect(row).toEqual({ outcome: 'accepted', expertId: record.id });
});
