/**
 * The notarial act as a state machine, pure: no clock, no database, no media.
 * The service that owns an act loads its snapshot, calls `advance`, performs
 * the effects it is handed (start or stop the recording, write the journal)
 * and stores the new snapshot, all in one transaction.
 *
 *   scheduled → identity → recital_consent → signing → sealed
 *                  ↑   ↘         ↓              ↓
 *                resume  interrupted ←──────────┘
 *   any state but sealed and aborted → aborted
 *
 * An interruption (a participant's connection dropped) ends the attempt: its
 * recording is closed and kept, and coming back starts a new attempt at
 * `identity`, because whoever returns must be identified again. Consent and
 * the signer's signature belong to one attempt, so they are asked again too.
 */
import { AppError } from '../../shared/errors';
import type { ActState, IdentityMethod } from '../../shared/notary';

export type ActEvent =
  /** The notary opens the act with the signer present: recording starts, identity proofing begins. */
  | { type: 'start' }
  /** The notary has established the signer's identity by `method`. */
  | { type: 'identityEstablished'; method: IdentityMethod }
  /** After the notary's recital, the signer said on camera that they understand and consent. */
  | { type: 'consentGiven' }
  /** The signer applied their electronic signature to the document. */
  | { type: 'documentSigned' }
  /** The notary applies the notarial certificate and seal. */
  | { type: 'seal' }
  /** A participant's connection dropped: the act pauses and the attempt ends. */
  | { type: 'interrupt'; reason: string }
  /** The participants are back: a new attempt starts with identity. */
  | { type: 'resume' }
  /** The act will not be completed (the signer declined, the notary refused, the ID did not match). */
  | { type: 'abort'; reason: string };

export type ActEventType = ActEvent['type'];

export const ACT_EVENT_TYPES: readonly ActEventType[] = [
  'start',
  'identityEstablished',
  'consentGiven',
  'documentSigned',
  'seal',
  'interrupt',
  'resume',
  'abort',
];

/** What the machine remembers of an act between events. */
export interface ActSnapshot {
  state: ActState;
  /** 0 before the act starts; each start or resume begins the next attempt. */
  attempt: number;
  /** How identity was established in the current attempt; null until it is. */
  identityMethod: IdentityMethod | null;
  /** The signer consented in the current attempt. */
  consented: boolean;
  /** The signer signed the document in the current attempt. */
  documentSigned: boolean;
  /** Why the act was interrupted or aborted (the latest reason). */
  reason: string | null;
}

/**
 * What the owner must do after a move, in this order. `stopRecording` comes
 * before `writeJournal` so the journal holds the closed file's hash.
 */
export type ActEffect = 'startRecording' | 'stopRecording' | 'writeJournal';

export interface ActMove {
  from: ActState;
  to: ActState;
  snapshot: ActSnapshot;
  effects: ActEffect[];
}

/** Which event moves an act from each state, and where to. Every pair not listed is refused. */
export const TRANSITIONS: Record<ActState, Partial<Record<ActEventType, ActState>>> = {
  scheduled: { start: 'identity', abort: 'aborted' },
  identity: { identityEstablished: 'recital_consent', interrupt: 'interrupted', abort: 'aborted' },
  recital_consent: { consentGiven: 'signing', interrupt: 'interrupted', abort: 'aborted' },
  signing: { documentSigned: 'signing', seal: 'sealed', interrupt: 'interrupted', abort: 'aborted' },
  interrupted: { resume: 'identity', abort: 'aborted' },
  sealed: {},
  aborted: {},
};

/** The states in which the act is being recorded. */
export const RECORDED_STATES: readonly ActState[] = ['identity', 'recital_consent', 'signing'];

export const FINAL_STATES: readonly ActState[] = ['sealed', 'aborted'];

export function newActSnapshot(): ActSnapshot {
  return {
    state: 'scheduled',
    attempt: 0,
    identityMethod: null,
    consented: false,
    documentSigned: false,
    reason: null,
  };
}

/** The events an act in `state` accepts, for the console's buttons and for error messages. */
export function acceptedEvents(state: ActState): ActEventType[] {
  return ACT_EVENT_TYPES.filter((type) => TRANSITIONS[state][type] !== undefined);
}

/**
 * Applies `event` to `snapshot`, or throws ACT_ILLEGAL_TRANSITION (the event
 * does not apply in this state) or ACT_PRECONDITION_FAILED (it applies, but
 * not yet). The snapshot given is never changed.
 */
export function advance(snapshot: ActSnapshot, event: ActEvent): ActMove {
  const from = snapshot.state;
  const to = TRANSITIONS[from][event.type];
  if (to === undefined) throw illegal(from, event.type);
  checkPrecondition(snapshot, event);

  const next: ActSnapshot = { ...snapshot, state: to };
  switch (event.type) {
    case 'start':
    case 'resume':
      // A new attempt proves everything again: whoever came back may not be who left.
      next.attempt = snapshot.attempt + 1;
      next.identityMethod = null;
      next.consented = false;
      next.documentSigned = false;
      break;
    case 'identityEstablished':
      next.identityMethod = event.method;
      break;
    case 'consentGiven':
      next.consented = true;
      break;
    case 'documentSigned':
      next.documentSigned = true;
      break;
    case 'interrupt':
    case 'abort':
      next.reason = requireReason(event.reason);
      break;
    case 'seal':
      break;
  }
  return { from, to, snapshot: next, effects: effectsOf(from, to) };
}

function effectsOf(from: ActState, to: ActState): ActEffect[] {
  const wasRecorded = RECORDED_STATES.includes(from);
  const isRecorded = RECORDED_STATES.includes(to);
  const effects: ActEffect[] = [];
  if (!wasRecorded && isRecorded) effects.push('startRecording');
  if (wasRecorded && !isRecorded) effects.push('stopRecording');
  if (FINAL_STATES.includes(to)) effects.push('writeJournal');
  return effects;
}

function checkPrecondition(snapshot: ActSnapshot, event: ActEvent): void {
  if (event.type === 'documentSigned' && snapshot.documentSigned) {
    throw new AppError('ACT_PRECONDITION_FAILED', 'the signer has already signed in this attempt');
  }
  if (event.type === 'seal' && !snapshot.documentSigned) {
    throw new AppError('ACT_PRECONDITION_FAILED', 'the signer must sign the document before the notary seals it');
  }
  // Unreachable through the table (only identity → recital_consent → signing leads here), but a
  // hand-edited snapshot must not seal an act whose identity or consent was never recorded.
  if (event.type === 'seal' && (snapshot.identityMethod === null || !snapshot.consented)) {
    throw new AppError('ACT_PRECONDITION_FAILED', 'identity and consent must be on record before the seal');
  }
}

function requireReason(reason: string): string {
  const trimmed = reason.trim();
  if (!trimmed) throw new AppError('BAD_REQUEST', 'an interruption or abort needs a reason');
  return trimmed.slice(0, 500);
}

function illegal(from: ActState, type: ActEventType): AppError {
  if (FINAL_STATES.includes(from)) {
    return new AppError('ACT_ILLEGAL_TRANSITION', `the act is ${from} and cannot change`);
  }
  const accepted = acceptedEvents(from);
  return new AppError(
    'ACT_ILLEGAL_TRANSITION',
    `an act in state ${from} does not accept ${type}; it accepts ${accepted.join(', ')}`,
  );
}
