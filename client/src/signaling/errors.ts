/**
 * Errors as the client sees them: the server's codes, plus the few that only
 * the client can observe (a request that timed out, a browser without WebRTC).
 */
import { isErrorCode, type ErrorCode } from '../../../shared/errors';

export type ClientErrorCode =
  | ErrorCode
  /** No answer within the request timeout. */
  | 'TIMEOUT'
  /** The socket was down when the request was made, or went down before the answer. */
  | 'DISCONNECTED'
  /** This browser cannot do WebRTC (mediasoup-client found no handler). */
  | 'UNSUPPORTED_BROWSER';

export class RequestError extends Error {
  readonly code: ClientErrorCode;

  constructor(code: ClientErrorCode, message: string) {
    super(message);
    this.name = 'RequestError';
    this.code = code;
  }
}

/** The code of anything thrown, for choosing what to show and whether to retry. */
export function codeOf(error: unknown): ClientErrorCode {
  if (error instanceof RequestError) return error.code;
  if (error instanceof Error && error.name === 'UnsupportedError') return 'UNSUPPORTED_BROWSER';
  return 'INTERNAL';
}

// Handshake refusals that no retry can fix: the link itself is the problem, or
// the page is too old for the server. Anything else (a server restarting,
// workers not ready, rate limits) is worth trying again.
const FATAL_HANDSHAKE: ReadonlySet<ClientErrorCode> = new Set<ClientErrorCode>([
  'INVALID_LINK',
  'LINK_EXPIRED',
  'LINK_REVOKED',
  'LINK_IN_USE',
  'NOT_FOUND',
  'UNSUPPORTED_PROTOCOL',
  'FORBIDDEN',
  'BAD_REQUEST',
]);

// Answers to requests that joining again would only repeat. NOT_FOUND is not
// among them: mid-session it means a transport or consumer went away (a media
// worker died, a producer closed), which a rejoin does fix.
const FATAL_REQUEST: ReadonlySet<ClientErrorCode> = new Set<ClientErrorCode>([
  'BAD_REQUEST',
  'FORBIDDEN',
  'UNSUPPORTED_PROTOCOL',
  'UNSUPPORTED_BROWSER',
]);

export function isFatalHandshake(code: ClientErrorCode): boolean {
  return FATAL_HANDSHAKE.has(code);
}

export function isFatalRequest(code: ClientErrorCode): boolean {
  return FATAL_REQUEST.has(code);
}

/** The code a socket.io `connect_error` carries, when the server refused the handshake. */
export function handshakeCode(err: Error & { data?: unknown }): ErrorCode | null {
  return isErrorCode(err.message) ? err.message : null;
}
