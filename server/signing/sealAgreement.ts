/**
 * The sealed agreement PDF of a version: rendered from the locked canonical
 * text (not from the live document, which may have moved on) with every
 * signature, then sealed (PAdES) with the committee's certificate from the
 * deployment's CA. One certificate per committee, issued on first use and
 * kept for the process (issuing is an RSA key generation).
 */
import { renderAgreementPdf } from '../seal/renderAgreementPdf';
import { sealPdf } from '../seal/sealPdf';
import type { DeploymentCa, SignerCredentials } from '../seal/DeploymentCa';
import type { Records } from '../records';
import type { SealAgreement } from './AgreementSigning';
import { AppError } from '../../shared/errors';

/** Printed and certified when a case's committee has no name on record. */
const UNNAMED_COMMITTEE = '人民调解委员会';

export function agreementSealer(deps: { records: Records; ca: DeploymentCa }): SealAgreement {
  const signers = new Map<string, SignerCredentials>();
  const signerFor = (committee: string) => {
    let signer = signers.get(committee);
    if (!signer) signers.set(committee, (signer = deps.ca.issueSigner({ commonName: committee })));
    return signer;
  };
  return async ({ caseId, version, signatures }) => {
    const record = await deps.records.read.cases.get(caseId);
    if (!record) throw new AppError('NOT_FOUND', 'no such case');
    const committee = record.committeeName || UNNAMED_COMMITTEE;
    const sealedAt = new Date();
    const pdf = await renderAgreementPdf({
      caseNo: record.caseNo,
      committeeName: committee,
      canonicalText: version.canonicalText,
      hash: version.sha256,
      signatures: signatures.map((s) => ({
        name: s.typedName,
        role: s.role,
        signedAt: s.signedAt,
        drawing: s.drawing,
      })),
      date: sealedAt,
    });
    return sealPdf(pdf, signerFor(committee), {
      signingTime: sealedAt,
      reason: `人民调解协议书签章 SHA-256 ${version.sha256}`,
    });
  };
}
