/**
 * Seals a PDF with a PAdES signature (SubFilter ETSI.CAdES.detached), the
 * recipe of shared/NOTES.md that pdfsig accepts: pdf-lib adds the signature
 * placeholder, @signpdf signs the byte range with the P12 (signer key, signer
 * certificate, CA certificate).
 */
import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import { P12Signer } from '@signpdf/signer-p12';
import signpdf from '@signpdf/signpdf';
import { PDFDocument } from 'pdf-lib';
import type { SignerCredentials } from './DeploymentCa';

export interface SealOptions {
  /** Why it is sealed; default 人民调解协议书签章. */
  reason?: string;
  /** Where; default the signer's name. */
  location?: string;
  contactInfo?: string;
  /** Default now. */
  signingTime?: Date;
}

/** SUBFILTER_ETSI_CADES_DETACHED of @signpdf/utils, which is not a direct dependency. */
const SUBFILTER_ETSI_CADES_DETACHED = 'ETSI.CAdES.detached';

// Room for the CMS blob in the placeholder: two 2048-3072-bit certificates and the signature fit in well under 8 KiB.
const SIGNATURE_LENGTH = 8192;

export async function sealPdf(
  pdfBytes: Uint8Array,
  signer: SignerCredentials,
  options: SealOptions = {},
): Promise<Buffer> {
  const signingTime = options.signingTime ?? new Date();
  const pdfDoc = await PDFDocument.load(pdfBytes);
  pdflibAddPlaceholder({
    pdfDoc,
    reason: options.reason ?? '人民调解协议书签章',
    location: options.location ?? signer.commonName,
    name: signer.commonName,
    contactInfo: options.contactInfo ?? '',
    signingTime,
    signatureLength: SIGNATURE_LENGTH,
    subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    appName: 'Gridroom',
  });
  // Object streams would hide the placeholder from @signpdf's byte-range search.
  const withPlaceholder = await pdfDoc.save({ useObjectStreams: false });
  const p12Signer = new P12Signer(signer.p12, { passphrase: signer.passphrase });
  return signpdf.sign(Buffer.from(withPlaceholder), p12Signer, signingTime);
}
