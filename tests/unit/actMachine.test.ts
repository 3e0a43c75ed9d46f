/**
 * The notarial act's lifecycle: exactly the listed moves are allowed, every
 * other (state, event) pair is refused with ACT_ILLEGAL_TRANSITION, the
 * preconditions hold, and an interruption makes the returning signer prove
 * identity and consent again.
 */
import { type AppError } from '../../shared/errors';
import { ACT_STATES, type ActState } from '../../shared/notary';
import {
  ACT_EVENT_TYPES,
  acceptedEvents,
  advance,
  newActSnapshot,
  type ActEvent,
  type ActEventType,
  type ActSnapshot,
} from '../../server/notary/actMachine';

/** One well-formed event of each type. */
const EVENT: Record<ActEventType, ActEvent> = {
  start: { type: 'start' },
  identityEstablished: { type: 'identityEstablished', method: 'id_comparison' },
  consentGiven: { type: 'consentGiven' },
  documentSigned: { type: 'documentSigned' },
  seal: { type: 'seal' },
  interrupt: { type: 'interrupt', reason: 'the signer dropped' },
  resume: { type: 'resume' },
  abort: { type: 'abort', reason: 'the signer declined' },
};

/** A snapshot in `state` that meets every precondition of that state's events. */
function ready(state: ActState): ActSnapshot {
  const inAttempt = !['scheduled'].includes(state);
  return {
    state,
    attempt: inAttempt ? 1 : 0,
    identityMethod: ['recital_consent', 'signing'].includes(state) ? 'personal_knowledge' : null,
    consented: state === 'signing',
    documentSigned: false,
    reason: state === 'interrupted' ? 'dropped' : null,
  };
}

function tryAdvance(snapshot: ActSnapshot, event: ActEvent) {
  try {
    return { move: advance(snapshot, event) };
  } catch (error) {
    return { error: error as AppError };
  }
}

const ALLOWED: [ActState, ActEventType, ActState][] = [
  ['scheduled', 'start', 'identity'],
  ['scheduled', 'abort', 'aborted'],
  ['identity', 'identityEstablished', 'recital_consent'],
  ['identity', 'interrupt', 'interrupted'],
  ['identity', 'abort', 'aborted'],
  ['recital_consent', 'consentGiven', 'signing'],
  ['recital_consent', 'interrupt', 'interrupted'],
  ['recital_consent', 'abort', 'aborted'],
  ['signing', 'documentSigned', 'signing'],
  ['signing', 'interrupt', 'interrupted'],
  ['signing', 'abort', 'aborted'],
  ['interrupted', 'resume', 'identity'],
  ['interrupted', 'abort', 'aborted'],
];

test('exactly the lifecycle moves are allowed (seal needs a signature first, see below)', () => {
  const allowed: [ActState, ActEventType, ActState][] = [];
  for (const state of ACT_STATES) {
    for (const type of ACT_EVENT_TYPES) {
      const { move } = tryAdvance(ready(state), EVENT[type]);
      if (move) allowed.push([state, type, move.to]);
    }
  }
  expect(allowed.sort()).toEqual([...ALLOWED].sort());
});

const ILLEGAL = ACT_STATES.flatMap((state) =>
  ACT_EVENT_TYPES.filter((type) => !acceptedEvents(state).includes(type)).map((type) => [state, type] as const),
);

test.each(ILLEGAL)('%s refuses %s with ACT_ILLEGAL_TRANSITION and leaves the snapshot alone', (state, type) => {
  const snapshot = ready(state);
  const before = structuredClone(snapshot);
  const { error } = tryAdvance(snapshot, EVENT[type]);
  expect(error?.code).toBe('ACT_ILLEGAL_TRANSITION');
  expect(error?.httpStatus).toBe(409);
  expect(snapshot).toEqual(before);
});

test('every state and event pair is either allowed or illegal, none forgotten', () => {
  expect(ILLEGAL.length + ALLOWED.length + 1).toBe(ACT_STATES.length * ACT_EVENT_TYPES.length); // +1: signing/seal
});

test('a refusal names what the state accepts instead', () => {
  expect(tryAdvance(ready('identity'), EVENT.seal).error?.message).toBe(
    'an act in state identity does not accept seal; it accepts identityEstablished, interrupt, abort',
  );
  expect(tryAdvance(ready('sealed'), EVENT.abort).error?.message).toBe('the act is sealed and cannot change');
});

test('sealing before the signer signed is ACT_PRECONDITION_FAILED; after signing it seals', () => {
  expect(tryAdvance(ready('signing'), EVENT.seal).error?.code).toBe('ACT_PRECONDITION_FAILED');
  const signed = advance(ready('signing'), EVENT.documentSigned).snapshot;
  expect(signed).toMatchObject({ state: 'signing', documentSigned: true });
  expect(tryAdvance(signed, EVENT.documentSigned).error?.code).toBe('ACT_PRECONDITION_FAILED');
  expect(advance(signed, EVENT.seal)).toMatchObject({
    from: 'signing',
    to: 'sealed',
    effects: ['stopRecording', 'writeJournal'],
  });
});

test('a snapshot that reached signing without identity or consent on record cannot be sealed', () => {
  const forged = { ...ready('signing'), documentSigned: true, identityMethod: null };
  expect(tryAdvance(forged, EVENT.seal).error?.code).toBe('ACT_PRECONDITION_FAILED');
  const noConsent = { ...ready('signing'), documentSigned: true, consented: false };
  expect(tryAdvance(noConsent, EVENT.seal).error?.code).toBe('ACT_PRECONDITION_FAILED');
});

test('an interrupt or abort without a reason is BAD_REQUEST', () => {
  expect(tryAdvance(ready('identity'), { type: 'interrupt', reason: '  ' }).error?.code).toBe('BAD_REQUEST');
  expect(tryAdvance(ready('scheduled'), { type: 'abort', reason: '' }).error?.code).toBe('BAD_REQUEST');
});

test('a complete act: recording starts with identity, stops at the seal, and the journal is written', () => {
  const events: ActEvent[] = [
    EVENT.start,
    EVENT.identityEstablished,
    EVENT.consentGiven,
    EVENT.documentSigned,
    EVENT.seal,
  ];
  let snapshot = newActSnapshot();
  const effects: string[][] = [];
  for (const event of events) {
    const move = advance(snapshot, event);
    effects.push(move.effects);
    snapshot = move.snapshot;
  }
  expect(effects).toEqual([['startRecording'], [], [], [], ['stopRecording', 'writeJournal']]);
  expect(snapshot).toEqual({
    state: 'sealed',
    attempt: 1,
    identityMethod: 'id_comparison',
    consented: true,
    documentSigned: true,
    reason: null,
  });
});

test('after an interruption in signing, the returning signer proves identity and consent and signs again', () => {
  let snapshot = advance(ready('signing'), EVENT.documentSigned).snapshot;
  const interrupted = advance(snapshot, EVENT.interrupt);
  expect(interrupted.effects).toEqual(['stopRecording']);
  expect(interrupted.snapshot).toMatchObject({ state: 'interrupted', attempt: 1, reason: 'the signer dropped' });

  const resumed = advance(interrupted.snapshot, EVENT.resume);
  expect(resumed.effects).toEqual(['startRecording']);
  snapshot = resumed.snapshot;
  expect(snapshot).toMatchObject({
    state: 'identity',
    attempt: 2,
    identityMethod: null,
    consented: false,
    documentSigned: false,
  });
  expect(tryAdvance(snapshot, EVENT.consentGiven).error?.code).toBe('ACT_ILLEGAL_TRANSITION');
});

test('aborting an interrupted act writes the journal without touching the recording (already stopped)', () => {
  expect(advance(ready('interrupted'), EVENT.abort).effects).toEqual(['writeJournal']);
  expect(advance(ready('scheduled'), EVENT.abort).effects).toEqual(['writeJournal']);
  expect(advance(ready('recital_consent'), EVENT.abort).effects).toEqual(['stopRecording', 'writeJournal']);
});
