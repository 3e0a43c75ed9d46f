/**
 * The one contract of expert presence, run against both stores: the
 * in-process one (the embedded default) and the Redis one on the machine's
 * real Redis with a key prefix of its own. Time is a hand-moved clock, so TTLs
 * and ring ends are exact and nothing sleeps; one test per store runs on the
 * wall clock to show the TTL + 1 s promise holds for real. A Redis restart is
 * tested on a redis-server of the test's own.
 */
import { randomUUID } from 'node:crypto';
import type { RedisClientType } from 'redis';
import type { CaseId, DistrictId, ExpertId, ExpertRequestId, GridId, OfferId, TownshipId } from '../../shared/ids';
import type { CaseLocation } from '../../server/presence/keys';
import { MemoryPresenceStore } from '../../server/presence/MemoryPresenceStore';
import type { Clock, ExpertProfile, PresenceStore } from '../../server/presence/PresenceStore';
import { RedisPresenceStore } from '../../server/presence/RedisPresenceStore';
import { eventually, sleep } from '../helpers/eventually';
import { connectRedis, deleteKeys, OwnRedisServer, testPrefix } from '../helpers/redis';

const TTL = 10_000;
const uuid = <T>() => randomUUID() as T;

interface Harness {
  store: PresenceStore;
  /** Stores on connections of their own (Redis) sharing the data, for real concurrency. */
  peers: PresenceStore[];
  close(): Promise<void>;
}
type Make = (clock: Clock, ttl?: number) => Promise<Harness>;

const makeMemory: Make = async (clock, ttl = TTL) => {
  const store = new MemoryPresenceStore({ heartbeatTtlMs: ttl, clock });
  return { store, peers: [store], close: async () => undefined };
};

const makeRedis: Make = async (clock, ttl = TTL) => {
  const prefix = testPrefix();
  const clients: RedisClientType[] = await Promise.all([1, 2, 3, 4, 5].map(() => connectRedis()));
  const stores = clients.map((client) => new RedisPresenceStore({ client, prefix, heartbeatTtlMs: ttl, clock }));
  return {
    store: stores[0]!,
    peers: stores,
    close: async () => {
      await deleteKeys(clients[0]!, prefix);
      for (const client of clients) client.destroy();
    },
  };
};

// The case's place, and its neighbours: g2 is another grid of t1, t2 another township of d1.
const d1 = uuid<DistrictId>();
const d2 = uuid<DistrictId>();
const t1 = uuid<TownshipId>();
const t2 = uuid<TownshipId>();
const g1 = uuid<GridId>();
const g2 = uuid<GridId>();
const at: CaseLocation = { gridId: g1, townshipId: t1, districtId: d1 };

const profile = (serves: Partial<ExpertProfile['serves']>, extra: Partial<ExpertProfile> = {}): ExpertProfile => ({
  specialties: ['traffic'],
  languages: ['zh'],
  serves: { grids: [], townships: [], districts: [], ...serves },
  ...extra,
});
const inGrid = profile({ grids: [g1] });

describe.each([
  ['memory', makeMemory],
  ['redis', makeRedis],
] as const)('%s presence store', (_name, make) => {
  let now: number;
  let h: Harness;
  let store: PresenceStore;
  const clock = () => now;
  const advance = (ms: number) => (now += ms);
  const ring = (expertId: ExpertId, ringMs = 20_000, caseId = uuid<CaseId>()) =>
    store.claim({ expertId, caseId, requestId: uuid<ExpertRequestId>(), offerId: uuid<OfferId>(), ringMs });
  const find = (extra: Partial<Parameters<PresenceStore['findAvailable']>[0]> = {}) =>
    store.findAvailable({ specialty: 'traffic', at, limit: 10, ...extra }).then((c) => c.map((x) => x.expertId));

  beforeEach(async () => {
    now = 1_700_000_000_000;
    h = await make(clock);
    store = h.store;
  });

  afterEach(async () => {
    await h.close();
  });

  test('an expert nobody has heard from is offline and not offered', async () => {
    expect(await store.get(uuid<ExpertId>())).toMatchObject({ state: 'offline' });
    expect(await find()).toEqual([]);
  });

  test('a first heartbeat brings the expert in as their client chose, alive for exactly the TTL', async () => {
    const a = uuid<ExpertId>();
    expect(await store.heartbeat(a, inGrid, 'away')).toMatchObject({ state: 'away', deadline: now + TTL });
    advance(TTL - 1);
    expect((await store.get(a)).state).toBe('away');
    advance(1);
    expect((await store.get(a)).state).toBe('offline');
  });

  test('heartbeats keep an available expert alive and offered; when they stop, the expert leaves the index', async () => {
    const a = uuid<ExpertId>();
    await store.heartbeat(a, inGrid, 'available');
    for (let i = 0; i < 5; i++) {
      advance(TTL - 1);
      await store.heartbeat(a, inGrid, 'away'); // the fallback only rebuilds a lost record
    }
    expect(await store.get(a)).toMatchObject({ state: 'available', deadline: now + TTL });
    expect(await find()).toEqual([a]);
    advance(TTL);
    expect(await find()).toEqual([]);
    expect((await store.get(a)).state).toBe('offline');
  });

  test('nearest first (grid, township, district), then longest idle first, then by id', async () => {
    const [districtOld, townshipMid, gridNew, gridOld, elsewhere, otherGrid] = [1, 2, 3, 4, 5, 6].map(() =>
      uuid<ExpertId>(),
    );
    await store.heartbeat(districtOld!, profile({ districts: [d1] }), 'available');
    advance(1000);
    await store.heartbeat(gridOld!, profile({ grids: [g1] }), 'available');
    await store.heartbeat(otherGrid!, profile({ grids: [g2] }), 'available');
    advance(1000);
    await store.heartbeat(townshipMid!, profile({ townships: [t1], grids: [g2] }), 'available');
    await store.heartbeat(elsewhere!, profile({ townships: [t2], districts: [d2] }), 'available');
    advance(1000);
    // Serves the grid and its district as well: counted once, at its nearest.
    await store.heartbeat(gridNew!, profile({ grids: [g1], districts: [d1] }), 'available');

    const candidates = await store.findAvailable({ specialty: 'traffic', at, limit: 10 });
    expect(candidates.map((c) => [c.expertId, c.nearness])).toEqual([
      [gridOld, 'grid'],
      [gridNew, 'grid'],
      [townshipMid, 'township'],
      [districtOld, 'district'],
    ]);
    expect(candidates[0]!.idleSince).toBe(now - 2000);
  });

  test('only the asked specialty and language are offered; without a language, everyone', async () => {
    const [zh, yue, medical] = [1, 2, 3].map(() => uuid<ExpertId>());
    await store.heartbeat(zh!, profile({ grids: [g1] }, { languages: ['zh'] }), 'available');
    await store.heartbeat(yue!, profile({ grids: [g1] }, { languages: ['zh', 'yue'] }), 'available');
    await store.heartbeat(medical!, profile({ grids: [g1] }, { specialties: ['medical'] }), 'available');
    expect(await find({ language: 'yue' })).toEqual([yue]);
    expect((await find()).sort()).toEqual([zh, yue].sort());
    expect(await find({ specialty: 'medical' })).toEqual([medical]);
    expect(await find({ specialty: 'labour_wages' })).toEqual([]);
  });

  test('excluded experts are skipped and the limit is kept', async () => {
    const ids = [1, 2, 3, 4].map(() => uuid<ExpertId>());
    for (const id of ids) {
      await store.heartbeat(id, inGrid, 'available');
      advance(10);
    }
    expect(await find({ limit: 2 })).toEqual(ids.slice(0, 2));
    expect(await find({ limit: 2, exclude: [ids[0]!, ids[2]!] })).toEqual([ids[1], ids[3]]);
  });

  test('away experts are not offered; back to available they are idle from then', async () => {
    const [a, b] = [uuid<ExpertId>(), uuid<ExpertId>()];
    await store.heartbeat(a, inGrid, 'available');
    advance(100);
    await store.heartbeat(b, inGrid, 'available');
    expect(await store.setAvailability(a, inGrid, 'away')).toMatchObject({ ok: true, presence: { state: 'away' } });
    expect(await find()).toEqual([b]);
    advance(100);
    expect(await store.setAvailability(a, inGrid, 'available')).toMatchObject({
      ok: true,
      presence: { state: 'available', idleSince: now },
    });
    expect(await find()).toEqual([b, a]);
  });

  test('a claim rings the expert for one case and takes them off the index; a second claim is refused', async () => {
    const a = uuid<ExpertId>();
    await store.heartbeat(a, inGrid, 'available');
    const caseId = uuid<CaseId>();
    const first = await ring(a, 20_000, caseId);
    expect(first).toMatchObject({ ok: true, presence: { state: 'ringing', caseId, ringUntil: now + 20_000 } });
    expect(await find()).toEqual([]);
    const second = await ring(a);
    expect(second).toMatchObject({ ok: false, presence: { state: 'ringing', caseId } });
  });

  test('of 60 concurrent claims for one expert from five connections, exactly one wins', async () => {
    const a = uuid<ExpertId>();
    await store.heartbeat(a, inGrid, 'available');
    const attempts = Array.from({ length: 60 }, (_, i) =>
      h.peers[i % h.peers.length]!.claim({
        expertId: a,
        caseId: uuid<CaseId>(),
        requestId: uuid<ExpertRequestId>(),
        offerId: uuid<OfferId>(),
        ringMs: 20_000,
      }),
    );
    const results = await Promise.all(attempts);
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    expect((await store.get(a)).caseId).toBe(winners[0]!.presence.caseId);
  });

  test('an accepted ring puts the expert in the case, which outlasts the ring while heartbeats go on', async () => {
    const a = uuid<ExpertId>();
    await store.heartbeat(a, inGrid, 'available');
    const { offerId, caseId } = (await ring(a, 5000)).presence;
    expect(await store.endRing(a, offerId!, 'accept')).toMatchObject({
      ok: true,
      presence: { state: 'in_case', caseId },
    });
    expect((await store.endRing(a, offerId!, 'decline')).ok).toBe(false);
    for (let i = 0; i < 3; i++) {
      advance(TTL - 1);
      await store.heartbeat(a, inGrid, 'available');
    }
    expect(await store.get(a)).toMatchObject({ state: 'in_case', caseId });
    expect(await find()).toEqual([]);
  });

  test('release returns the expert to available, behind those who waited longer', async () => {
    const [a, b] = [uuid<ExpertId>(), uuid<ExpertId>()];
    await store.heartbeat(a, inGrid, 'available');
    advance(100);
    await store.heartbeat(b, inGrid, 'available');
    const { offerId, caseId } = (await ring(a)).presence;
    await store.endRing(a, offerId!, 'accept');
    expect((await store.release(a, uuid<CaseId>())).ok).toBe(false);
    advance(500);
    expect(await store.release(a, caseId!)).toMatchObject({
      ok: true,
      presence: { state: 'available', idleSince: now },
    });
    expect(await find()).toEqual([b, a]);
  });

  test.each(['decline', 'timeout', 'cancel'] as const)(
    'after a %s the expert is available again with their idle time kept',
    async (how) => {
      const [a, b] = [uuid<ExpertId>(), uuid<ExpertId>()];
      await store.heartbeat(a, inGrid, 'available');
      const idleSince = now;
      advance(100);
      await store.heartbeat(b, inGrid, 'available');
      const { offerId } = (await ring(a)).presence;
      expect((await store.endRing(a, uuid<OfferId>(), how)).ok).toBe(false); // another offer's answer
      expect(await store.endRing(a, offerId!, how)).toMatchObject({
        ok: true,
        presence: { state: 'available', idleSince },
      });
      expect(await find()).toEqual([a, b]);
      expect((await store.endRing(a, offerId!, 'accept')).ok).toBe(false);
    },
  );

  test('an unanswered ring ends by itself at ringUntil, and its offer can no longer be accepted', async () => {
    const a = uuid<ExpertId>();
    await store.heartbeat(a, inGrid, 'available');
    const { offerId } = (await ring(a, 3000)).presence;
    advance(2999);
    expect((await store.get(a)).state).toBe('ringing');
    advance(1);
    expect(await find()).toEqual([a]);
    expect((await store.endRing(a, offerId!, 'accept')).ok).toBe(false);
    expect((await ring(a)).ok).toBe(true);
  });

  test('an expert cannot choose away while ringing or in a case', async () => {
    const a = uuid<ExpertId>();
    await store.heartbeat(a, inGrid, 'available');
    const { offerId } = (await ring(a)).presence;
    expect(await store.setAvailability(a, inGrid, 'away')).toMatchObject({ ok: false, presence: { state: 'ringing' } });
    await store.endRing(a, offerId!, 'accept');
    expect(await store.setAvailability(a, inGrid, 'away')).toMatchObject({ ok: false, presence: { state: 'in_case' } });
  });

  test('going offline ends a ring: the offer can no longer be accepted', async () => {
    const a = uuid<ExpertId>();
    await store.heartbeat(a, inGrid, 'available');
    const { offerId } = (await ring(a)).presence;
    expect(await store.goOffline(a)).toMatchObject({ state: 'ringing', offerId });
    expect((await store.endRing(a, offerId!, 'accept')).ok).toBe(false);
    expect((await store.get(a)).state).toBe('offline');
  });

  test('a changed profile in a heartbeat moves the expert to the cells of the new one', async () => {
    const a = uuid<ExpertId>();
    await store.heartbeat(a, profile({ grids: [g2] }), 'available');
    expect(await find()).toEqual([]);
    await store.heartbeat(a, profile({ grids: [g1] }, { languages: ['en'] }), 'available');
    expect(await find({ language: 'en' })).toEqual([a]);
    expect(await find({ language: 'zh' })).toEqual([]);
  });

  test('a sweep settles lapsed heartbeats and unanswered rings, each once', async () => {
    const [a, b, c] = [1, 2, 3].map(() => uuid<ExpertId>());
    for (const id of [a, b, c]) await store.heartbeat(id!, inGrid, 'available');
    await ring(b!, 1000);
    advance(1000);
    await store.heartbeat(c!, inGrid, 'available');
    expect(await store.sweep()).toBe(1); // b's ring
    advance(TTL - 1000);
    expect(await store.sweep()).toBe(2); // a and b lapsed; c beat later
    expect(await store.sweep()).toBe(0);
    expect(await find()).toEqual([c]);
  });

  test('on the wall clock, an expert whose client stops is offline within TTL + 1 s', async () => {
    const ttl = 400;
    const real = await make(Date.now, ttl);
    try {
      const a = uuid<ExpertId>();
      let lastBeat = Date.now();
      await real.store.heartbeat(a, inGrid, 'available');
      for (let i = 0; i < 8; i++) {
        await sleep(ttl / 4);
        lastBeat = Date.now();
        await real.store.heartbeat(a, inGrid, 'available');
      }
      expect((await real.store.get(a)).state).toBe('available');
      // The client is gone: no more heartbeats.
      await eventually(async () => (await real.store.get(a)).state === 'offline', { intervalMs: 20, timeoutMs: 3000 });
      const after = Date.now() - lastBeat;
      expect(after).toBeGreaterThanOrEqual(ttl - 5);
      expect(after).toBeLessThanOrEqual(ttl + 1000);
    } finally {
      await real.close();
    }
  });
});

describe('redis presence store across a Redis restart', () => {
  let server: OwnRedisServer;
  let client: RedisClientType;

  beforeAll(async () => {
    server = await OwnRedisServer.start();
    client = await connectRedis(server.url);
  });

  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  test('after a restart nobody is ringing or in a case, and heartbeats rebuild every expert as chosen', async () => {
    const store = new RedisPresenceStore({ client, prefix: testPrefix(), heartbeatTtlMs: TTL });
    const [ringing, inCase, away] = [1, 2, 3].map(() => uuid<ExpertId>());
    for (const id of [ringing, inCase]) await store.heartbeat(id!, inGrid, 'available');
    await store.heartbeat(away!, inGrid, 'away');
    const caseId = uuid<CaseId>();
    const rung = await store.claim({
      expertId: ringing!,
      caseId,
      requestId: uuid<ExpertRequestId>(),
      offerId: uuid<OfferId>(),
      ringMs: 60_000,
    });
    const joined = await store.claim({
      expertId: inCase!,
      caseId,
      requestId: uuid<ExpertRequestId>(),
      offerId: uuid<OfferId>(),
      ringMs: 60_000,
    });
    await store.endRing(inCase!, joined.presence.offerId!, 'accept');
    expect((await store.get(inCase!)).state).toBe('in_case');

    await server.restart();

    // The first call after the restart reconnects and finds the script cache empty (NOSCRIPT → EVAL).
    expect((await store.get(ringing!)).state).toBe('offline');
    expect((await store.get(inCase!)).state).toBe('offline');
    expect((await store.endRing(ringing!, rung.presence.offerId!, 'accept')).ok).toBe(false);
    for (const id of [ringing, inCase]) await store.heartbeat(id!, inGrid, 'available');
    await store.heartbeat(away!, inGrid, 'away');
    expect((await store.get(away!)).state).toBe('away');
    const offered = await store.findAvailable({ specialty: 'traffic', at, limit: 10 });
    expect(offered.map((c) => c.expertId).sort()).toEqual([ringing, inCase].sort());
    const again = {
      caseId: uuid<CaseId>(),
      requestId: uuid<ExpertRequestId>(),
      offerId: uuid<OfferId>(),
      ringMs: 1000,
    };
    expect((await store.claim({ ...again, expertId: inCase! })).ok).toBe(true);
  });
});
