/** The HTTP calls of the expert page: who they are, their pool record and their history of offers. */
import type { ExpertSelf, OfferHistoryEntry } from '../../../shared/expertViews';
import { get } from '../staff/api/http';

export const expertSelf = () => get<{ expert: ExpertSelf }>('/api/experts/me');
export const offerHistory = (limit = 50) =>
  get<{ offers: OfferHistoryEntry[] }>(`/api/experts/me/offers?limit=${limit}`);
