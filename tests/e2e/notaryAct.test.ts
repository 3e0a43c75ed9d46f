/**
 * A remote notarial act with real browsers: the notary and the signer open
 * their links of a recorded room in Chromium (fake camera and microphone),
 * each agrees to the recording, and the notary runs the act over the API
 * (the console is not built yet): stills of the signer's ID and face from the
 * SFU, identity, consent, signature, seal. Then, as the issue asks: the
 * sealed PDF passes pdfsig against the deployment CA and fails after a
 * one-byte change; ffprobe shows audio and video of both covering the act;
 * the recording's hash equals the journal's; the journal verifies, and fails
 * after a row is altered directly in the database.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { Page } from 'puppeteer-core';
import { verifyJournal } from '../../server/notary/NotaryJournal';
import { launchChromium, type TestBrowser } from '../helpers/chromium';
import { eventually } from '../helpers/eventually';
import { sha256 } from '../helpers/notary';
import { joinByLink } from '../helpers/pageClient';
import { createFixture, PASSWORD } from '../helpers/records';
import { startTestServer, type TestServer } from '../helpers/testServer';

let dataDir: string;
let server: TestServer;
let token: string;
const browsers: TestBrowser[] = [];

async function api(method: string, url: string, body?: unknown, type = 'application/json') {
  const response = await fetch(`${server.url}${url}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': type }) },
    body: body === undefined ? undefined : body instanceof Uint8Array ? new Uint8Array(body) : JSON.stringify(body),
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  const isJson = (response.headers.get('content-type') ?? '').includes('json');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read as an API client would
  const parsed = (isJson ? JSON.parse(bytes.toString('utf8')) : {}) as any;
  if (response.status >= 300) throw new Error(`${method} ${url}: ${response.status} ${bytes.toString('utf8')}`);
  return { bytes, body: parsed };
}

async function joinAndConsent(link: string, name: string): Promise<{ page: Page; peerId: string }> {
  const browser = await launchChromium();
  browsers.push(browser);
  const page = await browser.browser.newPage();
  const peerId = await joinByLink(page, link, name);
  await page.waitForSelector('[data-testid=consent-button]', { timeout: 20_000 });
  await page.click('[data-testid=consent-button]');
  return { page, peerId };
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridroom-notary-e2e-'));
  server = await startTestServer({ DATA_DIR: dataDir, MEDIA_WORKERS: '1' });
  const fixture = await createFixture(server.app, server.url);
  const login = await fetch(`${server.url}/api/staff/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: fixture.staff.notary.username, password: PASSWORD, bearer: true }),
  });
  token = ((await login.json()) as { token: string }).token;
});

afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close()));
  await server?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

test('notary and signer in Chromium complete an act; PDF, recording and journal hold up', async () => {
  const room = await server.createRoom('远程公证', { waitingRoom: false, recording: true });
  const notary = await joinAndConsent(room.links.mediator, '周公证');
  const signer = await joinAndConsent(room.links.party, '张三');
  const live = (await server.app.rooms.find(room.roomId))!;
  await eventually(
    () =>
      [notary.peerId, signer.peerId].every((id) => {
        const kinds = live.media.getPeer(id as never)?.producers.map((p) => p.kind) ?? [];
        return kinds.includes('audio') && kinds.includes('video');
      }),
    { timeoutMs: 30_000, what: 'both browsers sending camera and microphone' },
  );

  const { body: created } = await api('POST', '/api/notary/acts', {
    sessionId: room.roomId,
    actType: 'acknowledgment',
    documentDescription: '授权委托书',
    jurisdiction: 'CN-ZJ',
    feeMinor: 20000,
    signers: [{ name: '张三', address: '东湖街道幸福里3栋201室' }],
  });
  const actId: string = created.act.id;
  const doc = await PDFDocument.create();
  doc.addPage().drawText('Power of attorney', { font: await doc.embedFont(StandardFonts.Helvetica) });
  await api(
    'POST',
    `/api/notary/acts/${actId}/document`,
    await doc.save({ useObjectStreams: false }),
    'application/pdf',
  );

  await api('POST', `/api/notary/acts/${actId}/events`, { type: 'start' });
  const startedAt = Date.now();
  const still = async (side: string) =>
    (await api('POST', `/api/notary/acts/${actId}/stills`, { peerId: signer.peerId, side })).body.still.sha256;
  const images = { front: await still('front'), back: await still('back'), face: await still('face') };
  await api('POST', `/api/notary/acts/${actId}/identity`, [
    { signerId: created.signers[0].id, method: 'id_comparison', idDocument: '居民身份证', images },
  ]);
  await api('POST', `/api/notary/acts/${actId}/events`, { type: 'consentGiven' });
  await api('POST', `/api/notary/acts/${actId}/events`, { type: 'documentSigned' });
  await eventually(() => Date.now() - startedAt > 4000, { timeoutMs: 10_000, intervalMs: 200, what: 'four seconds' });
  const { body: sealedMove } = await api('POST', `/api/notary/acts/${actId}/events`, { type: 'seal' });
  const actSeconds = (Date.now() - startedAt) / 1000;

  const [recording] = sealedMove.journal.entry.recordings as { reference: string; sha256: string }[];
  const file = path.join(dataDir, 'recordings', recording!.reference);
  expect(sha256(fs.readFileSync(file))).toBe(recording!.sha256);
  const probe = JSON.parse(
    execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file], {
      encoding: 'utf8',
    }),
  ) as { streams: { codec_type: string; codec_name: string }[]; format: { duration: string } };
  expect(probe.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'audio', 'video', 'video']);
  expect(Number(probe.format.duration)).toBeGreaterThan(actSeconds - 2);

  const sealed = (await api('GET', `/api/notary/acts/${actId}/sealed.pdf`)).bytes;
  const nss = path.join(dataDir, 'nss');
  fs.mkdirSync(nss);
  fs.writeFileSync(path.join(dataDir, 'ca.pem'), (await api('GET', '/api/notary/ca.pem')).bytes);
  execFileSync('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password']);
  execFileSync('certutil', ['-A', '-d', `sql:${nss}`, '-n', 'ca', '-t', 'CT,C,C', '-i', path.join(dataDir, 'ca.pem')]);
  const pdfsig = (bytes: Buffer) => {
    fs.writeFileSync(path.join(dataDir, 'check.pdf'), bytes);
    return execFileSync('pdfsig', ['-nssdir', `sql:${nss}`, '-no-ocsp', path.join(dataDir, 'check.pdf')], {
      encoding: 'utf8',
    });
  };
  expect(pdfsig(sealed)).toContain('Signature is Valid.');
  expect(pdfsig(sealed)).toContain('Certificate is Trusted.');
  const tampered = Buffer.from(sealed);
  tampered[10] = tampered[10]! ^ 0x01;
  expect(pdfsig(tampered)).not.toContain('Signature is Valid.');

  expect(await verifyJournal(server.db)).toMatchObject({ ok: true, entries: 1 });
  await server.db.transaction(async (tx) => {
    await tx.query('alter table notary_journal disable trigger user');
    await tx.query(`update notary_journal set entry = jsonb_set(entry, '{fee,amountMinor}', '1')`);
    await tx.query('alter table notary_journal enable trigger user');
  });
  expect(await verifyJournal(server.db)).toMatchObject({
    ok: false,
    problems: [{ seq: 1, problem: 'entry 1 was changed after it was written' }],
  });
});
