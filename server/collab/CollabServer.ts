/**
 * The co-editing endpoint: y-websocket's protocol at /collab/<caseId> on the
 * app's HTTP server. An upgrade is authenticated and its document loaded
 * before the websocket is accepted; a refusal is an HTTP status on the raw
 * socket. Upgrades to other paths (socket.io's /socket.io/) are left alone.
 *
 * Owns the loaded documents (one per case, loaded once however many connect
 * at the same moment), the update writer, and their shutdown.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { rejectUpgrade } from '../http/rejectUpgrade';
import { AGREEMENT_PATH, type AgreementInit, type PartyAgreementAccess } from '../../shared/agreement';
import { AppError } from '../../shared/errors';
import { caseIdSchema, type CaseId } from '../../shared/ids';
import type { Actor } from '../authz/actor';
import { authorize } from '../authz/authorize';
import { credentialsOf, decideAccess, linkAccess, type AccessDeps } from './access';
import type { AgreementStore } from './AgreementStore';
import { CLOSE_GOING_AWAY, CLOSE_RELOADED, CollabConnection } from './CollabConnection';
import { DEFAULT_LIMITS, type CollabLimits } from './limits';
import { SharedDoc } from './SharedDoc';
import { UpdateWriter } from './UpdateWriter';

export interface CollabServerOptions {
  httpServer: HttpServer;
  store: AgreementStore;
  access: Omit<AccessDeps, 'agreements'>;
  /** What a case's first agreement is made from (case number, parties); null for no such case. */
  templateOf(caseId: CaseId): Promise<AgreementInit | null>;
  logger: Logger;
  limits?: Partial<CollabLimits>;
}

const LOOP_RESOLUTION_MS = 10;
const PATH = new RegExp(`^${AGREEMENT_PATH}/([^/]+)$`);

export class CollabServer {
  readonly limits: CollabLimits;
  readonly writer: UpdateWriter;
  readonly #options: CollabServerOptions;
  readonly #log: Logger;
  readonly #changeListeners = new Set<(doc: SharedDoc) => void>();
  readonly #wss: WebSocketServer;
  /** Loading or loaded documents: a second connection waits for the first one's load. */
  readonly #docs = new Map<CaseId, Promise<SharedDoc>>();
  /** Documents being unloaded: a new load of the case waits until their last writes are in. */
  readonly #unloading = new Map<CaseId, Promise<void>>();
  /** The loaded document of each case (what #docs resolved to). */
  readonly #current = new Map<CaseId, SharedDoc>();
  readonly #heartbeat: NodeJS.Timeout;
  readonly #statsTimer: NodeJS.Timeout;
  readonly #loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  #closed: Promise<void> | undefined;

  constructor(options: CollabServerOptions) {
    this.#options = options;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.#log = options.logger.child({ component: 'collab' });
    this.writer = new UpdateWriter(options.store, options.logger, { lingerMs: this.limits.groupCommitMs });
    // Up to 4x the limit a message is read and refused with a reason (4413); beyond,
    // ws closes (1009) before buffering all of it.
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: 4 * this.limits.maxMessageBytes,
      perMessageDeflate: false,
    });
    options.httpServer.on('upgrade', this.#onUpgrade);
    this.#heartbeat = setInterval(
      () => void this.#eachConnection((conn) => conn.heartbeat()),
      this.limits.pingIntervalMs,
    );
    this.#heartbeat.unref();
    this.#loopDelay.enable();
    this.#statsTimer = setInterval(() => void this.#logStats(), this.limits.statsIntervalMs);
    this.#statsTimer.unref();
  }

  /**
   * Sets whether the parties of a case edit its agreement or only comment,
   * for `actor` (who must be allowed to configure it), and applies it to the
   * parties connected now.
   */
  async setPartyAccess(actor: Actor, caseId: CaseId, access: PartyAgreementAccess): Promise<void> {
    const scope = await this.#options.access.caseScope(caseId);
    if (!scope) throw new AppError('NOT_FOUND', 'no such case');
    authorize(actor, 'agreement:configure', scope);
    await this.#options.store.setPartyAccess(caseId, access, actor.staffId);
    const doc = await this.#loaded(caseId);
    for (const conn of doc?.connections ?? []) {
      if (conn.user.kind === 'link') conn.setAccess(linkAccess(conn.user.role, access));
    }
  }

  /** Calls `listener` after every participant's update that changed a document. */
  onDocumentChanged(listener: (doc: SharedDoc) => void): void {
    this.#changeListeners.add(listener);
  }

  /**
   * Runs `fn` on the case's document, loading it if nobody has it open (it is
   * unloaded again after idleUnloadMs without connections).
   */
  async withDocument<T>(caseId: CaseId, fn: (doc: SharedDoc) => Promise<T> | T): Promise<T> {
    if (this.#closed) throw new AppError('UNAVAILABLE', 'the server is shutting down');
    const doc = await this.#document(caseId);
    try {
      return await fn(doc);
    } finally {
      doc.releaseIfIdle();
    }
  }

  /** The loaded document of a case, if it is loaded (tests read the server's state through it). */
  async documentForTesting(caseId: CaseId): Promise<SharedDoc | undefined> {
    return this.#loaded(caseId);
  }

  /** Stops accepting, closes every connection (1001: clients reconnect elsewhere), writes what is queued, compacts. */
  close(): Promise<void> {
    return (this.#closed ??= (async () => {
      this.#options.httpServer.off('upgrade', this.#onUpgrade);
      clearInterval(this.#heartbeat);
      clearInterval(this.#statsTimer);
      this.#loopDelay.disable();
      const docs = await Promise.allSettled([...this.#docs.values()]);
      this.#docs.clear();
      this.#current.clear();
      await Promise.all(
        docs.map((d) =>
          d.status === 'fulfilled'
            ? d.value.close(CLOSE_GOING_AWAY, 'server shutting down', { compact: true })
            : undefined,
        ),
      );
      await Promise.all(this.#unloading.values());
      await this.writer.close();
      for (const client of this.#wss.clients) client.terminate();
      this.#wss.close();
      this.#log.info('close(): closed');
    })());
  }

  #onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== AGREEMENT_PATH && !url.pathname.startsWith(`${AGREEMENT_PATH}/`)) return;
    // Until the upgrade completes, a reset socket must not become an uncaught 'error'.
    socket.on('error', (error) => this.#log.debug({ err: error }, '#onUpgrade(): socket error'));
    void this.#upgrade(req, socket, head, url);
  };

  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    const timer = setTimeout(
      () => rejectUpgrade(socket, new AppError('UNAVAILABLE', 'timed out')),
      this.limits.upgradeTimeoutMs,
    );
    try {
      if (this.#closed) throw new AppError('UNAVAILABLE', 'the server is shutting down');
      const caseId = caseIdSchema.safeParse(PATH.exec(url.pathname)?.[1]);
      if (!caseId.success) throw new AppError('NOT_FOUND', `no agreement at ${url.pathname}`);
      const decision = await decideAccess(
        { ...this.#options.access, agreements: this.#options.store },
        credentialsOf(req, url),
        caseId.data,
      );
      const doc = await this.#document(caseId.data);
      if (socket.destroyed || !socket.writable) return;
      clearTimeout(timer);
      this.#wss.handleUpgrade(req, socket, head, (ws) => {
        const conn = new CollabConnection(
          ws,
          decision,
          this.limits,
          this.writer,
          this.#log.child({ caseId: doc.caseId }),
        );
        doc.attach(conn);
      });
    } catch (error) {
      clearTimeout(timer);
      const appError = error instanceof AppError ? error : new AppError('INTERNAL', 'could not open the agreement');
      if (!(error instanceof AppError)) this.#log.error({ err: error }, '#upgrade(): failed');
      else this.#log.info({ code: appError.code, reason: appError.message }, '#upgrade(): refused');
      rejectUpgrade(socket, appError);
    }
  }

  /** The case's document, loading it if needed; never one that is shutting down. */
  async #document(caseId: CaseId): Promise<SharedDoc> {
    for (;;) {
      let loading = this.#docs.get(caseId);
      if (!loading) {
        loading = this.#load(caseId);
        this.#docs.set(caseId, loading);
        const mine = loading;
        loading.catch(() => this.#docs.get(caseId) === mine && this.#docs.delete(caseId));
      }
      const doc = await loading;
      if (!doc.closing) return doc;
      if (this.#closed) throw new AppError('UNAVAILABLE', 'the server is shutting down');
      // Its unload may not have been registered yet (it is queued): never spin on microtasks.
      await (this.#unloading.get(caseId) ?? new Promise((resolve) => setImmediate(resolve)));
    }
  }

  async #load(caseId: CaseId): Promise<SharedDoc> {
    await this.#unloading.get(caseId);
    const doc = await SharedDoc.load(
      {
        caseId,
        store: this.#options.store,
        writer: this.writer,
        limits: this.limits,
        logger: this.#log,
        onUnload: (doc, options) => this.#unload(doc, options),
        onChanged: (doc) => {
          for (const listener of this.#changeListeners) listener(doc);
        },
      },
      () => this.#options.templateOf(caseId),
    );
    this.#current.set(caseId, doc);
    return doc;
  }

  #unload(doc: SharedDoc, options: { compact: boolean }): void {
    const { caseId } = doc;
    if (this.#current.get(caseId) !== doc) return; // unloaded already
    // At once: a connection arriving from now on starts a new load (which waits for this unload).
    this.#current.delete(caseId);
    this.#docs.delete(caseId);
    const previous = this.#unloading.get(caseId) ?? Promise.resolve();
    const unloading = previous
      .then(() => doc.close(CLOSE_RELOADED, 'the agreement was reloaded; reconnect', options))
      .catch((error: unknown) => this.#log.error({ err: error, caseId }, '#unload(): failed'))
      .finally(() => this.#unloading.get(caseId) === unloading && this.#unloading.delete(caseId));
    this.#unloading.set(caseId, unloading);
    this.#log.info({ caseId, compact: options.compact }, '#unload()');
  }

  async #loaded(caseId: CaseId): Promise<SharedDoc | undefined> {
    const doc = await this.#docs.get(caseId)?.catch(() => undefined);
    return doc && !doc.closing ? doc : undefined;
  }

  async #logStats(): Promise<void> {
    let connections = 0;
    await this.#eachConnection(() => connections++);
    const w = this.writer.takeStats();
    // The histogram's samples are timer intervals of LOOP_RESOLUTION_MS: the lag is what exceeds it.
    const ms = (ns: number) => Math.max(0, Math.round(ns / 1e5) / 10 - LOOP_RESOLUTION_MS);
    this.#log.info(
      {
        documents: this.#current.size,
        connections,
        writer: {
          batches: w.batches,
          rows: w.rows,
          failures: w.failures,
          meanAppendMs: w.batches ? Math.round((10 * w.appendMs) / w.batches) / 10 : 0,
          maxAppendMs: Math.round(w.maxAppendMs),
          meanWaitMs: w.rows ? Math.round((10 * w.waitMs) / w.rows) / 10 : 0,
          maxWaitMs: Math.round(w.maxWaitMs),
        },
        eventLoopLagMs: {
          p50: ms(this.#loopDelay.percentile(50)),
          p99: ms(this.#loopDelay.percentile(99)),
          max: ms(this.#loopDelay.max),
        },
      },
      'stats',
    );
    this.#loopDelay.reset();
  }

  async #eachConnection(fn: (conn: CollabConnection) => void): Promise<void> {
    for (const loading of this.#docs.values()) {
      const doc = await loading.catch(() => undefined);
      for (const conn of doc?.connections ?? []) fn(conn);
    }
  }
}
