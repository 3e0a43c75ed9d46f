/**
 * One websocket on an agreement: what it may do (decided before it opened),
 * its rate limits, and the decoding of what it sends. It knows nothing of the
 * document; SharedDoc receives its decoded messages.
 *
 * Throttling pauses the socket (TCP backpressure slows the sender) instead of
 * dropping messages: a dropped Yjs update would leave the sender believing the
 * server has it. Only a sender that stays far over its rate is closed.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import type { AgreementAccess } from '../../shared/agreement';
import { AppError, closeCodeOf } from '../../shared/errors';
import type { AccessDecision, CollabUser } from './access';
import type { CollabLimits } from './limits';
import { parseClientMessage, type ClientMessage } from './messages';
import { TokenBucket } from './TokenBucket';

/** Close codes that are not errors of the client's making; y-websocket reconnects after each. */
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_INTERNAL = 1011;
export const CLOSE_TRY_AGAIN_LATER = 1013;
/** The document was reloaded on the server (after an update that Yjs could not apply); reconnect. */
export const CLOSE_RELOADED = 4500;
/** The update depends on content the server does not have; reconnect, and sync step 2 brings both. */
export const CLOSE_RESYNC = 4501;

/** Thrown by a handler to have the connection closed with CLOSE_RESYNC. */
export class ResyncNeeded extends Error {
  constructor() {
    super('the update depends on content the server does not have; reconnect to resync');
  }
}

export interface ConnectionEvents {
  message(conn: CollabConnection, message: ClientMessage): void;
  close(conn: CollabConnection, code: number, reason: string): void;
}

/** The database's backlog, which every connection stops reading for when it grows. */
export interface Backpressure {
  readonly overloaded: boolean;
  whenRelieved(): Promise<void>;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

export class CollabConnection {
  /** Short random id for logs. */
  readonly id = randomBytes(4).toString('hex');
  readonly user: CollabUser;
  readonly log: Logger;
  #access: AgreementAccess;
  readonly #ws: WebSocket;
  readonly #limits: CollabLimits;
  readonly #messages: TokenBucket;
  readonly #bytes: TokenBucket;
  readonly #backpressure: Backpressure;
  #events: ConnectionEvents | undefined;
  #alive = true;
  #closed = false;
  #resumeTimer: NodeJS.Timeout | undefined;
  #throttledUntil = 0;
  #waitingForDrain = false;
  readonly #expiryTimer: NodeJS.Timeout | undefined;

  constructor(
    ws: WebSocket,
    decision: AccessDecision,
    limits: CollabLimits,
    backpressure: Backpressure,
    logger: Logger,
  ) {
    this.#ws = ws;
    this.user = decision.user;
    this.#access = decision.access;
    this.#limits = limits;
    this.#backpressure = backpressure;
    this.#messages = new TokenBucket(limits.messagesPerSecond, limits.messageBurst);
    this.#bytes = new TokenBucket(limits.bytesPerSecond, limits.byteBurst);
    this.log = logger.child({ connId: this.id, access: decision.access, user: describe(decision.user) });

    const untilExpiry = decision.expiresAt.getTime() - Date.now();
    if (untilExpiry < MAX_TIMER_MS) {
      this.#expiryTimer = setTimeout(
        () => this.close(closeCodeOf('UNAUTHENTICATED'), 'credentials expired'),
        Math.max(0, untilExpiry),
      );
    }
    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on('pong', () => (this.#alive = true));
    ws.on('error', (error) => this.log.warn({ err: error }, 'ws error'));
    ws.once('close', (code, reason) => this.#onClose(code, reason.toString('utf8')));
  }

  get access(): AgreementAccess {
    return this.#access;
  }

  /** Changes what this open connection may do (the case's party setting changed). */
  setAccess(access: AgreementAccess): void {
    if (access === this.#access) return;
    this.log.info({ from: this.#access, to: access }, 'setAccess()');
    this.#access = access;
  }

  get open(): boolean {
    return !this.#closed && this.#ws.readyState === WebSocket.OPEN;
  }

  /** Starts delivering messages; called once the connection is attached to its document. */
  listen(events: ConnectionEvents): void {
    this.#events = events;
  }

  send(message: Uint8Array): void {
    if (!this.open) return;
    if (this.#ws.bufferedAmount > this.#limits.maxBufferedBytes) {
      this.close(CLOSE_TRY_AGAIN_LATER, 'too far behind; reconnect');
      return;
    }
    this.#ws.send(message, { binary: true });
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#resumeTimer);
    clearTimeout(this.#expiryTimer);
    if (code >= 4000 && code < 4500) this.log.info({ code, reason }, 'close(): refused');
    else this.log.debug({ code, reason }, 'close()');
    this.#ws.close(code, truncateReason(reason));
    // Read again (a throttled socket is paused) so the peer's closing frame is seen; messages are ignored from now on.
    this.#ws.resume();
    // A peer that never completes the closing handshake must not hold the socket.
    setTimeout(() => this.#ws.terminate(), 5000).unref();
  }

  /** Called on the server's ping interval: drops a connection that did not answer the last ping. */
  heartbeat(): void {
    if (!this.#alive) {
      this.log.info('heartbeat(): no pong, terminating');
      this.#ws.terminate();
      return;
    }
    this.#alive = false;
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.ping();
  }

  #onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    if (this.#closed || !this.#events) return;
    if (!isBinary) return this.close(closeCodeOf('BAD_REQUEST'), 'text frames are not part of the protocol');
    const bytes = toBytes(data);
    const waitMs = Math.max(this.#messages.take(1), this.#bytes.take(bytes.length));
    if (waitMs > this.#limits.maxThrottleSeconds * 1000)
      return this.close(closeCodeOf('RATE_LIMITED'), 'rate limit exceeded');
    if (waitMs > 0) this.#pauseFor(waitMs);
    if (this.#backpressure.overloaded) this.#pauseUntilDrained();
    try {
      this.#events.message(this, parseClientMessage(bytes, this.#limits));
    } catch (error) {
      if (error instanceof AppError) return this.close(closeCodeOf(error.code), error.message);
      if (error instanceof ResyncNeeded) return this.close(CLOSE_RESYNC, error.message);
      this.log.error({ err: error }, '#onMessage(): failed');
      this.close(CLOSE_INTERNAL, 'internal error');
    }
  }

  #pauseFor(ms: number): void {
    this.#throttledUntil = Math.max(this.#throttledUntil, performance.now() + ms);
    this.#ws.pause();
    this.#scheduleResume();
  }

  #pauseUntilDrained(): void {
    this.#ws.pause();
    if (this.#waitingForDrain) return;
    this.#waitingForDrain = true;
    void this.#backpressure.whenRelieved().then(() => {
      this.#waitingForDrain = false;
      this.#resume();
    });
  }

  #scheduleResume(): void {
    clearTimeout(this.#resumeTimer);
    this.#resumeTimer = setTimeout(() => this.#resume(), Math.max(1, this.#throttledUntil - performance.now()));
  }

  // Resumes reading once neither the rate limit nor the database holds this connection back.
  #resume(): void {
    if (this.#closed) return;
    if (performance.now() < this.#throttledUntil) return this.#scheduleResume();
    if (this.#backpressure.overloaded) return this.#pauseUntilDrained();
    this.#ws.resume();
  }

  #onClose(code: number, reason: string): void {
    this.#closed = true;
    clearTimeout(this.#resumeTimer);
    clearTimeout(this.#expiryTimer);
    this.#events?.close(this, code, reason);
  }
}

function toBytes(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Close reasons may carry at most 123 bytes of UTF-8. */
function truncateReason(reason: string): string {
  let out = reason;
  while (Buffer.byteLength(out) > 123) out = out.slice(0, -1);
  return out;
}

function describe(user: CollabUser): string {
  return user.kind === 'staff' ? `staff:${user.staffId}` : `link:${user.role}:${user.linkId}`;
}
