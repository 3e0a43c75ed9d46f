/**
 * The `/presence` namespace end to end, without a browser: a real HTTP and
 * socket.io server on port 0 with PresenceService on real Redis (a key prefix
 * of this file) and the real database; staff log in by session token as the
 * browser's cookie would carry it. Experts set their availability and
 * heartbeat, a mediator asks for a traffic expert, the calls ring, are
 * declined, time out and are accepted, over socket.io-client.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type { RedisClientType } from 'redis';
import { Server } from 'socket.io';
import type { Socket } from 'socket.io-client';
import type { ExpertId, StaffId } from '../../shared/ids';
import { PRESENCE_NAMESPACE } from '../../shared/presenceProtocol';
import { Records } from '../../server/records';
import type { ExpertRecord } from '../../server/presence/ExpertStore';
import { PresenceService } from '../../server/presence/PresenceService';
import { RedisPresenceStore } from '../../server/presence/RedisPresenceStore';
import { eventually, sleep } from '../helpers/eventually';
import { createExpertPool, type ExpertPool } from '../helpers/expertPool';
import { connectPresence, goOnCall, staffSession, type PresenceClient as Client } from '../helpers/presenceClient';
import { connectRedis, deleteKeys, testPrefix } from '../helpers/redis';
import { createTestDb, type TestDb } from '../helpers/testDb';

const TTL = 800;
const OFFER_TIMEOUT = 600;

let testDb: TestDb;
let pool: ExpertPool;
let redis: RedisClientType;
let prefix: string;
let httpServer: http.Server;
let ioServer: Server;
let service: PresenceService;
let store: RedisPresenceStore;
let url: string;
const sockets: Socket[] = [];
/** Experts this test brought on call. */
const online: ExpertId[] = [];

beforeAll(async () => {
  testDb = await createTestDb();
  pool = await createExpertPool(testDb.db);
  redis = await connectRedis();
  prefix = testPrefix();
  store = new RedisPresenceStore({ client: redis, prefix, heartbeatTtlMs: TTL });
  httpServer = http.createServer();
  ioServer = new Server(httpServer);
  service = new PresenceService({
    io: ioServer,
    records: new Records(testDb.db),
    store,
    logger: pino({ level: process.env.LOG_TESTS ? 'debug' : 'silent' }),
    dispatch: { offerTimeoutMs: OFFER_TIMEOUT },
    sweepEveryMs: 100,
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.disconnect();
  // Let every disconnect land (experts offline) before the next test asks who is available.
  await eventually(async () => (await ioServer.of(PRESENCE_NAMESPACE).fetchSockets()).length === 0);
  for (const expertId of online.splice(0)) {
    await eventually(async () => (await store.get(expertId)).state === 'offline', { what: `${expertId} offline` });
  }
});

afterAll(async () => {
  await service?.close();
  await new Promise((resolve) => ioServer?.close(resolve));
  if (redis) await deleteKeys(redis, prefix);
  redis?.destroy();
  await testDb?.drop();
});

async function connect(staffId: StaffId | null): Promise<Client> {
  const client = await connectPresence(url, staffId ? await staffSession(testDb.db, staffId) : undefined);
  sockets.push(client.socket as Socket);
  return client;
}

/**
 * An expert's page on call: available, and heartbeating every third of the TTL as the page does,
 * until it disconnects; `heartbeats: false` is a laptop closed with the connection still up.
 */
async function onCall(expert: ExpertRecord, { heartbeats = true } = {}): Promise<Client> {
  const client = await connect(expert.staffId);
  online.push(expert.id);
  if (heartbeats) {
    await goOnCall(client, TTL / 3);
  } else {
    expect(await client.request('expert:setAvailability', { state: 'available' })).toMatchObject({
      ok: true,
      data: { state: 'available', heartbeatEveryMs: Math.floor(TTL / 3) },
    });
  }
  return client;
}

const ask = (mediator: Client, note = '') =>
  mediator.request('expertRequest:create', { caseId: pool.caseId, specialty: 'traffic', note });

test('without a login the namespace refuses the connection', async () => {
  await expect(connect(null)).rejects.toMatchObject({ message: 'UNAUTHENTICATED' });
});

test('a mediator cannot set availability, and a bad payload changes nothing', async () => {
  const mediator = await connect(pool.mediatorId);
  expect(await mediator.request('expert:setAvailability', { state: 'available' })).toMatchObject({
    ok: false,
    error: { code: 'FORBIDDEN' },
  });
  expect(await mediator.request('expertRequest:create', { caseId: 'nope' } as never)).toMatchObject({
    ok: false,
    error: { code: 'BAD_REQUEST' },
  });
});

test('the first expert declines, the second accepts: the mediator hears each step, no party is named', async () => {
  const first = await onCall(await pool.addExpert('王专家'));
  await sleep(2); // distinct idle-since milliseconds, so the ranking is certain
  const secondRecord = await pool.addExpert('赵专家');
  const second = await onCall(secondRecord);
  const mediator = await connect(pool.mediatorId);

  const asked = await ask(mediator, '王秀英（13800138000）不认可李建国的说法');
  expect(asked).toMatchObject({ ok: true, data: { status: 'ringing', offered: 1 } });
  const ring = await eventually(() => first.rings[0], { what: 'the first expert rung', intervalMs: 20 });
  expect(ring.summary).toMatchObject({ disputeType: 'traffic', gridName: '和平一网格', requestedByName: '张调解' });
  expect(ring.summary.note).toBe('当事人（***）不认可当事人的说法');
  expect(JSON.stringify(ring)).not.toMatch(/王秀英|李建国|138001/);

  expect(await first.request('expert:answer', { offerId: ring.offerId, answer: 'decline' })).toMatchObject({
    ok: true,
    data: { result: 'declined' },
  });
  const next = await eventually(() => second.rings[0], { what: 'the second expert rung', intervalMs: 20 });
  expect(await second.request('expert:answer', { offerId: next.offerId, answer: 'accept' })).toMatchObject({
    ok: true,
    data: { result: 'accepted' },
  });
  await eventually(() => mediator.updates.some((u) => u.status === 'accepted'), { intervalMs: 20 });
  expect(mediator.updates.at(-1)).toMatchObject({ status: 'accepted', expertId: secondRecord.id, offered: 2 });
  expect(await second.request('expert:heartbeat', { chosen: 'available' })).toMatchObject({
    ok: true,
    data: { state: 'in_case' },
  });
  await store.release(secondRecord.id, pool.caseId);
});

test('an unanswered call stops ringing on the page and moves on after the timeout', async () => {
  const first = await onCall(await pool.addExpert('钱专家'));
  await sleep(2); // distinct idle-since milliseconds, so the ranking is certain
  const second = await onCall(await pool.addExpert('孙专家'));
  const mediator = await connect(pool.mediatorId);
  await ask(mediator);
  await eventually(() => first.ended.includes('timed_out'), { what: 'the first call timed out', intervalMs: 20 });
  await eventually(() => second.rings.length === 1, { what: 'the second expert rung', intervalMs: 20 });
  await mediator.request('expertRequest:cancel', { requestId: second.rings[0]!.requestId });
  await eventually(() => second.ended.includes('withdrawn'), { intervalMs: 20 });
});

test('closing the ringing expert’s page rings the next one at once and turns the first offline', async () => {
  const firstRecord = await pool.addExpert('周专家');
  const first = await onCall(firstRecord);
  await sleep(2); // distinct idle-since milliseconds, so the ranking is certain
  const second = await onCall(await pool.addExpert('吴专家'));
  const mediator = await connect(pool.mediatorId);
  await ask(mediator);
  await eventually(() => first.rings.length === 1, { intervalMs: 20 });
  first.socket.disconnect();
  await eventually(() => second.rings.length === 1, { what: 'the next expert rung', intervalMs: 20 });
  // Withdrawn because the page closed, not timed out: the log says which.
  const [offer] = await testDb.db.query<{ answer: string }>('select answer from expert_offers where id = $1', [
    first.rings[0]!.offerId,
  ]);
  expect(offer).toEqual({ answer: 'withdrawn' });
  expect((await store.get(firstRecord.id)).state).toBe('offline');
  await mediator.request('expertRequest:cancel', { requestId: second.rings[0]!.requestId });
});

test('a page that stays connected but stops heartbeating (a closed laptop) is offline within TTL + 1 s', async () => {
  const record = await pool.addExpert('郑专家');
  await onCall(record, { heartbeats: false });
  const lastBeat = Date.now();
  await eventually(async () => (await store.get(record.id)).state === 'offline', { intervalMs: 20, timeoutMs: 3000 });
  expect(Date.now() - lastBeat).toBeLessThanOrEqual(TTL + 1000);
  const mediator = await connect(pool.mediatorId);
  expect(await ask(mediator)).toMatchObject({ ok: true, data: { status: 'exhausted', offered: 0 } });
});

test('the mediator releases the expert, or the expert leaves: available again, and the audit log says who', async () => {
  const record = await pool.addExpert('陈专家');
  const expert = await onCall(record);
  const mediator = await connect(pool.mediatorId);
  const pullIn = async () => {
    await ask(mediator);
    const ring = await eventually(() => expert.rings.at(-1), { what: 'the call', intervalMs: 20 });
    await expert.request('expert:answer', { offerId: ring.offerId, answer: 'accept' });
    expect((await store.get(record.id)).state).toBe('in_case');
  };

  await pullIn();
  const release = (expertId: ExpertId) => mediator.request('expertRequest:release', { caseId: pool.caseId, expertId });
  expect(await release((await pool.addExpert('无关专家')).id)).toMatchObject({
    ok: false,
    error: { code: 'CONFLICT' },
  });
  expect(await release(record.id)).toMatchObject({ ok: true });
  await eventually(() => expert.released.includes(pool.caseId), { what: 'the page told', intervalMs: 20 });
  expect((await store.get(record.id)).state).toBe('available');

  expert.rings.length = 0;
  await pullIn();
  expect(await expert.request('expert:leaveCase', {})).toMatchObject({ ok: true, data: { state: 'available' } });
  expect(await expert.request('expert:leaveCase', {})).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });

  const audit = await testDb.db.query<{ action: string; actorId: string }>(
    `select action, actor_id as "actorId" from audit_log
     where entity_id = $1 and action in ('expert.released', 'expert.leftCase') order by id`,
    [record.id],
  );
  expect(audit).toEqual([
    { action: 'expert.released', actorId: pool.mediatorId },
    { action: 'expert.leftCase', actorId: record.staffId },
  ]);
});
