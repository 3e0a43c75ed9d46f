/**
 * Expert presence on a server: the `/presence` socket.io namespace (staff
 * logins, not room links), the dispatcher whose rings and news it carries,
 * and the sweeper that keeps the store's index current between reads.
 *
 * Rings and news go to socket.io rooms (`expert:<id>`, `staff:<id>`), not to
 * sockets held in a map: with the socket.io Redis adapter (redisAdapter.ts),
 * an expert connected to another node hears the ring too. Their answer, taken
 * on their node, goes to the node whose dispatcher made the offer by
 * serverSideEmit; so does the news that their last page closed.
 */
import type { Logger } from 'pino';
import type { Namespace, Server, Socket } from 'socket.io';
import { AppError, type Ack, type ErrorBody } from '../../shared/errors';
import {
  PRESENCE_NAMESPACE,
  PRESENCE_PROTOCOL_VERSION,
  presenceHandshakeSchema,
  type PresenceClientEvents,
  type PresenceServerEvents,
} from '../../shared/presenceProtocol';
import type { ExpertId, OfferId, StaffId } from '../../shared/ids';
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

type RoutedAnswer = { ok: true; result: 'accepted' | 'declined' } | { ok: false; error: ErrorBody };

/** What server nodes tell each other (serverSideEmit, through the Redis adapter). */
interface NodeEvents {
  /** An expert answered on the asking node; the node that made the offer replies, the others reply null. */
  'presence:answer': (
    input: { expertId: ExpertId; offerId: OfferId; answer: 'accept' | 'decline' },
    reply: (result: RoutedAnswer | null) => void,
  ) => void;
  /** The expert's last page closed: a call ringing for them on any node moves on. */
  'presence:expertLeft': (expertId: ExpertId) => void;
}

type PresenceNamespace = Namespace<PresenceClientEvents, PresenceServerEvents, NodeEvents, SocketData>;
type PresenceSocket = Socket<PresenceClientEvents, PresenceServerEvents, NodeEvents, SocketData>;

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
  /** The socket.io Redis adapter is attached: other nodes exist and hear serverSideEmit. */
  crossNode?: boolean;
  /**
   * A join link into the case's session for the expert who accepted this
   * offer (server/sessions ExpertLinks); null when the case has no session.
   */
  joinLinkForAcceptedOffer?: (offerId: OfferId, expert: ExpertRecord) => Promise<string | null>;
}

export class PresenceService {
  readonly dispatcher: ExpertDispatcher;
  readonly #nsp: PresenceNamespace;
  readonly #store: PresenceStore;
  readonly #records: Records;
  readonly #log: Logger;
  readonly #sweeper: NodeJS.Timeout;
  readonly #crossNode: boolean;
  readonly #offerLog: SqlOfferLog;
  readonly #joinLinkForAcceptedOffer: PresenceServiceOptions['joinLinkForAcceptedOffer'];
  #closed: Promise<void> | undefined;

  constructor(options: PresenceServiceOptions) {
    this.#store = options.store;
    this.#records = options.records;
    this.#log = options.logger.child({ component: 'presence' });
    this.#crossNode = options.crossNode ?? false;
    this.#offerLog = new SqlOfferLog(options.records.db);
    this.#joinLinkForAcceptedOffer = options.joinLinkForAcceptedOffer;
    this.#nsp = options.io.of(PRESENCE_NAMESPACE) as unknown as PresenceNamespace;
    this.dispatcher = new ExpertDispatcher({
      store: options.store,
      log: this.#offerLog,
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
    this.#nsp.on('presence:answer', (input, reply) => {
      if (!this.dispatcher.hasOffer(input.offerId)) return reply(null);
      this.dispatcher.answer(input.expertId, input.offerId, input.answer).then(
        (result) => reply({ ok: true, result }),
        (error: unknown) => reply({ ok: false, error: bodyOf(error) }),
      );
    });
    this.#nsp.on('presence:expertLeft', (expertId) => {
      this.dispatcher
        .expertLeft(expertId)
        .catch((error: unknown) => this.#log.error({ err: error, expertId }, 'expertLeft(): failed'));
    });
    const sweepEveryMs = options.sweepEveryMs ?? 1000;
    this.#sweeper = setInterval(() => {
      this.#store.sweep().catch((error: unknown) => this.#log.warn({ err: error }, 'sweep(): failed'));
    }, sweepEveryMs);
    this.#sweeper.unref();
  }

  /**
   * An expert's answer: to this node's dispatcher if it made the offer, otherwise
   * to whichever node did.
   */
  async answer(expertId: ExpertId, offerId: OfferId, how: 'accept' | 'decline'): Promise<'accepted' | 'declined'> {
    if (!this.#crossNode || this.dispatcher.hasOffer(offerId)) return this.dispatcher.answer(expertId, offerId, how);
    let replies: (RoutedAnswer | null)[];
    try {
      replies = await this.#nsp.serverSideEmitWithAck('presence:answer', { expertId, offerId, answer: how });
    } catch (error) {
      // A node that did not reply in the adapter's requestsTimeout: the replies that came still count.
      replies = (error as { responses?: (RoutedAnswer | null)[] }).responses ?? [];
    }
    const reply = replies.find((r) => r !== null);
    if (!reply) throw new AppError('CONFLICT', 'this call is no longer open');
    if (!reply.ok) throw new AppError(reply.error.code, reply.error.message);
    return reply.result;
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
      answer: (expertId, offerId, how) => this.answer(expertId, offerId, how),
      records: this.#records,
      offerLog: this.#offerLog,
      joinLinkFor: (offerId, expert) => this.#joinLinkForAcceptedOffer?.(offerId, expert) ?? Promise.resolve(null),
      tellReleased: (expertId, caseId) => void this.#nsp.to(expertRoom(expertId)).emit('expert:released', { caseId }),
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
    if (presence.state === 'ringing') {
      await this.dispatcher.expertLeft(expertId);
      if (this.#crossNode) this.#nsp.serverSideEmit('presence:expertLeft', expertId);
    }
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

function bodyOf(error: unknown): ErrorBody {
  return error instanceof AppError ? error.toBody() : { code: 'INTERNAL', message: 'the server could not do that' };
}
