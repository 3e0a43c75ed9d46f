/**
 * The deployment's own certificate authority: the root that every seal
 * certificate of this deployment chains to. It is generated at first start
 * into the data folder (key file mode 0600) and reused afterwards; verifiers
 * trust its certificate (`certificatePem`), never the signer certificates.
 *
 * The extensions are the ones poppler's pdfsig needs before it says
 * "Certificate is Trusted" (see shared/NOTES.md, "PDF seals and pdfsig"):
 * signer certificates carry extendedKeyUsage and cRLDistributionPoints, and no
 * OCSP address.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';

const KEY_FILE = 'ca-key.pem';
const CERT_FILE = 'ca-cert.pem';

export interface DeploymentCaOptions {
  /** Folder of the CA's key and certificate, e.g. `<DATA_DIR>/seal-ca`; created when missing. */
  dir: string;
  /** Common name of a newly generated CA. */
  commonName?: string;
  /** Written into signer certificates' cRLDistributionPoints; never fetched by pdfsig, but it must be there. */
  crlUrl?: string;
}

/** What `sealPdf` signs with: a PKCS#12 holding the signer's key, its certificate and the CA certificate. */
export interface SignerCredentials {
  /** DER bytes of the PKCS#12 (3DES), as @signpdf/signer-p12 reads it. */
  p12: Buffer;
  /** Passphrase of `p12`; random per issue. */
  passphrase: string;
  /** The signer's certificate. */
  certificatePem: string;
  /** The signer's common name (the committee's name), as verifiers show it. */
  commonName: string;
}

export interface IssueSignerOptions {
  /** Who seals: e.g. 某某街道人民调解委员会. */
  commonName: string;
  organization?: string;
  /** Default 5 years. */
  validDays?: number;
}

export class DeploymentCa {
  readonly #key: forge.pki.rsa.PrivateKey;
  readonly #cert: forge.pki.Certificate;
  readonly #crlUrl: string;

  private constructor(key: forge.pki.rsa.PrivateKey, cert: forge.pki.Certificate, crlUrl: string) {
    this.#key = key;
    this.#cert = cert;
    this.#crlUrl = crlUrl;
  }

  /** Opens the CA in `dir`, generating it first when the folder holds none. */
  static async open(options: DeploymentCaOptions): Promise<DeploymentCa> {
    const crlUrl = options.crlUrl ?? 'http://localhost/seal/ca.crl';
    const keyFile = path.join(options.dir, KEY_FILE);
    if (!fs.existsSync(keyFile)) generateInto(options.dir, options.commonName ?? 'Gridroom Deployment Seal CA');
    const key = forge.pki.privateKeyFromPem(fs.readFileSync(keyFile, 'utf8'));
    const cert = forge.pki.certificateFromPem(fs.readFileSync(path.join(options.dir, CERT_FILE), 'utf8'));
    return new DeploymentCa(key, cert, crlUrl);
  }

  /** The CA certificate, for verifiers' trust stores and the public verification page. */
  get certificatePem(): string {
    return forge.pki.certificateToPem(this.#cert);
  }

  /** Issues a seal certificate signed by this CA, with a fresh RSA 2048 key. */
  issueSigner(options: IssueSignerOptions): SignerCredentials {
    const key = forge.pki.privateKeyFromPem(rsaKeyPem());
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
    cert.serialNumber = serialNumber();
    cert.validity.notBefore = new Date(Date.now() - 60_000);
    cert.validity.notAfter = new Date(Date.now() + (options.validDays ?? 5 * 365) * 86_400_000);
    cert.setSubject(subject(options.commonName, options.organization));
    cert.setIssuer(reusable(this.#cert.subject.attributes));
    cert.setExtensions([
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', critical: true, digitalSignature: true, nonRepudiation: true },
      { name: 'extKeyUsage', emailProtection: true },
      { name: 'cRLDistributionPoints', altNames: [{ type: 6, value: this.#crlUrl }] },
      { name: 'subjectKeyIdentifier' },
      { name: 'authorityKeyIdentifier', keyIdentifier: this.#cert.generateSubjectKeyIdentifier().getBytes() },
    ]);
    cert.sign(this.#key, forge.md.sha256.create());

    const passphrase = randomBytes(18).toString('base64url');
    const p12Asn1 = forge.pkcs12.toPkcs12Asn1(key, [cert, this.#cert], passphrase, { algorithm: '3des' });
    return {
      p12: Buffer.from(forge.asn1.toDer(p12Asn1).getBytes(), 'binary'),
      passphrase,
      certificatePem: forge.pki.certificateToPem(cert),
      commonName: options.commonName,
    };
  }
}

/**
 * Writes a new CA into `dir`. Both files go into a private temporary folder
 * that is then renamed into place: if two processes start at once, one rename
 * wins and the other process reads the winner's CA instead of mixing halves.
 */
function generateInto(dir: string, commonName: string): void {
  const parent = path.dirname(path.resolve(dir));
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, '.seal-ca-'));
  try {
    const keyPem = rsaKeyPem(3072);
    const key = forge.pki.privateKeyFromPem(keyPem);
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
    cert.serialNumber = serialNumber();
    cert.validity.notBefore = new Date(Date.now() - 60_000);
    cert.validity.notAfter = new Date(Date.now() + 20 * 365 * 86_400_000);
    cert.setSubject(subject(commonName, 'Gridroom'));
    cert.setIssuer(subject(commonName, 'Gridroom'));
    cert.setExtensions([
      { name: 'basicConstraints', critical: true, cA: true },
      { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true },
      { name: 'subjectKeyIdentifier' },
      { name: 'authorityKeyIdentifier', keyIdentifier: cert.generateSubjectKeyIdentifier().getBytes() },
    ]);
    cert.sign(key, forge.md.sha256.create());
    fs.writeFileSync(path.join(tmp, KEY_FILE), keyPem, { mode: 0o600 });
    fs.writeFileSync(path.join(tmp, CERT_FILE), forge.pki.certificateToPem(cert), { mode: 0o644 });
    try {
      fs.renameSync(tmp, dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // An existing folder: empty (made by hand or by a mount) is ours to fill, otherwise someone won the race.
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
      if (!fs.existsSync(path.join(dir, KEY_FILE))) {
        fs.copyFileSync(path.join(tmp, KEY_FILE), path.join(dir, KEY_FILE), fs.constants.COPYFILE_EXCL);
        fs.chmodSync(path.join(dir, KEY_FILE), 0o600);
        fs.copyFileSync(path.join(tmp, CERT_FILE), path.join(dir, CERT_FILE));
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** node:crypto generates RSA keys in native code; node-forge's pure-JS generator takes seconds. */
function rsaKeyPem(modulusLength = 2048): string {
  return generateKeyPairSync('rsa', { modulusLength }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
}

/** A positive 128-bit serial (a leading 0 nibble keeps DER from reading it as negative). */
function serialNumber(): string {
  return `0${randomBytes(16).toString('hex').slice(1)}`;
}

/** Names are UTF8String so a Chinese committee name survives; forge's default, PrintableString, would mangle it. */
function subject(commonName: string, organization?: string): forge.pki.CertificateField[] {
  const utf8 = forge.asn1.Type.UTF8;
  return [
    { name: 'commonName', value: commonName, valueTagClass: utf8 as never },
    ...(organization ? [{ name: 'organizationName', value: organization, valueTagClass: utf8 as never }] : []),
  ];
}

/**
 * A parsed name, ready to be written again: forge parses UTF8String values as
 * raw UTF-8 bytes but encodes them on writing, so they are decoded first (else
 * the issuer would not match the CA's subject byte for byte).
 */
function reusable(attributes: forge.pki.CertificateField[]): forge.pki.CertificateField[] {
  return attributes.map((attr) => ({
    type: attr.type,
    value:
      (attr.valueTagClass as number | undefined) === forge.asn1.Type.UTF8
        ? forge.util.decodeUtf8(String(attr.value))
        : attr.value,
    valueTagClass: attr.valueTagClass,
  }));
}
