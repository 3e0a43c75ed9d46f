/**
 * Pulling an expert into a case on real Redis and the real database: pool
 * records in 008_experts.sql, presence in Redis under a prefix of this file,
 * the dispatcher's log in expert_requests, expert_offers and audit_log. Two
 * dispatchers on their own Redis connections stand for two server nodes.
 */
import pino from 'pino';
import type { RedisClientType } from 'redis';
import type { OfferSummary, OfferView } from '../../shared/experts';
import type { ExpertId, StaffId } from '../../shared/ids';
import { ExpertDispatcher, type DispatchSettings, type RequestUpdate } from '../../server/presence/ExpertDispatcher';
import { profileOf, SqlExpertStore, type ExpertRecord } from '../../server/presence/ExpertStore';
import { SqlOfferLog } from '../../server/presence/OfferLog';
import { RedisPresenceStore } from '../../server/presence/RedisPresenceStore';
import { eventually } from '../helpers/eventually';
import { createExpertPool, type ExpertPool } from '../helpers/expertPool';
import { connectRedis, deleteKeys, testPrefix } from '../helpers/redis';
import { createTestDb, type TestDb } from '../helpers/testDb';

const quiet = pino({ level: 'silent' });
const summary: OfferSummary = {
  caseNo: 'P-1',
  disputeType: 'traffic',
  level: 'grid',
  gridName: '和平一网格',
  townshipName: '和平街道',
  districtName: '东城区',
  requestedByName: '张调解',
  note: '',
};

let testDb: TestDb;
let pool: ExpertPool;
let clients: RedisClientType[];
let prefix: string;

beforeAll(async () => {
  testDb = await createTestDb();
  pool = await createExpertPool(testDb.db);
  clients = [await connectRedis(), await connectRedis()];
  prefix = testPrefix();
});

afterAll(async () => {
  if (clients) await deleteKeys(clients[0]!, prefix);
  for (const client of clients ?? []) client.destroy();
  await testDb?.drop();
});

/** One server node: its own Redis connection, store and dispatcher, and what it told whom. */
function node(index: number, settings: Partial<DispatchSettings> = {}) {
  const store = new RedisPresenceStore({ client: clients[index]!, prefix, heartbeatTtlMs: 30_000 });
  const rings: { expertId: ExpertId; offer: OfferView }[] = [];
  const updates: RequestUpdate[] = [];
  const dispatcher = new ExpertDispatcher({
    store,
    log: new SqlOfferLog(testDb.db),
    logger: quiet,
    settings,
    listener: {
      ring: (expertId, offer) => rings.push({ expertId, offer }),
      ringEnded: () => undefined,
      requestUpdated: (update) => updates.push(update),
    },
  });
  const online = (expert: ExpertRecord) => store.heartbeat(expert.id, profileOf(expert), 'available');
  const offerOf = (expert: ExpertRecord) => rings.filter((r) => r.expertId === expert.id).at(-1)?.offer;
  return { store, dispatcher, rings, updates, online, offerOf };
}

const ask = (dispatcher: ExpertDispatcher) =>
  dispatcher.request({
    caseId: pool.caseId,
    requestedBy: pool.mediatorId,
    specialty: 'traffic',
    at: pool.at,
    summary,
  });

test('a pool record round-trips with its specialties, languages and served areas', async () => {
  const expert = await pool.addExpert('李医生', {
    specialties: ['medical', 'traffic'],
    languages: ['zh', 'yue'],
    serves: { townships: [pool.township.id] },
  });
  const again = await new SqlExpertStore(testDb.db).byStaff(expert.staffId);
  expect(again).toEqual(expert);
  expect(again).toMatchObject({
    displayName: '李医生',
    specialties: ['medical', 'traffic'],
    languages: ['yue', 'zh'],
    serves: { grids: [pool.grids[0].id], townships: [pool.township.id], districts: [] },
  });
});

test('only an account with the role "expert" can be in a pool', async () => {
  await expect(
    new SqlExpertStore(testDb.db).create({
      staffId: pool.mediatorId,
      districtId: pool.district.id,
      title: '',
      specialties: ['traffic'],
      languages: [],
      serves: { grids: [], townships: [], districts: [] },
      createdBy: null,
    }),
  ).rejects.toThrow(/foreign key|violates/);
});

test('the first expert declines, the second lets it time out, the third accepts: every step is logged', async () => {
  const a = node(0, { offerTimeoutMs: 300 });
  const [first, second, third] = [
    await pool.addExpert('王专家', { serves: { grids: [pool.grids[0].id] } }),
    await pool.addExpert('赵专家', { serves: { grids: [], townships: [pool.township.id] } }),
    await pool.addExpert('钱专家', { serves: { grids: [], districts: [pool.district.id] } }),
  ];
  for (const expert of [first, second, third]) await a.online(expert);
  const { requestId } = await ask(a.dispatcher);
  await a.dispatcher.answer(first.id, a.offerOf(first)!.offerId, 'decline');
  const ringing = await eventually(() => a.offerOf(third), { what: 'the third expert rung', intervalMs: 20 });
  await a.dispatcher.answer(third.id, ringing.offerId, 'accept');
  expect(await a.store.get(third.id)).toMatchObject({ state: 'in_case', caseId: pool.caseId });
  expect((await a.store.get(second.id)).state).toBe('available');

  const offers = await testDb.db.query<{ expertId: string; rank: number; nearness: string; answer: string }>(
    `select expert_id as "expertId", rank, nearness, answer from expert_offers where request_id = $1 order by rank`,
    [requestId],
  );
  expect(offers).toEqual([
    { expertId: first.id, rank: 1, nearness: 'grid', answer: 'declined' },
    { expertId: second.id, rank: 2, nearness: 'township', answer: 'timed_out' },
    { expertId: third.id, rank: 3, nearness: 'district', answer: 'accepted' },
  ]);
  const [request] = await testDb.db.query(
    'select outcome, expert_id as "expertId", ended_at is not null as ended from expert_requests where id = $1',
    [requestId],
  );
  expect(request).toEqual({ outcome: 'accepted', expertId: third.id, ended: true });
  const audit = await testDb.db.query<{ action: string; actorId: StaffId | null }>(
    `select action, actor_id as "actorId" from audit_log
     where details->>'requestId' = $1 or entity_id = $1 order by id`,
    [requestId],
  );
  expect(audit).toEqual([
    { action: 'expert.requested', actorId: pool.mediatorId },
    { action: 'expert.offered', actorId: pool.mediatorId },
    { action: 'expert.declined', actorId: first.staffId },
    { action: 'expert.offered', actorId: pool.mediatorId },
    { action: 'expert.timedOut', actorId: null },
    { action: 'expert.offered', actorId: pool.mediatorId },
    { action: 'expert.accepted', actorId: third.staffId },
    { action: 'expert.requestFilled', actorId: null },
  ]);
  await a.store.release(third.id, pool.caseId);
  for (const expert of [first, second, third]) await a.store.goOffline(expert.id);
});

test('two nodes asking at once for the one available expert: exactly one case gets the ring, ten times over', async () => {
  const [a, b] = [node(0), node(1)];
  for (let round = 0; round < 10; round++) {
    const expert = await pool.addExpert(`孙专家${round}`, { serves: { grids: [pool.grids[1].id] } });
    await a.online(expert);
    const at = { ...pool.at, gridId: pool.grids[1].id };
    const request = (dispatcher: ExpertDispatcher) =>
      dispatcher.request({ caseId: pool.caseId, requestedBy: pool.mediatorId, specialty: 'traffic', at, summary });
    const results = await Promise.all([request(a.dispatcher), request(b.dispatcher)]);
    expect(results.map((r) => r.status).sort()).toEqual(['exhausted', 'ringing']);
    const winner = results.find((r) => r.status === 'ringing')!;
    const [rows] = await testDb.db.query<{ n: number }>(
      'select count(*)::int as n from expert_offers where expert_id = $1',
      [expert.id],
    );
    expect(rows!.n).toBe(1);
    expect((await b.store.get(expert.id)).requestId).toBe(winner.requestId);
    await (a.updates.includes(winner) ? a : b).dispatcher.cancel(winner.requestId, pool.mediatorId);
    await a.store.goOffline(expert.id);
  }
});

test('the first answer to an offer stands: a late second one changes neither the row nor the audit log', async () => {
  const a = node(0);
  const expert = await pool.addExpert('韩专家', { serves: { grids: [pool.grids[1].id] } });
  await a.online(expert);
  const at = { ...pool.at, gridId: pool.grids[1].id };
  const { requestId } = await a.dispatcher.request({
    caseId: pool.caseId,
    requestedBy: pool.mediatorId,
    specialty: 'traffic',
    at,
    summary,
  });
  const offer = a.offerOf(expert)!;
  await a.dispatcher.answer(expert.id, offer.offerId, 'decline');
  const log = new SqlOfferLog(testDb.db);
  const late = { offerId: offer.offerId, requestId, caseId: pool.caseId, expertId: expert.id, at: new Date() };
  await log.answered({ ...late, answer: 'accepted' });
  const [row] = await testDb.db.query('select answer from expert_offers where id = $1', [offer.offerId]);
  expect(row).toEqual({ answer: 'declined' });
  const audit = await testDb.db.query(`select action from audit_log where details->>'offerId' = $1 order by id`, [
    offer.offerId,
  ]);
  expect(audit).toEqual([{ action: 'expert.offered' }, { action: 'expert.declined' }]);
  await a.store.goOffline(expert.id);
});
