/**
 * The coordinator's board: how many experts of an area's pool are available
 * for each specialty in each grid. The presence store has no count query, so
 * this reads each pool member's presence through its public `get()` (one
 * round trip each; node-redis pipelines the calls made in one tick) and counts
 * here. A district's pool is hundreds of experts, not the 100 000 the
 * dispatcher's index is built for; a store-side count can replace this
 * without changing what the route sends.
 */
import { DISPUTE_TYPES, type DisputeType } from '../../shared/cases';
import { EXPERT_STATES, type ExpertState } from '../../shared/experts';
import type { AvailabilityBoard, BoardGrid } from '../../shared/expertViews';
import type { DistrictId, TownshipId } from '../../shared/ids';
import type { OrgTree } from '../org/OrgStore';
import type { ExpertRecord } from './ExpertStore';
import type { PresenceStore } from './PresenceStore';

export interface BoardArea {
  districtId: DistrictId;
  townshipId: TownshipId | null;
}

const noStates = (): Record<ExpertState, number> =>
  Object.fromEntries(Object.keys(EXPERT_STATES).map((s) => [s, 0])) as Record<ExpertState, number>;

/** Whether the expert would be rung for a case in this grid (they serve it, its township or its district). */
function serves(expert: ExpertRecord, grid: BoardGrid & { districtId: DistrictId }): boolean {
  const { grids, townships, districts } = expert.serves;
  return grids.includes(grid.gridId) || townships.includes(grid.townshipId) || districts.includes(grid.districtId);
}

export async function availabilityBoard(input: {
  area: BoardArea;
  org: OrgTree;
  pool: readonly ExpertRecord[];
  store: Pick<PresenceStore, 'get'>;
  now: number;
}): Promise<AvailabilityBoard> {
  const { area, org, store } = input;
  const pool = input.pool.filter((e) => e.active);
  const townshipName = new Map(org.townships.map((t) => [t.id, t.name]));
  const grids = org.grids
    .filter((g) => g.districtId === area.districtId && (area.townshipId === null || g.townshipId === area.townshipId))
    .map((g) => ({
      gridId: g.id,
      gridName: g.name,
      townshipId: g.townshipId,
      townshipName: townshipName.get(g.townshipId) ?? '',
      districtId: g.districtId,
    }))
    .sort((a, b) => a.townshipName.localeCompare(b.townshipName, 'zh') || a.gridName.localeCompare(b.gridName, 'zh'));
  const presences = await Promise.all(pool.map((e) => store.get(e.id)));

  const present = new Set(pool.flatMap((e) => e.specialties));
  const specialties = (Object.keys(DISPUTE_TYPES) as DisputeType[]).filter((s) => present.has(s));
  const board: AvailabilityBoard = {
    districtId: area.districtId,
    townshipId: area.townshipId,
    grids: grids.map(({ districtId: _districtId, ...grid }) => grid),
    specialties,
    available: {},
    bySpecialty: {},
    states: noStates(),
    at: input.now,
  };
  pool.forEach((expert, i) => {
    const state = presences[i]!.state;
    board.states[state]++;
    for (const specialty of expert.specialties) {
      (board.bySpecialty[specialty] ??= noStates())[state]++;
      if (state !== 'available') continue;
      const cells = (board.available[specialty] ??= {});
      for (const grid of grids) if (serves(expert, grid)) cells[grid.gridId] = (cells[grid.gridId] ?? 0) + 1;
    }
  });
  return board;
}
