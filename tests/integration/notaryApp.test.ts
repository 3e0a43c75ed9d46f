/**
 * Remote notarization through the real server, as the "done when"
 * puts it (without the browsers): a notary logs in and runs an act in a live
 * room where the notary and the signer send camera and microphone (ffmpeg);
 * stills of the signer's ID and face are taken in the SFU; the act is
 * recorded, journaled and sealed. The sealed PDF passes
 * pdfsig against the deployment CA and fails after a one-byte change; ffprobe
 * shows audio and video covering the act; the recording's hash is the
 * journal's; the public verification route agrees.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { PeerId } from '../../shared/ids';
import { eventually } from '../helpers/eventually';
import { ffmpegParticipant, type FfmpegParticipant } from '../helpers/ffmpegParticipant';
import { sha256 } from '../helpers/notary';
import { createFixture, type Fixture } from '../helpers/records';
import { startTestServer, type TestServer } from '../helpers/testServer';

let dataDir: string;
let server: TestServer;
let fixture: Fixture;
let token: string;
const participants: FfmpegParticipant[] = [];

async function api(method: string, url: string, body?: unknown, type = 'application/json') {
  const response = await fetch(`${server.url}${url}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': type }) },
    body: body === undefined ? undefined : body instanceof Uint8Array ? new Uint8Array(body) : JSON.stringify(body),
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  const isJson = (response.headers.get('content-type') ?? '').includes('json');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read as an API client would
  return { status: response.status, bytes, body: (isJson ? JSON.parse(bytes.toString('utf8')) : {}) as any };
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridroom-notary-app-'));
  server = await startTestServer({ DATA_DIR: dataDir });
  fixture = await createFixture(server.app, server.url);
  token = (await fixture.as('notary')).token!;
});

afterAll(async () => {
  await Promise.all(participants.map((p) => p.stop()));
  await server?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

test('a notary runs an act in a live room to the seal; PDF, recording and journal agree', async () => {
  const room = await server.createRoom('公证 · 授权委托书', { waitingRoom: false, recording: true });
  // The room goes live when its first participant arrives; here the participants are ffmpeg processes.
  const live = await server.app.rooms.getOrCreate(room.roomId, { title: 'n', waitingRoom: false, recording: true });
  participants.push(await ffmpegParticipant(live.media, 'notary' as PeerId, 1000));
  participants.push(await ffmpegParticipant(live.media, 'signer' as PeerId, 2000));

  const created = await api('POST', '/api/notary/acts', {
    sessionId: room.roomId,
    actType: 'acknowledgment',
    documentDescription: '授权委托书',
    jurisdiction: 'CN-ZJ',
    feeMinor: 20000,
    signers: [{ name: '张三', address: '东湖街道幸福里3栋201室' }],
  });
  expect(created.status).toBe(201);
  const actId: string = created.body.act.id;
  const signerId: string = created.body.signers[0].id;

  const doc = await PDFDocument.create();
  doc.addPage().drawText('Power of attorney', { font: await doc.embedFont(StandardFonts.Helvetica) });
  const signedPdf = await doc.save({ useObjectStreams: false });
  expect((await api('POST', `/api/notary/acts/${actId}/document`, signedPdf, 'application/pdf')).status).toBe(200);

  const move = async (type: string) => {
    const reply = await api('POST', `/api/notary/acts/${actId}/events`, { type });
    expect(reply).toMatchObject({ status: 200 });
    return reply.body;
  };
  await move('start');
  const startedAt = Date.now();
  // The signer holds the ID up, then shows their face: stills taken in the SFU from their camera.
  const still = async (side: string) => {
    const reply = await api('POST', `/api/notary/acts/${actId}/stills`, { peerId: 'signer', side });
    expect(reply.status).toBe(201);
    return reply.body.still.sha256 as string;
  };
  const [front, face] = [await still('front'), await still('face')];
  const png = await api('GET', `/api/notary/acts/${actId}/stills/${face}`);
  expect(png.status).toBe(200);
  expect(sha256(png.bytes)).toBe(face);
  expect(png.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  const identified = await api('POST', `/api/notary/acts/${actId}/identity`, [
    { signerId, method: 'id_comparison', idDocument: '居民身份证', images: { front, face } },
  ]);
  expect(identified.body.act.state).toBe('recital_consent');
  await move('consentGiven');
  await move('documentSigned');
  await eventually(() => Date.now() - startedAt > 3000, {
    timeoutMs: 8000,
    intervalMs: 200,
    what: 'three seconds of act',
  });
  const { act, journal } = await move('seal');
  expect(act.state).toBe('sealed');

  // The recording: one file, audio and video of both participants, covering the act; its hash is the journal's.
  const [recording] = journal.entry.recordings as { reference: string; sha256: string }[];
  const file = path.join(dataDir, 'recordings', recording!.reference);
  expect(sha256(fs.readFileSync(file))).toBe(recording!.sha256);
  const probe = JSON.parse(
    execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file], {
      encoding: 'utf8',
    }),
  ) as { streams: { codec_type: string }[]; format: { duration: string } };
  expect(probe.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'audio', 'video', 'video']);
  expect(Number(probe.format.duration)).toBeGreaterThan(2.5);

  // The sealed PDF against poppler, trusting the CA the server publishes.
  const sealed = await api('GET', `/api/notary/acts/${actId}/sealed.pdf`);
  expect({ status: sealed.status, text: sealed.status === 200 ? '' : sealed.bytes.toString('utf8') }).toEqual({
    status: 200,
    text: '',
  });
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
  const report = pdfsig(sealed.bytes);
  expect(report).toContain('Signature is Valid.');
  expect(report).toContain('Certificate is Trusted.');
  expect(report).toContain('Signer Certificate Common Name: 周公证');
  const tampered = Buffer.from(sealed.bytes);
  tampered[10] = tampered[10]! ^ 0x01;
  expect(pdfsig(tampered)).not.toContain('Signature is Valid.');

  // Anyone may check it: intact, bound to this act, its journal entry and its recording.
  const verified = await fetch(`${server.url}/api/notary/verify`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/pdf' },
    body: new Uint8Array(sealed.bytes),
  });
  expect(await verified.json()).toMatchObject({
    intact: true,
    sealedBy: '周公证',
    binding: {
      actId,
      journalSeq: journal.seq,
      documentSha256: sha256(signedPdf),
      recordingSha256: [recording!.sha256],
    },
    journal: { agrees: true },
  });
});

test('an act cannot start in a room that does not announce recording', async () => {
  const room = await server.createRoom('not recorded', { waitingRoom: false, recording: false });
  const created = await api('POST', '/api/notary/acts', {
    sessionId: room.roomId,
    actType: 'jurat',
    documentDescription: '声明书',
    jurisdiction: 'CN',
    signers: [{ name: '李四', address: '东湖街道幸福里3栋301室' }],
  });
  await server.app.rooms.getOrCreate(room.roomId, { title: 'not recorded', waitingRoom: false, recording: false });
  const start = await api('POST', `/api/notary/acts/${created.body.act.id}/events`, { type: 'start' });
  expect(start).toMatchObject({ status: 409, body: { error: { code: 'ACT_PRECONDITION_FAILED' } } });
  expect(start.body.error.message).toMatch(/recorded room/);
});

test('the notary routes need a login, and the verification page does not', async () => {
  expect((await fetch(`${server.url}/api/notary/acts`, { method: 'POST' })).status).toBe(401);
  expect((await fetch(`${server.url}/api/notary/journal`)).status).toBe(401);
  const page = await fetch(`${server.url}/api/notary/verify`);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('type="file"');
});

test('the public verification is limited per address: past 30 a minute it answers 429 RATE_LIMITED', async () => {
  const verify = () =>
    fetch(`${server.url}/api/notary/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/pdf' },
      body: 'not a pdf',
    });
  const statuses: number[] = [];
  for (let i = 0; i < 31; i++) statuses.push((await verify()).status);
  // Answered (400: not a PDF) up to the limit (less what earlier tests of this file used), then refused.
  const firstRefused = statuses.indexOf(429);
  expect(firstRefused).toBeGreaterThanOrEqual(25);
  expect(statuses.slice(0, firstRefused).every((s) => s === 400)).toBe(true);
  expect(statuses.slice(firstRefused).every((s) => s === 429)).toBe(true);
  const refused = await verify();
  expect(await refused.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
  expect(refused.headers.get('ratelimit-policy')).toContain('30');
});
