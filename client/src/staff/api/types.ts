/**
 * The wire shapes the console reads, as JSON delivers them (dates are ISO
 * strings). They mirror server/cases/CaseService.ts, server/org/OrgStore.ts,
 * server/audit/AuditLog.ts and server/reports/ReportQueries.ts; the client may
 * not import server/, so they are restated here, field for field.
 */
import type {
  CaseOutcome,
  CaseStatus,
  DisputeType,
  FollowUpMethod,
  Level,
  PartyRole,
  Performance,
} from '../../../../shared/cases';
import type { StaffRole } from '../../../../shared/staff';

export interface Post {
  level: Level;
  districtId: string;
  townshipId: string | null;
  gridId: string | null;
  committeeId: string | null;
}

/** Who is logged in (GET /api/staff/me). */
export interface Me {
  id: string;
  username: string;
  displayName: string;
  role: StaffRole;
  /** Null for administrators, notaries and experts. */
  post: Post | null;
}

/** The session actions (server/authz/can.ts SESSION_ACTIONS), decided on the case like the case actions. */
export type SessionAction = 'session:read' | 'session:schedule' | 'session:revokeLink' | 'session:configureRecording';

export type CaseAction =
  | 'case:read'
  | 'case:register'
  | 'case:mediate'
  | 'case:escalate'
  | 'case:assign'
  | 'case:followUp'
  | 'case:revealIdNumbers';

/** One row of GET /api/cases. */
export interface CaseSummary {
  id: string;
  caseNo: string;
  disputeType: DisputeType;
  status: CaseStatus;
  outcome: CaseOutcome | null;
  summary: string;
  level: Level;
  districtId: string;
  townshipId: string;
  gridId: string;
  committeeId: string | null;
  handlerId: string | null;
  registeredBy: string;
  registeredAt: string;
  concludedAt: string | null;
  closedAt: string | null;
  updatedAt: string;
  districtName: string;
  townshipName: string;
  gridName: string;
  committeeName: string | null;
  handlerName: string | null;
  /** Whether live sessions of this case are recorded (POST /api/cases/:id/recording); absent on an older server. */
  sessionRecording?: boolean;
}

export interface PartyView {
  id: string;
  role: PartyRole;
  name: string;
  contact: string;
  /** In full for the handler, the last characters behind asterisks for others, or null when none was given. */
  idNumber: string | null;
  idNumberMasked: boolean;
}

export interface EscalationView {
  id: string;
  fromLevel: Level;
  toLevel: Level;
  toCommitteeName: string;
  reason: string;
  transferredByName: string;
  transferredAt: string;
}

export interface FollowUpView {
  id: string;
  visitedAt: string;
  method: FollowUpMethod;
  performance: Performance;
  notes: string;
  recordedByName: string;
  recordedAt: string;
}

/** GET /api/cases/:id. */
export interface CaseView extends CaseSummary {
  parties: PartyView[];
  escalations: EscalationView[];
  followUps: FollowUpView[];
  /** What the caller may do on this case, so only working buttons are shown. */
  permissions: Record<CaseAction, boolean> & Partial<Record<SessionAction, boolean>>;
}

export interface AuditEntry {
  id: number;
  at: string;
  actorId: string | null;
  actorUsername: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  details: Record<string, unknown>;
}

export interface OrgTree {
  districts: { id: string; code: string; name: string }[];
  townships: { id: string; districtId: string; kind: 'township' | 'street'; name: string }[];
  grids: { id: string; townshipId: string; districtId: string; name: string }[];
  committees: {
    id: string;
    level: 'township' | 'district';
    districtId: string;
    townshipId: string | null;
    name: string;
  }[];
}

export interface ReportArea {
  level: Level;
  districtId: string;
  townshipId: string | null;
  gridId: string | null;
  name: string;
}

export type { Caseload, SuccessRateRow } from '../../../../shared/reports';
