/**
 * The typed socket.io connection to the signalling server. `request()` is
 * typed from shared/protocol.ts and settles exactly once: with the data, with
 * the server's error code, on timeout, or as soon as the socket goes down.
 */
import { io, type Socket } from 'socket.io-client';
import type { Ack, ErrorCode } from '../../../shared/errors';
import {
  PROTOCOL_VERSION,
  type ClientToServerEvents,
  type HandshakeAuth,
  type NotificationName,
  type Notifications,
  type RequestName,
  type RequestPayload,
  type ResponseData,
  type ServerToClientEvents,
} from '../../../shared/protocol';
import { handshakeCode, RequestError } from './errors';

export const REQUEST_TIMEOUT_MS = 10_000;

type GridroomSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface SignalingEvents {
  /** Connected, the first time or after socket.io reconnected by itself. */
  connect: () => void;
  /** The connection went down; `willReconnect` is false when socket.io will not try again on its own. */
  disconnect: (willReconnect: boolean) => void;
  /** The server refused the handshake with a code (`INVALID_LINK`, ...), or the network failed (`code` null). */
  connectError: (code: ErrorCode | null, message: string) => void;
}

export class SignalingClient {
  readonly #socket: GridroomSocket;
  // Rejected all at once on disconnect: socket.io would otherwise buffer or
  // lose them silently, and a join must not hang for the full timeout.
  readonly #pending = new Set<(error: RequestError) => void>();
  readonly #listeners: { [E in keyof SignalingEvents]: Set<SignalingEvents[E]> } = {
    connect: new Set(),
    disconnect: new Set(),
    connectError: new Set(),
  };

  constructor(origin: string, token: string, deviceId?: string) {
    const auth: HandshakeAuth = { token, protocolVersion: PROTOCOL_VERSION, ...(deviceId && { deviceId }) };
    this.#socket = io(origin, {
      auth,
      transports: ['websocket'],
      autoConnect: false,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
    });
    this.#socket.on('connect', () => this.#emit('connect'));
    this.#socket.on('disconnect', () => {
      for (const reject of [...this.#pending]) reject(new RequestError('DISCONNECTED', 'the connection was lost'));
      // socket.active is false after a disconnect by the server or by us: socket.io will not retry then.
      this.#emit('disconnect', this.#socket.active);
    });
    this.#socket.on('connect_error', (err: Error & { data?: { message?: unknown; location?: unknown } }) => {
      const message = typeof err.data?.message === 'string' ? err.data.message : err.message;
      // The session went live on another server of the deployment meanwhile: open the link there.
      if (
        handshakeCode(err) === 'WRONG_NODE' &&
        typeof err.data?.location === 'string' &&
        /^https?:\/\//.test(err.data.location)
      ) {
        window.location.assign(`${err.data.location}/join/${encodeURIComponent(token)}`);
      }
      this.#emit('connectError', handshakeCode(err), message);
    });
  }

  get connected(): boolean {
    return this.#socket.connected;
  }

  connect(): void {
    this.#socket.connect();
  }

  disconnect(): void {
    this.#socket.disconnect();
  }

  on<E extends keyof SignalingEvents>(event: E, handler: SignalingEvents[E]): () => void {
    const listeners = this.#listeners[event] as Set<SignalingEvents[E]>;
    listeners.add(handler);
    return () => void listeners.delete(handler);
  }

  /** Listen to a server notification; returns the function that stops listening. */
  onNotification<K extends NotificationName>(name: K, handler: (payload: Notifications[K]) => void): () => void {
    // socket.io's typed overloads cannot follow a generic K; the map is the same one.
    const socket = this.#socket as unknown as Socket;
    const event: string = name;
    const fn = (payload: unknown) => handler(payload as Notifications[K]);
    socket.on(event, fn);
    return () => void socket.off(event, fn);
  }

  request<K extends RequestName>(
    name: K,
    payload: RequestPayload<K>,
    timeoutMs = REQUEST_TIMEOUT_MS,
  ): Promise<ResponseData<K>> {
    return new Promise<ResponseData<K>>((resolve, reject) => {
      if (!this.#socket.connected) {
        reject(new RequestError('DISCONNECTED', `${name}: not connected`));
        return;
      }
      const settle = (error: RequestError | null, data?: ResponseData<K>) => {
        clearTimeout(timer);
        this.#pending.delete(fail);
        if (error) reject(error);
        else resolve(data as ResponseData<K>);
      };
      const fail = (error: RequestError) => settle(error);
      const timer = setTimeout(() => fail(new RequestError('TIMEOUT', `${name}: no answer`)), timeoutMs);
      this.#pending.add(fail);
      const emit = this.#socket.emit.bind(this.#socket) as unknown as (
        event: K,
        payload: RequestPayload<K>,
        ack: (response: Ack<ResponseData<K>>) => void,
      ) => void;
      emit(name, payload, (response) => {
        if (!this.#pending.has(fail)) return;
        if (response.ok) settle(null, response.data);
        else settle(new RequestError(response.error.code, response.error.message));
      });
    });
  }

  #emit<E extends keyof SignalingEvents>(event: E, ...args: Parameters<SignalingEvents[E]>): void {
    for (const handler of [...this.#listeners[event]])
      (handler as (...a: Parameters<SignalingEvents[E]>) => void)(...args);
  }
}
