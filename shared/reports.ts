/**
 * The coordinator's figures as the server computes them (server/reports) and
 * the staff console shows them: one declaration for both sides of the wire.
 */
import type { CaseStatus, DisputeType, Level } from './cases';
import type { DistrictId, GridId, TownshipId } from './ids';

export interface Caseload {
  total: number;
  byStatus: Partial<Record<CaseStatus, number>>;
  byType: Partial<Record<DisputeType, number>>;
  byLevel: Partial<Record<Level, number>>;
  byGrid: Partial<Record<GridId, number>>;
}

export interface SuccessRateRow {
  unit: 'district' | 'township' | 'grid';
  districtId: DistrictId;
  townshipId: TownshipId | null;
  gridId: GridId | null;
  name: string;
  agreed: number;
  concluded: number;
  /** agreed / concluded; null when nothing was concluded. */
  rate: number | null;
}
