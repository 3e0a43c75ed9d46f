/**
 * A mediator's request for an expert, followed from its news
 * (`expertRequest:updated`): who rings now, who let it pass, who accepted, or
 * that nobody is left. The news names only who rings now, so an expert who
 * drops out of `ringing` while the request still rings declined or did not
 * answer in time; the protocol does not say which.
 */
import type { RequestUpdate } from '../../../shared/experts';
import type { ExpertId, ExpertRequestId } from '../../../shared/ids';

export type RequestStep =
  | { kind: 'ringing'; expertId: ExpertId }
  | { kind: 'passed'; expertId: ExpertId }
  | { kind: 'accepted'; expertId: ExpertId }
  | { kind: 'exhausted' }
  | { kind: 'cancelled' }
  | { kind: 'failed' };

export interface TrackedRequest {
  requestId: ExpertRequestId;
  latest: RequestUpdate;
  steps: RequestStep[];
  /** Who rings now (empty once the request has ended). */
  ringing: ExpertId[];
}

export const isOpen = (request: TrackedRequest | null): boolean => request?.latest.status === 'ringing';

/** Folds one piece of news into the request; news of another request, or older news, changes nothing. */
export function track(request: TrackedRequest | null, update: RequestUpdate): TrackedRequest {
  if (request && request.requestId !== update.requestId) return request;
  // Ended requests never ring again; a late copy of earlier news (the create ack after the first event) is dropped.
  if (request && (!isOpen(request) || update.offered < request.latest.offered)) return request;
  const before = request?.ringing ?? [];
  const now = update.status === 'ringing' ? update.ringing : [];
  const steps = [...(request?.steps ?? [])];
  const accepted = update.status === 'accepted' ? update.expertId : null;
  // Rings withdrawn by a cancel or a failure are not the expert's doing: only these statuses mean they passed.
  const passing = update.status === 'ringing' || update.status === 'exhausted';
  for (const expertId of before) {
    if (passing && !now.includes(expertId) && expertId !== accepted) steps.push({ kind: 'passed', expertId });
  }
  for (const expertId of now) if (!before.includes(expertId)) steps.push({ kind: 'ringing', expertId });
  if (update.status === 'accepted') steps.push({ kind: 'accepted', expertId: update.expertId });
  if (update.status === 'exhausted' || update.status === 'cancelled' || update.status === 'failed') {
    steps.push({ kind: update.status });
  }
  return { requestId: update.requestId, latest: update, steps, ringing: now };
}
