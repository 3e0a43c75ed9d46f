/**
 * The notarial seal end to end on real parts: an act completed through
 * NotaryService on the real database writes its journal entry; the PDF is
 * sealed with a notary certificate issued by the deployment CA, binding the
 * act, the entry, the document and the recording; poppler's pdfsig trusts it
 * and refuses it after a one-byte change; the public verification route says
 * the same, and checks the binding against the journal.
 */
import { randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { StaffId } from '../../shared/ids';
import { SealedBox } from '../../server/crypto/sealedBox';
import { DeploymentCa } from '../../server/seal/DeploymentCa';
import { sealPdf } from '../../server/seal/sealPdf';
import { NotaryCertificates } from '../../server/notary/NotaryCertificates';
import { formatBinding, parseBinding, sealNotarizedPdf } from '../../server/notary/notarialSeal';
import type { NotarizedPdfReport } from '../../server/notary/verifyRoutes';
import { addNotary, sha256 } from '../helpers/notary';
import { createNotarizedFixture, NOTARY, OFFICE, type NotarizedFixture } from '../helpers/notarizedFixture';

let f: NotarizedFixture;

async function verify(pdf: Uint8Array | string, type = 'application/pdf') {
  const response = await fetch(`${f.baseUrl}/api/notary/verify`, {
    method: 'POST',
    headers: { 'Content-Type': type },
    body: typeof pdf === 'string' ? pdf : Buffer.from(pdf),
  });
  return { status: response.status, body: (await response.json()) as NotarizedPdfReport & { error?: unknown } };
}

beforeAll(async () => {
  f = await createNotarizedFixture();
});

afterAll(async () => {
  await f?.close();
});

test('the binding names the act, its journal entry, the document and the recording, and parses back', () => {
  expect(f.binding.documentSha256).toBe(sha256(f.document));
  expect(f.binding.recordingSha256).toEqual([
    sha256(fs.readFileSync(path.join(f.recordings.dir, `${f.binding.actId}-1.mkv`))),
  ]);
  expect(parseBinding(formatBinding(f.binding))).toEqual(f.binding);
  expect(parseBinding('人民调解协议书签章')).toBeUndefined();
});

test('pdfsig finds the notarized PDF valid and sealed by a certificate the deployment CA vouches for', () => {
  const out = f.pdfsig(path.join(f.dir, 'sealed.pdf'));
  expect(out).toContain('Signature is Valid.');
  expect(out).toContain('Certificate is Trusted.');
  expect(out).toContain(`Signer Certificate Common Name: ${NOTARY}`);
});

test('one changed byte makes pdfsig report the signature invalid', () => {
  const tampered = Buffer.from(f.sealed);
  tampered[10] = tampered[10]! ^ 0x01;
  fs.writeFileSync(path.join(f.dir, 'tampered.pdf'), tampered);
  const out = f.pdfsig(path.join(f.dir, 'tampered.pdf'));
  expect(out).not.toContain('Signature is Valid.');
  expect(out).toMatch(/Digest Mismatch|Signature is Invalid/);
});

test('the verification route: intact, sealed by the notary, bound to the act, and the journal agrees', async () => {
  const { status, body } = await verify(f.sealed);
  expect(status).toBe(200);
  expect(body).toEqual({
    intact: true,
    problem: null,
    sealedBy: NOTARY,
    sealedAt: expect.any(String),
    binding: f.binding,
    journal: {
      agrees: true,
      actType: 'acknowledgment',
      performedAt: f.row.entry.performedAt,
      jurisdiction: 'CN-ZJ',
      notary: NOTARY,
    },
  });
  // Nothing about the signer leaves through the public route.
  expect(JSON.stringify(body)).not.toContain('张三');
});

test('the verification route finds the one-byte change', async () => {
  const tampered = Buffer.from(f.sealed);
  tampered[10] = tampered[10]! ^ 0x01;
  const { body } = await verify(tampered);
  expect(body).toMatchObject({ intact: false, problem: 'digest mismatch' });
});

test('a seal whose recording hash is not the journal’s is intact as a PDF but the journal disagrees', async () => {
  const forged = await sealNotarizedPdf(
    f.document,
    f.notaryCert,
    { ...f.binding, recordingSha256: ['0'.repeat(64)] },
    { location: OFFICE },
  );
  const { body } = await verify(forged);
  expect(body).toMatchObject({
    intact: true,
    problem: 'the journal names other recordings',
    journal: { agrees: false },
  });
  const unknownEntry = await sealNotarizedPdf(
    f.document,
    f.notaryCert,
    { ...f.binding, journalSeq: 99 },
    { location: OFFICE },
  );
  expect((await verify(unknownEntry)).body).toMatchObject({
    problem: 'the journal has no such entry',
    journal: { agrees: false },
  });
});

test('a seal from our CA that is not a notarial act, and a seal from another CA, are not accepted', async () => {
  const agreementSeal = await sealPdf(f.document, f.notaryCert);
  expect((await verify(agreementSeal)).body).toMatchObject({
    intact: false,
    problem: 'sealed by our CA, but not as a notarial act',
    binding: null,
  });
  const otherCa = await DeploymentCa.open({ dir: path.join(f.dir, 'other-ca') });
  const foreign = await sealNotarizedPdf(f.document, otherCa.issueSigner({ commonName: NOTARY }), f.binding, {
    location: OFFICE,
  });
  expect((await verify(foreign)).body).toMatchObject({ intact: false, problem: 'not issued by our CA' });
});

test('a body that is not a PDF is BAD_REQUEST, and the CA certificate is public', async () => {
  expect(await verify('hello', 'application/pdf')).toMatchObject({
    status: 400,
    body: { error: { code: 'BAD_REQUEST', message: 'that is not a PDF' } },
  });
  const pem = await (await fetch(`${f.baseUrl}/api/notary/ca.pem`)).text();
  expect(pem).toBe(f.ca.certificatePem);
});

describe("the notary's certificate", () => {
  const box = new SealedBox(randomBytes(32));
  const notary = { id: randomUUID() as StaffId, name: '孙公证员', office: OFFICE };
  let certificates: NotaryCertificates;

  beforeAll(async () => {
    await addNotary(f.testDb.db, notary.id, notary.name);
    certificates = new NotaryCertificates(f.testDb.db, f.ca, box);
  });

  test('is issued on first use, stored with its key sealed, and the same one comes back', async () => {
    const first = await certificates.forNotary(notary);
    const again = await certificates.forNotary(notary);
    expect(again.certificatePem).toBe(first.certificatePem);
    expect(again.p12.equals(first.p12)).toBe(true);
    const rows = await f.testDb.db.query<{ p12: string; pass: string }>(
      'select p12_sealed as p12, passphrase_sealed as pass from notary_certificates where notary_id = $1',
      [notary.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.p12).toMatch(/^v1\./);
    expect(rows[0]!.pass).not.toContain(first.passphrase);

    const sealed = await sealNotarizedPdf(f.document, again, f.binding, { location: OFFICE });
    fs.writeFileSync(path.join(f.dir, 'stored-cert.pdf'), sealed);
    const out = f.pdfsig(path.join(f.dir, 'stored-cert.pdf'));
    expect(out).toContain('Signature is Valid.');
    expect(out).toContain('Certificate is Trusted.');
    expect(out).toContain(`Signer Certificate Common Name: ${notary.name}`);
  });

  test('a new name gets a new certificate, and another data key cannot open the stored one', async () => {
    const renamed = await certificates.forNotary({ ...notary, name: '孙某某公证员' });
    expect(new X509Certificate(renamed.certificatePem).subject).toContain('CN=孙某某公证员');
    const otherKey = new NotaryCertificates(f.testDb.db, f.ca, new SealedBox(randomBytes(32)));
    await expect(otherKey.forNotary(notary)).rejects.toThrow();
  });
});
