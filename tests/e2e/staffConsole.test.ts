/**
 * The staff console in Chromium, as a grid mediator uses it: sign in, register
 * a dispute with two parties, open it, schedule a video session and see one
 * link per party plus the mediator's own, each with its buttons.
 */
import type { Page } from 'puppeteer-core';
import { launchChromium, type TestBrowser } from '../helpers/chromium';
import { createFixture, PASSWORD, type Fixture } from '../helpers/records';
import { startTestServer, type TestServer } from '../helpers/testServer';

let server: TestServer;
let fixture: Fixture;
let chromium: TestBrowser;
let page: Page;

beforeAll(async () => {
  server = await startTestServer();
  fixture = await createFixture(server.app, server.url);
  chromium = await launchChromium();
  page = await chromium.browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  // The revoke button asks for confirmation; the test never revokes, but no dialog may hang it.
  page.on('dialog', (dialog) => void dialog.accept());
});

afterAll(async () => {
  await chromium?.close();
  await server?.close();
});

const count = (selector: string) => page.$$eval(selector, (nodes) => nodes.length);

test('a mediator signs in, registers a dispute with two parties and schedules its session', async () => {
  await page.goto(`${server.url}/staff`);
  await page.waitForSelector('[data-testid=login-username]');
  await page.type('[data-testid=login-username]', fixture.staff.gridMediator.username);
  await page.type('[data-testid=login-password]', PASSWORD);
  await page.click('[data-testid=login-submit]');

  await page.waitForSelector('[data-testid=register-case]');
  expect(await page.$eval('[data-testid=whoami]', (n) => n.textContent)).toContain('和平一网格 李调解');
  await page.click('[data-testid=register-case]');
  await page.waitForSelector('[data-testid=register-type]');
  await page.select('[data-testid=register-type]', 'property_management');
  // A grid mediator registers in their own grid: it is chosen already.
  expect(await page.$eval('[data-testid=register-grid]', (n) => (n as HTMLSelectElement).value)).toBe(
    fixture.org.grids.heping1.id,
  );
  await page.type('[data-testid=register-summary]', '物业费争议:业主认为电梯长期停用,拒交物业费。');
  const [name1, name2] = await page.$$('[data-testid=party-name]');
  const [contact1, contact2] = await page.$$('[data-testid=party-contact]');
  await name1!.type('王秀英');
  await contact1!.type('13800000001');
  await name2!.type('某某物业公司');
  await contact2!.type('13800000002');
  await page.click('[data-testid=register-submit]');

  await page.waitForSelector('[data-testid=case-detail][data-status=registered]');
  expect(await count('[data-testid=party]')).toBe(2);
  const caseId = await page.$eval('[data-testid=case-detail]', (n) => n.getAttribute('data-case-id'));

  // Back to the list: the new case is a row there, and opens again from it.
  await page.click('[data-testid=nav-cases]');
  await page.waitForSelector(`[data-testid=case-row][data-case-id="${caseId}"]`);
  await page.click(`[data-testid=case-row][data-case-id="${caseId}"] a`);
  await page.waitForSelector('[data-testid=case-detail]');

  await page.waitForSelector('[data-testid=schedule-session]');
  await page.click('[data-testid=schedule-session]');
  // Waiting room and single-device links are on unless the mediator turns them off.
  expect(await page.$eval('[data-testid=session-waiting-room]', (n) => (n as HTMLInputElement).checked)).toBe(true);
  expect(await page.$eval('[data-testid=session-single-device]', (n) => (n as HTMLInputElement).checked)).toBe(true);
  await page.click('[data-testid=schedule-submit]');

  await page.waitForSelector('[data-testid=link-row]');
  const rows = await page.$$eval('[data-testid=link-row]', (nodes) =>
    nodes.map((n) => ({
      role: n.getAttribute('data-role'),
      state: n.getAttribute('data-state'),
      copyLink: !!n.querySelector('[data-testid=copy-link]'),
      copySms: !!n.querySelector('[data-testid=copy-sms]'),
      openRoom: n.querySelector<HTMLAnchorElement>('[data-testid=open-room]')?.href ?? null,
    })),
  );
  const parties = rows.filter((r) => r.role === 'party');
  const own = rows.filter((r) => r.role === 'mediator');
  expect(parties).toHaveLength(2);
  expect(own).toHaveLength(1);
  expect(rows.every((r) => r.state === 'active' && r.copyLink)).toBe(true);
  expect(parties.every((r) => r.copySms)).toBe(true);
  expect(own[0]!.openRoom).toMatch(new RegExp(`^${server.url}/join/`));
});

test('the case shows its agreement: not locked yet, and the mediator sets parties to comment only', async () => {
  await page.waitForSelector('[data-testid=agreement-card] [data-testid=agreement-status]');
  expect(await page.$eval('[data-testid=agreement-status]', (n) => n.textContent)).toMatch(/尚未锁定|not locked/);
  const caseId = await page.$eval('[data-testid=case-detail]', (n) => n.getAttribute('data-case-id'));
  const toggle = '[data-testid=agreement-comment-only]';
  expect(await page.$eval(toggle, (n) => (n as HTMLInputElement).checked)).toBe(false);
  await page.click(toggle);
  await page.waitForSelector(`${toggle}:checked:not([disabled])`);
  const [row] = await server.db.query<{ access: string }>(
    'select agreement_party_access as access from cases where id = $1',
    [caseId],
  );
  expect(row!.access).toBe('comment');
});
