/**
 * The closed vocabulary of error codes every socket ack and HTTP error uses.
 * HTTP statuses are mapped once here so the edges cannot disagree.
 */
export const ERROR_CODES = {
  /** The payload failed schema validation. */
  BAD_REQUEST: 400,
  /** The join link (token) is missing, tampered or signed by another key. */
  INVALID_LINK: 401,
  /** The join link was valid once but its expiry has passed. */
  LINK_EXPIRED: 401,
  /** The join link was withdrawn by the mediator. */
  LINK_REVOKED: 410,
  /** A single-device join link is already bound to another device. */
  LINK_IN_USE: 409,
  /** A staff route was called without a valid session (never logged in, logged out or expired). */
  UNAUTHENTICATED: 401,
  /** The caller's role may not do this. */
  FORBIDDEN: 403,
  /** The room, transport, producer or consumer does not exist (or is gone). */
  NOT_FOUND: 404,
  /** The request does not fit the current state (e.g. joining twice). */
  CONFLICT: 409,
  /** A request that needs `room:join` came before it. */
  NOT_JOINED: 409,
  /** The client speaks another protocol version. */
  UNSUPPORTED_PROTOCOL: 426,
  /** The payload is larger than the event allows. */
  PAYLOAD_TOO_LARGE: 413,
  /** A notarial act was asked to move in a way its lifecycle does not allow (server/notary/actMachine.ts). */
  ACT_ILLEGAL_TRANSITION: 409,
  /** A notarial act cannot move on before its precondition is met (identity established, document signed, ...). */
  ACT_PRECONDITION_FAILED: 409,
  /** A notary journal row was to be deleted before its retention period ended. */
  RETENTION_NOT_EXPIRED: 409,
  /** Too many requests from one connection. */
  RATE_LIMITED: 429,
  /** The session is held by another server of the deployment; `location` is its address. */
  WRONG_NODE: 421,
  /** Media workers are not available (starting, or being replaced). */
  UNAVAILABLE: 503,
  /** A bug or an unexpected failure; the message says no more than that. */
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** WRONG_NODE: the base URL of the server that holds the session. */
  location?: string;
}

/** Every socket request is answered with exactly one of these. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

/** An error meant for the caller: its code and message reach the client as they are. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly location: string | undefined;

  constructor(code: ErrorCode, message: string, location?: string) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.location = location;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code];
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message, ...(this.location && { location: this.location }) };
  }
}

/**
 * The websocket close code for an error (4000 + its HTTP status: 4401, 4403,
 * 4413, 4429, ...). y-websocket's provider stops reconnecting on 4400-4499, as
 * it should for these; 4500 and above mean "reconnect later".
 */
export function closeCodeOf(code: ErrorCode): number {
  return 4000 + ERROR_CODES[code];
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}
