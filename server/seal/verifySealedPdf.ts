/**
 * Checks a PDF sealed by `sealPdf`, for the server and the public verification
 * page: the last signature covers the whole file (nothing appended after it),
 * its CMS message digest matches the signed byte range, the signed attributes
 * verify under the signer's key, and the signer's certificate was issued by
 * our CA. node-forge parses the CMS; node:crypto checks the signatures (forge
 * has no PKCS#7 verification).
 */
import { X509Certificate, createHash, timingSafeEqual, verify } from 'node:crypto';
import forge from 'node-forge';

export interface SealVerification {
  /** The signature is whole, covers the whole file and chains to our CA. */
  intact: boolean;
  /** The signer certificate's common name (the committee). */
  signer: string | undefined;
  /** When it was sealed: the signature dictionary's /M (PAdES), or an older seal's CMS signingTime. */
  signedAt: Date | undefined;
  /** Why `intact` is false. */
  problem?: string;
}

const OID = {
  sha256: '2.16.840.1.101.3.4.2.1',
  messageDigest: forge.pki.oids.messageDigest!,
  signingTime: forge.pki.oids.signingTime!,
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
};

export function verifySealedPdf(bytes: Uint8Array, caCertificatePem: string): SealVerification {
  const pdf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Filled in as they are read, so a failure still tells who signed and when.
  const seen: { signer?: string; signedAt?: Date } = {};
  const fail = (problem: string): SealVerification => ({
    intact: false,
    signer: seen.signer,
    signedAt: seen.signedAt,
    problem,
  });

  const range = lastByteRange(pdf);
  if (!range) return fail('no signature');
  const [start, firstLength, secondStart, secondLength] = range;
  if (start !== 0 || secondStart + secondLength !== pdf.length || firstLength >= secondStart) {
    return fail('the signature does not cover the whole file');
  }
  const contents = pdf.subarray(firstLength, secondStart).toString('latin1');
  if (!/^<[0-9a-fA-F]+>$/.test(contents)) return fail('malformed signature contents');

  let message: forge.pkcs7.PkcsSignedData & { rawCapture: RawCapture };
  try {
    const der = forge.util.hexToBytes(contents.slice(1, -1));
    // The placeholder is zero-padded past the DER; parseAllBytes: false ignores the padding.
    const asn1 = forge.asn1.fromDer(der, { parseAllBytes: false } as never);
    message = forge.pkcs7.messageFromAsn1(asn1) as typeof message;
  } catch (error) {
    return fail(`unreadable signature: ${(error as Error).message}`);
  }
  const raw = message.rawCapture;
  const attributes = parseAttributes(raw.authenticatedAttributes ?? []);
  seen.signedAt = signatureTime(pdf, firstLength) ?? attributes.signingTime;
  if (forge.asn1.derToOid(raw.digestAlgorithm) !== OID.sha256) return fail('digest algorithm is not SHA-256');

  const digest = createHash('sha256')
    .update(pdf.subarray(0, firstLength))
    .update(pdf.subarray(secondStart, secondStart + secondLength))
    .digest();
  if (!attributes.messageDigest || !safeEqual(digest, attributes.messageDigest)) return fail('digest mismatch');

  // What was signed is the DER of the signed attributes as a SET, not as the [0] they are stored under.
  const signedAttributes = Buffer.from(
    forge.asn1
      .toDer(
        forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SET, true, raw.authenticatedAttributes ?? []),
      )
      .getBytes(),
    'binary',
  );
  const signature = Buffer.from(raw.signature, 'binary');
  const certificates = message.certificates.map((cert) => new X509Certificate(forge.pki.certificateToPem(cert)));
  const signerCert = certificates.find(
    (cert) => !cert.ca && verify('sha256', signedAttributes, cert.publicKey, signature),
  );
  if (!signerCert) return fail('no certificate in the signature verifies it');
  seen.signer = commonName(signerCert);
  // The signed ESS signing-certificate-v2 names the signer's certificate by its hash: another
  // certificate with the same key (issued to someone else) does not pass as the signer.
  if (
    attributes.certificateHash &&
    !safeEqual(attributes.certificateHash, createHash('sha256').update(signerCert.raw).digest())
  ) {
    return fail('the signed signing-certificate attribute names another certificate');
  }

  const ca = new X509Certificate(caCertificatePem);
  if (!signerCert.checkIssued(ca) || !signerCert.verify(ca.publicKey)) return fail('not issued by our CA');
  const at = seen.signedAt ?? new Date();
  if (at < new Date(signerCert.validFrom) || at > new Date(signerCert.validTo)) {
    return fail('signed outside the certificate validity');
  }
  return { intact: true, signer: seen.signer, signedAt: seen.signedAt };
}

interface RawCapture {
  authenticatedAttributes?: forge.asn1.Asn1[];
  digestAlgorithm: string;
  signature: string;
}

/** The last /ByteRange [a b c d] in the file: the signature of the latest revision. */
function lastByteRange(pdf: Buffer): [number, number, number, number] | undefined {
  const text = pdf.toString('latin1');
  const matches = [...text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)];
  const last = matches.at(-1);
  return last ? [Number(last[1]), Number(last[2]), Number(last[3]), Number(last[4])] : undefined;
}

interface SignedAttributes {
  messageDigest?: Buffer;
  signingTime?: Date;
  /** certHash of the first ESSCertIDv2 of the signing-certificate-v2 attribute (SHA-256, its default). */
  certificateHash?: Buffer;
}

function parseAttributes(attributes: forge.asn1.Asn1[]): SignedAttributes {
  const out: SignedAttributes = {};
  for (const attribute of attributes) {
    const [oid, set] = attribute.value as forge.asn1.Asn1[];
    const value = (set?.value as forge.asn1.Asn1[] | undefined)?.[0];
    if (!oid || !value) continue;
    const name = forge.asn1.derToOid(oid.value as string);
    if (name === OID.messageDigest) out.messageDigest = Buffer.from(value.value as string, 'binary');
    if (name === OID.signingCertificateV2) {
      // SigningCertificateV2 { certs SEQUENCE OF ESSCertIDv2 { [hashAlgorithm], certHash, [issuerSerial] } }
      const first = ((value.value as forge.asn1.Asn1[])[0]?.value as forge.asn1.Asn1[] | undefined)?.[0];
      const hash = (first?.value as forge.asn1.Asn1[] | undefined)?.find(
        (part) => part.type === forge.asn1.Type.OCTETSTRING,
      );
      if (hash) out.certificateHash = Buffer.from(hash.value as string, 'binary');
    }
    if (name === OID.signingTime) {
      out.signingTime =
        value.type === forge.asn1.Type.UTCTIME
          ? forge.asn1.utcTimeToDate(value.value as string)
          : forge.asn1.generalizedTimeToDate(value.value as string);
    }
  }
  return out;
}

/**
 * The /M of the signature dictionary the signature's /Contents belong to: the
 * dictionary is written around /Contents, so its /M is the nearest one on either
 * side of where the signed range breaks off.
 */
function signatureTime(pdf: Buffer, contentsAt: number): Date | undefined {
  const around = pdf.subarray(Math.max(0, contentsAt - 4096), contentsAt).toString('latin1');
  const after = pdf.subarray(contentsAt, Math.min(pdf.length, contentsAt + 40_000)).toString('latin1');
  const before = [...around.matchAll(/\/M\s*\(D:(\d{14})(Z|[+-]\d{2}'?\d{2}'?)?\)/g)].at(-1);
  const match = before ?? /\/M\s*\(D:(\d{14})(Z|[+-]\d{2}'?\d{2}'?)?\)/.exec(after.replace(/^<[0-9a-fA-F]*>/, ''));
  if (!match) return undefined;
  const d = match[1]!;
  const zone = (match[2] ?? 'Z').replace(/'/g, '');
  const offset = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(3, 5)}`;
  const date = new Date(
    `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(8, 10)}:${d.slice(10, 12)}:${d.slice(12, 14)}${offset}`,
  );
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function commonName(cert: X509Certificate): string | undefined {
  return /^CN=(.*)$/m.exec(cert.subject)?.[1];
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
