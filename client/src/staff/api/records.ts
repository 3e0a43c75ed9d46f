/** The calls of /api/staff, /api/cases, /api/org and /api/reports the console makes. */
import type { CaseStatus, DisputeType, FollowUpMethod, PartyRole, Performance } from '../../../../shared/cases';
import type { PartyAgreementAccess } from '../../../../shared/agreement';
import type { SigningState } from '../../../../shared/signing';
import { get, post, query } from './http';
import type { AuditEntry, CaseSummary, CaseView, Caseload, Me, OrgTree, ReportArea, SuccessRateRow } from './types';

export const login = (username: string, password: string) =>
  post<{ staff: Me; expiresAt: string }>('/api/staff/login', { username, password });
export const logout = () => post<void>('/api/staff/logout');
export const me = () => get<{ staff: Me }>('/api/staff/me');

export const orgTree = () => get<OrgTree>('/api/org');

export interface CaseFilter {
  status?: CaseStatus | undefined;
  disputeType?: DisputeType | undefined;
}

export const listCases = (filter: CaseFilter) =>
  get<{ cases: CaseSummary[] }>(`/api/cases${query({ ...filter, limit: '200' })}`);

export interface NewParty {
  role: PartyRole;
  name: string;
  contact: string;
  idNumber?: string;
}

export const registerCase = (body: {
  disputeType: DisputeType;
  gridId: string;
  summary: string;
  parties: NewParty[];
}) => post<{ case: CaseView }>('/api/cases', body);

export const getCase = (id: string) => get<{ case: CaseView }>(`/api/cases/${encodeURIComponent(id)}`);
export const caseAudit = (id: string) => get<{ audit: AuditEntry[] }>(`/api/cases/${encodeURIComponent(id)}/audit`);
export const changeStatus = (id: string, to: CaseStatus, note?: string) =>
  post<{ case: CaseView }>(`/api/cases/${encodeURIComponent(id)}/status`, note ? { to, note } : { to });
export const escalate = (id: string, reason: string, committeeId?: string) =>
  post<{ case: CaseView }>(
    `/api/cases/${encodeURIComponent(id)}/escalate`,
    committeeId ? { reason, committeeId } : { reason },
  );
export const recordFollowUp = (
  id: string,
  body: { visitedAt: string; method: FollowUpMethod; performance: Performance; notes: string },
) => post<{ case: CaseView }>(`/api/cases/${encodeURIComponent(id)}/follow-ups`, body);
export const setRecording = (id: string, enabled: boolean) =>
  post<{ case: CaseView }>(`/api/cases/${encodeURIComponent(id)}/recording`, { enabled });

export const caseload = () => get<{ area: ReportArea; caseload: Caseload }>('/api/reports/caseload');
export const successRate = () =>
  get<{ area: ReportArea; month: string | null; rows: SuccessRateRow[] }>('/api/reports/success-rate');

/** The agreement as staff see it: whether parties edit or only comment, and the signing state. */
export interface AgreementView {
  partyAccess: PartyAgreementAccess;
  /** Whether the caller may change partyAccess. */
  mayConfigure: boolean;
  signing: SigningState;
}

export const agreement = (id: string) => get<AgreementView>(`/api/cases/${encodeURIComponent(id)}/agreement`);
export const setPartyAccess = (id: string, access: PartyAgreementAccess) =>
  post<AgreementView>(`/api/cases/${encodeURIComponent(id)}/agreement/party-access`, { access });
export const sealedAgreementUrl = (id: string) => `/api/cases/${encodeURIComponent(id)}/agreement.pdf`;
