/**
 * The notarial seal end to end on real parts: an act completed through
 * NotaryService on the real database writes its journal entry; the PDF is
 * sealed with a notary certificate issued by the deployment CA, binding the
 * act, the entry, the document and the recording; poppler's pdfsig trusts it
 * and refuses it after a one-byte change; the public verification route says
 * the same, and checks the binding against the journal.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express, { type ErrorRequestHandler } from 'express';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import pino from 'pino';
import { AppError } from '../../shared/errors';
import type { ActSignerId, StaffId } from '../../shared/ids';
import { DeploymentCa, type SignerCredentials } from '../../server/seal/DeploymentCa';
import { sealPdf } from '../../server/seal/sealPdf';
import type { JournalRow } from '../../server/notary/NotaryJournal';
import { NotaryService } from '../../server/notary/NotaryService';
import { formatBinding, parseBinding, sealNotarizedPdf, type SealBinding } from '../../server/notary/notarialSeal';
import { notaryVerifyRoutes, type NotarizedPdfReport } from '../../server/notary/verifyRoutes';
import { addNotary, FileRecordings, sha256 } from '../helpers/notary';
import { createTestDb, type TestDb } from '../helpers/testDb';

const NOTARY = '钱公证员';
const OFFICE = '东湖公证处';
const notaryId = randomUUID() as StaffId;

let dir: string;
let testDb: TestDb;
let recordings: FileRecordings;
let ca: DeploymentCa;
let notaryCert: SignerCredentials;
let server: ReturnType<ReturnType<typeof express>['listen']>;
let baseUrl: string;
let document: Uint8Array;
let row: JournalRow;
let binding: SealBinding;
let sealed: Buffer;

function pdfsig(file: string): string {
  return execFileSync('pdfsig', ['-nssdir', `sql:${path.join(dir, 'nss')}`, '-no-ocsp', file], { encoding: 'utf8' });
}

async function verify(pdf: Uint8Array | string, type = 'application/pdf') {
  const response = await fetch(`${baseUrl}/api/notary/verify`, {
    method: 'POST',
    headers: { 'Content-Type': type },
    body: typeof pdf === 'string' ? pdf : Buffer.from(pdf),
  });
  return { status: response.status, body: (await response.json()) as NotarizedPdfReport & { error?: unknown } };
}

async function makeDocument(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595, 842]);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  page.drawText('Power of attorney. Signed by the principal.', { x: 50, y: 780, size: 14, font });
  return doc.save({ useObjectStreams: false });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridroom-notarial-'));
  ca = await DeploymentCa.open({ dir: path.join(dir, 'seal-ca') });
  notaryCert = ca.issueSigner({ commonName: NOTARY, organization: OFFICE });
  const nss = path.join(dir, 'nss');
  fs.mkdirSync(nss);
  fs.writeFileSync(path.join(dir, 'ca.pem'), ca.certificatePem);
  execFileSync('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password']);
  execFileSync('certutil', ['-A', '-d', `sql:${nss}`, '-n', 'ca', '-t', 'CT,C,C', '-i', path.join(dir, 'ca.pem')]);

  testDb = await createTestDb();
  await addNotary(testDb.db, notaryId, NOTARY);
  recordings = new FileRecordings();
  const service = new NotaryService(testDb.db, { recording: recordings, logger: pino({ level: 'silent' }) });

  document = await makeDocument();
  const act = await service.schedule(notaryId, {
    actType: 'acknowledgment',
    documentDescription: 'Power of attorney',
    jurisdiction: 'CN-ZJ',
    signers: [{ name: '张三', address: '东湖街道幸福里3栋201室' }],
  });
  await service.attachDocument(act.id, document);
  await service.apply(act.id, { type: 'start' });
  const [signer] = await testDb.db.query<{ id: ActSignerId }>('select id from notary_act_signers where act_id = $1', [
    act.id,
  ]);
  await service.establishIdentity(act.id, notaryId, [{ signerId: signer!.id, method: 'personal_knowledge' }]);
  await service.apply(act.id, { type: 'consentGiven' });
  await service.apply(act.id, { type: 'documentSigned' });
  row = (await service.apply(act.id, { type: 'seal' })).journal!;
  binding = {
    actId: act.id,
    journalSeq: row.seq,
    documentSha256: row.entry.document.sha256!,
    recordingSha256: row.entry.recordings.map((r) => r.sha256),
  };
  sealed = await sealNotarizedPdf(document, notaryCert, binding, { location: OFFICE });
  fs.writeFileSync(path.join(dir, 'sealed.pdf'), sealed);

  const app = express();
  app.use('/api/notary', notaryVerifyRoutes({ q: testDb.db, caCertificatePem: ca.certificatePem }));
  // As server/http/routes.ts maps errors at the edge.
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const appError = error instanceof AppError ? error : new AppError('INTERNAL', String(error));
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
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the binding names the act, its journal entry, the document and the recording, and parses back', () => {
  expect(binding.documentSha256).toBe(sha256(document));
  expect(binding.recordingSha256).toEqual([
    sha256(fs.readFileSync(path.join(recordings.dir, `${binding.actId}-1.mkv`))),
  ]);
  expect(parseBinding(formatBinding(binding))).toEqual(binding);
  expect(parseBinding('人民调解协议书签章')).toBeUndefined();
});

test('pdfsig finds the notarized PDF valid and sealed by a certificate the deployment CA vouches for', () => {
  const out = pdfsig(path.join(dir, 'sealed.pdf'));
  expect(out).toContain('Signature is Valid.');
  expect(out).toContain('Certificate is Trusted.');
  expect(out).toContain(`Signer Certificate Common Name: ${NOTARY}`);
});

test('one changed byte makes pdfsig report the signature invalid', () => {
  const tampered = Buffer.from(sealed);
  tampered[10] = tampered[10]! ^ 0x01;
  fs.writeFileSync(path.join(dir, 'tampered.pdf'), tampered);
  const out = pdfsig(path.join(dir, 'tampered.pdf'));
  expect(out).not.toContain('Signature is Valid.');
  expect(out).toMatch(/Digest Mismatch|Signature is Invalid/);
});

test('the verification route: intact, sealed by the notary, bound to the act, and the journal agrees', async () => {
  const { status, body } = await verify(sealed);
  expect(status).toBe(200);
  expect(body).toEqual({
    intact: true,
    problem: null,
    sealedBy: NOTARY,
    sealedAt: expect.any(String),
    binding,
    journal: {
      agrees: true,
      actType: 'acknowledgment',
      performedAt: row.entry.performedAt,
      jurisdiction: 'CN-ZJ',
      notary: NOTARY,
    },
  });
  // Nothing about the signer leaves through the public route.
  expect(JSON.stringify(body)).not.toContain('张三');
});

test('the verification route finds the one-byte change', async () => {
  const tampered = Buffer.from(sealed);
  tampered[10] = tampered[10]! ^ 0x01;
  const { body } = await verify(tampered);
  expect(body).toMatchObject({ intact: false, problem: 'digest mismatch' });
});

test('a seal whose recording hash is not the journal’s is intact as a PDF but the journal disagrees', async () => {
  const forged = await sealNotarizedPdf(
    document,
    notaryCert,
    { ...binding, recordingSha256: ['0'.repeat(64)] },
    { location: OFFICE },
  );
  const { body } = await verify(forged);
  expect(body).toMatchObject({
    intact: true,
    problem: 'the journal names other recordings',
    journal: { agrees: false },
  });
  const unknownEntry = await sealNotarizedPdf(
    document,
    notaryCert,
    { ...binding, journalSeq: 99 },
    { location: OFFICE },
  );
  expect((await verify(unknownEntry)).body).toMatchObject({
    problem: 'the journal has no such entry',
    journal: { agrees: false },
  });
});

test('a seal from our CA that is not a notarial act, and a seal from another CA, are not accepted', async () => {
  const agreementSeal = await sealPdf(document, notaryCert);
  expect((await verify(agreementSeal)).body).toMatchObject({
    intact: false,
    problem: 'sealed by our CA, but not as a notarial act',
    binding: null,
  });
  const otherCa = await DeploymentCa.open({ dir: path.join(dir, 'other-ca') });
  const foreign = await sealNotarizedPdf(document, otherCa.issueSigner({ commonName: NOTARY }), binding, {
    location: OFFICE,
  });
  expect((await verify(foreign)).body).toMatchObject({ intact: false, problem: 'not issued by our CA' });
});

test('a body that is not a PDF is BAD_REQUEST, and the CA certificate is public', async () => {
  expect(await verify('hello', 'application/pdf')).toMatchObject({
    status: 400,
    body: { error: { code: 'BAD_REQUEST', message: 'that is not a PDF' } },
  });
  const pem = await (await fetch(`${baseUrl}/api/notary/ca.pem`)).text();
  expect(pem).toBe(ca.certificatePem);
});
