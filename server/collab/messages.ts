/**
 * The y-websocket wire protocol, as the server reads and writes it: a varuint
 * message type, then for sync (0) a varuint step (0 state vector, 1 step-2
 * update, 2 update) and a length-prefixed payload; for awareness (1) a
 * length-prefixed awareness update; query-awareness (3) has no payload.
 *
 * Every client message is decoded completely here before anything touches a
 * document: a message with trailing bytes, an unknown type, a payload that
 * does not decode, or one over its size limit is refused with the reason,
 * so a malformed message can close its connection but never half-apply.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { AppError } from '../../shared/errors';
import type { CollabLimits } from './limits';

export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
/** Server to client only (permission denied); a client sending it is refused. */
export const MESSAGE_AUTH = 2;
export const MESSAGE_QUERY_AWARENESS = 3;

/** One entry of an awareness update: a client's presence (null when it left). */
export interface AwarenessEntry {
  clientId: number;
  clock: number;
  state: unknown;
}

export type ClientMessage =
  | { type: 'syncStep1'; stateVector: Uint8Array }
  /** An update, decoded once here so the checks and the analysis do not decode it again. */
  | { type: 'syncStep2' | 'update'; update: Uint8Array; decoded: DecodedUpdate }
  | { type: 'awareness'; update: Uint8Array; entries: AwarenessEntry[] }
  | { type: 'queryAwareness' };

export type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>;

const bad = (reason: string) => new AppError('BAD_REQUEST', reason);

/** Decodes and validates one client message; throws AppError (BAD_REQUEST or PAYLOAD_TOO_LARGE) with the reason. */
export function parseClientMessage(data: Uint8Array, limits: CollabLimits): ClientMessage {
  if (data.length > limits.maxMessageBytes) throw new AppError('PAYLOAD_TOO_LARGE', 'message too large');
  const decoder = decoding.createDecoder(data);
  const message = guard('malformed message header', () => readMessage(decoder, limits));
  if (decoding.hasContent(decoder)) throw bad('trailing bytes after the message');
  return message;
}

function readMessage(decoder: decoding.Decoder, limits: CollabLimits): ClientMessage {
  const type = decoding.readVarUint(decoder);
  switch (type) {
    case MESSAGE_SYNC: {
      const step = decoding.readVarUint(decoder);
      const payload = decoding.readVarUint8Array(decoder);
      if (step === syncProtocol.messageYjsSyncStep1) {
        checkStateVector(payload);
        return { type: 'syncStep1', stateVector: payload };
      }
      if (step === syncProtocol.messageYjsSyncStep2 || step === syncProtocol.messageYjsUpdate) {
        const decoded = guard('malformed update', () => Y.decodeUpdate(payload));
        return { type: step === syncProtocol.messageYjsUpdate ? 'update' : 'syncStep2', update: payload, decoded };
      }
      throw bad(`unknown sync step ${step}`);
    }
    case MESSAGE_AWARENESS: {
      const update = decoding.readVarUint8Array(decoder);
      if (update.length > limits.maxAwarenessBytes)
        throw new AppError('PAYLOAD_TOO_LARGE', 'awareness update too large');
      return {
        type: 'awareness',
        update,
        entries: guard('malformed awareness update', () => readAwareness(update, limits)),
      };
    }
    case MESSAGE_QUERY_AWARENESS:
      return { type: 'queryAwareness' };
    default:
      throw bad(`unknown message type ${type}`);
  }
}

/** A state vector is a count, then (client, clock) pairs, and nothing after. */
function checkStateVector(payload: Uint8Array): void {
  guard('malformed state vector', () => {
    const decoder = decoding.createDecoder(payload);
    const count = decoding.readVarUint(decoder);
    for (let i = 0; i < count; i++) {
      decoding.readVarUint(decoder);
      decoding.readVarUint(decoder);
    }
    if (decoding.hasContent(decoder)) throw new Error('trailing bytes');
  });
}

function readAwareness(update: Uint8Array, limits: CollabLimits): AwarenessEntry[] {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  if (count > limits.maxAwarenessEntries) throw new Error('too many clients in one awareness update');
  const entries: AwarenessEntry[] = [];
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    const state: unknown = JSON.parse(decoding.readVarString(decoder));
    if (state !== null && (typeof state !== 'object' || Array.isArray(state)))
      throw new Error('awareness state must be an object or null');
    entries.push({ clientId, clock, state });
  }
  if (decoding.hasContent(decoder)) throw new Error('trailing bytes');
  return entries;
}

/** Runs a decoder step; any exception (lib0's end-of-array, a RangeError, bad JSON) becomes BAD_REQUEST with `reason`. */
function guard<T>(reason: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw bad(reason);
  }
}

/** A sync message carrying `update` (sent to peers). */
export function updateMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  syncProtocol.writeUpdate(encoder, update);
  return encoding.toUint8Array(encoder);
}

/** Sync step 1: the server's state vector, asking the client for what the server lacks. */
export function syncStep1Message(doc: Y.Doc): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  syncProtocol.writeSyncStep1(encoder, doc);
  return encoding.toUint8Array(encoder);
}

/** Sync step 2: what the client lacks, given its state vector. */
export function syncStep2Message(doc: Y.Doc, stateVector: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  syncProtocol.writeSyncStep2(encoder, doc, stateVector);
  return encoding.toUint8Array(encoder);
}

export function awarenessMessage(awareness: awarenessProtocol.Awareness, clients: number[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
  return encoding.toUint8Array(encoder);
}
