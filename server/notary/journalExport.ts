/**
 * The journal as the notary takes it away: JSON with every hash (so the copy
 * can be re-verified offline, and its head hash kept as an anchor outside the
 * database), or CSV for a spreadsheet, one row per act, signers joined in one
 * cell each.
 */
import { IDENTITY_METHODS } from '../../shared/notary';
import { toCsv, type Cell } from '../reports/csv';
import type { JournalHead, JournalRow } from './NotaryJournal';

export interface JournalExport {
  format: 'gridroom.notaryJournal';
  version: 1;
  exportedAt: string;
  /** The chain's head when exported: compare it with a later export to see that nothing was rewritten. */
  head: JournalHead;
  entries: {
    seq: number;
    recordedAt: string;
    retainUntil: string;
    prevHash: string;
    hash: string;
    entry: JournalRow['entry'];
  }[];
}

export function journalToJson(rows: readonly JournalRow[], head: JournalHead, now = new Date()): JournalExport {
  return {
    format: 'gridroom.notaryJournal',
    version: 1,
    exportedAt: now.toISOString(),
    head,
    entries: rows.map((r) => ({
      seq: r.seq,
      recordedAt: r.recordedAt.toISOString(),
      retainUntil: r.retainUntil.toISOString(),
      prevHash: r.prevHash,
      hash: r.hash,
      entry: r.entry,
    })),
  };
}

const HEADER = [
  'seq',
  'recorded_at',
  'performed_at',
  'act_type',
  'outcome',
  'jurisdiction',
  'notary',
  'document',
  'document_sha256',
  'signers',
  'addresses',
  'identity',
  'external_checks',
  'fee',
  'currency',
  'recordings',
  'attempts',
  'retain_until',
  'hash',
];

export function journalToCsv(rows: readonly JournalRow[]): string {
  const lines: Cell[][] = [HEADER];
  for (const { seq, recordedAt, retainUntil, hash, entry } of rows) {
    const signers = entry.signers;
    lines.push([
      seq,
      recordedAt.toISOString(),
      entry.performedAt,
      entry.actType,
      entry.outcome,
      entry.jurisdiction,
      entry.notary.name,
      entry.document.description,
      entry.document.sha256,
      signers.map((s) => s.name).join(' | '),
      signers.map((s) => s.address).join(' | '),
      signers
        .map((s) => {
          if (!s.identityMethod) return 'not established';
          const how = IDENTITY_METHODS[s.identityMethod].en;
          const detail = s.idDocument ?? s.witnessName;
          return detail ? `${how} (${detail})` : how;
        })
        .join(' | '),
      signers
        .flatMap((s) => s.externalChecks.map((c) => `${s.name}: ${c.provider} ${c.kind} ${c.outcome}`))
        .join(' | '),
      // Minor units stay integers here too; a spreadsheet formats them.
      entry.fee.amountMinor,
      entry.fee.currency,
      entry.recordings.map((r) => `#${r.attempt} ${r.reference} sha256:${r.sha256}`).join(' | '),
      entry.attempts,
      retainUntil.toISOString(),
      hash,
    ]);
  }
  return toCsv(lines);
}
