/**
 * Pulling an expert into a case, in Chromium, on the real server (presence
 * in-process, the embedded default without REDIS_URL): two traffic experts
 * sign in on their phones' /expert page and go on call; the coordinator's
 * board counts them; a grid mediator asks for a traffic-accident expert from
 * the case in the staff console; the first expert's page rings and they
 * decline, the second's rings and they accept; the mediator sees who
 * accepted; the expert joins the case's session from the link on their page,
 * the party there agrees, and they see and hear each other; the board sees
 * them busy, and each expert's history says what they answered.
 */
import type { Browser, Page } from 'puppeteer-core';
import type { StaffId } from '../../shared/ids';
import { SqlExpertStore, type ExpertRecord } from '../../server/presence/ExpertStore';
import type { ScheduledSession } from '../../shared/sessions';
import { launchChromium, type TestBrowser } from '../helpers/chromium';
import { inboundStats, joinByLink } from '../helpers/pageClient';
import { eventually } from '../helpers/eventually';
import { createFixture, PASSWORD, registerCase, type Fixture } from '../helpers/records';
import { startTestServer, type TestServer } from '../helpers/testServer';

let server: TestServer;
let fixture: Fixture;
let chromium: TestBrowser;
let caseId: string;
const experts: { record: ExpertRecord; username: string; page: Page }[] = [];
let mediator: Page;
let coordinator: Page;
/** The case's session, scheduled before the request: the accepting expert is given a link into it. */
let partyLink: string;
let respondentLink: string;

/** A page with its own cookie jar: each person signs in separately, as on their own phone. */
async function newPerson(browser: Browser, phone: boolean): Promise<Page> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport(
    phone ? { width: 390, height: 844, isMobile: true, hasTouch: true } : { width: 1280, height: 900 },
  );
  page.on('dialog', (dialog) => void dialog.accept());
  return page;
}

async function signIn(page: Page, url: string, username: string, ready: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('[data-testid=login-username]');
  await page.type('[data-testid=login-username]', username);
  await page.type('[data-testid=login-password]', PASSWORD);
  await page.click('[data-testid=login-submit]');
  await page.waitForSelector(ready);
}

async function addExpert(name: string, n: number): Promise<{ record: ExpertRecord; username: string }> {
  const username = `traffic.expert${n}`;
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
    specialties: ['traffic'],
    languages: ['zh'],
    serves: { grids: [fixture.org.grids.heping1.id], townships: [], districts: [] },
    createdBy: null,
  });
  return { record, username };
}

const text = (page: Page, selector: string) => page.$eval(selector, (n) => n.textContent ?? '');
const boardCell = (gridId: string) =>
  coordinator.$eval(`[data-testid=board-grid][data-grid-id="${gridId}"] td[data-specialty=traffic]`, (n) =>
    Number(n.textContent),
  );

beforeAll(async () => {
  server = await startTestServer();
  fixture = await createFixture(server.app, server.url);
  const traffic = await registerCase(await fixture.as('gridMediator'), fixture.org.grids.heping1.id, {
    disputeType: 'traffic',
    summary: '王秀英的电动车被李建国的轿车追尾,双方对责任比例有争议。',
  });
  caseId = traffic.id;
  const scheduled = await (
    await fixture.as('gridMediator')
  ).post(`/api/cases/${caseId}/sessions`, {
    scheduledAt: new Date(Date.now() + 60_000).toISOString(),
    waitingRoom: false,
  });
  if (scheduled.status !== 201) throw new Error(`schedule: ${scheduled.status}`);
  partyLink = (scheduled.body as ScheduledSession).links.find((l) => l.label === '王秀英')!.url!;
  respondentLink = (scheduled.body as ScheduledSession).links.find((l) => l.label === '李建国')!.url!;
  chromium = await launchChromium();
  for (const [i, name] of ['王专家', '赵专家'].entries()) {
    experts.push({ ...(await addExpert(name, i + 1)), page: await newPerson(chromium.browser, true) });
  }
  mediator = await newPerson(chromium.browser, false);
  coordinator = await newPerson(chromium.browser, false);
});

afterAll(async () => {
  await chromium?.close();
  await server?.close();
});

test('two traffic experts go on call from their phones and the coordinator’s board counts them', async () => {
  for (const expert of experts) {
    await signIn(expert.page, `${server.url}/expert`, expert.username, '[data-testid=go-on-call]');
    // The click that puts them on call is the gesture that lets the ring tone play later.
    await expert.page.click('[data-testid=go-on-call]');
    await expert.page.waitForSelector('[data-testid=expert-page][data-presence=available]');
  }
  expect(await text(experts[0]!.page, '[data-testid=presence-state]')).toMatch(/空闲|Available/);

  await signIn(
    coordinator,
    `${server.url}/staff`,
    fixture.staff.districtCoordinator.username,
    '[data-testid=nav-experts]',
  );
  await coordinator.click('[data-testid=nav-experts]');
  await coordinator.waitForSelector('[data-testid=board-grid]');
  await eventually(async () => (await boardCell(fixture.org.grids.heping1.id)) === 2, { what: 'two available' });
  // They serve 和平一网格 only: the neighbouring grid has nobody.
  expect(await boardCell(fixture.org.grids.heping2.id)).toBe(0);
});

test('the first candidate declines, the second accepts, and the mediator sees who accepted', async () => {
  const [first, second] = experts as [(typeof experts)[0], (typeof experts)[0]];
  await signIn(mediator, `${server.url}/staff`, fixture.staff.gridMediator.username, '[data-testid=register-case]');
  await mediator.goto(`${server.url}/staff/cases/${caseId}`);
  await mediator.waitForSelector('[data-testid=expert-ask]:not([disabled])');
  expect(await mediator.$eval('[data-testid=expert-specialty]', (n) => (n as HTMLSelectElement).value)).toBe('traffic');
  await mediator.type('[data-testid=expert-note]', '请帮助判断王秀英(13800000001)与李建国的责任比例');
  await mediator.click('[data-testid=expert-ask]');

  // Longest idle first: the first expert went on call first.
  await first.page.waitForSelector('[data-testid=ringing-call]');
  expect(await second.page.$('[data-testid=ringing-call]')).toBeNull();
  expect(await first.page.$eval('[data-testid=ringing-call]', (n) => n.getAttribute('data-sound'))).toBe('ringing');
  expect(await text(first.page, '[data-testid=ring-dispute-type]')).toMatch(/交通事故|Traffic/);
  const seconds = Number(/\d+/.exec(await text(first.page, '[data-testid=ring-countdown]'))?.[0]);
  expect(seconds).toBeGreaterThan(0);
  expect(seconds).toBeLessThanOrEqual(20);
  // The summary names no party: the mediator's note comes masked.
  const note = await text(first.page, '[data-testid=ring-note]');
  expect(note).not.toMatch(/王秀英|李建国|13800000001/);
  await mediator.waitForSelector('[data-testid=expert-steps] li[data-kind=ringing]');
  expect(await text(mediator, '[data-testid=expert-steps]')).toContain('王专家');

  await first.page.click('[data-testid=ring-decline]');
  await first.page.waitForSelector('[data-testid=ring-ended][data-why=declined]');
  expect(await first.page.$('[data-testid=ringing-call]')).toBeNull();

  await second.page.waitForSelector('[data-testid=ringing-call]');
  await second.page.click('[data-testid=ring-accept]');
  await second.page.waitForSelector('[data-testid=in-case]');
  await second.page.waitForSelector('[data-testid=expert-page][data-presence=in_case]');

  await mediator.waitForSelector('[data-testid=expert-request-state][data-status=accepted]');
  const steps = await mediator.$$eval('[data-testid=expert-steps] li', (nodes) =>
    nodes.map((n) => [n.getAttribute('data-kind'), n.textContent]),
  );
  expect(steps.map(([kind]) => kind)).toEqual(['ringing', 'passed', 'ringing', 'accepted']);
  expect(steps[0]![1]).toContain('王专家');
  expect(steps[3]![1]).toContain('赵专家');
  const [row] = await server.db.query<{ outcome: string; expertId: string }>(
    'select outcome, expert_id as "expertId" from expert_requests where case_id = $1',
    [caseId],
  );
  expect(row).toEqual({ outcome: 'accepted', expertId: second.record.id });
});

test('the accepted expert joins the session from their page; both parties agree, then see and hear them', async () => {
  const [, second] = experts as [(typeof experts)[0], (typeof experts)[0]];
  const party = await newPerson(chromium.browser, true);
  const respondent = await newPerson(chromium.browser, true);
  const partyPeerId = await joinByLink(party, partyLink, '王秀英');
  await joinByLink(respondent, respondentLink, '李建国');
  const joinUrl = await second.page.$eval('[data-testid=join-session]', (a) => (a as HTMLAnchorElement).href);
  expect(joinUrl).toMatch(new RegExp(`^${server.url}/join/`));
  const room = await second.page.browserContext().newPage();
  const expertPeerId = await joinByLink(room, joinUrl, '赵专家');
  try {
    // The party is asked; until she agrees no media flows between them, and the expert waits for her.
    await party.waitForSelector('[data-testid=expert-consent]');
    expect(await text(party, '[data-testid=expert-consent]')).toContain('赵专家');
    await room.waitForSelector('[data-testid=expert-awaiting-consent]');
    expect((await inboundStats(party)).filter((s) => s.peerId === expertPeerId)).toEqual([]);
    await party.click('[data-testid=expert-consent-agree]');
    // One party's yes is not enough for the agreement: it opens once the other says yes too.
    await respondent.waitForSelector('[data-testid=expert-consent]');
    expect(await room.$('[data-testid=agreement-toggle]')).toBeNull();
    await respondent.click('[data-testid=expert-consent-agree]');

    await eventually(
      async () =>
        (await inboundStats(party)).some((s) => s.peerId === expertPeerId && s.kind === 'video' && s.framesDecoded > 0),
      { what: 'the expert’s video decoded on the party’s phone', timeoutMs: 20_000 },
    );
    await eventually(
      async () =>
        (await inboundStats(room)).some((s) => s.peerId === partyPeerId && s.kind === 'audio' && s.packetsReceived > 0),
      { what: 'the party’s audio at the expert', timeoutMs: 20_000 },
    );
    await room.waitForSelector('[data-testid=expert-awaiting-consent]', { hidden: true });
    await room.waitForSelector('[data-testid=agreement-toggle]');
    expect(await party.$(`[data-testid=tile][data-peer-id="${expertPeerId}"]`)).not.toBeNull();
  } finally {
    await room.close();
    await party.close();
    await respondent.close();
  }
});

test('the board sees the accepted expert busy, each history says what they answered, and leaving frees them', async () => {
  const [first, second] = experts as [(typeof experts)[0], (typeof experts)[0]];
  await eventually(async () => (await boardCell(fixture.org.grids.heping1.id)) === 1, { what: 'one available' });

  await first.page.waitForSelector('[data-testid=history-row][data-answer=declined]');
  await second.page.waitForSelector('[data-testid=history-row][data-answer=accepted]');

  await second.page.click('[data-testid=leave-case]');
  await second.page.waitForSelector('[data-testid=expert-page][data-presence=available]');
  expect(await second.page.$('[data-testid=in-case]')).toBeNull();
  await eventually(async () => (await boardCell(fixture.org.grids.heping1.id)) === 2, { what: 'two available again' });

  // Ending duty closes the page's connection: the server takes the expert offline at once.
  await first.page.click('[data-testid=end-duty]');
  await first.page.waitForSelector('[data-testid=go-on-call]');
  await eventually(async () => (await boardCell(fixture.org.grids.heping1.id)) === 1, { what: 'one offline' });
});

test('an away expert is not rung, a cancel stops the ring on the page, and with nobody available the mediator is told', async () => {
  const [first, second] = experts as [(typeof experts)[0], (typeof experts)[0]];
  await first.page.click('[data-testid=go-on-call]');
  await first.page.waitForSelector('[data-testid=expert-page][data-presence=available]');
  await first.page.click('[data-testid=set-away]');
  await first.page.waitForSelector('[data-testid=expert-page][data-presence=away]');

  await mediator.click('[data-testid=expert-ask]');
  await second.page.waitForSelector('[data-testid=ringing-call]');
  await mediator.waitForSelector('[data-testid=expert-cancel]');
  await mediator.click('[data-testid=expert-cancel]');
  await second.page.waitForSelector('[data-testid=ring-ended][data-why=withdrawn]');
  expect(await second.page.$('[data-testid=ringing-call]')).toBeNull();
  await mediator.waitForSelector('[data-testid=expert-request-state][data-status=cancelled]');
  expect(await first.page.$('[data-testid=ringing-call]')).toBeNull();

  await second.page.waitForSelector('[data-testid=expert-page][data-presence=available]');
  await second.page.click('[data-testid=set-away]');
  await second.page.waitForSelector('[data-testid=expert-page][data-presence=away]');
  await mediator.click('[data-testid=expert-ask]');
  await mediator.waitForSelector('[data-testid=expert-request-state][data-status=exhausted]');
  expect(await text(mediator, '[data-testid=expert-steps]')).toMatch(/没有可以呼叫的专家了|Nobody is left to ring/);
});

test('a mediator who opens /expert is pointed to the console, and an expert in the console to /expert', async () => {
  await mediator.goto(`${server.url}/expert`);
  await mediator.waitForSelector('[data-testid=not-expert] a[href="/staff"]');
  const [first] = experts as [(typeof experts)[0]];
  await first.page.goto(`${server.url}/staff`);
  await first.page.waitForSelector('[data-testid=to-expert-page] a[href="/expert"]');
});
