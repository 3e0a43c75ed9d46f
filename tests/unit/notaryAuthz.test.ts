/**
 * can() on notarial acts: only notaries, and on acts only their own; every
 * other role, administrators included, is refused whatever the act.
 */
import { randomUUID } from 'node:crypto';
import type { StaffId } from '../../shared/ids';
import { STAFF_ROLES, type StaffRole } from '../../shared/staff';
import type { Actor } from '../../server/authz/actor';
import { can, NOTARY_ACTIONS } from '../../server/authz/can';

const actor = (role: StaffRole): Actor => ({
  staffId: randomUUID() as StaffId,
  username: role,
  displayName: role,
  role,
  post: null,
});

test('a notary schedules, keeps a journal, and acts on their own acts only', () => {
  const notary = actor('notary');
  expect(can(notary, 'notary:schedule', { notaryId: null }).allowed).toBe(true);
  expect(can(notary, 'notary:readJournal', { notaryId: null }).allowed).toBe(true);
  expect(can(notary, 'notary:act', { notaryId: notary.staffId }).allowed).toBe(true);
  expect(can(notary, 'notary:act', { notaryId: actor('notary').staffId })).toEqual({
    allowed: false,
    reason: 'this act is another notary’s',
  });
});

test.each((Object.keys(STAFF_ROLES) as StaffRole[]).filter((r) => r !== 'notary'))(
  'a staff member with role %s may do no notary action, not even on an act naming them',
  (role) => {
    const someone = actor(role);
    for (const action of NOTARY_ACTIONS) {
      expect(can(someone, action, { notaryId: someone.staffId })).toEqual({ allowed: false, reason: 'notaries only' });
    }
  },
);

test('nobody without a login may do a notary action', () => {
  for (const action of NOTARY_ACTIONS) expect(can(null, action, { notaryId: null }).allowed).toBe(false);
});
