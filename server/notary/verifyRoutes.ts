/**
 * The public verification of a notarized PDF: anyone may upload one and learn
 * whether it is intact, who sealed it and when, and which act, journal entry
 * and recordings it belongs to, checked against the journal itself. No login:
 * the answer tells nothing the sealed PDF does not already carry, except that
 * the journal agrees; signers' names and addresses are never returned.
 *
 *   GET  /api/notary/verify   the page: pick a PDF, see the answer (zh-CN and English)
 *   POST /api/notary/verify   body: the PDF (Content-Type: application/pdf), at most 25 MB
 *   GET  /api/notary/ca.pem   the deployment CA's certificate, for pdfsig or Acrobat trust stores
 */
import express, { Router } from 'express';
import { AppError } from '../../shared/errors';
import type { Queryable } from '../db/Db';
import { entryHash, NotaryJournal } from './NotaryJournal';
import { verifyNotarizedPdf, type SealBinding } from './notarialSeal';
import { VERIFY_PAGE_HTML } from './verifyPage';
import { rateLimit } from 'express-rate-limit';

export interface VerifyRoutesDeps {
  q: Queryable;
  caCertificatePem: string;
}

/** What the verification answers (JSON). */
export interface NotarizedPdfReport {
  intact: boolean;
  /** Why not intact, or why the journal disagrees. */
  problem: string | null;
  sealedBy: string | null;
  sealedAt: string | null;
  binding: SealBinding | null;
  journal: {
    /** The entry exists, its own hash holds, and it names this act, document and recordings. */
    agrees: boolean;
    actType?: string;
    performedAt?: string;
    jurisdiction?: string;
    notary?: string;
  } | null;
}

const PDF_LIMIT = '25mb';
/** Verifications one address may ask for per minute: plenty for a person, little for a flood. */
const VERIFICATIONS_PER_WINDOW = 30;
const VERIFY_WINDOW_MS = 60_000;

export function notaryVerifyRoutes(deps: VerifyRoutesDeps): Router {
  const router = Router();
  const journal = new NotaryJournal(deps.q);

  router.get('/verify', (_req, res) => {
    res.type('html').set('Cache-Control', 'no-cache').send(VERIFY_PAGE_HTML);
  });

  router.get('/ca.pem', (_req, res) => {
    res.type('application/x-pem-file').send(deps.caCertificatePem);
  });

  router.post(
    '/verify',
    // Public and up to 25 MB a request: bounded per client address before the body is read.
    rateLimit({
      windowMs: VERIFY_WINDOW_MS,
      limit: VERIFICATIONS_PER_WINDOW,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (_req, _res, next) =>
        next(new AppError('RATE_LIMITED', 'too many verifications from this address; try again in a minute')),
    }),
    express.raw({ type: ['application/pdf', 'application/octet-stream'], limit: PDF_LIMIT }),
    async (req, res) => {
      const body: unknown = req.body;
      if (!Buffer.isBuffer(body) || body.length === 0) {
        throw new AppError('BAD_REQUEST', 'send the PDF itself as the body, with Content-Type: application/pdf');
      }
      if (body.subarray(0, 5).toString('latin1') !== '%PDF-') throw new AppError('BAD_REQUEST', 'that is not a PDF');
      const seal = await verifyNotarizedPdf(body, deps.caCertificatePem);
      const report: NotarizedPdfReport = {
        intact: seal.intact,
        problem: seal.problem ?? null,
        sealedBy: seal.signer ?? null,
        sealedAt: seal.signedAt?.toISOString() ?? null,
        binding: seal.binding ?? null,
        journal: null,
      };
      if (seal.binding) {
        const row = await journal.entry(seal.binding.journalSeq);
        const disagreement = !row
          ? 'the journal has no such entry'
          : entryHash(row) !== row.hash
            ? 'the journal entry was changed after it was written'
            : disagrees(seal.binding, row.actId, row.entry);
        report.journal = row
          ? {
              agrees: disagreement === null,
              actType: row.entry.actType,
              performedAt: row.entry.performedAt,
              jurisdiction: row.entry.jurisdiction,
              notary: row.entry.notary.name,
            }
          : { agrees: false };
        if (disagreement && report.intact) report.problem = disagreement;
      }
      res.json(report);
    },
  );
  return router;
}

function disagrees(
  binding: SealBinding,
  actId: string,
  entry: { outcome: string; document: { sha256: string | null }; recordings: { sha256: string }[] },
): string | null {
  if (actId !== binding.actId) return 'the journal entry belongs to another act';
  if (entry.outcome !== 'sealed') return 'the journal says this act was not sealed';
  if (entry.document.sha256 !== binding.documentSha256) return 'the journal names another document';
  const recorded = entry.recordings.map((r) => r.sha256);
  if (recorded.join(',') !== binding.recordingSha256.join(',')) return 'the journal names other recordings';
  return null;
}
