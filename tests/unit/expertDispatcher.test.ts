/**
 * The dispatcher on the in-process presence store with jest's fake timers:
 * who rings first, what a decline, a timeout, an accept and a cancel do, what
 * the mediator hears, and what the offer log holds. Time moves only when a
 * test moves it, so "20 s" is exact and nothing waits for real.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { OfferSummary, OfferView } from '../../shared/experts';
import type { CaseId, DistrictId, ExpertId, GridId, OfferId, StaffId, TownshipId } from '../../shared/ids';
import { ExpertDispatcher, type DispatchSettings, type RequestUpdate } from '../../server/presence/ExpertDispatcher';
import type { CaseLocation } from '../../server/presence/keys';
import { MemoryPresenceStore } from '../../server/presence/MemoryPresenceStore';
import type { ExpertProfile } from '../../server/presence/PresenceStore';
import { MemoryOfferLog } from '../helpers/memoryOfferLog';

const uuid = <T>() => randomUUID() as T;
const at: CaseLocation = { gridId: uuid<GridId>(), townshipId: uuid<TownshipId>(), districtId: uuid<DistrictId>() };
const summary: OfferSummary = {
  caseNo: 'D01-2026-000042',
  disputeType: 'traffic',
  level: 'district',
  gridName: '和平一网格',
  townshipName: '和平街道',
  districtName: '东城区',
  requestedByName: '张调解',
  note: '责任认定有争议',
};

let store: MemoryPresenceStore;
let log: MemoryOfferLog;
let dispatcher: ExpertDispatcher;
let rings: { expertId: ExpertId; offer: OfferView }[];
let ended: string[];
let updates: RequestUpdate[];
/** Expert ids by name, and names by id for readable log lines. */
let names: Record<string, string>;
const mediator = uuid<StaffId>();
const caseId = uuid<CaseId>();

function setUp(settings: Partial<DispatchSettings> = {}) {
  store = new MemoryPresenceStore({ heartbeatTtlMs: 3_600_000 });
  log = new MemoryOfferLog();
  rings = [];
  ended = [];
  updates = [];
  names = {};
  dispatcher = new ExpertDispatcher({
    store,
    log,
    logger: pino({ level: 'silent' }),
    settings,
    listener: {
      ring: (expertId, offer) => rings.push({ expertId, offer }),
      ringEnded: (expertId, _offerId, why) => ended.push(`${names[expertId]} ${why}`),
      requestUpdated: (update) => updates.push(update),
    },
  });
}

/** Brings an available expert online, serving the case's grid (or township/district), idle from now. */
const profileFor = (serves: 'grid' | 'township' | 'district'): ExpertProfile => ({
  specialties: ['traffic'],
  languages: ['zh'],
  serves: {
    grids: serves === 'grid' ? [at.gridId] : [],
    townships: serves === 'township' ? [at.townshipId] : [],
    districts: serves === 'district' ? [at.districtId] : [],
  },
});

async function expert(name: string, serves: 'grid' | 'township' | 'district' = 'grid'): Promise<ExpertId> {
  const id = uuid<ExpertId>();
  names[id] = name;
  await store.heartbeat(id, profileFor(serves), 'available');
  jest.advanceTimersByTime(1000); // so the next one has been idle for less time
  return id;
}

const ask = (extra: { caseId?: CaseId } = {}) =>
  dispatcher.request({ caseId: extra.caseId ?? caseId, requestedBy: mediator, specialty: 'traffic', at, summary });
const ringing = () => rings.map((r) => names[r.expertId]);
const lastOffer = (expertId: ExpertId): OfferId => rings.filter((r) => r.expertId === expertId).at(-1)!.offer.offerId;
async function elapse(ms: number) {
  await jest.advanceTimersByTimeAsync(ms);
  await dispatcher.whenIdleForTesting();
}

beforeEach(() => {
  jest.useFakeTimers({ now: new Date('2026-12-04T09:00:00Z') });
  setUp();
});

afterEach(async () => {
  await dispatcher.close();
  jest.useRealTimers();
});

test('the nearest expert rings first, with the summary and when it stops ringing; the mediator hears it', async () => {
  await expert('district', 'district');
  await expert('township', 'township');
  const grid = await expert('grid');
  const first = await ask();
  expect(ringing()).toEqual(['grid']);
  expect(rings[0]!.offer).toMatchObject({ caseId, summary, expiresAt: Date.now() + 20_000 });
  expect(first).toMatchObject({ status: 'ringing', ringing: [grid], offered: 1, requestedBy: mediator });
  expect((await store.get(grid)).state).toBe('ringing');
});

test('among equally near experts, the one idle longest rings first', async () => {
  await expert('early');
  await expert('late');
  await ask();
  expect(ringing()).toEqual(['early']);
});

test('a decline rings the next expert at once, and the one who declined is not rung again', async () => {
  const a = await expert('a');
  const b = await expert('b');
  await ask();
  expect(await dispatcher.answer(a, lastOffer(a), 'decline')).toBe('declined');
  expect(ringing()).toEqual(['a', 'b']);
  expect((await store.get(a)).state).toBe('available');
  await dispatcher.answer(b, lastOffer(b), 'decline');
  expect(ringing()).toEqual(['a', 'b']);
  expect(updates.at(-1)).toMatchObject({ status: 'exhausted', offered: 2 });
});

test('an unanswered ring moves on after 20 s exactly, and the expert’s client is told to stop', async () => {
  const a = await expert('a');
  await expert('b');
  await ask();
  await elapse(19_999);
  expect(ringing()).toEqual(['a']);
  await elapse(1);
  expect(ringing()).toEqual(['a', 'b']);
  expect(ended).toEqual(['a timed_out']);
  expect((await store.get(a)).state).toBe('available');
});

test('the ring timeout is a setting', async () => {
  setUp({ offerTimeoutMs: 5000 });
  await expert('a');
  await expert('b');
  await ask();
  await elapse(5000);
  expect(ringing()).toEqual(['a', 'b']);
});

test('when nobody is left the mediator is told at once, not after another timeout', async () => {
  await expert('a');
  await ask();
  await elapse(20_000);
  expect(updates.map((u) => u.status)).toEqual(['ringing', 'exhausted']);
  expect(dispatcher.openRequests).toBe(0);
});

test('a request with no available expert at all is answered "exhausted" straight away', async () => {
  const away = await expert('away');
  await store.setAvailability(away, profileFor('grid'), 'away');
  expect(await ask()).toMatchObject({ status: 'exhausted', offered: 0 });
  expect(rings).toEqual([]);
});

test('an accept puts the expert in the case and tells the mediator who is coming', async () => {
  await expert('a');
  const b = await expert('b');
  await ask();
  await elapse(20_000);
  expect(await dispatcher.answer(b, lastOffer(b), 'accept')).toBe('accepted');
  expect(updates.at(-1)).toMatchObject({ status: 'accepted', expertId: b, offered: 2 });
  expect(await store.get(b)).toMatchObject({ state: 'in_case', caseId });
  expect(dispatcher.openRequests).toBe(0);
});

test('an answer to a ring that already moved on is refused and changes nothing', async () => {
  const a = await expert('a');
  const b = await expert('b');
  await ask();
  const stale = lastOffer(a);
  await elapse(20_000);
  await expect(dispatcher.answer(a, stale, 'accept')).rejects.toMatchObject({ code: 'CONFLICT' });
  await expect(dispatcher.answer(a, lastOffer(b), 'accept')).rejects.toMatchObject({ code: 'CONFLICT' });
  expect((await store.get(a)).state).toBe('available');
  expect((await store.get(b)).state).toBe('ringing');
});

test('ringing two at once, the first to accept takes the case and the other’s ring is withdrawn', async () => {
  setUp({ ringAtOnce: 2 });
  const a = await expert('a');
  const b = await expert('b');
  await expert('c');
  await ask();
  expect(ringing()).toEqual(['a', 'b']);
  await dispatcher.answer(b, lastOffer(b), 'accept');
  expect(ended).toEqual(['a withdrawn']);
  expect((await store.get(a)).state).toBe('available');
  expect(ringing()).toEqual(['a', 'b']); // c was never rung
});

test('ringing two at once, a decline tops the ring up with the next expert', async () => {
  setUp({ ringAtOnce: 2 });
  const a = await expert('a');
  await expert('b');
  await expert('c');
  await ask();
  await dispatcher.answer(a, lastOffer(a), 'decline');
  expect(ringing()).toEqual(['a', 'b', 'c']);
});

test('two cases asking at once for the one available expert: one rings them, the other is exhausted', async () => {
  await expert('only');
  const [one, two] = await Promise.all([ask({ caseId: uuid<CaseId>() }), ask({ caseId: uuid<CaseId>() })]);
  expect([one.status, two.status].sort()).toEqual(['exhausted', 'ringing']);
  expect(ringing()).toEqual(['only']);
});

test('the mediator’s cancel stops every ring and frees the experts', async () => {
  setUp({ ringAtOnce: 2 });
  const a = await expert('a');
  const b = await expert('b');
  const { requestId } = await ask();
  await dispatcher.cancel(requestId, mediator);
  expect(ended.sort()).toEqual(['a withdrawn', 'b withdrawn']);
  expect(updates.at(-1)).toMatchObject({ status: 'cancelled' });
  for (const id of [a, b]) expect((await store.get(id)).state).toBe('available');
  await elapse(20_000);
  expect(ringing()).toEqual(['a', 'b']);
});

test('an expert whose client closes while ringing is passed over at once', async () => {
  const a = await expert('a');
  await expert('b');
  await ask();
  await store.goOffline(a);
  await dispatcher.expertLeft(a);
  expect(ringing()).toEqual(['a', 'b']);
});

test('every offer, answer and timeout is in the log, in order', async () => {
  await expert('a', 'township');
  const b = await expert('b', 'district');
  const c = await expert('c');
  await ask();
  await dispatcher.answer(c, lastOffer(c), 'decline');
  await elapse(20_000);
  await dispatcher.answer(b, lastOffer(b), 'accept');
  expect(log.lines(names)).toEqual([
    'requestOpened traffic',
    'offered c #1 grid',
    'answered c declined',
    'offered a #2 township',
    'answered a timed_out',
    'offered b #3 district',
    'answered b accepted',
    'requestEnded accepted b',
  ]);
});

test('when an offer cannot be logged, nothing rings and the expert stays available', async () => {
  const a = await expert('a');
  log.failOn = 'offered';
  await expect(ask()).rejects.toThrow('offer log is down');
  expect(rings).toEqual([]);
  expect((await store.get(a)).state).toBe('available');
});

test('ringing two at once, when the second offer cannot be logged the first is withdrawn and the ask fails', async () => {
  setUp({ ringAtOnce: 2 });
  const a = await expert('a');
  const b = await expert('b');
  const offered = log.offered.bind(log);
  let calls = 0;
  log.offered = async (event) => {
    if (++calls === 2) throw new Error('offer log is down');
    return offered(event);
  };
  await expect(ask()).rejects.toThrow('offer log is down');
  expect(ended).toEqual(['a withdrawn']);
  for (const id of [a, b]) expect((await store.get(id)).state).toBe('available');
  expect(dispatcher.openRequests).toBe(0);
});

test('when a timeout cannot be logged, the request ends as failed instead of ringing nobody', async () => {
  await expert('a');
  const b = await expert('b');
  await ask();
  log.failOn = 'answered';
  await elapse(20_000);
  expect(updates.at(-1)).toMatchObject({ status: 'failed' });
  expect(ringing()).toEqual(['a']);
  expect((await store.get(b)).state).toBe('available');
  expect(dispatcher.openRequests).toBe(0);
});
