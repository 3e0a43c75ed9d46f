/**
 * The notary's HTTP API on the real database, behind the real staff login:
 * a notary schedules an act and takes it to the seal; another notary, an
 * administrator and an anonymous caller are refused; bad input and illegal
 * moves get their codes; the journal export holds the notary's own entries.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import pino from 'pino';
import { AppError } from '../../shared/errors';
import { NotaryService } from '../../server/notary/NotaryService';
import { notaryRoutes } from '../../server/notary/routes';
import { Records } from '../../server/records';
import { authenticateStaff } from '../../server/staff/authenticate';
import { StaffService } from '../../server/staff/StaffService';
import { FileRecordings } from '../helpers/notary';
import { createTestDb, type TestDb } from '../helpers/testDb';

const logger = pino({ level: 'silent' });
const PASSWORD = 'correct horse battery staple';

let testDb: TestDb;
let recordings: FileRecordings;
let server: Server;
let baseUrl: string;
const tokens: Record<'notaryA' | 'notaryB' | 'admin', string> = { notaryA: '', notaryB: '', admin: '' };

async function call(who: keyof typeof tokens | null, method: string, url: string, body?: unknown, type?: string) {
  const headers: Record<string, string> = {};
  if (who) headers.Authorization = `Bearer ${tokens[who]}`;
  if (body !== undefined) headers['Content-Type'] = type ?? 'application/json';
  const response = await fetch(`${baseUrl}/api/notary${url}`, {
    method,
    headers,
    body: body === undefined ? undefined : Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type') ?? '', text, body: safeJson(text) };
}

// Answers are read loosely, as an API client would; the assertions say what they must hold.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

function safeJson(text: string): Loose {
  try {
    return JSON.parse(text) as Loose;
  } catch {
    return {};
  }
}

beforeAll(async () => {
  testDb = await createTestDb();
  const records = new Records(testDb.db);
  const staff = new StaffService(records, { sessionTtlSeconds: 3600, logger });
  const place = { gridId: null, committeeId: null, townshipId: null, districtId: null };
  for (const [key, role] of [
    ['notaryA', 'notary'],
    ['notaryB', 'notary'],
    ['admin', 'admin'],
  ] as const) {
    await staff.create(null, { username: key.toLowerCase(), displayName: key, role, password: PASSWORD, ...place });
    tokens[key] = (await staff.login(key.toLowerCase(), PASSWORD)).token;
  }
  recordings = new FileRecordings();
  const service = new NotaryService(testDb.db, { recording: recordings, logger });
  const app = express();
  app.use(authenticateStaff(records));
  app.use('/api/notary', notaryRoutes(service, testDb.db));
  // As server/http/routes.ts maps errors at the edge.
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const status = typeof error?.status === 'number' ? error.status : undefined;
    const appError =
      error instanceof AppError
        ? error
        : new AppError(status && status < 500 ? 'BAD_REQUEST' : 'INTERNAL', String(error));
    res.status(appError.httpStatus).json({ error: appError.toBody() });
  };
  app.use(onError);
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await testDb?.drop();
  recordings?.remove();
});

const ACT = {
  actType: 'acknowledgment',
  documentDescription: '授权委托书',
  jurisdiction: 'CN-ZJ',
  feeMinor: 8000,
  signers: [{ name: '张三', address: '东湖街道幸福里3栋201室' }],
};
let actId: string;
let signerId: string;

test('a notary schedules an act and reads it back with its signers and the moves it accepts', async () => {
  const created = await call('notaryA', 'POST', '/acts', ACT);
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ act: { state: 'scheduled', feeMinor: 8000 }, accepts: ['start', 'abort'] });
  actId = created.body.act.id;
  signerId = created.body.signers[0].id;
  expect((await call('notaryA', 'GET', `/acts/${actId}`)).body.signers).toEqual([
    { id: signerId, actId, position: 1, name: '张三', address: ACT.signers[0]!.address },
  ]);
});

test('another notary, an administrator and an anonymous caller are refused', async () => {
  expect((await call('notaryB', 'GET', `/acts/${actId}`)).body).toMatchObject({ error: { code: 'FORBIDDEN' } });
  expect((await call('notaryB', 'POST', `/acts/${actId}/events`, { type: 'abort', reason: 'x' })).status).toBe(403);
  expect((await call('admin', 'POST', '/acts', ACT)).body).toMatchObject({
    error: { code: 'FORBIDDEN', message: 'notaries only' },
  });
  expect((await call(null, 'GET', `/acts/${actId}`)).status).toBe(401);
  expect((await call('admin', 'GET', '/journal')).status).toBe(403);
});

test("the act list holds one's own acts only, and is for notaries", async () => {
  const mine = await call('notaryA', 'GET', '/acts');
  expect(mine.status).toBe(200);
  expect(mine.body.acts.map((a: Loose) => a.id)).toContain(actId);
  expect((await call('notaryB', 'GET', '/acts')).body.acts.map((a: Loose) => a.id)).not.toContain(actId);
  expect((await call('admin', 'GET', '/acts')).status).toBe(403);
  expect((await call(null, 'GET', '/acts')).status).toBe(401);
});

test('bad input is BAD_REQUEST and an illegal move is ACT_ILLEGAL_TRANSITION', async () => {
  expect((await call('notaryA', 'POST', '/acts', { ...ACT, signers: [] })).status).toBe(400);
  expect((await call('notaryA', 'GET', '/acts/not-a-uuid')).status).toBe(400);
  expect((await call('notaryA', 'POST', `/acts/${actId}/events`, { type: 'teleport' })).status).toBe(400);
  expect((await call('notaryA', 'POST', `/acts/${actId}/events`, { type: 'abort' })).status).toBe(400);
  expect(
    (await call('notaryA', 'POST', `/acts/${actId}/document`, Buffer.from('hello'), 'application/pdf')).status,
  ).toBe(400);
  const illegal = await call('notaryA', 'POST', `/acts/${actId}/events`, { type: 'seal' });
  expect(illegal).toMatchObject({ status: 409, body: { error: { code: 'ACT_ILLEGAL_TRANSITION' } } });
});

test('the notary takes the act from start to seal, and the seal answers with the journal entry', async () => {
  const pdf = Buffer.from('%PDF-1.7\n% a document\n');
  expect((await call('notaryA', 'POST', `/acts/${actId}/document`, pdf, 'application/pdf')).status).toBe(200);
  const started = await call('notaryA', 'POST', `/acts/${actId}/events`, { type: 'start' });
  expect(started.body).toMatchObject({ act: { state: 'identity' }, recording: true, recordings: [], journal: null });
  const identified = await call('notaryA', 'POST', `/acts/${actId}/identity`, [
    { signerId, method: 'credible_witness', witnessName: '王五' },
  ]);
  expect(identified.body).toMatchObject({ act: { state: 'recital_consent', identityMethod: 'credible_witness' } });
  await call('notaryA', 'POST', `/acts/${actId}/events`, { type: 'consentGiven' });
  await call('notaryA', 'POST', `/acts/${actId}/events`, { type: 'documentSigned' });
  const sealed = await call('notaryA', 'POST', `/acts/${actId}/events`, { type: 'seal' });
  expect(sealed.body).toMatchObject({
    act: { state: 'sealed' },
    accepts: [],
    journal: { seq: 1, entry: { actId, outcome: 'sealed', fee: { amountMinor: 8000 } } },
  });
  // What a console shows of a finished act: not recording any more, its recording and its journal entry.
  const after = (await call('notaryA', 'GET', `/acts/${actId}`)).body;
  expect(after).toMatchObject({ recording: false, participants: [], journal: { seq: 1, hash: expect.any(String) } });
  expect(after.recordings).toEqual([
    expect.objectContaining({ attempt: 1, sha256: after.journal.entry.recordings[0].sha256 }),
  ]);
});

test("the journal export holds the notary's own entries, as JSON with hashes or as CSV", async () => {
  const json = await call('notaryA', 'GET', '/journal');
  expect(json.body.entries).toHaveLength(1);
  expect(json.body.entries[0]).toMatchObject({ seq: 1, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  const csv = await call('notaryA', 'GET', '/journal?format=csv');
  expect(csv.type).toContain('text/csv');
  expect(csv.text).toContain('授权委托书');
  expect(csv.text).toContain('Credible witness (王五)');
  expect((await call('notaryB', 'GET', '/journal')).body.entries).toEqual([]);
  expect((await call('notaryA', 'GET', '/journal?format=xml')).status).toBe(400);
});
