/**
 * The mediator's card folds a request's news into steps (client/src/staff/expertRequest.ts):
 * who rang, who let it pass, who accepted; older or foreign news changes nothing.
 */
import type { RequestUpdate } from '../../shared/experts';
import type { CaseId, ExpertId, ExpertRequestId, StaffId } from '../../shared/ids';
import { track, type TrackedRequest } from '../../client/src/staff/expertRequest';

const base = {
  requestId: 'r1' as ExpertRequestId,
  caseId: 'c1' as CaseId,
  requestedBy: 's1' as StaffId,
};
const A = 'a' as ExpertId;
const B = 'b' as ExpertId;
const ringing = (offered: number, ...who: ExpertId[]): RequestUpdate => ({
  ...base,
  offered,
  status: 'ringing',
  ringing: who,
});
const fold = (...updates: RequestUpdate[]) =>
  updates.reduce<TrackedRequest | null>((request, update) => track(request, update), null)!;

test('a decline then an accept reads as ringing A, A passed, ringing B, B accepted', () => {
  const request = fold(ringing(1, A), ringing(2, B), { ...base, offered: 2, status: 'accepted', expertId: B });
  expect(request.steps).toEqual([
    { kind: 'ringing', expertId: A },
    { kind: 'passed', expertId: A },
    { kind: 'ringing', expertId: B },
    { kind: 'accepted', expertId: B },
  ]);
  expect(request.ringing).toEqual([]);
});

test('the last candidate passing ends the request as exhausted, with who passed', () => {
  const request = fold(ringing(1, A), { ...base, offered: 1, status: 'exhausted' });
  expect(request.steps.map((s) => s.kind)).toEqual(['ringing', 'passed', 'exhausted']);
});

test('a cancel withdraws the ring: nobody is said to have passed', () => {
  const request = fold(ringing(1, A), { ...base, offered: 1, status: 'cancelled' });
  expect(request.steps.map((s) => s.kind)).toEqual(['ringing', 'cancelled']);
});

test('the create ack arriving after newer news, news of another request, and news after the end change nothing', () => {
  const newer = fold(ringing(1, A), ringing(2, B));
  expect(track(newer, ringing(1, A))).toBe(newer);
  expect(track(newer, { ...ringing(3, A), requestId: 'r2' as ExpertRequestId })).toBe(newer);
  const ended = track(newer, { ...base, offered: 2, status: 'accepted', expertId: B });
  expect(track(ended, ringing(3, A))).toBe(ended);
  // The same news twice adds no step.
  expect(track(newer, ringing(2, B)).steps).toEqual(newer.steps);
});
