/**
 * /api/experts on the real app: an expert reads their own record and history of offers, staff of a
 * district read its pool and no other, and the coordinator's board counts
 * available experts per specialty and grid as their pages go on call, ring
 * and go away, with experts serving a township or the district counted in
 * each of its grids. Everything runs twice, on the in-process store (the
 * embedded default) and on real Redis (a key prefix of this file), since the
 * board reads presence through the store's interface.
 */
import type { CaseId, StaffId } from '../../shared/ids';
import type { AvailabilityBoard } from '../../shared/expertViews';
import { SqlExpertStore, type ExpertRecord } from '../../server/presence/ExpertStore';
import { eventually } from '../helpers/eventually';
import { connectPresence, goOnCall, staffSession, type PresenceClient } from '../helpers/presenceClient';
import { connectRedis, deleteKeys, testPrefix, testRedisUrl } from '../helpers/redis';
import { createFixture, login, PASSWORD, registerCase, type Fixture } from '../helpers/records';
import { startTestServer, type TestServer } from '../helpers/testServer';

let counter = 0;
const redisPrefix = testPrefix();

afterAll(async () => {
  const redis = await connectRedis();
  await deleteKeys(redis, redisPrefix);
  redis.destroy();
});

describe.each([
  ['in-process presence', () => ({})],
  ['presence on Redis', () => ({ REDIS_URL: testRedisUrl(), REDIS_PREFIX: redisPrefix })],
])('with %s', (_name, env: () => Record<string, string>) => {
  let server: TestServer;
  let fixture: Fixture;
  let caseId: string;
  const clients: PresenceClient[] = [];

  beforeAll(async () => {
    server = await startTestServer({ EXPERT_OFFER_TIMEOUT_SECONDS: '5', ...env() });
    fixture = await createFixture(server.app, server.url);
    const traffic = await registerCase(await fixture.as('gridMediator'), fixture.org.grids.heping1.id, {
      disputeType: 'traffic',
    });
    caseId = traffic.id;
  });

  afterAll(async () => {
    for (const client of clients.splice(0)) client.socket.disconnect();
    await server?.close();
  });

  async function addExpert(
    name: string,
    serves: Partial<ExpertRecord['serves']>,
    specialties: ExpertRecord['specialties'] = ['traffic'],
  ): Promise<{ record: ExpertRecord; username: string }> {
    const username = `routes.expert${++counter}`;
    const account = await server.app.records.staff.create(null, {
      username,
      displayName: name,
      role: 'expert',
      password: PASSWORD,
      gridId: null,
      committeeId: null,
      townshipId: null,
      districtId: null,
    });
    const record = await new SqlExpertStore(server.db).create({
      staffId: account.id as StaffId,
      districtId: fixture.org.east.id,
      title: '交通事故鉴定',
      specialties,
      languages: ['zh'],
      serves: { grids: [], townships: [], districts: [], ...serves },
      createdBy: null,
    });
    return { record, username };
  }

  async function connect(staffId: StaffId): Promise<PresenceClient> {
    const client = await connectPresence(server.url, await staffSession(server.db, staffId));
    clients.push(client);
    return client;
  }

  const board = async (): Promise<AvailabilityBoard> => {
    const reply = await (await fixture.as('districtCoordinator')).get('/api/experts/board');
    expect(reply.status).toBe(200);
    return reply.body as AvailabilityBoard;
  };

  test('only an expert in a pool has a record and a history', async () => {
    const { record, username } = await addExpert('钱专家', { grids: [fixture.org.grids.heping1.id] });
    const expert = await login(server.url, username);
    expect((await expert.get('/api/experts/me')).body).toMatchObject({
      expert: { id: record.id, displayName: '钱专家', specialties: ['traffic'], languages: ['zh'] },
    });
    expect((await expert.get('/api/experts/me/offers')).body).toEqual({ offers: [] });
    expect((await expert.get('/api/experts/me/offers?limit=0')).status).toBe(400);
    const mediator = await fixture.as('gridMediator');
    expect((await mediator.get('/api/experts/me/offers')).body).toMatchObject({ error: { code: 'FORBIDDEN' } });
    // An expert account without a pool record.
    expect((await (await fixture.as('expert')).get('/api/experts/me')).status).toBe(403);
    expect((await fetch(`${server.url}/api/experts/me`)).status).toBe(401);
  });

  test('staff see the pool of their own district, never another’s', async () => {
    const east = await fixture.as('gridMediator');
    const reply = await east.get('/api/experts/pool');
    expect(reply.status).toBe(200);
    expect(reply.body.districtId).toBe(fixture.org.east.id);
    expect(reply.body.experts.map((e: { displayName: string }) => e.displayName)).toContain('钱专家');
    expect((await east.get(`/api/experts/pool?districtId=${fixture.org.west.id}`)).status).toBe(403);
    expect((await (await fixture.as('westGridMediator')).get('/api/experts/pool')).body.experts).toEqual([]);
    expect((await (await fixture.as('admin')).get('/api/experts/pool')).status).toBe(403);
  });

  test('the board counts available experts per specialty and grid, township- and district-wide ones in each grid', async () => {
    const { grids, heping } = fixture.org;
    const inGrid = await addExpert('孙专家', { grids: [grids.heping2.id] });
    const inTownship = await addExpert('李专家', { townships: [heping.id] }, ['traffic', 'medical']);
    const inDistrict = await addExpert('周专家', { districts: [fixture.org.east.id] }, ['medical']);
    const before = await board();
    expect(before.available).toEqual({});
    expect(before.specialties).toEqual(['medical', 'traffic']);

    for (const { record } of [inGrid, inTownship, inDistrict]) await goOnCall(await connect(record.staffId), 5000);
    const now = await board();
    expect(now.available.traffic).toEqual({ [grids.heping1.id]: 1, [grids.heping2.id]: 2 });
    expect(now.available.medical).toEqual({ [grids.heping1.id]: 2, [grids.heping2.id]: 2, [grids.anding1.id]: 1 });
    expect(now.bySpecialty.traffic).toMatchObject({ available: 2, offline: 1 });
    expect(now.states).toMatchObject({ available: 3, offline: 1, ringing: 0 });
    // Nobody in the other district's pool is counted, and its grids are not on the board.
    expect(now.grids.map((g) => g.gridId)).not.toContain(grids.jinrong1.id);

    // A township coordinator sees the grids of their township only.
    const township = await (await fixture.as('townshipCoordinator')).get('/api/experts/board');
    expect(township.body.grids.map((g: { gridId: string }) => g.gridId).sort()).toEqual(
      [grids.heping1.id, grids.heping2.id].sort(),
    );
    for (const key of ['gridMediator', 'expert', 'admin'] as const) {
      expect((await (await fixture.as(key)).get('/api/experts/board')).status).toBe(403);
    }
  });

  test('a ringing expert leaves the board’s available count, and their history shows the call without party names', async () => {
    const { record, username } = await addExpert('吴专家', { grids: [fixture.org.grids.heping1.id] });
    const expert = await connect(record.staffId);
    await goOnCall(expert, 5000);
    await eventually(async () => (await board()).available.traffic?.[fixture.org.grids.heping1.id] === 2);
    const mediator = await connect(fixture.staff.gridMediator.id);
    // 钱专家 is offline; of the two in 和平一网格's reach, 吴专家 serves its grid and is rung first.
    const asked = await mediator.request('expertRequest:create', { caseId: caseId as CaseId, specialty: 'traffic' });
    expect(asked).toMatchObject({ ok: true, data: { status: 'ringing', ringing: [record.id] } });
    const ring = await eventually(() => expert.rings[0], { what: 'the call', intervalMs: 20 });
    const during = await board();
    expect(during.available.traffic?.[fixture.org.grids.heping1.id]).toBe(1);
    expect(during.bySpecialty.traffic?.ringing).toBe(1);

    await expert.request('expert:answer', { offerId: ring.offerId, answer: 'decline' });
    const { body } = await (await login(server.url, username)).get('/api/experts/me/offers');
    expect(body.offers).toHaveLength(1);
    expect(body.offers[0]).toMatchObject({
      offerId: ring.offerId,
      caseId,
      disputeType: 'traffic',
      gridName: '和平一网格',
      requestedByName: '和平一网格 李调解',
      nearness: 'grid',
      answer: 'declined',
    });
    expect(JSON.stringify(body)).not.toMatch(/王秀英|李建国|1380000/);
    // The decline moved the request on to 李专家 (township-wide); withdraw it so nothing rings past the test.
    const next = await eventually(() => mediator.updates.find((u) => u.status === 'ringing' && u.offered === 2), {
      what: 'the next ring',
      intervalMs: 20,
    });
    expect(await mediator.request('expertRequest:cancel', { requestId: next.requestId })).toMatchObject({ ok: true });
  });
});
