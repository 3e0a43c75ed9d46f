/**
 * Each notary's seal certificate: issued by the deployment CA the first time
 * the notary seals, stored (its PKCS#12 and passphrase sealed with the data
 * key, so a database dump holds no usable key), and reused until it is within
 * RENEW_BEFORE_DAYS of expiry, when the next seal gets a fresh one. A notary
 * whose name changes gets a new certificate too: the seal must say who they
 * are now.
 */
import { X509Certificate } from 'node:crypto';
import type { StaffId } from '../../shared/ids';
import type { SealedBox } from '../crypto/sealedBox';
import type { Queryable } from '../db/Db';
import type { DeploymentCa, SignerCredentials } from '../seal/DeploymentCa';

const RENEW_BEFORE_DAYS = 30;

export interface NotaryIdentity {
  id: StaffId;
  /** The name the seal shows (the staff account's display name). */
  name: string;
  /** The notary office, as the certificate's organization. */
  office: string;
}

interface StoredCertificate {
  serial: string;
  commonName: string;
  certificatePem: string;
  p12Sealed: string;
  passphraseSealed: string;
}

export class NotaryCertificates {
  constructor(
    private readonly q: Queryable,
    private readonly ca: DeploymentCa,
    private readonly box: SealedBox,
  ) {}

  /** The notary's current credentials, issuing (and storing) them first when there are none fit for use. */
  async forNotary(notary: NotaryIdentity): Promise<SignerCredentials> {
    const [stored] = await this.q.query<StoredCertificate>(
      `select serial, common_name as "commonName", certificate_pem as "certificatePem", p12_sealed as "p12Sealed",
         passphrase_sealed as "passphraseSealed"
       from notary_certificates
       where notary_id = $1 and common_name = $2 and not_after > now() + make_interval(days => $3)
       order by not_after desc limit 1`,
      [notary.id, notary.name, RENEW_BEFORE_DAYS],
    );
    if (stored) {
      // The serial binds each sealed value to its row: a p12 copied onto another notary's row will not open.
      return {
        p12: Buffer.from(this.box.open(stored.p12Sealed, `notary-p12:${stored.serial}`), 'base64'),
        passphrase: this.box.open(stored.passphraseSealed, `notary-pass:${stored.serial}`),
        certificatePem: stored.certificatePem,
        commonName: stored.commonName,
      };
    }
    const issued = this.ca.issueSigner({ commonName: notary.name, organization: notary.office });
    const cert = new X509Certificate(issued.certificatePem);
    const serial = cert.serialNumber.toLowerCase().replace(/^0+(?=.)/, '');
    await this.q.query(
      `insert into notary_certificates (serial, notary_id, common_name, certificate_pem, not_after, p12_sealed,
         passphrase_sealed)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [
        serial,
        notary.id,
        notary.name,
        issued.certificatePem,
        new Date(cert.validTo).toISOString(),
        this.box.seal(issued.p12.toString('base64'), `notary-p12:${serial}`),
        this.box.seal(issued.passphrase, `notary-pass:${serial}`),
      ],
    );
    return issued;
  }
}
