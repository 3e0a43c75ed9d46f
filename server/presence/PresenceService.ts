/**
 * Expert presence on a server: the `/presence` socket.io namespace (staff
 * logins, not room links), the dispatcher whose rings and news it carries,
 * and the sweeper that keeps the store's index current between reads.
 *
 * Rings and news go to socket.io rooms (`expert:<id>`, `staff:<id>`), not to
 * sockets held in a map: with the socket.io Redis adapter installed on the
 * server, an expert connected to another node hears the ring too. An answer
 * must still reach the node whose dispatcher made the offer (see the lead's
 * notes on routing answers between nodes).
 */
import type { Logger } from 'pino';
import type { Namespace, Server, Socket } from 'socket.io';
import { AppError, type Ack } from '../../shared/errors';
import {
  PRESENCE_NAMESPACE,
  PRESENCE_PROTOCOL_VERSION,
  presenceHandshakeSchema,
  type PresenceClientEvents,
  type PresenceServerEvents,
} from '../../shared/presenceProtocol';
import type { ExpertId, StaffId } from '../../shared/ids';
import type { Actor } from '../authz/actor';
import type { Records } from '../records';
import { RateLimiter } from '../signaling/RateLimiter';
import { hashToken, SESSION_COOKIE } from '../staff/authenticate';
import { ExpertDispatcher, type DispatchSettings } from './ExpertDispatcher';
import { SqlExpertStore, type ExpertRecord } from './ExpertStore';
import { SqlOfferLog } from './OfferLog';
import { presenceHandlers, type PresenceContext } from './presenceHandlers';
import type { PresenceStore } from './PresenceStore';

interface SocketData {
  actor: Actor;
  expert: ExpertRecord | null;
}

type PresenceNamespace = Namespace<PresenceClientEvents, PresenceServerEvents, Record<string, never>, SocketData>;
type PresenceSocket = Socket<PresenceClientEvents, PresenceServerEvents, Record<string, never>, SocketData>;

const expertRoom = (id: ExpertId) => `expert:${id}`;
const staffRoom = (id: StaffId) => `staff:${id}`;

export interface PresenceServiceOptions {
  io: Server;
  records: Records;
  store: PresenceStore;
  logger: Logger;
  dispatch?: Partial<DispatchSettings>;
  /** How often the store is swept (lapsed heartbeats, unanswered rings); default 1 s. */
  sweepEveryMs?: number;
}

export class PresenceService {
  readonly dispatcher: ExpertDispatcher;
  readonly #nsp: PresenceNamespace;
  readonly #store: PresenceStore;
  readonly #records: Records;
  readonly #log: Logger;
  readonly #sweeper: NodeJS.Timeout;
  #closed: Promise<void> | undefined;

  constructor(options: PresenceServiceOptions) {
    this.#store = options.store;
    this.#records = options.records;
    this.#log = options.logger.child({ component: 'presence' });
    this.#nsp = options.io.of(PRESENCE_NAMESPACE) as unknown as PresenceNamespace;
    this.dispatcher = new ExpertDispatcher({
      store: options.store,
      log: new SqlOfferLog(options.records.db),
      logger: options.logger,
      settings: options.dispatch,
      listener: {
        ring: (expertId, offer) => void this.#nsp.to(expertRoom(expertId)).emit('expert:ringing', offer),
        ringEnded: (expertId, offerId, why) =>
          void this.#nsp.to(expertRoom(expertId)).emit('expert:ringEnded', { offerId, why }),
        requestUpdated: (update) =>
          void this.#nsp.to(staffRoom(update.requestedBy)).emit('expertRequest:updated', update),
      },
    });
    this.#nsp.use((socket, next) => {
      this.#authenticate(socket).then(
        (data) => {
          socket.data = data;
          next();
        },
        (error: unknown) => {
          const body =
            error instanceof AppError ? error.toBody() : { code: 'INTERNAL', message: 'could not check the login' };
          if (!(error instanceof AppError)) this.#log.error({ err: error }, 'authenticate(): failed');
          next(Object.assign(new Error(body.code), { data: body }));
        },
      );
    });
    this.#nsp.on('connection', (socket) => this.#onConnection(socket));
    const sweepEveryMs = options.sweepEveryMs ?? 1000;
    this.#sweeper = setInterval(() => {
      this.#store.sweep().catch((error: unknown) => this.#log.warn({ err: error }, 'sweep(): failed'));
    }, sweepEveryMs);
    this.#sweeper.unref();
  }

  /** Withdraws every ring and stops the sweeper; the namespace closes with the socket.io server. Idempotent. */
  close(): Promise<void> {
    return (this.#closed ??= (async () => {
      clearInterval(this.#sweeper);
      await this.dispatcher.close();
    })());
  }

  async #authenticate(socket: PresenceSocket): Promise<SocketData> {
    const parsed = presenceHandshakeSchema.safeParse(socket.handshake.auth);
    if (!parsed.success) throw new AppError('UNAUTHENTICATED', 'log in first');
    if (parsed.data.protocolVersion !== PRESENCE_PROTOCOL_VERSION) {
      throw new AppError('UNSUPPORTED_PROTOCOL', 'please reload the page to get the current app');
    }
    const token = parsed.data.token ?? cookieToken(socket.handshake.headers.cookie);
    const session = token && (await this.#records.read.sessions.actorForToken(hashToken(token), new Date()));
    if (!session) throw new AppError('UNAUTHENTICATED', 'log in first (the session is missing, ended or expired)');
    const { actor } = session;
    if (actor.role !== 'expert') return { actor, expert: null };
    const expert = (await new SqlExpertStore(this.#records.db).byStaff(actor.staffId)) ?? null;
    if (!expert?.active) throw new AppError('FORBIDDEN', 'this account is in no expert pool');
    return { actor, expert };
  }

  #onConnection(socket: PresenceSocket): void {
    const { actor, expert } = socket.data;
    const log = this.#log.child({ staffId: actor.staffId, expertId: expert?.id });
    void socket.join(staffRoom(actor.staffId));
    if (expert) void socket.join(expertRoom(expert.id));
    log.info({ role: actor.role }, 'connection');
    const ctx: PresenceContext = {
      actor,
      expert,
      log,
      rateLimiter: new RateLimiter(30, 10),
      store: this.#store,
      dispatcher: this.dispatcher,
      records: this.#records,
    };
    for (const handler of presenceHandlers) {
      socket.on(handler.name, async (...args: unknown[]) => {
        const [payload, ack] = args.length === 1 && typeof args[0] === 'function' ? [{}, args[0]] : args;
        if (typeof ack !== 'function') return;
        (ack as (response: Ack<unknown>) => void)(await handler.run(ctx, payload));
      });
    }
    socket.on('disconnect', (reason) => {
      log.info({ reason }, 'disconnect');
      // At shutdown every socket closes: the experts' presence lapses with their heartbeats, or
      // moves with them to another node, rather than this node marking them all offline.
      if (expert && !this.#closed) {
        this.#expertDisconnected(expert.id).catch((error: unknown) =>
          log.error({ err: error }, 'disconnect: could not update presence'),
        );
      }
    });
  }

  /**
   * The expert's last page closed (on any node): a ringing call moves on now
   * and they are offline at once, not at the end of their TTL. An expert in a
   * case keeps it; their presence lapses with the heartbeats.
   */
  async #expertDisconnected(expertId: ExpertId): Promise<void> {
    if ((await this.#nsp.in(expertRoom(expertId)).fetchSockets()).length > 0) return;
    const presence = await this.#store.get(expertId);
    if (presence.state === 'in_case') return;
    if (presence.state === 'ringing') await this.dispatcher.expertLeft(expertId);
    await this.#store.goOffline(expertId);
  }
}

function cookieToken(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) {
      const token = value.join('=');
      return /^[A-Za-z0-9_-]{20,200}$/.test(token) ? token : undefined;
    }
  }
  return undefined;
}
