/**
 * The authorization matrix over real HTTP and the real database: every role
 * (and a party, who has no account) tries every action on cases that are not
 * theirs: outside their area, and inside it but held by someone else. An
 * attempt counts as an unauthorized success when the server does what the
 * policy forbids; the test requires zero, checks that no refused attempt
 * changed a row, and prints the matrix.
 *
 * The expectations are written out by hand here (not derived from can()), so a
 * wrong policy fails this test instead of agreeing with itself.
 */
import type { CaseView } from '../../server/cases/CaseService';
import {
  apiClient,
  createFixture,
  idNumber,
  registerCase,
  type Api,
  type Fixture,
  type StaffKey,
} from '../helpers/records';
import { startTestServer, type TestServer } from '../helpers/testServer';

jest.setTimeout(60_000);

let server: TestServer;
let f: Fixture;

const ACTIONS = [
  'read',
  'audit',
  'list',
  'revealIdNumbers',
  'register',
  'mediate',
  'escalate',
  'assign',
  'followUp',
  'report',
  'reportCsv',
  'manageOrg',
  'manageStaff',
  'listStaff',
] as const;
type MatrixAction = (typeof ACTIONS)[number];

type ActorKey =
  | 'party'
  | Extract<
      StaffKey,
      | 'gridMediator'
      | 'townshipMediator'
      | 'centreMediator'
      | 'districtCoordinator'
      | 'townshipCoordinator'
      | 'notary'
      | 'expert'
      | 'admin'
    >;
const ACTORS: ActorKey[] = [
  'party',
  'gridMediator',
  'townshipMediator',
  'centreMediator',
  'districtCoordinator',
  'townshipCoordinator',
  'notary',
  'expert',
  'admin',
];

/** A pair of cases at one place: one open (registered), one agreed, and who may handle them. */
interface Target {
  label: string;
  open: CaseView;
  agreed: CaseView;
  /** A mediator who could validly be named handler (so an assign would succeed if allowed). */
  validHandler: string;
  idNumber: string;
}

let targets: Record<'heping1' | 'heping2' | 'andingCentre' | 'westGrid' | 'westCentre', Target>;

async function makeTarget(
  label: string,
  api: Api,
  gridId: string,
  validHandler: string,
  seed: string,
): Promise<Target> {
  const id = idNumber(seed);
  const parties = [
    { role: 'applicant', name: `${label} 申请人`, contact: '13900000000', idNumber: id },
    { role: 'respondent', name: `${label} 被申请人`, contact: '13900000001' },
  ];
  const open = await registerCase(api, gridId, { parties });
  const agreed = await registerCase(api, gridId, { parties });
  for (const to of ['mediating', 'agreed']) {
    const reply = await api.post(`/api/cases/${agreed.id}/status`, { to });
    if (reply.status !== 200) throw new Error(`makeTarget: ${JSON.stringify(reply.body)}`);
  }
  return { label, open, agreed, validHandler, idNumber: id };
}

beforeAll(async () => {
  server = await startTestServer();
  f = await createFixture(server.app, server.url);
  const s = f.staff;
  targets = {
    heping1: await makeTarget(
      '和平一网格',
      await f.as('gridMediator'),
      f.org.grids.heping1.id,
      s.gridMediator.id,
      '11010119800101001',
    ),
    heping2: await makeTarget(
      '和平二网格',
      await f.as('gridMediator2'),
      f.org.grids.heping2.id,
      s.gridMediator2.id,
      '11010119800101002',
    ),
    andingCentre: await makeTarget(
      '安定(区中心)',
      await f.as('centreMediator'),
      f.org.grids.anding1.id,
      s.centreMediator.id,
      '11010119800101003',
    ),
    westGrid: await makeTarget(
      '西城网格',
      await f.as('westGridMediator'),
      f.org.grids.jinrong1.id,
      s.westGridMediator.id,
      '11010219800101004',
    ),
    westCentre: await makeTarget(
      '西城区中心',
      await f.as('westCentreMediator'),
      f.org.grids.jinrong1.id,
      s.westCentreMediator.id,
      '11010219800101005',
    ),
  };
  // Log everyone in now: logins write audit rows, and the snapshots below must see only the attempts.
  for (const key of ACTORS) if (key !== 'party') await f.as(key);
});

afterAll(async () => {
  await server?.close();
});

/** Everything a case-changing attempt could touch. */
async function snapshot(): Promise<string> {
  const [row] = await server.db.query<{ digest: string }>(
    `select md5(concat_ws('#',
       (select string_agg(c::text, '|' order by c.id) from cases c),
       (select string_agg(p::text, '|' order by p.id) from case_parties p),
       (select string_agg(e::text, '|' order by e.id) from case_escalations e),
       (select string_agg(u::text, '|' order by u.id) from case_follow_ups u),
       (select count(*) from audit_log where action like 'case.%'))) as digest`,
  );
  return row!.digest;
}

let unique = 0;

/** One attempt; `succeeded` means the server did it (for list and reveal: showed what it must not). */
async function attempt(api: Api, action: MatrixAction, t: Target): Promise<{ status: number; succeeded: boolean }> {
  const ok = (status: number) => status >= 200 && status < 300;
  const c = t.open;
  let reply;
  switch (action) {
    case 'read':
      reply = await api.get(`/api/cases/${c.id}`);
      return { status: reply.status, succeeded: ok(reply.status) };
    case 'audit':
      reply = await api.get(`/api/cases/${c.id}/audit`);
      return { status: reply.status, succeeded: ok(reply.status) };
    case 'list':
      reply = await api.get('/api/cases?limit=200');
      return {
        status: reply.status,
        succeeded: ok(reply.status) && reply.body.cases.some((x: CaseView) => x.id === c.id || x.id === t.agreed.id),
      };
    case 'revealIdNumbers':
      reply = await api.get(`/api/cases/${c.id}`);
      return {
        status: reply.status,
        succeeded: ok(reply.status) && reply.body.case.parties[0].idNumber === t.idNumber,
      };
    case 'register':
      reply = await api.post('/api/cases', {
        disputeType: 'neighbours',
        gridId: c.gridId,
        summary: 'matrix',
        parties: [
          { role: 'applicant', name: '甲' },
          { role: 'respondent', name: '乙' },
        ],
      });
      break;
    case 'mediate':
      reply = await api.post(`/api/cases/${c.id}/status`, { to: 'mediating' });
      break;
    case 'escalate':
      reply = await api.post(`/api/cases/${c.id}/escalate`, { reason: 'matrix' });
      break;
    case 'assign':
      reply = await api.post(`/api/cases/${c.id}/assign`, { handlerId: t.validHandler });
      break;
    case 'followUp':
      reply = await api.post(`/api/cases/${t.agreed.id}/follow-ups`, {
        visitedAt: new Date().toISOString(),
        method: 'phone',
        performance: 'performed',
      });
      break;
    case 'report':
      reply = await api.get(`/api/reports/monthly?gridId=${c.gridId}`);
      return { status: reply.status, succeeded: ok(reply.status) };
    case 'reportCsv':
      reply = await api.get(`/api/reports/monthly.csv?gridId=${c.gridId}`);
      return { status: reply.status, succeeded: ok(reply.status) };
    case 'manageOrg':
      reply = await api.post('/api/org/grids', { townshipId: c.townshipId, name: `矩阵网格 ${++unique}` });
      return { status: reply.status, succeeded: ok(reply.status) };
    case 'manageStaff':
      reply = await api.post('/api/staff', {
        username: `matrix.${++unique}`,
        displayName: '矩阵',
        role: 'mediator',
        password: 'matrix password 1',
        gridId: c.gridId,
      });
      return { status: reply.status, succeeded: ok(reply.status) };
    case 'listStaff':
      reply = await api.get('/api/staff');
      return { status: reply.status, succeeded: ok(reply.status) };
  }
  return { status: reply.status, succeeded: ok(reply.status) };
}

/** Who may do what on a case outside their area: nothing, except an administrator's own business. */
const allowedOnForeign = (actor: ActorKey, action: MatrixAction) =>
  actor === 'admin' && (action === 'manageOrg' || action === 'manageStaff' || action === 'listStaff');

/**
 * Inside their area but held by another unit: read it; committee mediators may
 * also register a new case of that grid (at their own level); coordinators read
 * their area's reports.
 */
const allowedInArea = (actor: ActorKey, action: MatrixAction) =>
  action === 'read' ||
  action === 'audit' ||
  action === 'list' ||
  (actor.endsWith('Mediator') && action === 'register') ||
  (actor.endsWith('Coordinator') && (action === 'report' || action === 'reportCsv'));

interface Row {
  section: 'foreign' | 'inArea';
  actor: ActorKey;
  action: MatrixAction;
  target: string;
  status: number;
  succeeded: boolean;
  expected: boolean;
}

const results: Row[] = [];

async function run(
  section: Row['section'],
  actor: ActorKey,
  target: Target,
  expected: (a: ActorKey, x: MatrixAction) => boolean,
): Promise<void> {
  const api = actor === 'party' ? apiClient(server.url) : await f.as(actor);
  for (const action of ACTIONS) {
    const before = await snapshot();
    const { status, succeeded } = await attempt(api, action, target);
    const allowed = expected(actor, action);
    results.push({ section, actor, action, target: target.label, status, succeeded, expected: allowed });
    // A refused attempt (and any read) must leave every case row as it was.
    if (
      !succeeded ||
      [
        'read',
        'audit',
        'list',
        'revealIdNumbers',
        'report',
        'reportCsv',
        'listStaff',
        'manageOrg',
        'manageStaff',
      ].includes(action)
    ) {
      expect({ actor, action, target: target.label, unchanged: (await snapshot()) === before }).toEqual({
        actor,
        action,
        target: target.label,
        unchanged: true,
      });
    }
  }
}

/** The cases each actor has no business with at all. */
function foreignTargetsOf(actor: ActorKey): Target[] {
  switch (actor) {
    case 'gridMediator':
      return [targets.heping2, targets.westGrid, targets.westCentre];
    case 'townshipMediator':
    case 'townshipCoordinator':
      return [targets.andingCentre, targets.westGrid, targets.westCentre];
    case 'centreMediator':
    case 'districtCoordinator':
      return [targets.westGrid, targets.westCentre];
    default:
      return [targets.heping1, targets.andingCentre, targets.westGrid];
  }
}

test('no role succeeds at any action on a case outside its area', async () => {
  for (const actor of ACTORS)
    for (const target of foreignTargetsOf(actor)) await run('foreign', actor, target, allowedOnForeign);
  const foreign = results.filter((r) => r.expected === false);
  expect(foreign.filter((r) => r.succeeded)).toEqual([]);
  // Refusals are answers, not crashes: 401 for the party, 403 for staff (a list just leaves the case out).
  const refusal = (r: Row) => (r.actor === 'party' ? 401 : r.action === 'list' ? 200 : 403);
  expect(foreign.filter((r) => r.status !== refusal(r))).toEqual([]);
});

test('inside their area but held by someone else, staff read it and act on nothing', async () => {
  const inArea: ActorKey[] = ['townshipMediator', 'centreMediator', 'districtCoordinator', 'townshipCoordinator'];
  const before = results.length;
  for (const actor of inArea) await run('inArea', actor, targets.heping1, allowedInArea);
  const rows = results.slice(before);
  expect(rows.filter((r) => r.succeeded && !r.expected)).toEqual([]);
  // The control: what is allowed does work, so the refusals above are not a server that refuses everything.
  expect(rows.filter((r) => r.expected && !r.succeeded)).toEqual([]);
});

test('the control: the holder of a case does every case action on it', async () => {
  const api = await f.as('gridMediator');
  const t = targets.heping1;
  for (const action of [
    'read',
    'audit',
    'list',
    'revealIdNumbers',
    'register',
    'mediate',
    'assign',
    'followUp',
    'escalate',
  ] as const) {
    expect([action, (await attempt(api, action, t)).succeeded]).toEqual([action, true]);
  }
});

/** The matrix as a table: per role and action, how often it succeeded and how it was refused. */
function table(section: Row['section'], title: string): string {
  const rows = results.filter((r) => r.section === section);
  const actors = ACTORS.filter((actor) => rows.some((r) => r.actor === actor));
  const unauthorized = rows.filter((r) => r.succeeded && !r.expected).length;
  const cell = (actor: ActorKey, action: MatrixAction) => {
    const mine = rows.filter((r) => r.actor === actor && r.action === action);
    const wins = mine.filter((r) => r.succeeded).length;
    const refusals = [...new Set(mine.filter((r) => !r.succeeded).map((r) => r.status))].join('/');
    return [wins ? `ok${wins}` : '', refusals ? `no${refusals}` : ''].filter(Boolean).join(' ');
  };
  const width = 16;
  return [
    `${title}: ${rows.length} attempts by ${actors.length} roles x ${ACTIONS.length} actions, ${unauthorized} unauthorized successes`,
    ['role \\ action'.padEnd(20), ...ACTIONS.map((a) => a.padEnd(width))].join(''),
    ...actors.map((actor) => [actor.padEnd(20), ...ACTIONS.map((a) => cell(actor, a).padEnd(width))].join('')),
  ].join('\n');
}

afterAll(() => {
  if (results.length === 0) return;
  console.log(
    [
      table('foreign', "Cases outside the role's area"),
      '',
      table('inArea', 'Cases inside the area, held by another unit (reads and registering there are allowed)'),
      '',
      'noN = refused with HTTP N; a list refuses by leaving the case out and a reveal by masking the number (no200);',
      'okN = succeeded N times, only where the policy allows it (administrators on org and staff, in-area reads,',
      'committee mediators registering in their area); the party has no account (401).',
    ].join('\n'),
  );
});
