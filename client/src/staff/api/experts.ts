/** The calls of /api/experts the console makes: the district's pool (names for the request card) and the board. */
import type { AvailabilityBoard, PoolMember } from '../../../../shared/expertViews';
import { get } from './http';

export const expertPool = () => get<{ districtId: string; experts: PoolMember[] }>('/api/experts/pool');
export const expertBoard = () => get<AvailabilityBoard>('/api/experts/board');
