/**
 * Two server processes (`server/index.ts`, each with its own worker) on one
 * PostgreSQL schema and one real Redis, as two nodes of a deployment: an
 * expert whose page is connected to node B is rung and taken by a request
 * made on node A, and their link (made on B) takes them to node A, where the
 * session is live, into its media once the party agrees; when node B is
 * killed (SIGKILL: no goodbye, no cleanup), an expert on it turns offline
 * within the heartbeat TTL + 1 s.
 */
import { randomBytes } from 'node:crypto';
import type { RedisClientType } from 'redis';
import { RedisPresenceStore } from '../../server/presence/RedisPresenceStore';
import type { ScheduledSession } from '../../shared/sessions';
import { eventually } from '../helpers/eventually';
import { joinRoom, vp8Camera } from '../helpers/joinRoom';
import { TestSignalingClient } from '../helpers/signalingClient';
import { createExpertPool, type ExpertPool } from '../helpers/expertPool';
import { freePort } from '../helpers/freePort';
import { connectPresence, goOnCall, staffSession, type PresenceClient } from '../helpers/presenceClient';
import { connectRedis, deleteKeys, testPrefix, testRedisUrl } from '../helpers/redis';
import { startServerProcess, type ServerProcess } from '../helpers/serverProcess';
import { createTestDb, testDatabaseUrl, type TestDb } from '../helpers/testDb';
import { tokenOf } from '../helpers/testServer';

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
const signaling: TestSignalingClient[] = [];

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
  for (const client of signaling) client.close();
  await Promise.all([nodeA?.stop('SIGKILL'), nodeB?.stop('SIGKILL')]);
  if (redis) await deleteKeys(redis, prefix);
  redis?.destroy();
  await testDb?.drop();
});

test('the accepted expert’s link, opened on node B, is sent to node A where the session is live, and joins its media', async () => {
  // The case's session, with a party in it on node A: the room lives there.
  const mediatorToken = await staffSession(testDb.db, pool.mediatorId);
  const scheduled = await fetch(`${urlA}/api/cases/${pool.caseId}/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${mediatorToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ scheduledAt: new Date(Date.now() + 60_000).toISOString(), waitingRoom: false }),
  });
  expect(scheduled.status).toBe(201);
  const { links } = (await scheduled.json()) as ScheduledSession;
  const party = await TestSignalingClient.connect(urlA, tokenOf(links.find((l) => l.label === '王秀英')!.url!), {
    deviceId: 'party-phone-0001',
  });
  signaling.push(party);
  await joinRoom(party, '王秀英', { send: false });

  const record = await pool.addExpert('韩专家');
  const expert = await connectPresence(urlB, await staffSession(testDb.db, record.staffId));
  clients.push(expert);
  await goOnCall(expert, 500);
  const mediator = await connectPresence(urlA, mediatorToken);
  clients.push(mediator);
  await mediator.request('expertRequest:create', { caseId: pool.caseId, specialty: 'traffic' });
  const ring = await eventually(() => expert.rings[0], { what: 'the call on node B', intervalMs: 20 });
  const answered = await expert.request('expert:answer', { offerId: ring.offerId, answer: 'accept' });
  if (!answered.ok) throw new Error(JSON.stringify(answered));
  const token = tokenOf(answered.data.joinUrl!);
  expect(answered.data.joinUrl).toMatch(new RegExp(`^${urlB}/join/`));

  // Node B does not hold the session: its join page and handshake send the expert to node A.
  const page = await fetch(answered.data.joinUrl!, { redirect: 'manual' });
  expect(page.status).toBe(307);
  expect(page.headers.get('location')).toBe(`${urlA}/join/${token}`);
  await expect(TestSignalingClient.connect(urlB, token, { deviceId: 'expert-laptop-01' })).rejects.toMatchObject({
    message: 'WRONG_NODE',
    data: { location: urlA },
  });
  const room = await TestSignalingClient.connect(urlA, token, { deviceId: 'expert-laptop-01' });
  signaling.push(room);
  const joined = await joinRoom(room, '韩专家');
  expect(joined.join.self.role).toBe('expert');
  const { producerId } = await room.request('media:produce', vp8Camera(joined.send!.transportId));

  // The party is asked; once she agrees, the SFU gives her the expert's camera.
  const asked = await party.waitFor('session:expertConsentRequested');
  expect(asked.expert.displayName).toBe('韩专家');
  expect(party.notifications('media:consumerCreated').some((c) => c.producerId === producerId)).toBe(false);
  await party.request('session:consentToExpert', { expertPeerId: asked.expert.peerId, consent: true });
  await party.waitFor('media:consumerCreated', (c) => c.producerId === producerId);
  expect(await expert.request('expert:leaveCase', {})).toMatchObject({ ok: true });
  // Off duty (the page closed), so the next test's request rings only its own expert.
  expert.socket.disconnect();
  const store = new RedisPresenceStore({ client: redis, prefix, heartbeatTtlMs: TTL_SECONDS * 1000 });
  await eventually(async () => (await store.get(record.id)).state === 'offline', { what: 'the expert off duty' });
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
