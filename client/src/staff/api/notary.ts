/**
 * The notary's acts (server/notary/routes.ts under /api/notary). The act view
 * is what GET /acts/:id answers: the act, its signers, the events it accepts
 * now, the recording state, this attempt's stills, who is in the room and,
 * once final, the journal entry. Dates arrive as ISO strings.
 */
import type { ActState, ActType, IdentityMethod, JournalEntry } from '../../../../shared/notary';
import { get, post } from './http';

export type StillSide = 'front' | 'back' | 'face';
export const STILL_SIDES: readonly StillSide[] = ['front', 'back', 'face'];

export interface NotaryAct {
  id: string;
  notaryName: string;
  sessionId: string | null;
  actType: ActType;
  documentDescription: string;
  documentSha256: string | null;
  jurisdiction: string;
  feeMinor: number;
  currency: string;
  scheduledAt: string | null;
  state: ActState;
  attempt: number;
  identityMethod: IdentityMethod | null;
  consented: boolean;
  documentSigned: boolean;
  /** Why the act was interrupted or aborted (the latest reason). */
  reason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ActSigner {
  id: string;
  position: number;
  name: string;
  address: string;
}

export interface ActStill {
  sha256: string;
  attempt: number;
  side: StillSide;
  peerId: string;
  takenAt: string;
}

export interface ActRecording {
  attempt: number;
  reference: string;
  sha256: string;
  bytes: number;
  startedAt: string;
  stoppedAt: string;
}

export interface ActParticipant {
  peerId: string;
  displayName: string | null;
  /** They send a camera picture, so a still can be taken of it. */
  camera: boolean;
}

/** The events of POST /acts/:id/events (identity has its own route, with the evidence). */
export type ActEventType = 'start' | 'consentGiven' | 'documentSigned' | 'seal' | 'interrupt' | 'resume' | 'abort';

export interface ActView {
  act: NotaryAct;
  signers: ActSigner[];
  /** The machine's events the act accepts now; `identityEstablished` means the identity form. */
  accepts: (ActEventType | 'identityEstablished')[];
  recording: boolean;
  recordings: ActRecording[];
  stills: ActStill[];
  participants: ActParticipant[];
  /** The notary's own join link into the act's room, when the server has one. */
  roomLink: string | null;
  journal: { seq: number; hash: string; entry: JournalEntry } | null;
}

export interface NewAct {
  sessionId: string | null;
  actType: ActType;
  documentDescription: string;
  jurisdiction: string;
  feeMinor: number;
  currency: string;
  signers: { name: string; address: string }[];
}

export interface IdentityRecord {
  signerId: string;
  method: IdentityMethod;
  idDocument: string | null;
  witnessName: string | null;
  images: Partial<Record<StillSide, string>>;
}

const a = (id: string) => `/api/notary/acts/${encodeURIComponent(id)}`;

export const listActs = () => get<{ acts: NotaryAct[] }>('/api/notary/acts');
export const getAct = (id: string) => get<ActView>(a(id));
export const scheduleAct = (body: NewAct) => post<ActView>('/api/notary/acts', body);
export const sendEvent = (id: string, type: ActEventType, reason?: string) =>
  post<ActView>(`${a(id)}/events`, reason === undefined ? { type } : { type, reason });
export const takeStill = (id: string, peerId: string, side: StillSide) =>
  post<{ still: ActStill }>(`${a(id)}/stills`, { peerId, side });
export const recordIdentity = (id: string, records: IdentityRecord[]) => post<ActView>(`${a(id)}/identity`, records);

export const stillUrl = (id: string, sha256: string) => `${a(id)}/stills/${sha256}`;
export const sealedPdfUrl = (id: string) => `${a(id)}/sealed.pdf`;

/** The PDF itself as the body (its type application/pdf, as the route requires), not JSON. */
export const uploadDocument = (id: string, pdf: Blob) =>
  post<ActView>(
    `${a(id)}/document`,
    pdf.type === 'application/pdf' ? pdf : new Blob([pdf], { type: 'application/pdf' }),
  );
