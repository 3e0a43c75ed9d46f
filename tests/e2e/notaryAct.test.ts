/**
 * A remote notarial act with real browsers: the notary and the signer open
 * their links of a recorded room in Chromium (fake camera and microphone),
 * each agrees to the recording, and the notary runs the act over the API
 * (notaryConsole.test.ts drives an act from the console's page): stills of
 * the signer's ID and face from the SFU, identity, consent, signature, seal.
 * Then, as the issue asks: the
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
import { createFixture } from '../helpers/records';
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

async function joinAndConsent(
  link: string,
  name: string,
  browser?: TestBrowser,
  /** False for someone coming back on the same device: the room remembers their consent. */
  asked = true,
): Promise<{ page: Page; peerId: string; browser: TestBrowser }> {
  if (!browser) {
    browser = await launchChromium();
    browsers.push(browser);
  }
  const page = await browser.browser.newPage();
  const peerId = await joinByLink(page, link, name);
  if (asked) {
    await page.waitForSelector('[data-testid=consent-button]', { timeout: 20_000 });
    await page.click('[data-testid=consent-button]');
  }
  return { page, peerId, browser };
}

/** Resolves once every given peer of the room sends both a camera and a microphone. */
async function sending(roomId: string, peerIds: string[]): Promise<void> {
  await eventually(
    async () => {
      const live = await server.app.rooms.find(roomId as never);
      return peerIds.every((id) => {
        const kinds = live?.media.getPeer(id as never)?.producers.map((p) => p.kind) ?? [];
        return kinds.includes('audio') && kinds.includes('video');
      });
    },
    { timeoutMs: 30_000, what: 'browsers sending camera and microphone' },
  );
}

async function newAct(roomId: string) {
  const { body } = await api('POST', '/api/notary/acts', {
    sessionId: roomId,
    actType: 'acknowledgment',
    documentDescription: '授权委托书',
    jurisdiction: 'CN-ZJ',
    feeMinor: 20000,
    signers: [{ name: '张三', address: '东湖街道幸福里3栋201室' }],
  });
  const doc = await PDFDocument.create();
  doc.addPage().drawText('Power of attorney', { font: await doc.embedFont(StandardFonts.Helvetica) });
  await api(
    'POST',
    `/api/notary/acts/${body.act.id}/document`,
    await doc.save({ useObjectStreams: false }),
    'application/pdf',
  );
  return { actId: body.act.id as string, signerId: body.signers[0].id as string };
}

async function identify(actId: string, signerId: string, signerPeerId: string): Promise<void> {
  const still = async (side: string) =>
    (await api('POST', `/api/notary/acts/${actId}/stills`, { peerId: signerPeerId, side })).body.still.sha256;
  const images = { front: await still('front'), face: await still('face') };
  await api('POST', `/api/notary/acts/${actId}/identity`, [
    { signerId, method: 'id_comparison', idDocument: '居民身份证', images },
  ]);
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridroom-notary-e2e-'));
  server = await startTestServer({ DATA_DIR: dataDir, MEDIA_WORKERS: '1' });
  const fixture = await createFixture(server.app, server.url);
  token = (await fixture.as('notary')).token!;
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
  await sending(room.roomId, [notary.peerId, signer.peerId]);
  const { actId, signerId } = await newAct(room.roomId);
  await api('POST', `/api/notary/acts/${actId}/events`, { type: 'start' });
  const startedAt = Date.now();
  // What the console will offer: both people in the room, each with a camera to take stills from.
  const { body: view } = await api('GET', `/api/notary/acts/${actId}`);
  expect(view).toMatchObject({ recording: true, accepts: ['identityEstablished', 'interrupt', 'abort'] });
  expect(view.participants).toEqual(
    expect.arrayContaining([
      { peerId: notary.peerId, displayName: '周公证', camera: true },
      { peerId: signer.peerId, displayName: '张三', camera: true },
    ]),
  );
  await identify(actId, signerId, signer.peerId);
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

test('the signer closes the page mid-act: the act is interrupted, and back, they are identified again', async () => {
  const room = await server.createRoom('远程公证 · 中断', { waitingRoom: false, recording: true });
  const notary = await joinAndConsent(room.links.mediator, '周公证');
  const first = await joinAndConsent(room.links.party, '张三');
  await sending(room.roomId, [notary.peerId, first.peerId]);
  const { actId, signerId } = await newAct(room.roomId);
  await api('POST', `/api/notary/acts/${actId}/events`, { type: 'start' });
  await identify(actId, signerId, first.peerId);

  await first.page.close(); // the socket closes, the room lets the signer go, their producers close
  const interrupted = await eventually(
    async () => {
      const { body } = await api('GET', `/api/notary/acts/${actId}`);
      return body.act.state === 'interrupted' && body;
    },
    { timeoutMs: 20_000, what: 'the act interrupted by itself' },
  );
  expect(interrupted.accepts).toEqual(['resume', 'abort']);

  // Same browser (same device for the link), a new page: the signer is back.
  const again = await joinAndConsent(room.links.party, '张三', first.browser, false);
  await sending(room.roomId, [again.peerId]);
  await api('POST', `/api/notary/acts/${actId}/events`, { type: 'resume' });
  await expect(api('POST', `/api/notary/acts/${actId}/events`, { type: 'consentGiven' })).rejects.toThrow(
    /409 .*ACT_ILLEGAL_TRANSITION/,
  );
  await identify(actId, signerId, again.peerId);
  await api('POST', `/api/notary/acts/${actId}/events`, { type: 'consentGiven' });
  await api('POST', `/api/notary/acts/${actId}/events`, { type: 'documentSigned' });
  const { body } = await api('POST', `/api/notary/acts/${actId}/events`, { type: 'seal' });

  expect(body.journal.entry).toMatchObject({ outcome: 'sealed', attempts: 2 });
  const recordings = body.journal.entry.recordings as { attempt: number; reference: string; sha256: string }[];
  expect(recordings.map((r) => r.attempt)).toEqual([1, 2]);
  for (const r of recordings) {
    expect(sha256(fs.readFileSync(path.join(dataDir, 'recordings', r.reference)))).toBe(r.sha256);
  }
});
