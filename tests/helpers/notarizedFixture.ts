/**
 * A notarized PDF made the real way, for the seal and verification-page
 * suites: a deployment CA in a temporary folder (and an NSS database trusting
 * it, for pdfsig), an act completed through NotaryService on a fresh
 * database, the signed document sealed with the notary's certificate and
 * bound to the act's journal entry, and the public verification routes
 * served over real HTTP on port 0, errors mapped as server/http/routes.ts does.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express, { type ErrorRequestHandler } from 'express';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import pino from 'pino';
import { AppError } from '../../shared/errors';
import type { ActSignerId, StaffId } from '../../shared/ids';
import { DeploymentCa, type SignerCredentials } from '../../server/seal/DeploymentCa';
import type { JournalRow } from '../../server/notary/NotaryJournal';
import { NotaryService } from '../../server/notary/NotaryService';
import { sealNotarizedPdf, type SealBinding } from '../../server/notary/notarialSeal';
import { notaryVerifyRoutes } from '../../server/notary/verifyRoutes';
import { addNotary, FileRecordings } from './notary';
import { createTestDb, type TestDb } from './testDb';

export const NOTARY = '钱公证员';
export const OFFICE = '东湖公证处';

export interface NotarizedFixture {
  dir: string;
  testDb: TestDb;
  recordings: FileRecordings;
  ca: DeploymentCa;
  notaryCert: SignerCredentials;
  /** The document as the signer signed it. */
  document: Uint8Array;
  row: JournalRow;
  binding: SealBinding;
  sealed: Buffer;
  /** Base URL of the verification routes, mounted at /api/notary. */
  baseUrl: string;
  /** pdfsig's report on a file, trusting the fixture's CA. */
  pdfsig(file: string): string;
  close(): Promise<void>;
}

async function makeDocument(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595, 842]);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  page.drawText('Power of attorney. Signed by the principal.', { x: 50, y: 780, size: 14, font });
  return doc.save({ useObjectStreams: false });
}

export async function createNotarizedFixture(): Promise<NotarizedFixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridroom-notarial-'));
  const ca = await DeploymentCa.open({ dir: path.join(dir, 'seal-ca') });
  const notaryCert = ca.issueSigner({ commonName: NOTARY, organization: OFFICE });
  const nss = path.join(dir, 'nss');
  fs.mkdirSync(nss);
  fs.writeFileSync(path.join(dir, 'ca.pem'), ca.certificatePem);
  execFileSync('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password']);
  execFileSync('certutil', ['-A', '-d', `sql:${nss}`, '-n', 'ca', '-t', 'CT,C,C', '-i', path.join(dir, 'ca.pem')]);

  const notaryId = randomUUID() as StaffId;
  const testDb = await createTestDb();
  await addNotary(testDb.db, notaryId, NOTARY);
  const recordings = new FileRecordings();
  const service = new NotaryService(testDb.db, { recording: recordings, logger: pino({ level: 'silent' }) });

  const document = await makeDocument();
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
  const row = (await service.apply(act.id, { type: 'seal' })).journal!;
  const binding: SealBinding = {
    actId: act.id,
    journalSeq: row.seq,
    documentSha256: row.entry.document.sha256!,
    recordingSha256: row.entry.recordings.map((r) => r.sha256),
  };
  const sealed = await sealNotarizedPdf(document, notaryCert, binding, { location: OFFICE });
  fs.writeFileSync(path.join(dir, 'sealed.pdf'), sealed);

  const app = express();
  app.use('/api/notary', notaryVerifyRoutes({ q: testDb.db, caCertificatePem: ca.certificatePem }));
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const appError = error instanceof AppError ? error : new AppError('INTERNAL', String(error));
    res.status(appError.httpStatus).json({ error: appError.toBody() });
  };
  app.use(onError);
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));

  return {
    dir,
    testDb,
    recordings,
    ca,
    notaryCert,
    document,
    row,
    binding,
    sealed,
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    pdfsig: (file) => execFileSync('pdfsig', ['-nssdir', `sql:${nss}`, '-no-ocsp', file], { encoding: 'utf8' }),
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await testDb.drop();
      recordings.remove();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
