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
import { joinRoom } from '../helpers/joinRoom';
import { TestSignalingClient } from '../helpers/signalingClient';
import { startTestServer, tokenOf, type TestServer } from '../helpers/testServer';

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
  // Nodes of one deployment share the secret that signs links: a link made on one opens on the other.
  const env = {
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: prefix,
    EXPERT_OFFER_TIMEOUT_SECONDS: '5',
    TOKEN_SECRET: `presence-app-test-${prefix}`.padEnd(40, '-'),
  };
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
  const answered = await expert.request('expert:answer', { offerId: ring.offerId, answer: 'accept' });
  expect(answered).toMatchObject({ ok: true, data: { result: 'accepted', joinUrl: null } }); // the case has no session yet
  await eventually(() => mediator.updates.some((u) => u.status === 'accepted'), { intervalMs: 20 });
  const [row] = await testDb.db.query(
    'select outcome, expert_id as "expertId" from expert_requests where case_id = $1',
    [pool.caseId],
  );
  expect(row).toEqual({ outcome: 'accepted', expertId: record.id });
});

test('the expert who accepts gets a link into the case’s session, issued for the mediator, and joins it', async () => {
  const sessionId = 'ExpertPullRoom01';
  await testDb.db.query(
    `insert into case_sessions (id, case_id, title, waiting_room, recording) values ($1, $2, '交通事故调解', false, false)`,
    [sessionId, pool.caseId],
  );
  const record = await pool.addExpert('褚专家');
  const expert = await connectTo(nodeB, record.staffId);
  await goOnCall(expert, 5000);
  const mediator = await connectTo(nodeA, pool.mediatorId);
  await mediator.request('expertRequest:create', { caseId: pool.caseId, specialty: 'traffic' });
  const ring = await eventually(() => expert.rings.find((r) => r.caseId === pool.caseId), { intervalMs: 20 });
  const answered = await expert.request('expert:answer', { offerId: ring.offerId, answer: 'accept' });
  if (!answered.ok) throw new Error(JSON.stringify(answered));
  expect(answered.data.joinUrl).toMatch(new RegExp(`^${nodeB.url}/join/`));
  const [audit] = await testDb.db.query<{ actor: string; details: { role: string; expertId: string } }>(
    `select actor_id as actor, details from audit_log where action = 'session.linkIssued' and entity_id = $1`,
    [sessionId],
  );
  expect(audit).toMatchObject({ actor: pool.mediatorId, details: { role: 'expert', expertId: record.id } });

  // The link opens the session (any node shares the records) with the expert role.
  const signaling = await TestSignalingClient.connect(nodeA.url, tokenOf(answered.data.joinUrl!), {
    deviceId: 'expert-laptop-1',
  });
  try {
    const joined = await joinRoom(signaling, '褚专家');
    expect(joined.join.self.role).toBe('expert');
    expect(joined.join.space).toBe('main');
  } finally {
    signaling.close();
  }
});
