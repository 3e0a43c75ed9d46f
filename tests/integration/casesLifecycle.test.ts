/**
 * The seeds' closed loop on the real database: a grid mediator registers a
 * dispute, mediates it to an agreement, records the follow-up visit and closes
 * it; a harder one climbs grid → township → district with its history kept;
 * every change leaves an audit row with who, what and when; an illegal move or
 * bad input is refused and changes nothing.
 */
import { DISPUTE_TYPES, type DisputeType } from '../../shared/cases';
import { createFixture, idNumber, registerCase, type Fixture } from '../helpers/records';
import { startTestServer, type TestServer } from '../helpers/testServer';

let server: TestServer;
let f: Fixture;

beforeAll(async () => {
  server = await startTestServer();
  f = await createFixture(server.app, server.url);
});

afterAll(async () => {
  await server?.close();
});

/** Row counts that any change would move. */
async function snapshot() {
  const [row] = await server.db.query<Record<string, number>>(
    `select (select count(*) from cases) as cases, (select count(*) from case_parties) as parties,
            (select count(*) from case_escalations) as escalations, (select count(*) from case_follow_ups) as follow_ups,
            (select count(*) from audit_log where action like 'case.%') as audit,
            (select md5(coalesce(string_agg(c::text, '|' order by id), '')) from cases c) as digest`,
  );
  return row;
}

describe('registration', () => {
  test('a grid mediator registers a case in their grid: numbered, registered, at grid level, handled by them', async () => {
    const mediator = await f.as('gridMediator');
    const c = await registerCase(mediator, f.org.grids.heping1.id);
    expect(c).toMatchObject({
      status: 'registered',
      level: 'grid',
      outcome: null,
      gridName: '和平一网格',
      townshipName: '和平街道',
      districtName: '东城区',
      committeeId: null,
      handlerId: f.staff.gridMediator.id,
    });
    expect(c.caseNo).toMatch(/^D01-\d{4}-\d{6}$/);
    expect(c.parties.map((p) => [p.role, p.name])).toEqual([
      ['applicant', '王秀英'],
      ['respondent', '李建国'],
    ]);
    expect(c.permissions).toMatchObject({ 'case:read': true, 'case:mediate': true, 'case:revealIdNumbers': true });
  });

  test('case numbers count up per district and year', async () => {
    const mediator = await f.as('gridMediator');
    const a = await registerCase(mediator, f.org.grids.heping1.id);
    const b = await registerCase(mediator, f.org.grids.heping1.id);
    const west = await registerCase(await f.as('westGridMediator'), f.org.grids.jinrong1.id);
    expect(Number(b.caseNo.slice(-6))).toBe(Number(a.caseNo.slice(-6)) + 1);
    expect(west.caseNo).toMatch(/^D02-/);
  });

  test('a township committee mediator registers straight at township level, held by their committee', async () => {
    const c = await registerCase(await f.as('townshipMediator'), f.org.grids.heping2.id);
    expect(c).toMatchObject({
      level: 'township',
      committeeId: f.org.committees.heping.id,
      handlerId: f.staff.townshipMediator.id,
    });
  });

  test('every dispute type of shared/cases.ts is accepted, down to the database check', async () => {
    const mediator = await f.as('gridMediator');
    for (const disputeType of Object.keys(DISPUTE_TYPES) as DisputeType[]) {
      expect((await registerCase(mediator, f.org.grids.heping1.id, { disputeType })).disputeType).toBe(disputeType);
    }
  });

  test('bad input is refused with BAD_REQUEST naming the field, and nothing is written', async () => {
    const mediator = await f.as('gridMediator');
    const before = await snapshot();
    const base = {
      disputeType: 'neighbours',
      gridId: f.org.grids.heping1.id,
      summary: '噪音扰民',
      parties: [
        { role: 'applicant', name: '甲', contact: '1' },
        { role: 'respondent', name: '乙', contact: '2' },
      ],
    };
    const attempts: [Record<string, unknown>, RegExp][] = [
      [{ ...base, disputeType: 'gossip' }, /^disputeType: /],
      [{ ...base, gridId: 'not-a-uuid' }, /^gridId: /],
      [{ ...base, summary: '' }, /^summary: /],
      [{ ...base, parties: [base.parties[0]] }, /^parties: /],
      [{ ...base, parties: [base.parties[0], { ...base.parties[0], name: '丙' }] }, /^parties: .*respondent/],
      [
        { ...base, parties: [{ ...base.parties[0], idNumber: '110101195003070022' }, base.parties[1]] },
        /^parties\.0\.idNumber: .*valid/,
      ],
      [{ ...base, caseNo: 'D01-2020-000001' }, /unrecognized key/i],
    ];
    for (const [body, message] of attempts) {
      const reply = await mediator.post('/api/cases', body);
      expect({ status: reply.status, code: reply.body.error?.code }).toEqual({ status: 400, code: 'BAD_REQUEST' });
      expect(reply.body.error.message).toMatch(message);
    }
    expect(await snapshot()).toEqual(before);
  });

  test('a handler who is not a mediator of the grid holding the case is refused', async () => {
    const reply = await (
      await f.as('gridMediator')
    ).post('/api/cases', {
      disputeType: 'neighbours',
      gridId: f.org.grids.heping1.id,
      summary: '噪音扰民',
      handlerId: f.staff.gridMediator2.id,
      parties: [
        { role: 'applicant', name: '甲' },
        { role: 'respondent', name: '乙' },
      ],
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error.message).toMatch(/^handlerId: /);
  });
});

describe('the lifecycle', () => {
  test('registered → mediating → agreed → followed_up (by a visit) → closed, each step audited with who and when', async () => {
    const mediator = await f.as('gridMediator');
    const c = await registerCase(mediator, f.org.grids.heping1.id);
    const step = async (to: string) => {
      const reply = await mediator.post(`/api/cases/${c.id}/status`, { to, note: `to ${to}` });
      expect(reply.status).toBe(200);
      return reply.body.case;
    };
    expect((await step('mediating')).status).toBe('mediating');
    const agreed = await step('agreed');
    expect(agreed).toMatchObject({ status: 'agreed', outcome: 'agreed' });
    expect(agreed.concludedAt).not.toBeNull();

    const visit = await mediator.post(`/api/cases/${c.id}/follow-ups`, {
      visitedAt: new Date().toISOString(),
      method: 'visit',
      performance: 'performed',
      notes: '赔偿款已当场付清，双方满意。',
    });
    expect(visit.status).toBe(201);
    expect(visit.body.case.status).toBe('followed_up');
    expect(visit.body.case.followUps).toEqual([
      expect.objectContaining({ method: 'visit', performance: 'performed', recordedBy: f.staff.gridMediator.id }),
    ]);
    const closed = await step('closed');
    expect(closed).toMatchObject({ status: 'closed', outcome: 'agreed' });
    expect(closed.closedAt).not.toBeNull();

    const audit = await mediator.get(`/api/cases/${c.id}/audit`);
    expect(audit.status).toBe(200);
    const trail = audit.body.audit as {
      action: string;
      actorUsername: string;
      at: string;
      details: Record<string, unknown>;
    }[];
    expect(trail.map((a) => [a.action, a.details.to ?? null])).toEqual([
      ['case.registered', null],
      ['case.statusChanged', 'mediating'],
      ['case.statusChanged', 'agreed'],
      ['case.followedUp', 'followed_up'],
      ['case.statusChanged', 'closed'],
    ]);
    for (const entry of trail) {
      expect(entry.actorUsername).toBe(f.staff.gridMediator.username);
      expect(Date.now() - new Date(entry.at).getTime()).toBeLessThan(60_000);
    }
  });

  test('a failed mediation closes without a follow-up; a withdrawn one too', async () => {
    const mediator = await f.as('gridMediator');
    const failed = await registerCase(mediator, f.org.grids.heping1.id);
    for (const to of ['mediating', 'failed', 'closed'])
      expect((await mediator.post(`/api/cases/${failed.id}/status`, { to })).status).toBe(200);
    const withdrawn = await registerCase(mediator, f.org.grids.heping1.id);
    for (const to of ['withdrawn', 'closed'])
      expect((await mediator.post(`/api/cases/${withdrawn.id}/status`, { to })).status).toBe(200);
    expect((await mediator.get(`/api/cases/${failed.id}`)).body.case).toMatchObject({
      status: 'closed',
      outcome: 'failed',
    });
    expect((await mediator.get(`/api/cases/${withdrawn.id}`)).body.case).toMatchObject({
      status: 'closed',
      outcome: 'withdrawn',
    });
  });

  test('an illegal move is refused with CONFLICT saying what is possible, and changes nothing', async () => {
    const mediator = await f.as('gridMediator');
    const c = await registerCase(mediator, f.org.grids.heping1.id);
    const before = await snapshot();
    const refuse = async (to: string, message: RegExp) => {
      const reply = await mediator.post(`/api/cases/${c.id}/status`, { to });
      expect({ status: reply.status, code: reply.body.error?.code }).toEqual({ status: 409, code: 'CONFLICT' });
      expect(reply.body.error.message).toMatch(message);
    };
    await refuse('agreed', /registered cannot become agreed; it can become mediating or withdrawn/);
    await refuse('closed', /registered cannot become closed/);
    await refuse('followed_up', /registered cannot become followed_up/);
    expect(await snapshot()).toEqual(before);

    await mediator.post(`/api/cases/${c.id}/status`, { to: 'mediating' });
    await mediator.post(`/api/cases/${c.id}/status`, { to: 'agreed' });
    await refuse('closed', /agreed cannot become closed; it becomes followed_up when a follow-up visit is recorded/);
    await refuse('followed_up', /becomes followed_up when a follow-up visit is recorded/);
  });

  test('a follow-up visit needs an agreement, and may not be dated in the future', async () => {
    const mediator = await f.as('gridMediator');
    const c = await registerCase(mediator, f.org.grids.heping1.id);
    const visit = (visitedAt: Date) =>
      mediator.post(`/api/cases/${c.id}/follow-ups`, {
        visitedAt: visitedAt.toISOString(),
        method: 'phone',
        performance: 'performed',
      });
    const early = await visit(new Date());
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(/after an agreement; this case is registered/);
    await mediator.post(`/api/cases/${c.id}/status`, { to: 'mediating' });
    await mediator.post(`/api/cases/${c.id}/status`, { to: 'agreed' });
    expect((await visit(new Date(Date.now() + 86_400_000))).body.error.message).toMatch(/future/);
    expect((await visit(new Date(Date.now() - 86_400_000))).body.error.message).toMatch(/before the agreement/);
    expect((await visit(new Date())).status).toBe(201);
    // A second visit is welcome while the case is open; the status stays followed_up.
    const second = await visit(new Date());
    expect(second.status).toBe(201);
    expect(second.body.case.followUps).toHaveLength(2);
  });
});

describe('escalation', () => {
  test('grid → township → district: each hop kept with reason and who transferred; the receiver takes it over', async () => {
    const grid = await f.as('gridMediator');
    const township = await f.as('townshipMediator');
    const centre = await f.as('centreMediator');
    const c = await registerCase(grid, f.org.grids.heping1.id, { disputeType: 'property_management' });
    await grid.post(`/api/cases/${c.id}/status`, { to: 'mediating' });

    const up1 = await grid.post(`/api/cases/${c.id}/escalate`, { reason: '涉及全楼业主，超出网格调解能力' });
    expect(up1.status).toBe(200);
    expect(up1.body.case).toMatchObject({
      level: 'township',
      status: 'registered',
      committeeId: f.org.committees.heping.id,
      handlerId: null,
    });
    // The grid mediator still follows the case but no longer acts on it.
    expect((await grid.get(`/api/cases/${c.id}`)).status).toBe(200);
    expect((await grid.post(`/api/cases/${c.id}/status`, { to: 'mediating' })).status).toBe(403);

    const taken = await township.post(`/api/cases/${c.id}/status`, { to: 'mediating' });
    expect(taken.body.case).toMatchObject({ status: 'mediating', handlerId: f.staff.townshipMediator.id });
    const up2 = await township.post(`/api/cases/${c.id}/escalate`, { reason: '需要物业管理专家参与' });
    expect(up2.body.case).toMatchObject({
      level: 'district',
      committeeId: f.org.committees.eastCentre.id,
      handlerId: null,
    });

    const detail = (await centre.get(`/api/cases/${c.id}`)).body.case;
    expect(detail.escalations).toEqual([
      expect.objectContaining({
        fromLevel: 'grid',
        toLevel: 'township',
        fromStatus: 'mediating',
        reason: '涉及全楼业主，超出网格调解能力',
        transferredBy: f.staff.gridMediator.id,
        toCommitteeName: '和平街道人民调解委员会',
      }),
      expect.objectContaining({
        fromLevel: 'township',
        toLevel: 'district',
        reason: '需要物业管理专家参与',
        transferredBy: f.staff.townshipMediator.id,
        toCommitteeName: '东城区矛盾纠纷调处中心',
      }),
    ]);

    const top = await centre.post(`/api/cases/${c.id}/escalate`, { reason: '再上报' });
    expect(top.status).toBe(409);
    expect(top.body.error.message).toMatch(/top of the ladder/);

    const audit = (await centre.get(`/api/cases/${c.id}/audit`)).body.audit as {
      action: string;
      actorUsername: string;
    }[];
    expect(audit.filter((a) => a.action === 'case.escalated').map((a) => a.actorUsername)).toEqual([
      f.staff.gridMediator.username,
      f.staff.townshipMediator.username,
    ]);
  });

  test('a concluded case cannot be escalated', async () => {
    const grid = await f.as('gridMediator');
    const c = await registerCase(grid, f.org.grids.heping1.id);
    await grid.post(`/api/cases/${c.id}/status`, { to: 'withdrawn' });
    const reply = await grid.post(`/api/cases/${c.id}/escalate`, { reason: '...' });
    expect(reply.status).toBe(409);
    expect(reply.body.error.message).toMatch(/only an open case/);
  });

  test('the committee assigns a colleague; a mediator from elsewhere cannot be named', async () => {
    const grid = await f.as('gridMediator');
    const township = await f.as('townshipMediator');
    const c = await registerCase(grid, f.org.grids.heping1.id);
    await grid.post(`/api/cases/${c.id}/escalate`, { reason: '复杂' });
    const assigned = await township.post(`/api/cases/${c.id}/assign`, { handlerId: f.staff.townshipMediator2.id });
    expect(assigned.body.case.handlerId).toBe(f.staff.townshipMediator2.id);
    const wrong = await township.post(`/api/cases/${c.id}/assign`, { handlerId: f.staff.westTownshipMediator.id });
    expect(wrong.status).toBe(400);
  });
});

describe('ID numbers', () => {
  const id = idNumber('11010519491231002');

  test('the handler sees them in full, others of the area masked to the last four', async () => {
    const c = await registerCase(await f.as('gridMediator'), f.org.grids.heping1.id, {
      parties: [
        { role: 'applicant', name: '甲', contact: '1', idNumber: id },
        { role: 'respondent', name: '乙', contact: '2' },
      ],
    });
    expect(c.parties[0]).toMatchObject({ idNumber: id, idNumberMasked: false });
    const seen = (await (await f.as('townshipMediator')).get(`/api/cases/${c.id}`)).body.case;
    expect(seen.parties[0]).toMatchObject({ idNumber: `**************${id.slice(-4)}`, idNumberMasked: true });
    expect(seen.parties[1]).toMatchObject({ idNumber: null, idNumberMasked: false });
    expect(seen.permissions['case:revealIdNumbers']).toBe(false);
  });

  test('the database never holds the number, nor its first fourteen characters', async () => {
    const rows = await server.db.query<Record<string, unknown>>('select * from case_parties');
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(id);
    expect(dump).not.toContain(id.slice(0, 14));
    expect(
      rows.some((r) => typeof r.id_number_sealed === 'string' && (r.id_number_sealed as string).startsWith('v1.')),
    ).toBe(true);
  });
});
