/**
 * The lifecycle table: exactly the moves of registered → mediating →
 * agreed / failed / withdrawn → followed_up → closed are allowed, each through
 * its door, and a refusal says what is possible instead.
 */
import { CASE_STATUSES, type CaseStatus } from '../../shared/cases';
import { type AppError } from '../../shared/errors';
import {
  checkTransition,
  ESCALATABLE,
  FOLLOW_UP_OPEN,
  nextStatuses,
  OUTCOME_OF,
  TRANSITIONS,
  type Via,
} from '../../server/cases/statusMachine';

const STATUSES = Object.keys(CASE_STATUSES) as CaseStatus[];

const ALLOWED: [CaseStatus, CaseStatus, Via][] = [
  ['registered', 'mediating', 'status'],
  ['registered', 'withdrawn', 'status'],
  ['mediating', 'agreed', 'status'],
  ['mediating', 'failed', 'status'],
  ['mediating', 'withdrawn', 'status'],
  ['agreed', 'followed_up', 'followUp'],
  ['followed_up', 'closed', 'status'],
  ['failed', 'closed', 'status'],
  ['withdrawn', 'closed', 'status'],
];

function refusal(from: CaseStatus, to: CaseStatus, via: Via): AppError | undefined {
  try {
    checkTransition(from, to, via);
    return undefined;
  } catch (error) {
    return error as AppError;
  }
}

test('exactly the lifecycle moves are allowed, each through its own door', () => {
  const allowed: [CaseStatus, CaseStatus, Via][] = [];
  for (const from of STATUSES) {
    for (const to of STATUSES)
      for (const via of ['status', 'followUp'] as const) if (!refusal(from, to, via)) allowed.push([from, to, via]);
  }
  expect(allowed.sort()).toEqual([...ALLOWED].sort());
});

test('every refusal is a CONFLICT', () => {
  for (const from of STATUSES) {
    for (const to of STATUSES) {
      const error = refusal(from, to, 'status');
      if (error) expect(error.code).toBe('CONFLICT');
    }
  }
});

test('a refusal names the moves that are possible', () => {
  expect(refusal('registered', 'agreed', 'status')?.message).toBe(
    'a case that is registered cannot become agreed; it can become mediating or withdrawn',
  );
  expect(refusal('agreed', 'closed', 'status')?.message).toBe(
    'a case that is agreed cannot become closed; it becomes followed_up when a follow-up visit is recorded',
  );
});

test('an agreed case becomes followed_up only by recording a visit', () => {
  expect(refusal('agreed', 'followed_up', 'status')?.message).toBe(
    'a case that is agreed becomes followed_up when a follow-up visit is recorded',
  );
});

test('a closed case changes no more', () => {
  for (const to of STATUSES)
    expect(refusal('closed', to, 'status')?.message).toBe('this case is closed and cannot change');
  expect(nextStatuses('closed')).toEqual([]);
});

test('the three conclusions carry their outcome; only open cases escalate; visits follow an agreement', () => {
  expect(OUTCOME_OF).toEqual({ agreed: 'agreed', failed: 'failed', withdrawn: 'withdrawn' });
  expect(ESCALATABLE).toEqual(['registered', 'mediating']);
  expect(FOLLOW_UP_OPEN).toEqual(['agreed', 'followed_up']);
});

test('every status has an entry in the table (none forgotten)', () => {
  expect(Object.keys(TRANSITIONS).sort()).toEqual([...STATUSES].sort());
});
