/**
 * What an expert sees of a case while it rings: the kind of dispute, where,
 * who asks, and the mediator's question. Built from fields that hold no
 * party's personal data; the one free-text field, the mediator's note, has
 * every party's name and contact and every long run of digits (ID numbers,
 * phone numbers) masked, because a hurried mediator will type them.
 *
 * The case's own `summary` is never used: it is written for the file and
 * names the parties.
 */
import type { OfferSummary } from '../../shared/experts';
import type { CaseRecord, PartyRecord } from '../cases/CaseStore';

/** Longest note kept; the expert reads it in a ringing dialog. */
export const MAX_NOTE_LENGTH = 300;

/** How a masked party name reads. */
const PARTY = '当事人';

// Six or more digits, also with spaces or dashes inside (138 0013 8000, 110101-1990...), and an ID
// number's trailing X: long enough for an ID or phone number, short enough to spare dates and sums.
const DIGIT_RUN = /\d(?:[\s-]?\d){5,}[\dXx]?/g;

export function buildOfferSummary(input: {
  record: Pick<CaseRecord, 'caseNo' | 'disputeType' | 'level' | 'gridName' | 'townshipName' | 'districtName'>;
  parties: readonly Pick<PartyRecord, 'name' | 'contact'>[];
  requestedByName: string;
  note: string;
}): OfferSummary {
  const { record } = input;
  return {
    caseNo: record.caseNo,
    disputeType: record.disputeType,
    level: record.level,
    gridName: record.gridName,
    townshipName: record.townshipName,
    districtName: record.districtName,
    requestedByName: input.requestedByName,
    note: maskNote(input.note, input.parties),
  };
}

/** The note with party names, contacts and long digit runs masked, trimmed to MAX_NOTE_LENGTH. */
export function maskNote(note: string, parties: readonly Pick<PartyRecord, 'name' | 'contact'>[]): string {
  let masked = note.normalize('NFC');
  const clean = (s: string) => s.trim().normalize('NFC');
  // Longest first, so a name that contains another ("王小明" and "王小") is masked whole.
  const secrets: [string, string][] = [
    ...parties.map((p): [string, string] => [clean(p.name), PARTY]),
    ...parties.map((p): [string, string] => [clean(p.contact), '***']),
  ]
    .filter(([s]) => s.length >= 2)
    .sort(([a], [b]) => b.length - a.length);
  for (const [secret, mask] of secrets) masked = masked.split(secret).join(mask);
  masked = masked.replace(DIGIT_RUN, (run) => '*'.repeat(Math.min(run.length, 8)));
  return [...masked.trim()].slice(0, MAX_NOTE_LENGTH).join('');
}
