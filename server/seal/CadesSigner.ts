/**
 * The CMS signature inside a sealed PDF, built to the PAdES baseline
 * (ETSI EN 319 142-1, B-B level): a detached SignedData over the PDF's byte
 * range whose signed attributes are the content type, the message digest and
 * the ESS signing-certificate-v2 (RFC 5035), which binds the signer's
 * certificate into what is signed, so that the certificate cannot be swapped
 * for another with the same key. The claimed signing time is the signature
 * dictionary's /M, as PAdES wants it, not a CMS signing-time attribute.
 *
 * @signpdf's P12Signer uses node-forge's PKCS#7 writer, which can write only
 * content type, message digest and signing time; this builds the same
 * structure with forge's ASN.1 primitives instead, adding the one attribute.
 */
import { Signer } from '@signpdf/signpdf';
import forge from 'node-forge';
import type { SignerCredentials } from './DeploymentCa';

const { asn1, pki, md } = forge;
const U = asn1.Class.UNIVERSAL;
const T = asn1.Type;

export const OIDS = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
} as const;

const oid = (value: string) => asn1.create(U, T.OID, false, asn1.oidToDer(value).getBytes());
const seq = (items: forge.asn1.Asn1[]) => asn1.create(U, T.SEQUENCE, true, items);
const set = (items: forge.asn1.Asn1[]) => asn1.create(U, T.SET, true, items);
const octets = (bytes: string) => asn1.create(U, T.OCTETSTRING, false, bytes);
const integer = (n: number) => asn1.create(U, T.INTEGER, false, asn1.integerToDer(n).getBytes());
const serial = (cert: forge.pki.Certificate) =>
  asn1.create(U, T.INTEGER, false, forge.util.hexToBytes(cert.serialNumber));
const algorithm = (id: string) => seq([oid(id), asn1.create(U, T.NULL, false, '')]);
const attribute = (type: string, value: forge.asn1.Asn1) => seq([oid(type), set([value])]);
const der = (node: forge.asn1.Asn1) => asn1.toDer(node).getBytes();
const sha256 = (bytes: string) => md.sha256.create().update(bytes).digest().getBytes();

export class CadesSigner extends Signer {
  readonly #key: forge.pki.rsa.PrivateKey;
  readonly #certificate: forge.pki.Certificate;
  readonly #chain: forge.pki.Certificate[];

  /** Reads the signer's key, its certificate and the CA's from the PKCS#12 the deployment CA issued. */
  constructor(credentials: SignerCredentials) {
    super();
    const p12 = forge.pkcs12.pkcs12FromAsn1(
      asn1.fromDer(forge.util.createBuffer(credentials.p12.toString('binary'))),
      false,
      credentials.passphrase,
    );
    const key = p12.getBags({ bagType: pki.oids.pkcs8ShroudedKeyBag! })[pki.oids.pkcs8ShroudedKeyBag!]?.[0]?.key;
    const certificates = (p12.getBags({ bagType: pki.oids.certBag! })[pki.oids.certBag!] ?? []).flatMap((bag) =>
      bag.cert ? [bag.cert] : [],
    );
    const rsa = key as forge.pki.rsa.PrivateKey | undefined;
    const own = certificates.find((cert) => {
      const pub = cert.publicKey as forge.pki.rsa.PublicKey;
      return rsa !== undefined && pub.n.compareTo(rsa.n) === 0 && pub.e.compareTo(rsa.e) === 0;
    });
    if (!rsa || !own) throw new Error('CadesSigner: the PKCS#12 holds no key with its certificate');
    this.#key = rsa;
    this.#certificate = own;
    this.#chain = certificates;
  }

  /** @signpdf calls this with the bytes of the signed ranges; the answer goes into /Contents. */
  override async sign(pdf: Buffer): Promise<Buffer> {
    const cert = this.#certificate;
    const essCertIdV2 = seq([
      // hashAlgorithm is left out: SHA-256 is its DEFAULT, and DER omits defaults.
      octets(sha256(der(pki.certificateToAsn1(cert)))),
      seq([
        seq([asn1.create(asn1.Class.CONTEXT_SPECIFIC, 4, true, [pki.distinguishedNameToAsn1(cert.issuer)])]),
        serial(cert),
      ]),
    ]);
    const attributes = [
      attribute(OIDS.contentType, oid(OIDS.data)),
      attribute(OIDS.messageDigest, octets(sha256(pdf.toString('binary')))),
      attribute(OIDS.signingCertificateV2, seq([seq([essCertIdV2])])),
    ].sort((a, b) => Buffer.compare(Buffer.from(der(a), 'binary'), Buffer.from(der(b), 'binary')));
    // What is signed is the DER of the attributes as a SET (RFC 5652 5.4), stored as [0] IMPLICIT.
    const digest = md.sha256.create().update(der(set(attributes)));
    const signature = this.#key.sign(digest);

    const signerInfo = seq([
      integer(1),
      seq([pki.distinguishedNameToAsn1(cert.issuer), serial(cert)]),
      algorithm(OIDS.sha256),
      asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, attributes),
      algorithm(OIDS.rsaEncryption),
      octets(signature),
    ]);
    const signedData = seq([
      integer(1),
      set([algorithm(OIDS.sha256)]),
      seq([oid(OIDS.data)]),
      asn1.create(
        asn1.Class.CONTEXT_SPECIFIC,
        0,
        true,
        this.#chain.map((c) => pki.certificateToAsn1(c)),
      ),
      set([signerInfo]),
    ]);
    const contentInfo = seq([oid(OIDS.signedData), asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [signedData])]);
    return Buffer.from(der(contentInfo), 'binary');
  }
}
