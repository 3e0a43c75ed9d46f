/**
 * Live sessions of a case and their join links (server/sessions/routes.ts).
 * The wire types are shared/sessions.ts. A server without the sessions API
 * answers 404, which the screen shows as "not available yet".
 */
import type { CaseSessions, LinkView, ScheduledSession } from '../../../../shared/sessions';
import { get, post } from './http';

export type { LinkView, SessionView, SmsText } from '../../../../shared/sessions';

export interface NewSession {
  scheduledAt: string;
  title?: string;
  waitingRoom?: boolean;
  linkTtlHours?: number;
  singleDevice?: boolean;
}

export type SessionWithLinks = CaseSessions['sessions'][number];

const c = (caseId: string) => `/api/cases/${encodeURIComponent(caseId)}`;
const s = (sessionId: string) => `/api/sessions/${encodeURIComponent(sessionId)}`;

export const listSessions = (caseId: string) => get<CaseSessions>(`${c(caseId)}/sessions`);

export const createSession = (caseId: string, body: NewSession) =>
  post<ScheduledSession>(`${c(caseId)}/sessions`, body);

export const addLink = (sessionId: string, body: { role: 'expert' | 'observer' | 'mediator'; label: string }) =>
  post<{ link: LinkView }>(`${s(sessionId)}/links`, body);

export const revokeLink = (sessionId: string, linkId: string) =>
  post<{ link: LinkView }>(`${s(sessionId)}/links/${encodeURIComponent(linkId)}/revoke`);
