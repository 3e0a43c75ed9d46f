/**
 * The sealed agreement PDF against real poppler tools: pdfsig trusting our CA,
 * pdftotext for the CJK text.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeploymentCa, type SignerCredentials } from '../../server/seal/DeploymentCa';
import { renderAgreementPdf } from '../../server/seal/renderAgreementPdf';
import { sealPdf } from '../../server/seal/sealPdf';
import { verifySealedPdf } from '../../server/seal/verifySealedPdf';
import { pdfsigTrusting } from '../helpers/pdfsig';

const COMMITTEE = '东湖街道人民调解委员会';
const CLAUSE = '一、被申请人于2025年3月31日前一次性赔偿申请人维修费人民币叁仟元整。';
const TEXT = [
  '人民调解协议书',
  '编号：东调〔2025〕第017号',
  `调解组织：${COMMITTEE}`,
  '',
  '当事人：',
  '申请人：张三，男，67岁，住址：东湖街道幸福里3栋201室',
  '被申请人：李四，女，45岁，住址：东湖街道幸福里3栋301室',
  '',
  '纠纷主要事实：',
  '被申请人家中水管破裂，渗水致申请人家中天花板受损。'.repeat(12),
  '',
  '经调解，自愿达成如下协议：',
  CLAUSE,
  '二、双方今后和睦相处，互不追究。',
  '',
  '日期：2025年3月1日',
  '',
].join('\n');

let dir: string;
let ca: DeploymentCa;
let signer: SignerCredentials;
let sealed: Buffer;
// Now, not the agreement's date: the signer certificate has just been issued.
const SEALED_AT = new Date(Math.floor(Date.now() / 1000) * 1000);

let pdfsig: (file: string) => string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridroom-seal-'));
  ca = await DeploymentCa.open({ dir: path.join(dir, 'seal-ca') });
  signer = ca.issueSigner({ commonName: COMMITTEE, organization: 'Gridroom' });

  pdfsig = pdfsigTrusting(dir, ca.certificatePem);

  const pdf = await renderAgreementPdf({
    caseNo: '东调〔2025〕第017号',
    committeeName: COMMITTEE,
    canonicalText: TEXT,
    hash: createHash('sha256').update(TEXT, 'utf8').digest('hex'),
    signatures: [
      {
        name: '张三',
        role: 'applicant',
        signedAt: new Date('2025-03-01T02:00:00Z'),
        drawing: [[0, 500, 250, 200, 500, 800, 750, 200, 1000, 500]],
      },
      { name: '李四', role: 'respondent', signedAt: new Date('2025-03-01T02:01:00Z') },
      { name: '王调解', role: 'mediator', signedAt: new Date('2025-03-01T02:02:00Z') },
    ],
    date: new Date('2025-03-01T02:05:00Z'),
  });
  sealed = await sealPdf(pdf, signer, { signingTime: SEALED_AT });
  fs.writeFileSync(path.join(dir, 'sealed.pdf'), sealed);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('pdfsig finds the sealed agreement valid and signed by a trusted certificate', () => {
  const out = pdfsig(path.join(dir, 'sealed.pdf'));
  expect(out).toContain('Signature is Valid.');
  expect(out).toContain('Certificate is Trusted.');
  expect(out).toContain('ETSI.CAdES.detached');
});

test('verifySealedPdf accepts the sealed agreement and names the committee', () => {
  expect(verifySealedPdf(sealed, ca.certificatePem)).toEqual({
    intact: true,
    signer: COMMITTEE,
    signedAt: SEALED_AT,
  });
});

test('one changed byte inside the signed range breaks the seal for pdfsig and verifySealedPdf', () => {
  const tampered = Buffer.from(sealed);
  // The binary comment on the second line of the header: inside the first signed range, harmless to parsers.
  tampered[10] = tampered[10]! ^ 0x01;
  fs.writeFileSync(path.join(dir, 'tampered.pdf'), tampered);
  const out = pdfsig(path.join(dir, 'tampered.pdf'));
  expect(out).not.toContain('Signature is Valid.');
  expect(out).toMatch(/Digest Mismatch|Signature is Invalid/);
  expect(verifySealedPdf(tampered, ca.certificatePem)).toMatchObject({ intact: false, problem: 'digest mismatch' });
});

test('verifySealedPdf refuses a seal from another CA', async () => {
  const other = await DeploymentCa.open({ dir: path.join(dir, 'other-ca') });
  expect(verifySealedPdf(sealed, other.certificatePem)).toMatchObject({ intact: false, signer: COMMITTEE });
});

test('the Chinese text of the agreement can be extracted from the PDF', () => {
  const text = execFileSync('pdftotext', ['-enc', 'UTF-8', path.join(dir, 'sealed.pdf'), '-'], { encoding: 'utf8' });
  const flat = text.replace(/\s+/g, '');
  expect(flat).toContain('经调解，自愿达成如下协议：');
  expect(flat).toContain(CLAUSE);
  expect(flat).toContain(createHash('sha256').update(TEXT, 'utf8').digest('hex'));
});

test('the CA persists across openings of the same folder, its key readable by the owner only', async () => {
  const again = await DeploymentCa.open({ dir: path.join(dir, 'seal-ca') });
  expect(again.certificatePem).toBe(ca.certificatePem);
  expect(fs.statSync(path.join(dir, 'seal-ca', 'ca-key.pem')).mode & 0o777).toBe(0o600);
});

/** Dark pixels on page 1, as poppler rasterises it (a grey PGM at 30 dpi). */
function inkOnFirstPage(pdf: Uint8Array, name: string): number {
  const file = path.join(dir, `${name}.pdf`);
  fs.writeFileSync(file, pdf);
  execFileSync('pdftoppm', ['-gray', '-r', '30', '-f', '1', '-l', '1', '-singlefile', file, path.join(dir, name)]);
  const pgm = fs.readFileSync(path.join(dir, `${name}.pgm`));
  // P5 header: magic, width, height, maxval, each followed by one whitespace byte.
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(pgm.subarray(0, 40).toString('latin1'))!;
  return [...pgm.subarray(header[0].length)].filter((v) => v < 128).length;
}

test('every Chinese character is drawn, not only extractable (subsetting once dropped their outlines)', async () => {
  const render = (body: string) =>
    renderAgreementPdf({
      caseNo: '1',
      committeeName: '',
      canonicalText: `${body}\n`,
      hash: '0'.repeat(64),
      signatures: [],
      date: new Date(),
    });
  // Characters whose outlines pdf-lib's subset of Droid Sans Fallback lost, many times over.
  const ink = inkOnFirstPage(await render('协编东当李张'.repeat(60)), 'glyphs');
  const blank = inkOnFirstPage(await render('。'), 'blank');
  expect(ink - blank).toBeGreaterThan(500);
});

/** The signature's CMS (DER) and the bytes it signs, cut out of a sealed PDF by its /ByteRange. */
function cmsOf(pdf: Buffer): { cms: Buffer; content: Buffer } {
  const range = [...pdf.toString('latin1').matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)].at(-1)!;
  const [a, b, c, d] = range.slice(1, 5).map(Number) as [number, number, number, number];
  const hex = pdf
    .subarray(a + b + 1, c - 1)
    .toString('latin1')
    .replace(/(00)+$/, '');
  return {
    cms: Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex'),
    content: Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]),
  };
}

test('the CMS is PAdES baseline: signing-certificate-v2 binds the signer certificate, and OpenSSL verifies it', () => {
  const { cms, content } = cmsOf(sealed);
  fs.writeFileSync(path.join(dir, 'sig.der'), cms);
  fs.writeFileSync(path.join(dir, 'content.bin'), content);
  const printed = execFileSync(
    'openssl',
    ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', path.join(dir, 'sig.der')],
    {
      encoding: 'utf8',
    },
  );
  expect(printed).toContain('id-smime-aa-signingCertificateV2');
  // PAdES: the signing time is the signature dictionary's /M, never a CMS signing-time attribute.
  expect(printed).not.toContain('signingTime');
  const verified = execFileSync(
    'openssl',
    [
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      path.join(dir, 'sig.der'),
      '-content',
      path.join(dir, 'content.bin'),
      '-CAfile',
      path.join(dir, 'ca.pem'),
      '-purpose',
      'any',
      '-out',
      '/dev/null',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  expect(verified).toBe('');
});
