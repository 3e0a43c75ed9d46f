/**
 * The notarial seal: a PAdES signature (server/seal/sealPdf.ts) with the
 * notary's certificate from the deployment's CA, whose Reason binds the act,
 * its journal entry, the document as the signer signed it and every
 * recording of the act. The signature dictionary is inside the signed byte
 * range (only /Contents is not), so changing any of these breaks the seal.
 *
 * The Reason is one line a person can read in any PDF viewer and a machine
 * can parse back:
 *   Gridroom notarial act <uuid>; journal #<seq>; document sha256:<hex>; recording sha256:<hex>[,<hex>...]
 */
import { PDFDict, PDFDocument, PDFName, PDFString, PDFHexString, PDFArray, PDFNumber } from 'pdf-lib';
import type { SignerCredentials } from '../seal/DeploymentCa';
import { sealPdf } from '../seal/sealPdf';
import { verifySealedPdf, type SealVerification } from '../seal/verifySealedPdf';

export interface SealBinding {
  actId: string;
  journalSeq: number;
  /** SHA-256 of the document as the signer signed it, before the notary's seal. */
  documentSha256: string;
  /** SHA-256 of each attempt's recording, in attempt order. */
  recordingSha256: string[];
}

export interface NotarialVerification extends SealVerification {
  /** What the seal says it belongs to; undefined when the seal is not a notarial one. */
  binding: SealBinding | undefined;
}

const PREFIX = 'Gridroom notarial act ';
const HEX64 = '[0-9a-f]{64}';
const BINDING = new RegExp(
  `^${PREFIX}([0-9a-f-]{36}); journal #(\\d+); document sha256:(${HEX64}); recording sha256:(${HEX64}(?:,${HEX64})*)$`,
);

export function formatBinding(b: SealBinding): string {
  return `${PREFIX}${b.actId}; journal #${b.journalSeq}; document sha256:${b.documentSha256}; recording sha256:${b.recordingSha256.join(',')}`;
}

export function parseBinding(reason: string): SealBinding | undefined {
  const match = BINDING.exec(reason);
  if (!match) return undefined;
  return {
    actId: match[1]!,
    journalSeq: Number(match[2]),
    documentSha256: match[3]!,
    recordingSha256: match[4]!.split(','),
  };
}

export interface NotarialSealOptions {
  /** The notary's commission or office, shown as the signature's location. */
  location: string;
  signingTime?: Date;
}

export async function sealNotarizedPdf(
  pdf: Uint8Array,
  notary: SignerCredentials,
  binding: SealBinding,
  options: NotarialSealOptions,
): Promise<Buffer> {
  if (binding.recordingSha256.length === 0) throw new Error('sealNotarizedPdf(): an act is never sealed unrecorded');
  return sealPdf(pdf, notary, {
    reason: formatBinding(binding),
    location: options.location,
    contactInfo: `journal #${binding.journalSeq}`,
    signingTime: options.signingTime,
  });
}

/** Verifies the seal (intact, whole file, our CA) and reads what it binds from the verified signature. */
export async function verifyNotarizedPdf(bytes: Uint8Array, caCertificatePem: string): Promise<NotarialVerification> {
  const seal = verifySealedPdf(bytes, caCertificatePem);
  let reason: string | undefined;
  try {
    reason = await reasonOfLastSignature(bytes);
  } catch {
    reason = undefined; // unreadable by pdf-lib: verifySealedPdf has already said why, or it is not a PDF
  }
  const binding = reason === undefined ? undefined : parseBinding(reason);
  if (seal.intact && !binding) {
    return { ...seal, intact: false, binding, problem: 'sealed by our CA, but not as a notarial act' };
  }
  return { ...seal, binding };
}

/**
 * The /Reason of the signature whose /ByteRange covers the whole file (the
 * one verifySealedPdf checked), found through the AcroForm's fields rather
 * than by searching the bytes: an earlier signature (the signer's own) has a
 * Reason too.
 */
async function reasonOfLastSignature(bytes: Uint8Array): Promise<string | undefined> {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  const fields = doc.catalog.lookupMaybe(PDFName.of('AcroForm'), PDFDict)?.lookupMaybe(PDFName.of('Fields'), PDFArray);
  let found: string | undefined;
  for (let i = 0; i < (fields?.size() ?? 0); i += 1) {
    const field = fields!.lookupMaybe(i, PDFDict);
    const value = field?.lookupMaybe(PDFName.of('V'), PDFDict);
    const range = value?.lookupMaybe(PDFName.of('ByteRange'), PDFArray);
    if (!value || !range || range.size() !== 4) continue;
    const [start, , secondStart, secondLength] = [0, 1, 2, 3].map((k) => range.lookup(k, PDFNumber).asNumber());
    if (start === 0 && secondStart! + secondLength! === bytes.byteLength) {
      const reason = value.lookup(PDFName.of('Reason'));
      if (reason instanceof PDFString || reason instanceof PDFHexString) found = reason.decodeText();
    }
  }
  return found;
}
