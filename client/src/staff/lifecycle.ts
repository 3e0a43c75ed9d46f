/**
 * The case lifecycle as the console needs it: which status buttons to offer.
 * It restates server/cases/statusMachine.ts (the client may not import
 * server/); the server still decides, and answers CONFLICT if they drift.
 */
import type { CaseStatus, Level } from '../../../shared/cases';
import { LEVEL_ORDER } from '../../../shared/cases';

/** The moves made with a plain status change; agreed → followed_up is made by recording a visit. */
const BY_STATUS: Record<CaseStatus, CaseStatus[]> = {
  registered: ['mediating', 'withdrawn'],
  mediating: ['agreed', 'failed', 'withdrawn'],
  agreed: [],
  failed: ['closed'],
  withdrawn: ['closed'],
  followed_up: ['closed'],
  closed: [],
};

export const nextStatuses = (status: CaseStatus): CaseStatus[] => BY_STATUS[status];

export const canEscalateFrom = (status: CaseStatus): boolean => status === 'registered' || status === 'mediating';

export const followUpOpen = (status: CaseStatus): boolean => status === 'agreed' || status === 'followed_up';

/** The next rung up the ladder, or null at the district centre. */
export function levelAbove(level: Level): Level | null {
  return LEVEL_ORDER[LEVEL_ORDER.indexOf(level) + 1] ?? null;
}
