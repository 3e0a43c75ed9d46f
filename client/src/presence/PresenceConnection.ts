/**
 * The typed connection to the `/presence` namespace (shared/presenceProtocol.ts)
 * for staff pages: the expert's on-call page and the mediator's request card.
 * The browser's session cookie authenticates it, so no token is passed.
 * `request()` settles exactly once, like the room's SignalingClient: with the
 * data, the server's code, on timeout, or when the socket goes down.
 */
import { io, type Socket } from 'socket.io-client';
import type { Ack } from '../../../shared/errors';
import {
  PRESENCE_NAMESPACE,
  PRESENCE_PROTOCOL_VERSION,
  type PresenceClientEvents,
  type PresenceNotifications,
  type PresenceRequestName,
  type PresenceRequestPayload,
  type PresenceResponse,
  type PresenceServerEvents,
} from '../../../shared/presenceProtocol';
import { handshakeCode, RequestError } from '../signaling/errors';

const REQUEST_TIMEOUT_MS = 10_000;

export type PresenceStatus =
  | { state: 'connecting' }
  | { state: 'connected' }
  /** Down; socket.io tries again by itself unless `retrying` is false. */
  | { state: 'disconnected'; retrying: boolean }
  /** The server refused the handshake (UNAUTHENTICATED, FORBIDDEN, UNSUPPORTED_PROTOCOL): retrying cannot help. */
  | { state: 'refused'; code: string; message: string };

type PresenceSocket = Socket<PresenceServerEvents, PresenceClientEvents>;

export class PresenceConnection {
  readonly #socket: PresenceSocket;
  readonly #pending = new Set<(error: RequestError) => void>();
  readonly #statusListeners = new Set<(status: PresenceStatus) => void>();
  #status: PresenceStatus = { state: 'connecting' };

  constructor(origin = location.origin) {
    this.#socket = io(origin + PRESENCE_NAMESPACE, {
      auth: { protocolVersion: PRESENCE_PROTOCOL_VERSION },
      transports: ['websocket'],
      withCredentials: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
    });
    this.#socket.on('connect', () => this.#setStatus({ state: 'connected' }));
    this.#socket.on('disconnect', () => {
      for (const reject of [...this.#pending]) reject(new RequestError('DISCONNECTED', 'the connection was lost'));
      this.#setStatus({ state: 'disconnected', retrying: this.#socket.active });
    });
    this.#socket.on('connect_error', (err: Error & { data?: { message?: unknown } }) => {
      const code = handshakeCode(err);
      const message = typeof err.data?.message === 'string' ? err.data.message : err.message;
      // socket.io stops retrying after a refusal by middleware (socket.active is false then).
      if (code && !this.#socket.active) this.#setStatus({ state: 'refused', code, message });
      else this.#setStatus({ state: 'disconnected', retrying: true });
    });
  }

  get status(): PresenceStatus {
    return this.#status;
  }

  onStatus(listener: (status: PresenceStatus) => void): () => void {
    this.#statusListeners.add(listener);
    return () => void this.#statusListeners.delete(listener);
  }

  /**
   * The server's engine.io ping arrived (every 10 s). A network event, so it
   * still fires in a background tab whose timers the browser throttles to one
   * a minute; the expert page beats on it too.
   */
  onServerPing(listener: () => void): () => void {
    this.#socket.io.on('ping', listener);
    return () => void this.#socket.io.off('ping', listener);
  }

  /** Listen to a server notification; returns the function that stops listening. */
  on<K extends keyof PresenceNotifications>(name: K, handler: (payload: PresenceNotifications[K]) => void): () => void {
    // socket.io's typed overloads cannot follow a generic K; the map is the same one.
    const socket = this.#socket as unknown as Socket;
    const event: string = name;
    const fn = (payload: unknown) => handler(payload as PresenceNotifications[K]);
    socket.on(event, fn);
    return () => void socket.off(event, fn);
  }

  request<K extends PresenceRequestName>(name: K, payload: PresenceRequestPayload<K>): Promise<PresenceResponse<K>> {
    return new Promise<PresenceResponse<K>>((resolve, reject) => {
      if (!this.#socket.connected) {
        reject(new RequestError('DISCONNECTED', `${name}: not connected`));
        return;
      }
      const settle = (error: RequestError | null, data?: PresenceResponse<K>) => {
        clearTimeout(timer);
        this.#pending.delete(fail);
        if (error) reject(error);
        else resolve(data as PresenceResponse<K>);
      };
      const fail = (error: RequestError) => settle(error);
      const timer = setTimeout(() => fail(new RequestError('TIMEOUT', `${name}: no answer`)), REQUEST_TIMEOUT_MS);
      this.#pending.add(fail);
      const emit = this.#socket.emit.bind(this.#socket) as unknown as (
        event: K,
        payload: PresenceRequestPayload<K>,
        ack: (response: Ack<PresenceResponse<K>>) => void,
      ) => void;
      emit(name, payload, (response) => {
        if (!this.#pending.has(fail)) return;
        if (response.ok) settle(null, response.data);
        else settle(new RequestError(response.error.code, response.error.message));
      });
    });
  }

  /** Closes for good: for an expert, the server takes them offline once their last page is gone. */
  close(): void {
    this.#socket.disconnect();
    this.#statusListeners.clear();
  }

  #setStatus(status: PresenceStatus): void {
    this.#status = status;
    for (const listener of [...this.#statusListeners]) listener(status);
  }
}
