/**
 * Who is asking: a logged-in staff member and where they work. Built from the
 * staff row once per request (server/staff/authenticate.ts) and passed to can().
 */
import type { Level } from '../../shared/cases';
import type { CommitteeId, DistrictId, GridId, StaffId, TownshipId } from '../../shared/ids';
import type { StaffRole } from '../../shared/staff';

/**
 * A place on the ladder. A grid mediator's post is a grid; a committee
 * mediator's is their committee (township level) or the district centre; a
 * coordinator's is a township or a district without a committee.
 */
export interface Post {
  level: Level;
  districtId: DistrictId;
  /** Set for grid and township posts. */
  townshipId: TownshipId | null;
  /** Set for grid posts only. */
  gridId: GridId | null;
  /** The committee or district centre a mediator belongs to; null for grid mediators and coordinators. */
  committeeId: CommitteeId | null;
}

export interface Actor {
  staffId: StaffId;
  username: string;
  displayName: string;
  role: StaffRole;
  /** Null for administrators, notaries and experts. */
  post: Post | null;
}
