/**
 * Two server nodes sharing one real Redis, in this process: each its own HTTP
 * and socket.io server, socket.io Redis adapter, presence store connection
 * and dispatcher, on one database. A mediator on node A asks for an expert;
 * experts connected to node B hear the call, and their answers and their
 * pages closing reach A's dispatcher.
 */
import pino from 'pino';
import type { ExpertId } from '../../shared/ids';
import { PRESENCE_NAMESPACE } from '../../shared/presenceProtocol';
import type { ExpertRecord } from '../../server/presence/ExpertStore';
import { eventually, sleep } from '../helpers/eventually';
import { createExpertPool, type ExpertPool } from '../helpers/expertPool';
import { connectPresence, goOnCall, staffSession, type PresenceClient } from '../helpers/presenceClient';
import { startPresenceNode, type PresenceNode } from '../helpers/presenceNode';
import { testPrefix, testRedisUrl } from '../helpers/redis';
import { createTestDb, type TestDb } from '../helpers/testDb';

const TTL = 1500;
const OFFER_TIMEOUT = 5000;
const quiet = pino({ level: process.env.LOG_TESTS ? 'debug' : 'silent' });

type Node = PresenceNode;

let testDb: TestDb;
let pool: ExpertPool;
let prefix: string;
let a: Node;
let b: Node;
const clients: PresenceClient[] = [];
const online: ExpertId[] = [];

const startNode = () =>
  startPresenceNode({
    db: testDb.db,
    redisUrl: testRedisUrl(),
    prefix,
    heartbeatTtlMs: TTL,
    logger: quiet,
    dispatch: { offerTimeoutMs: OFFER_TIMEOUT },
  });

beforeAll(async () => {
  testDb = await createTestDb();
  pool = await createExpertPool(testDb.db);
  prefix = testPrefix();
  [a, b] = [await startNode(), await startNode()];
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.disconnect();
  await eventually(async () => (await a.io.of(PRESENCE_NAMESPACE).fetchSockets()).length === 0);
  for (const expertId of online.splice(0)) {
    await eventually(async () => (await a.store.get(expertId)).state === 'offline', { what: `${expertId} offline` });
  }
});

afterAll(async () => {
  await b?.close();
  await a?.close({ cleanUp: true });
  await testDb?.drop();
});

async function connectTo(node: Node, staffId: Parameters<typeof staffSession>[1]): Promise<PresenceClient> {
  const client = await connectPresence(node.url, await staffSession(testDb.db, staffId));
  clients.push(client);
  return client;
}

async function onCall(node: Node, expert: ExpertRecord): Promise<PresenceClient> {
  const client = await connectTo(node, expert.staffId);
  online.push(expert.id);
  await goOnCall(client, TTL / 3);
  await sleep(2); // distinct idle-since milliseconds, so the ranking is certain
  return client;
}

const ask = (mediator: PresenceClient) =>
  mediator.request('expertRequest:create', { caseId: pool.caseId, specialty: 'traffic' });

test('an expert on node B hears a call made on node A; their decline on B moves A on, the next accepts', async () => {
  const onB = await onCall(b, await pool.addExpert('王专家'));
  const nextRecord = await pool.addExpert('赵专家');
  const onA = await onCall(a, nextRecord);
  const mediator = await connectTo(a, pool.mediatorId);
  expect(await ask(mediator)).toMatchObject({ ok: true, data: { status: 'ringing', offered: 1 } });
  const ring = await eventually(() => onB.rings[0], { what: 'the call on node B', intervalMs: 20 });
  expect(await onB.request('expert:answer', { offerId: ring.offerId, answer: 'decline' })).toMatchObject({
    ok: true,
    data: { result: 'declined' },
  });
  const next = await eventually(() => onA.rings[0], { what: 'the next call, on node A', intervalMs: 20 });
  await onA.request('expert:answer', { offerId: next.offerId, answer: 'accept' });
  await eventually(() => mediator.updates.some((u) => u.status === 'accepted'), { intervalMs: 20 });
  expect(mediator.updates.at(-1)).toMatchObject({ status: 'accepted', expertId: nextRecord.id, offered: 2 });
  await a.store.release(nextRecord.id, pool.caseId);
});

test('an accept given on node B takes the case on node A, and a second answer is refused', async () => {
  const record = await pool.addExpert('钱专家');
  const onB = await onCall(b, record);
  const mediator = await connectTo(a, pool.mediatorId);
  await ask(mediator);
  const ring = await eventually(() => onB.rings[0], { what: 'the call on node B', intervalMs: 20 });
  expect(await onB.request('expert:answer', { offerId: ring.offerId, answer: 'accept' })).toMatchObject({
    ok: true,
    data: { result: 'accepted' },
  });
  expect(await onB.request('expert:answer', { offerId: ring.offerId, answer: 'decline' })).toMatchObject({
    ok: false,
    error: { code: 'CONFLICT' },
  });
  await eventually(() => mediator.updates.some((u) => u.status === 'accepted'), { intervalMs: 20 });
  expect(await b.store.get(record.id)).toMatchObject({ state: 'in_case', caseId: pool.caseId });
  await b.store.release(record.id, pool.caseId);
});

test('closing the ringing expert’s page on node B moves node A’s request on at once', async () => {
  const onB = await onCall(b, await pool.addExpert('孙专家'));
  const onA = await onCall(a, await pool.addExpert('李专家'));
  const mediator = await connectTo(a, pool.mediatorId);
  await ask(mediator);
  await eventually(() => onB.rings.length === 1, { what: 'the call on node B', intervalMs: 20 });
  onB.socket.disconnect();
  await eventually(() => onA.rings.length === 1, { what: 'the next call, on node A', intervalMs: 20 });
  // Withdrawn because the page closed, not timed out: the log says which.
  const [offer] = await testDb.db.query<{ answer: string }>('select answer from expert_offers where id = $1', [
    onB.rings[0]!.offerId,
  ]);
  expect(offer).toEqual({ answer: 'withdrawn' });
  await mediator.request('expertRequest:cancel', { requestId: onA.rings[0]!.requestId });
});

test('a node that dies with an expert’s page on it leaves that expert offline within TTL + 1 s', async () => {
  const c = await startNode();
  const record = await pool.addExpert('蒋专家');
  await onCall(c, record);
  expect((await a.store.get(record.id)).state).toBe('available');
  // Closing the service first keeps the node from marking anyone offline on its way down, as a
  // crash would; the page (no reconnection here) then sends no more heartbeats.
  const died = Date.now();
  await c.close();
  await eventually(async () => (await a.store.get(record.id)).state === 'offline', { intervalMs: 20 });
  expect(Date.now() - died).toBeLessThanOrEqual(TTL + 1000);
  // Its last heartbeat came at most TTL / 3 before: the TTL, not the dying node, turned it offline.
  expect(Date.now() - died).toBeGreaterThanOrEqual(TTL - TTL / 3 - 50);
});
