/**
 * A socket.io client in Node that speaks the real protocol, for integration
 * tests: typed requests from shared/protocol.ts, and a record of every
 * notification received.
 */
import { io, type Socket } from 'socket.io-client';
import type { Ack } from '../../shared/errors';
import {
  PROTOCOL_VERSION,
  type ClientToServerEvents,
  type NotificationName,
  type Notifications,
  type RequestName,
  type RequestPayload,
  type ResponseData,
  type ServerToClientEvents,
} from '../../shared/protocol';
import { eventually } from './eventually';

export class TestSignalingClient {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  readonly received: { name: NotificationName; payload: unknown }[] = [];

  private constructor(socket: Socket<ServerToClientEvents, ClientToServerEvents>) {
    this.socket = socket;
    socket.onAny((name: NotificationName, payload: unknown) => this.received.push({ name, payload }));
  }

  /** Connects with a token; rejects with the server's error code as message when the handshake is refused. */
  static async connect(
    url: string,
    token: string,
    { protocolVersion = PROTOCOL_VERSION, deviceId }: { protocolVersion?: number; deviceId?: string } = {},
  ): Promise<TestSignalingClient> {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url, {
      auth: { token, protocolVersion, ...(deviceId ? { deviceId } : {}) },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (error) => {
        socket.close();
        reject(error);
      });
    });
    return new TestSignalingClient(socket);
  }

  /** The raw ack, success or not. */
  async send<K extends RequestName>(name: K, payload: RequestPayload<K> | unknown): Promise<Ack<ResponseData<K>>> {
    const emit = this.socket.timeout(10_000).emitWithAck as unknown as (
      n: string,
      p: unknown,
    ) => Promise<Ack<ResponseData<K>>>;
    return emit.call(this.socket, name, payload);
  }

  /** The data of a successful ack; throws with the error code otherwise. */
  async request<K extends RequestName>(name: K, payload: RequestPayload<K>): Promise<ResponseData<K>> {
    const response = await this.send(name, payload);
    if (!response.ok) throw new Error(`${name} failed: ${response.error.code} ${response.error.message}`);
    return response.data;
  }

  notifications<K extends NotificationName>(name: K): Notifications[K][] {
    return this.received.filter((n) => n.name === name).map((n) => n.payload as Notifications[K]);
  }

  waitFor<K extends NotificationName>(name: K, predicate: (p: Notifications[K]) => boolean = () => true) {
    return eventually(() => this.notifications(name).find(predicate), { what: `notification ${name}` });
  }

  close(): void {
    this.socket.close();
  }
}
