/**
 * The case lifecycle as data: which status may follow which, and through
 * which door (a plain status change, or recording a follow-up visit).
 *
 *   registered → mediating → agreed → followed_up → closed
 *        ↓            ↓   ↘ failed ──────────────↗
 *        └──────── withdrawn ────────────────────↗
 *
 * Escalation up the ladder is allowed while the case is still open
 * (registered or mediating) and puts it back to registered at the new level.
 */
import { AppError } from '../../shared/errors';
import type { CaseOutcome, CaseStatus } from '../../shared/cases';

/** How a transition is made. */
export type Via = 'status' | 'followUp';

export const TRANSITIONS: Record<CaseStatus, Partial<Record<CaseStatus, Via>>> = {
  registered: { mediating: 'status', withdrawn: 'status' },
  mediating: { agreed: 'status', failed: 'status', withdrawn: 'status' },
  agreed: { followed_up: 'followUp' },
  failed: { closed: 'status' },
  withdrawn: { closed: 'status' },
  followed_up: { closed: 'status' },
  closed: {},
};

/** Reaching these statuses concludes the case with that outcome. */
export const OUTCOME_OF: Partial<Record<CaseStatus, CaseOutcome>> = {
  agreed: 'agreed',
  failed: 'failed',
  withdrawn: 'withdrawn',
};

export const ESCALATABLE: readonly CaseStatus[] = ['registered', 'mediating'];

/** A follow-up visit may be recorded after the agreement, and again until the case is closed. */
export const FOLLOW_UP_OPEN: readonly CaseStatus[] = ['agreed', 'followed_up'];

export function nextStatuses(from: CaseStatus, via: Via = 'status'): CaseStatus[] {
  return (Object.entries(TRANSITIONS[from]) as [CaseStatus, Via][]).filter(([, v]) => v === via).map(([to]) => to);
}

/** Throws CONFLICT, saying what is possible instead, when `from → to` is not a move of the lifecycle. */
export function checkTransition(from: CaseStatus, to: CaseStatus, via: Via): void {
  const door = TRANSITIONS[from][to];
  if (door === via) return;
  if (door === 'followUp') {
    throw new AppError('CONFLICT', `a case that is ${from} becomes ${to} when a follow-up visit is recorded`);
  }
  if (from === 'closed') throw new AppError('CONFLICT', 'this case is closed and cannot change');
  const byStatus = nextStatuses(from, 'status');
  const byVisit = nextStatuses(from, 'followUp');
  const instead = [
    ...(byStatus.length ? [`it can become ${byStatus.join(' or ')}`] : []),
    ...(byVisit.length ? [`it becomes ${byVisit.join(' or ')} when a follow-up visit is recorded`] : []),
  ];
  throw new AppError('CONFLICT', [`a case that is ${from} cannot become ${to}`, ...instead].join('; '));
}
