/**
 * can(): the whole policy as a table of role × relation to the case × action,
 * written out here by hand, plus the rules around it (reports, organisation,
 * parties) and the promise that listing and can() agree.
 */
import { LEVELS, type Level } from '../../shared/cases';
import type { CommitteeId, DistrictId, GridId, StaffId, TownshipId } from '../../shared/ids';
import type { StaffRole } from '../../shared/staff';
import type { Actor, Post } from '../../server/authz/actor';
import {
  ACTIONS,
  can,
  CASE_ACTIONS,
  permissionsOn,
  readScopeOf,
  type Area,
  type CaseAction,
  type CaseScope,
} from '../../server/authz/can';

const D1 = 'd1' as DistrictId;
const D2 = 'd2' as DistrictId;
const T1 = 't1' as TownshipId;
const T2 = 't2' as TownshipId;
const G1 = 'g1' as GridId;
const G2 = 'g2' as GridId;
const C1 = 'c1' as CommitteeId;
const C1b = 'c1b' as CommitteeId;
const CENTRE = 'centre' as CommitteeId;

const posts = {
  grid: { level: 'grid', districtId: D1, townshipId: T1, gridId: G1, committeeId: null },
  committee: { level: 'township', districtId: D1, townshipId: T1, gridId: null, committeeId: C1 },
  centre: { level: 'district', districtId: D1, townshipId: null, gridId: null, committeeId: CENTRE },
  townshipCoordinator: { level: 'township', districtId: D1, townshipId: T1, gridId: null, committeeId: null },
  districtCoordinator: { level: 'district', districtId: D1, townshipId: null, gridId: null, committeeId: null },
} satisfies Record<string, Post>;

const actor = (role: StaffRole, post: Post | null, id = 'me'): Actor => ({
  staffId: id as StaffId,
  username: id,
  displayName: id,
  role,
  post,
});

const caseAt = (level: Level, over: Partial<CaseScope> = {}): CaseScope => ({
  level,
  districtId: D1,
  townshipId: T1,
  gridId: G1,
  committeeId: level === 'grid' ? null : level === 'township' ? C1 : CENTRE,
  handlerId: 'someone' as StaffId,
  ...over,
});

const allowedActions = (a: Actor, c: CaseScope) => CASE_ACTIONS.filter((action) => can(a, action, c).allowed);

const WORK: CaseAction[] = ['case:read', 'case:mediate', 'case:escalate', 'case:assign', 'case:followUp'];

describe('mediators', () => {
  test('a grid mediator works on their grid’s grid-level cases and registers there, but sees ID numbers only as handler', () => {
    expect(allowedActions(actor('mediator', posts.grid), caseAt('grid'))).toEqual([
      ...WORK.slice(0, 1),
      'case:register',
      ...WORK.slice(1),
    ]);
  });

  test('the handler of a case does all the work on it and alone sees ID numbers in full', () => {
    const me = actor('mediator', posts.grid);
    expect(allowedActions(me, caseAt('grid', { handlerId: me.staffId }))).toEqual([...CASE_ACTIONS]);
  });

  test('a grid mediator only reads a case of their grid once it has gone up the ladder', () => {
    expect(allowedActions(actor('mediator', posts.grid), caseAt('township'))).toEqual(['case:read']);
    expect(allowedActions(actor('mediator', posts.grid), caseAt('district'))).toEqual(['case:read']);
  });

  test('a grid mediator gets nothing on another grid, even in the same township', () => {
    expect(allowedActions(actor('mediator', posts.grid), caseAt('grid', { gridId: G2 }))).toEqual([]);
    expect(can(actor('mediator', posts.grid), 'case:read', caseAt('grid', { gridId: G2 })).reason).toBe(
      'this case is outside your grid',
    );
  });

  test('a committee mediator works on their committee’s cases and reads the rest of the township', () => {
    const m = actor('mediator', posts.committee);
    expect(allowedActions(m, caseAt('township'))).toEqual(['case:read', 'case:register', ...WORK.slice(1)]);
    expect(allowedActions(m, caseAt('grid', { gridId: G2 }))).toEqual(['case:read']);
    expect(allowedActions(m, caseAt('township', { committeeId: C1b }))).toEqual(['case:read']);
    expect(allowedActions(m, caseAt('township', { townshipId: T2 }))).toEqual([]);
  });

  test('the district centre works on district-level cases of its district and reads all of them', () => {
    const m = actor('mediator', posts.centre);
    expect(allowedActions(m, caseAt('district'))).toEqual(['case:read', 'case:register', ...WORK.slice(1)]);
    expect(allowedActions(m, caseAt('grid', { townshipId: T2, gridId: G2 }))).toEqual(['case:read']);
    expect(allowedActions(m, caseAt('district', { districtId: D2 }))).toEqual([]);
  });
});

describe('everyone else', () => {
  test('coordinators read the cases of their area and change none', () => {
    expect(allowedActions(actor('coordinator', posts.districtCoordinator), caseAt('grid', { townshipId: T2 }))).toEqual(
      ['case:read'],
    );
    expect(allowedActions(actor('coordinator', posts.townshipCoordinator), caseAt('district'))).toEqual(['case:read']);
    expect(allowedActions(actor('coordinator', posts.townshipCoordinator), caseAt('grid', { townshipId: T2 }))).toEqual(
      [],
    );
    expect(can(actor('coordinator', posts.districtCoordinator), 'case:mediate', caseAt('grid')).reason).toMatch(
      /do not act on cases/,
    );
  });

  test('notaries, experts and administrators get nothing on any case, even one naming them as handler', () => {
    for (const role of ['notary', 'expert', 'admin'] as const) {
      const a = actor(role, null);
      for (const level of Object.keys(LEVELS) as Level[])
        expect(allowedActions(a, caseAt(level, { handlerId: a.staffId }))).toEqual([]);
    }
    expect(can(actor('admin', null), 'case:read', caseAt('grid')).reason).toMatch(/not case contents/);
  });

  test('a party (no account) gets nothing at all', () => {
    for (const action of ACTIONS) {
      const resource = action.startsWith('case:')
        ? caseAt('grid')
        : action === 'report:read'
          ? { districtId: D1, townshipId: null, gridId: null }
          : null;
      expect(can(null, action, resource as never)).toEqual({
        allowed: false,
        reason: expect.stringMatching(/login required/),
      });
    }
  });
});

describe('reports and the organisation', () => {
  const district: Area = { districtId: D1, townshipId: null, gridId: null };
  const township: Area = { districtId: D1, townshipId: T1, gridId: null };
  const otherTownship: Area = { districtId: D1, townshipId: T2, gridId: null };
  const grid: Area = { districtId: D1, townshipId: T1, gridId: G1 };

  test('a coordinator reads the reports of their area and what lies inside it, nothing wider or beside it', () => {
    const dc = actor('coordinator', posts.districtCoordinator);
    const tc = actor('coordinator', posts.townshipCoordinator);
    expect([district, township, otherTownship, grid].map((a) => can(dc, 'report:read', a).allowed)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect([district, township, otherTownship, grid].map((a) => can(tc, 'report:read', a).allowed)).toEqual([
      false,
      true,
      false,
      true,
    ]);
    expect(can(dc, 'report:read', { ...district, districtId: D2 }).allowed).toBe(false);
  });

  test('reports are for coordinators only', () => {
    for (const a of [actor('mediator', posts.centre), actor('admin', null), actor('notary', null)]) {
      expect(can(a, 'report:read', district)).toEqual({ allowed: false, reason: 'reports are for coordinators' });
    }
  });

  test('administrators alone manage the organisation and staff; every staff member reads the organisation', () => {
    const everyone = [
      actor('mediator', posts.grid),
      actor('coordinator', posts.districtCoordinator),
      actor('notary', null),
      actor('expert', null),
    ];
    for (const a of everyone) {
      expect(can(a, 'org:manage', null).allowed).toBe(false);
      expect(can(a, 'staff:manage', null).allowed).toBe(false);
      expect(can(a, 'org:read', null).allowed).toBe(true);
    }
    expect(can(actor('admin', null), 'org:manage', null).allowed).toBe(true);
    expect(can(actor('admin', null), 'staff:manage', null).allowed).toBe(true);
  });
});

describe('listing agrees with can()', () => {
  const actors = [
    actor('mediator', posts.grid),
    actor('mediator', posts.committee),
    actor('mediator', posts.centre),
    actor('coordinator', posts.townshipCoordinator),
    actor('coordinator', posts.districtCoordinator),
    actor('notary', null),
    actor('expert', null),
    actor('admin', null),
  ];
  // Every combination of place, level and handler a case can have relative to these actors.
  const cases: CaseScope[] = [];
  for (const districtId of [D1, D2]) {
    for (const [townshipId, gridId] of [
      [T1, G1],
      [T1, G2],
      [T2, G2],
    ] as const) {
      for (const level of ['grid', 'township', 'district'] as const) {
        for (const handlerId of ['me', 'someone'] as StaffId[])
          cases.push(caseAt(level, { districtId, townshipId, gridId, handlerId }));
      }
    }
  }

  function inScope(a: Actor, c: CaseScope): boolean {
    const scope = readScopeOf(a);
    const byHandler = scope.handlerId !== null && c.handlerId === scope.handlerId;
    const area = scope.area;
    const byArea =
      area !== null &&
      c.districtId === area.districtId &&
      (area.townshipId === null || c.townshipId === area.townshipId) &&
      (area.gridId === null || c.gridId === area.gridId);
    return byHandler || byArea;
  }

  test('a case is in an actor’s read scope exactly when can() lets them read it', () => {
    for (const a of actors)
      for (const c of cases)
        expect([a.role, a.post?.level, c, inScope(a, c)]).toEqual([
          a.role,
          a.post?.level,
          c,
          can(a, 'case:read', c).allowed,
        ]);
  });

  test('permissionsOn() is can() for every case action', () => {
    const a = actor('mediator', posts.grid);
    for (const c of cases)
      expect(permissionsOn(a, c)).toEqual(Object.fromEntries(CASE_ACTIONS.map((x) => [x, can(a, x, c).allowed])));
  });
});
