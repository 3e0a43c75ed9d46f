/**
 * The notary console in Chromium, as a notary runs an act from it: sign in to
 * /staff, schedule the act for a recorded room, upload the PDF, start; the
 * signer sits in the room in a second browser (fake camera, consent given);
 * the notary captures the ID's front and back and the face from the live
 * video, sees them side by side, records the method, and carries the act on
 * to the seal, the journal entry filling in on the page as it goes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { Page } from 'puppeteer-core';
import { launchChromium, type TestBrowser } from '../helpers/chromium';
import { eventually } from '../helpers/eventually';
import { sha256 } from '../helpers/notary';
import { joinByLink } from '../helpers/pageClient';
import { createFixture, PASSWORD, type Fixture } from '../helpers/records';
import { startTestServer, type TestServer } from '../helpers/testServer';

let dataDir: string;
let server: TestServer;
let fixture: Fixture;
const browsers: TestBrowser[] = [];
let page: Page;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridroom-notary-console-'));
  server = await startTestServer({ DATA_DIR: dataDir, MEDIA_WORKERS: '1' });
  fixture = await createFixture(server.app, server.url);
  const chrome = await launchChromium();
  browsers.push(chrome);
  page = await chrome.browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
});

afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close()));
  await server?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

const text = (selector: string) => page.$eval(selector, (n) => n.textContent ?? '');
const attr = (selector: string, name: string) => page.$eval(selector, (n, a) => n.getAttribute(a), name);

/**
 * Waits until the act page shows `state`: the page polls the act, nothing here sleeps. Media waits get
 * 30 s, as the SFU and ffmpeg are slow on a machine loaded by other suites.
 */
const actAt = (state: string) =>
  page.waitForSelector(`[data-testid=notary-act][data-state=${state}]`, { timeout: 30_000 });

async function stepStatuses(): Promise<Record<string, string>> {
  return page.$$eval('[data-testid=act-step]', (nodes) =>
    Object.fromEntries(nodes.map((n) => [n.getAttribute('data-step'), n.getAttribute('data-status')])),
  );
}

/** Clicks a button once it is enabled: a capture button stays disabled until the previous still is shown. */
async function press(selector: string): Promise<void> {
  await page.waitForSelector(`${selector}:not([disabled])`, { timeout: 30_000 });
  await page.click(selector);
}

const clickNext = (event: string) => press(`[data-testid=act-next][data-event=${event}]`);

/** The signer joins by their link; `browser` again is the same device coming back (consent is remembered). */
async function signerInRoom(
  link: string,
  browser?: TestBrowser,
): Promise<{ peerId: string; page: Page; browser: TestBrowser }> {
  const asked = !browser;
  if (!browser) {
    browser = await launchChromium();
    browsers.push(browser);
  }
  const signerPage = await browser.browser.newPage();
  const peerId = await joinByLink(signerPage, link, '张三');
  if (asked) {
    await signerPage.waitForSelector('[data-testid=consent-button]', { timeout: 30_000 });
    await signerPage.click('[data-testid=consent-button]');
  }
  return { peerId, page: signerPage, browser };
}

/** Fills the console's form for an act in `roomId` and resolves on its page, with its id. */
async function scheduleInConsole(roomId: string): Promise<string> {
  await page.waitForSelector('[data-testid=notary-new-form]');
  await page.type('[data-testid=notary-description]', '授权委托书');
  await page.click('[data-testid=notary-fee]', { clickCount: 3 });
  await page.type('[data-testid=notary-fee]', '200');
  await page.type('[data-testid=notary-session]', roomId);
  await page.type('[data-testid=notary-signer-name]', '张三');
  await page.type('[data-testid=notary-signer-address]', '东湖街道幸福里3栋201室');
  await page.click('[data-testid=notary-schedule-submit]');
  await actAt('scheduled');
  return (await attr('[data-testid=notary-act]', 'data-act-id'))!;
}

async function pdfFile(): Promise<{ file: string; hash: string }> {
  const doc = await PDFDocument.create();
  doc.addPage().drawText('Power of attorney', { font: await doc.embedFont(StandardFonts.Helvetica) });
  const bytes = await doc.save({ useObjectStreams: false });
  const file = path.join(dataDir, 'power-of-attorney.pdf');
  fs.writeFileSync(file, bytes);
  return { file, hash: sha256(bytes) };
}

test('a notary schedules an act in the console, identifies the signer from the live video and seals it', async () => {
  const room = await server.createRoom('远程公证', { waitingRoom: false, recording: true });
  const { peerId: signerPeerId } = await signerInRoom(room.links.party);

  // Signed in, a notary lands on their acts (they have no case records), none yet.
  await page.goto(`${server.url}/staff`);
  await page.waitForSelector('[data-testid=login-username]');
  await page.type('[data-testid=login-username]', fixture.staff.notary.username);
  await page.type('[data-testid=login-password]', PASSWORD);
  await page.click('[data-testid=login-submit]');
  await page.waitForSelector('[data-testid=notary-acts] .empty');
  expect(await page.$('[data-testid=nav-cases]')).toBeNull();

  await page.click('[data-testid=notary-new]');
  // The act page: five steps with the first current, nothing recorded, the journal all to come.
  const actId = await scheduleInConsole(room.roomId);
  expect(await stepStatuses()).toEqual({
    scheduled: 'current',
    identity: 'todo',
    recital_consent: 'todo',
    signing: 'todo',
    sealed: 'todo',
  });
  expect(await attr('[data-testid=recording-panel]', 'data-recording')).toBe('off');
  expect(await attr('[data-testid=journal-panel]', 'data-written')).toBe('no');
  expect(await text('[data-testid=journal-signers]')).toContain('张三 · 东湖街道幸福里3栋201室');
  expect(await text('[data-testid=journal-fee]')).toContain('200.00 CNY');
  // The act's view brings the notary's own link into the room: the live video is beside the stills at once.
  await page.waitForSelector('[data-testid=room-frame]');
  expect(await attr('[data-testid=room-frame]', 'src')).toBe(room.links.mediator);
  expect(await attr('[data-testid=room-frame]', 'allow')).toBe('camera; microphone; autoplay');

  const { file, hash } = await pdfFile();
  const input = await page.$('input[data-testid=document-file]');
  await input!.uploadFile(file);
  await page.waitForFunction(
    (h) => document.querySelector('[data-testid=document-sha256]')?.textContent?.includes(h),
    { timeout: 10_000 },
    hash,
  );

  await clickNext('start');
  await actAt('identity');
  expect(await stepStatuses()).toMatchObject({ scheduled: 'done', identity: 'current', recital_consent: 'todo' });
  await page.waitForSelector('[data-testid=recording-panel][data-recording=recording]');
  expect(await text('[data-testid=recording-state]')).toMatch(/录像|Recording/);

  // The signer's camera is the default to capture from (named like the act's signer).
  await page.waitForFunction(
    (peer) => (document.querySelector('[data-testid=still-peer]') as HTMLSelectElement | null)?.value === peer,
    { timeout: 30_000 },
    signerPeerId,
  );
  // A comparison without the document named and the stills taken is refused on the page, before any request.
  await page.click('[data-testid=identity-submit]');
  await page.waitForSelector('[data-testid=identity-problem]');
  expect(await attr('[data-testid=notary-act]', 'data-state')).toBe('identity');

  for (const side of ['front', 'back', 'face']) {
    await press(`[data-testid=capture-${side}]`);
    await page.waitForSelector(`[data-testid=still-${side}]:not([data-sha256=""]) img`, { timeout: 30_000 });
  }
  // Each still is a real picture, and the three sit side by side in one row.
  await eventually(
    () =>
      page.$$eval('[data-testid=identity-stills] .still__img', (imgs) =>
        imgs.every((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0),
      ),
    { what: 'the stills loaded' },
  );
  const boxes = await Promise.all(
    ['front', 'back', 'face'].map(async (side) => (await page.$(`[data-testid=still-${side}] img`))!.boundingBox()),
  );
  expect(boxes.map((b) => Math.round(b!.y))).toEqual([boxes[0]!.y, boxes[0]!.y, boxes[0]!.y].map(Math.round));
  expect(boxes[0]!.x).toBeLessThan(boxes[1]!.x);
  expect(boxes[1]!.x).toBeLessThan(boxes[2]!.x);
  const faceSha = await attr('[data-testid=still-face]', 'data-sha256');
  expect(faceSha).toMatch(/^[0-9a-f]{64}$/);

  await page.click('[data-testid=method-id_comparison]');
  await page.type('[data-testid=identity-id-document]', '居民身份证');
  await page.click('[data-testid=identity-submit]');
  await actAt('recital_consent');
  expect(await stepStatuses()).toMatchObject({ identity: 'done', recital_consent: 'current' });
  expect(await page.$('[data-testid=identity-done]')).not.toBeNull();
  expect(await text('[data-testid=journal-identity]')).toMatch(/身份证件与本人比对|ID document compared/);
  // The stills of this attempt stay on the page beside the room, without capture buttons now.
  expect(await attr('[data-testid=still-face]', 'data-sha256')).toBe(faceSha);
  expect(await page.$('[data-testid=capture-face]')).toBeNull();

  await clickNext('consentGiven');
  await actAt('signing');
  await clickNext('documentSigned');
  await clickNext('seal');
  await actAt('sealed');
  expect(await stepStatuses()).toMatchObject({ signing: 'done', sealed: 'current' });
  expect(await page.$('[data-testid=act-next]')).toBeNull();
  await page.waitForSelector('[data-testid=recording-panel][data-recording=off] [data-testid=recording]');
  const recordingSha = (await text('[data-testid=recording-sha256]')).replace('SHA-256 ', '').trim();
  expect(recordingSha).toMatch(/^[0-9a-f]{64}$/);

  // The journal entry is written: its hash shown, its recording the one above, and the sealed PDF downloads.
  await page.waitForSelector('[data-testid=journal-panel][data-written=yes] [data-testid=journal-hash]');
  expect(await text('[data-testid=journal-recordings]')).toContain(recordingSha);
  expect(await text('[data-testid=journal-documentSha256]')).toContain(hash);
  const href = (await attr('[data-testid=sealed-download]', 'href'))!;
  const head = await page.evaluate(async (url) => {
    const response = await fetch(url, { credentials: 'same-origin' });
    return { status: response.status, start: new TextDecoder().decode((await response.arrayBuffer()).slice(0, 5)) };
  }, href);
  expect(head).toEqual({ status: 200, start: '%PDF-' });

  // Back in the list, the act is there as sealed.
  await page.click('[data-testid=nav-notary]');
  await page.waitForSelector(`[data-testid=notary-act-row][data-act-id="${actId}"] [data-state=sealed]`);
});

test('the signer drops mid-act: the console shows the act interrupted and paused, and back, identity starts again', async () => {
  // Signed in by the test above (the same browser keeps the session).
  const room = await server.createRoom('远程公证 · 中断', { waitingRoom: false, recording: true });
  const first = await signerInRoom(room.links.party);
  await page.goto(`${server.url}/staff/notary/new`);
  await scheduleInConsole(room.roomId);
  await clickNext('start');
  await actAt('identity');
  await press('[data-testid=capture-face]');
  await page.waitForSelector('[data-testid=still-face]:not([data-sha256=""]) img', { timeout: 30_000 });
  const firstFace = await attr('[data-testid=still-face]', 'data-sha256');

  await first.page.close(); // the signer's connection ends; the server interrupts the act by itself
  await actAt('interrupted');
  expect(await text('[data-testid=act-interrupted]')).toMatch(/已中断|interrupted/);
  await page.waitForSelector(
    '[data-testid=recording-panel][data-recording=paused] [data-testid=recording][data-attempt="1"]',
  );
  expect(await stepStatuses()).toMatchObject({ identity: 'todo', sealed: 'todo' });
  expect(await attr('[data-testid=act-next]', 'data-event')).toBe('resume');
  expect(await page.$('[data-testid=capture-face]')).toBeNull();

  const again = await signerInRoom(room.links.party, first.browser);
  // Resume once the signer's camera is back in the SFU, so the new attempt has a picture to take stills of.
  await eventually(
    async () => {
      const live = await server.app.rooms.find(room.roomId as never);
      return live?.media.getPeer(again.peerId as never)?.producers.some((p) => p.kind === 'video');
    },
    { timeoutMs: 30_000, what: 'the signer sending their camera again' },
  );
  await clickNext('resume');
  await actAt('identity');
  // A new attempt: recorded again, and the first attempt's stills are not this one's evidence.
  await page.waitForSelector('[data-testid=recording-panel][data-recording=recording]');
  expect(await text('[data-testid=recording-state]')).toMatch(/2/);
  expect(await attr('[data-testid=still-face]', 'data-sha256')).toBe('');
  await page.waitForFunction(
    (peer) => (document.querySelector('[data-testid=still-peer]') as HTMLSelectElement | null)?.value === peer,
    { timeout: 30_000 },
    again.peerId,
  );
  await press('[data-testid=capture-face]');
  await page.waitForSelector('[data-testid=still-face]:not([data-sha256=""]) img', { timeout: 30_000 });
  expect(await attr('[data-testid=still-face]', 'data-sha256')).not.toBe(firstFace);
  expect(await text('[data-testid=journal-attempts]')).toContain('2');
});
