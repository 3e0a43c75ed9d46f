/**
 * Seals a PDF with a PAdES signature (SubFilter ETSI.CAdES.detached), the
 * recipe of shared/NOTES.md that pdfsig accepts: pdf-lib adds the signature
 * placeholder (its /M is the signing time), @signpdf fills it with the CMS
 * that CadesSigner makes from the P12 (signer key, signer certificate, CA
 * certificate), with the signed attributes PAdES baseline B asks for.
 */
import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import signpdf from '@signpdf/signpdf';
import { PDFDocument } from 'pdf-lib';
import { CadesSigner } from './CadesSigner';
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
  return signpdf.sign(Buffer.from(withPlaceholder), new CadesSigner(signer), signingTime);
}
