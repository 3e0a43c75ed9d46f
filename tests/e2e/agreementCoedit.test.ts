/**
 * The mediation agreement co-edited in the room client: a mediator and a
 * party, in two Chromium browsers, open the agreement panel of a scheduled
 * session of a real case and type into the same section; both editors and
 * the server's document converge on the same text. An expert's link opens it
 * read-only once the party agreed to the expert taking part (and its
 * connection is never closed for writing). Then the
 * mediator locks the text, the party signs on her own screen (typed name,
 * drawn signature, consent), an unlock voids that visibly, and once all have
 * signed again the agreement is sealed on every page.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { canonicalText } from '../../shared/agreement';
import { readSigningState } from '../../shared/signing';
import type { CaseId } from '../../shared/ids';
import type { LinkView, ScheduledSession } from '../../shared/sessions';
import type { CaseView } from '../../server/cases/CaseService';
import { launchChromium, type TestBrowser } from '../helpers/chromium';
import { eventually } from '../helpers/eventually';
import { joinByLink } from '../helpers/pageClient';
import { createFixture, registerCase, type Api } from '../helpers/records';
import { startTestServer, tokenOf, type TestServer } from '../helpers/testServer';

jest.setTimeout(60_000);

let server: TestServer;
let kase: CaseView;
let browsers: TestBrowser[] = [];
let mediator: Page, party: Page, expert: Page;
let respondentToken: string;
let staffApi: Api;

const FACTS = '[data-testid="agreement-facts"] .ProseMirror';

beforeAll(async () => {
  server = await startTestServer();
  const f = await createFixture(server.app, server.url);
  const api = await f.as('gridMediator');
  staffApi = api;
  kase = await registerCase(api, f.org.grids.heping1.id);
  const scheduled = await api.post(`/api/cases/${kase.id}/sessions`, {
    scheduledAt: new Date(Date.now() + 3600_000).toISOString(),
    waitingRoom: false,
  });
  if (scheduled.status !== 201) throw new Error(`schedule: ${scheduled.status} ${JSON.stringify(scheduled.body)}`);
  const s = scheduled.body as ScheduledSession;
  const added = await api.post(`/api/sessions/${s.session.id}/links`, { role: 'expert', label: '吴专家' });
  if (added.status !== 201) throw new Error(`expert link: ${added.status}`);
  const linkOf = (pick: (l: LinkView) => boolean) => s.links.find(pick)!.url!;
  respondentToken = tokenOf(linkOf((l) => l.label === '李建国'));

  browsers = await Promise.all([0, 1, 2].map(() => launchChromium()));
  [mediator, party, expert] = (await Promise.all(browsers.map((b) => b.browser.newPage()))) as [Page, Page, Page];
  await Promise.all([
    joinByLink(
      mediator,
      linkOf((l) => l.role === 'mediator'),
      '李调解',
    ),
    joinByLink(
      party,
      linkOf((l) => l.label === '王秀英'),
      '王秀英',
    ),
    joinByLink(expert, (added.body as { link: LinkView }).link.url!, '吴专家'),
  ]);
  // The party is asked whether the expert may take part; the expert's agreement opens once she agrees.
  await party.waitForSelector('[data-testid="expert-consent-agree"]', { timeout: 15_000 });
  expect(await expert.$('[data-testid="agreement-toggle"]')).toBeNull();
  await party.click('[data-testid="expert-consent-agree"]');
});

afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close()));
  await server?.close();
});

/** Opens the panel and waits for the editors, bound to the synced document. */
async function openAgreement(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid="agreement-toggle"]', { timeout: 10_000 });
  await page.click('[data-testid="agreement-toggle"]');
  await page.waitForSelector('[data-testid="agreement"][data-status="synced"]', { timeout: 15_000 });
  await page.waitForSelector(FACTS, { timeout: 10_000 });
}

/** The section's text as shown, without the others' cursors and their name labels. */
const factsText = (page: Page) =>
  page.$eval(FACTS, (el) => {
    const copy = el.cloneNode(true) as HTMLElement;
    copy.querySelectorAll('.collaboration-carets__caret').forEach((caret) => caret.remove());
    return Array.from(copy.querySelectorAll('p'))
      .map((p) => p.textContent ?? '')
      .join('\n')
      .trim();
  });

/** The names on the others' cursors in the section. */
const caretNames = (page: Page) =>
  page.$$eval(`${FACTS} .collaboration-carets__label`, (els) => els.map((e) => e.textContent));

async function typeInto(page: Page, selector: string, text: string): Promise<void> {
  await page.click(selector);
  await page.keyboard.press('End');
  // A few real key presses, then the rest as text input, as an IME commits it (fast on a loaded machine).
  await page.keyboard.type(text.slice(0, 3));
  await page.keyboard.sendCharacter(text.slice(3));
}

async function serverText(): Promise<string> {
  const doc = await server.app.collab.documentForTesting(kase.id as CaseId);
  if (!doc) throw new Error('document not loaded');
  return canonicalText(doc.doc);
}

test('a mediator and a party type into the same section and converge, on both pages and on the server', async () => {
  await Promise.all([openAgreement(mediator), openAgreement(party), openAgreement(expert)]);
  expect(await mediator.$eval('[data-testid="agreement"]', (el) => el.getAttribute('data-access'))).toBe('edit');
  expect(await party.$eval('[data-testid="agreement"]', (el) => el.getAttribute('data-access'))).toBe('edit');

  await typeInto(mediator, FACTS, '2024年12月 leak from upstairs. ');
  await eventually(async () => (await factsText(party)).includes('leak from upstairs'), {
    what: 'the mediator’s words on the party’s page',
  });
  await typeInto(party, FACTS, '楼下天花板 damaged.');

  const converged = await eventually(
    async () => {
      const [a, b, c] = await Promise.all([factsText(mediator), factsText(party), factsText(expert)]);
      if (a === b && b === c && a.includes('leak from upstairs') && a.includes('damaged.')) return a;
      throw new Error(JSON.stringify([a, b, c]));
    },
    { what: 'the same facts on all three pages' },
  );
  expect(converged).toContain('2024年12月');
  expect(converged).toContain('楼下天花板');

  const text = await eventually(async () => ((await serverText()).includes('damaged.') ? serverText() : null), {
    what: 'the server has both edits',
  });
  const factsLine = text.split('\n\n').find((section) => section.startsWith('纠纷主要事实：'))!;
  expect(factsLine.replace('纠纷主要事实：\n', '')).toBe(converged);

  // The others' cursors carry their names.
  await eventually(async () => (await caretNames(mediator)).includes('王秀英'), { what: 'the party’s cursor' });
  await eventually(async () => (await caretNames(party)).includes('李调解'), { what: 'the mediator’s cursor' });

  // Each sees the other among the people who have the agreement open.
  await eventually(
    async () => {
      const names = await mediator.$$eval('[data-testid="agreement-person"]', (els) => els.map((e) => e.textContent));
      if (['王秀英', '吴专家'].every((n) => names.some((x) => x?.includes(n)))) return true;
      throw new Error(JSON.stringify(names));
    },
    { what: 'presence on the mediator’s page' },
  );
});

test('an expert’s link opens the agreement read-only, and its connection stays open', async () => {
  expect(await expert.$eval('[data-testid="agreement"]', (el) => el.getAttribute('data-access'))).toBe('read');
  expect(await expert.$('[data-testid="agreement-readonly"]')).not.toBeNull();
  expect(await expert.$('[data-testid="agreement-add-clause"]')).toBeNull();
  expect(await expert.$eval(FACTS, (el) => el.getAttribute('contenteditable'))).toBe('false');

  const before = await serverText();
  await expert.click(FACTS).catch(() => undefined);
  await expert.keyboard.type('expert was here');
  expect(await factsText(expert)).not.toContain('expert was here');

  const doc = await server.app.collab.documentForTesting(kase.id as CaseId);
  expect([...doc!.connections].map((c) => c.access).sort()).toEqual(['edit', 'edit', 'read']);
  expect(await serverText()).toBe(before);
});

const signingStatus = (page: Page) =>
  page.$eval('[data-testid="signing"]', (el) => el.getAttribute('data-status')).catch(() => null);

/** Opens the signing form, draws a signature with the mouse, ticks the consent and signs. */
async function signOnPage(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid="signing-open"]', { timeout: 15_000 });
  await page.click('[data-testid="signing-open"]');
  const pad = (await page.waitForSelector('[data-testid="signature-pad"]'))!;
  await pad.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  const box = (await pad.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.6);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) {
    await page.mouse.move(box.x + box.width * (0.1 + i * 0.065), box.y + box.height * (i % 2 ? 0.25 : 0.75));
  }
  await page.mouse.up();
  await page.click('[data-testid="sign-consent"]');
  await page.waitForSelector('[data-testid="sign-submit"]:not([disabled])');
  await page.click('[data-testid="sign-submit"]');
  await page.waitForSelector('[data-testid="sign-form"]', { hidden: true, timeout: 15_000 });
}

async function lockOnMediatorPage(): Promise<string> {
  await mediator.click('[data-testid="signing-lock"]');
  await eventually(
    async () => {
      if ((await signingStatus(party)) === 'locked') return true;
      const error = await mediator.$eval('[data-testid="signing-error"]', (el) => el.textContent).catch(() => null);
      throw new Error(`the party sees ${await signingStatus(party)}; the mediator's page says ${error}`);
    },
    { what: 'the party sees the lock' },
  );
  const shown = await party.$eval('[data-testid="signing-hash"]', (el) => el.textContent);
  const doc = await server.app.collab.documentForTesting(kase.id as CaseId);
  expect(shown).toBe(readSigningState(doc!.doc).sha256);
  return shown!;
}

test('the mediator fills in a party’s address and the deadline; the text to be signed has them', async () => {
  await mediator.type('[data-testid="party-0-address"]', '和平街道幸福里3栋201室');
  await mediator.$eval('[data-testid="meta-deadline"]', (el) => (el as HTMLInputElement).scrollIntoView());
  await mediator.type('[data-testid="meta-deadline"]', '03312025');
  const text = await eventually(
    async () => {
      const t = await serverText();
      if (t.includes('住址：和平街道幸福里3栋201室') && t.includes('履行期限：2025年3月31日')) return t;
      throw new Error(t);
    },
    { what: 'the address and the deadline in the server’s text' },
  );
  expect(text).toContain('申请人：王秀英');
  await eventually(
    async () =>
      (await party.$eval('[data-testid="party-0-address"]', (el) => (el as HTMLInputElement).value)) ===
      '和平街道幸福里3栋201室',
    { what: 'the address on the party’s page' },
  );
});

test('locked, signed on the party’s own screen, voided by an unlock, then signed by all and sealed', async () => {
  await typeInto(mediator, '[data-testid="agreement-clauses-0"] .ProseMirror', '李建国赔偿王秀英维修费3000元。');
  await eventually(async () => (await serverText()).includes('3000元'), { what: 'the clause on the server' });
  await lockOnMediatorPage();
  expect(await party.$eval(FACTS, (el) => el.getAttribute('contenteditable'))).toBe('false');

  await signOnPage(party);
  await eventually(
    async () => (await mediator.$$('[data-testid="signing-signatories"] li[data-signed="true"]')).length === 1,
    { what: 'the mediator sees the party’s signature' },
  );
  await mediator.click('[data-testid="signing-unlock"]');
  await party.waitForSelector('[data-testid="signing-voided"]', { timeout: 15_000 });
  expect(await party.$eval('[data-testid="signing-voided"]', (el) => el.textContent)).toContain('1');

  const hash = await lockOnMediatorPage();
  await signOnPage(party);
  const respondent = await fetch(`${server.url}/api/agreement/${kase.id}/sign`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${respondentToken}`,
      'x-device-id': 'respondent-phone-1',
      'content-type': 'application/json',
    },
    body: JSON.stringify({ sha256: hash, typedName: '李建国', drawing: [[100, 500, 900, 500]], consent: true }),
  });
  expect(respondent.status).toBe(200);
  await signOnPage(mediator);
  await eventually(async () => (await signingStatus(party)) === 'sealed', { what: 'the party sees the seal' });
  await party.waitForSelector('[data-testid="signing-download"]');
  const [version] = await server.db.query<{ status: string; bytes: number }>(
    "select status, length(sealed_pdf) as bytes from agreement_versions where status <> 'voided'",
  );
  expect(version).toMatchObject({ status: 'sealed' });
  expect(version!.bytes).toBeGreaterThan(10_000);
});

test('a party set to comment only reopens the agreement for comments, and the mediator sees hers', async () => {
  const set = await staffApi.post(`/api/cases/${kase.id}/agreement/party-access`, { access: 'comment' });
  expect(set.status).toBe(200);
  await party.click('.agreement__close');
  await eventually(async () => (await party.$('[data-testid="agreement"]')) === null, { what: 'panel closed' });
  await openAgreement(party);
  expect(await party.$eval('[data-testid="agreement"]', (el) => el.getAttribute('data-access'))).toBe('comment');
  const before = await serverText();
  await party.type('[data-testid="comment-body"]', '第一条的金额请再核对一下。');
  await party.click('[data-testid="comment-add"]');
  await eventually(
    async () =>
      (await mediator.$$eval('[data-testid="comment"]', (els) => els.map((e) => e.textContent))).some((text) =>
        text?.includes('金额请再核对'),
      ),
    { what: 'the comment on the mediator’s page' },
  );
  expect(await serverText()).toBe(before);
});

test('on a 360×640 phone the panel covers the room and closes again', async () => {
  await party.setViewport({ width: 360, height: 640, deviceScaleFactor: 1 });
  const box = await party.$eval('[data-testid="agreement"]', (el) => {
    const r = el.getBoundingClientRect();
    return { width: r.width, height: r.height };
  });
  expect(box).toEqual({ width: 360, height: 640 });
  const dir = process.env.SCREENSHOT_DIR ?? path.join(os.tmpdir(), 'gridroom-screenshots');
  fs.mkdirSync(dir, { recursive: true });
  await party.screenshot({ path: path.join(dir, 'agreement-360x640.png') });

  await party.click('.agreement__close');
  await eventually(async () => (await party.$('[data-testid="agreement"]')) === null, { what: 'panel closed' });
});
