/**
 * The agreement's versions and signatures on the records database
 * (007_agreement_signing.sql). Every change is one statement or one
 * transaction with its audit row, so there is never a signature without its
 * record nor a voiding half done.
 */
import type { CaseId, PartyId, RoomId } from '../../shared/ids';
import type { SignatureDrawing, SignatoryKey } from '../../shared/signing';
import type { Queryable } from '../db/Db';

export type VersionStatus = 'locked' | 'voided' | 'sealed';

export interface VersionRecord {
  id: string;
  caseId: CaseId;
  canonicalText: string;
  sha256: string;
  status: VersionStatus;
  lockedAt: Date;
  voidedAt: Date | null;
  voidReason: 'unlocked' | 'edited' | null;
  sealedAt: Date | null;
  sealedPdfSha256: string | null;
}

export interface SignatureRecord {
  id: string;
  versionId: string;
  signatory: SignatoryKey;
  role: 'applicant' | 'respondent' | 'mediator';
  partyId: PartyId | null;
  typedName: string;
  drawing: SignatureDrawing;
  consentText: string;
  sha256: string;
  sessionId: RoomId;
  linkId: string;
  deviceId: string;
  userAgent: string | null;
  signedAt: Date;
  voidedAt: Date | null;
}

const VERSION_COLUMNS = `id, case_id as "caseId", canonical_text as "canonicalText", sha256, status,
  locked_at as "lockedAt", voided_at as "voidedAt", void_reason as "voidReason",
  sealed_at as "sealedAt", sealed_pdf_sha256 as "sealedPdfSha256"`;

const SIGNATURE_COLUMNS = `id, version_id as "versionId", signatory, role, party_id as "partyId",
  typed_name as "typedName", drawing, consent_text as "consentText", sha256, session_id as "sessionId",
  link_id as "linkId", device_id as "deviceId", user_agent as "userAgent", signed_at as "signedAt",
  voided_at as "voidedAt"`;

export class SigningStore {
  constructor(private readonly q: Queryable) {}

  /** The version that is locked or sealed, if any (there is at most one). */
  async live(caseId: CaseId): Promise<VersionRecord | undefined> {
    const [row] = await this.q.query<VersionRecord>(
      `select ${VERSION_COLUMNS} from agreement_versions where case_id = $1 and status <> 'voided'`,
      [caseId],
    );
    return row;
  }

  /** The last version voided, for "signatures were voided" until the next lock. */
  async lastVoided(caseId: CaseId): Promise<VersionRecord | undefined> {
    const [row] = await this.q.query<VersionRecord>(
      `select ${VERSION_COLUMNS} from agreement_versions where case_id = $1 and status = 'voided'
       order by voided_at desc limit 1`,
      [caseId],
    );
    return row;
  }

  async insertVersion(v: { id: string; caseId: CaseId; canonicalText: string; sha256: string; linkId: string }) {
    await this.q.query(
      `insert into agreement_versions (id, case_id, canonical_text, sha256, status, locked_by_link)
       values ($1, $2, $3, $4, 'locked', $5)`,
      [v.id, v.caseId, v.canonicalText, v.sha256, v.linkId],
    );
  }

  /** Voids a locked version and its signatures; false when it was not locked (any more). */
  async voidVersion(versionId: string, reason: 'unlocked' | 'edited'): Promise<boolean> {
    const rows = await this.q.query(
      `update agreement_versions set status = 'voided', voided_at = now(), void_reason = $2
       where id = $1 and status = 'locked' returning id`,
      [versionId, reason],
    );
    if (rows.length === 0) return false;
    await this.q.query('update agreement_signatures set voided_at = now() where version_id = $1', [versionId]);
    return true;
  }

  async signatures(versionId: string): Promise<SignatureRecord[]> {
    return this.q.query<SignatureRecord>(
      `select ${SIGNATURE_COLUMNS} from agreement_signatures where version_id = $1 order by signed_at, id`,
      [versionId],
    );
  }

  async insertSignature(s: Omit<SignatureRecord, 'signedAt' | 'voidedAt'>): Promise<void> {
    await this.q.query(
      `insert into agreement_signatures (id, version_id, signatory, role, party_id, typed_name, drawing, consent_text,
         sha256, session_id, link_id, device_id, user_agent)
       values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $13)`,
      [
        s.id,
        s.versionId,
        s.signatory,
        s.role,
        s.partyId,
        s.typedName,
        JSON.stringify(s.drawing),
        s.consentText,
        s.sha256,
        s.sessionId,
        s.linkId,
        s.deviceId,
        s.userAgent,
      ],
    );
  }

  async seal(versionId: string, pdf: Uint8Array, pdfSha256: string): Promise<void> {
    await this.q.query(
      `update agreement_versions set status = 'sealed', sealed_at = now(), sealed_pdf = $2, sealed_pdf_sha256 = $3
       where id = $1 and status = 'locked'`,
      [versionId, pdf, pdfSha256],
    );
  }

  async sealedPdf(caseId: CaseId): Promise<{ pdf: Uint8Array; sha256: string; versionId: string } | undefined> {
    const [row] = await this.q.query<{ pdf: Uint8Array; sha256: string; versionId: string }>(
      `select sealed_pdf as pdf, sealed_pdf_sha256 as sha256, id as "versionId"
       from agreement_versions where case_id = $1 and status = 'sealed'`,
      [caseId],
    );
    return row;
  }
}
