/**
 * A staff member's `/presence` connection as their page makes it, for tests:
 * socket.io-client with a session token (what the login cookie carries), the
 * calls, call ends and request news it received, and typed requests.
 */
import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { Ack } from '../../shared/errors';
import type { OfferView, RequestUpdate } from '../../shared/experts';
import type { CaseId, StaffId } from '../../shared/ids';
import {
  PRESENCE_NAMESPACE,
  PRESENCE_PROTOCOL_VERSION,
  type PresenceClientEvents,
  type PresenceRequestName,
  type PresenceRequestPayload,
  type PresenceResponse,
  type PresenceServerEvents,
} from '../../shared/presenceProtocol';
import type { Db } from '../../server/db/Db';
import { Records } from '../../server/records';
import { hashToken } from '../../server/staff/authenticate';

export interface PresenceClient {
  socket: Socket<PresenceServerEvents, PresenceClientEvents>;
  rings: OfferView[];
  /** Why each call stopped ringing without an answer: timed_out or withdrawn. */
  ended: string[];
  updates: RequestUpdate[];
  /** The cases the mediator released this expert from. */
  released: CaseId[];
  request<K extends PresenceRequestName>(
    name: K,
    payload: PresenceRequestPayload<K>,
  ): Promise<Ack<PresenceResponse<K>>>;
}

/** A staff session as a login makes it: a random token, its hash in staff_sessions. */
export async function staffSession(db: Db, staffId: StaffId): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await new Records(db).read.sessions.create(staffId, hashToken(token), new Date(Date.now() + 3_600_000));
  return token;
}

/** Connects and resolves once connected; rejects with the server's error code (e.g. UNAUTHENTICATED). */
export async function connectPresence(baseUrl: string, token: string | undefined): Promise<PresenceClient> {
  const socket: PresenceClient['socket'] = io(baseUrl + PRESENCE_NAMESPACE, {
    auth: { token, protocolVersion: PRESENCE_PROTOCOL_VERSION },
    transports: ['websocket'],
    reconnection: false,
  });
  const client: PresenceClient = {
    socket,
    rings: [],
    ended: [],
    updates: [],
    released: [],
    request: (name, payload) =>
      (socket.timeout(5000).emitWithAck as (...args: unknown[]) => Promise<never>)(name, payload),
  };
  socket.on('expert:ringing', (offer) => client.rings.push(offer));
  socket.on('expert:ringEnded', ({ why }) => client.ended.push(why));
  socket.on('expertRequest:updated', (update) => client.updates.push(update));
  socket.on('expert:released', ({ caseId }) => client.released.push(caseId));
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
  } catch (error) {
    socket.disconnect();
    throw error;
  }
  return client;
}

/**
 * Sets the expert available and heartbeats every `everyMs` as their page does,
 * until the socket disconnects.
 */
export async function goOnCall(client: PresenceClient, everyMs: number): Promise<void> {
  const reply = await client.request('expert:setAvailability', { state: 'available' });
  if (!reply.ok) throw new Error(`expert:setAvailability: ${reply.error.code}`);
  // A beat in flight when the page closes is rejected by socket.io-client: nothing to report.
  const beat = () => client.request('expert:heartbeat', { chosen: 'available' }).catch(() => undefined);
  const timer = setInterval(beat, everyMs);
  client.socket.on('disconnect', () => clearInterval(timer));
}
