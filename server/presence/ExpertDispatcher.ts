/**
 * Pulls an expert into a case, after Twilio TaskRouter: a request names a
 * skill (the specialty, optionally a language); candidates come ranked from
 * the presence store (nearest, then longest idle); each is offered the case
 * with a timeout, one at a time or the first N at once; a decline or timeout
 * moves on to the next, the first accept wins and withdraws the other rings,
 * and when nobody is left the mediator is told at once.
 *
 * Every step goes through the store's atomic claim and ring end, so two
 * dispatchers (two cases, two nodes) can never both get one expert; and every
 * step is written to the offer log (with its audit row) before anyone hears
 * of it. The steps of one request run one after another (a promise chain per
 * request): an accept, a timeout and a decline arriving together are taken in
 * turn, never interleaved across an await.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AppError } from '../../shared/errors';
import type { RequestUpdate } from '../../shared/experts';
import type { CaseId, ExpertId, ExpertRequestId, OfferId, StaffId } from '../../shared/ids';
import { DEFAULT_DISPATCH, type DispatchListener, type DispatchSettings, type ExpertRequestInput } from './dispatch';
import type { OfferAnswer, OfferLog, RequestOutcome } from './OfferLog';
import type { Candidate, PresenceStore } from './PresenceStore';

export { DEFAULT_DISPATCH, type DispatchListener, type DispatchSettings, type ExpertRequestInput, type RequestUpdate };

interface OpenOffer {
  offerId: OfferId;
  expertId: ExpertId;
  expiresAt: number;
  timer: NodeJS.Timeout;
}

interface Request {
  id: ExpertRequestId;
  input: ExpertRequestInput;
  status: 'ringing' | RequestOutcome | 'failed';
  /** Everyone found for it, rung or not: never offered the same request twice. */
  tried: Set<ExpertId>;
  open: Map<OfferId, OpenOffer>;
  /** How many rings were made (the rank of the last one). */
  offered: number;
  chain: Promise<void>;
}

export interface ExpertDispatcherOptions {
  store: PresenceStore;
  log: OfferLog;
  listener: DispatchListener;
  logger: Logger;
  settings?: Partial<DispatchSettings>;
}

export class ExpertDispatcher {
  readonly settings: DispatchSettings;
  readonly #store: PresenceStore;
  readonly #log: OfferLog;
  readonly #listener: DispatchListener;
  readonly #logger: Logger;
  readonly #requests = new Map<ExpertRequestId, Request>();
  /** Open offers across requests, to find an expert's answer's request. */
  readonly #offers = new Map<OfferId, Request>();
  /** Steps queued or running, for whenIdleForTesting(). */
  readonly #running = new Set<Promise<void>>();

  constructor(options: ExpertDispatcherOptions) {
    this.#store = options.store;
    this.#log = options.log;
    this.#listener = options.listener;
    this.#logger = options.logger.child({ component: 'expertDispatcher' });
    this.settings = { ...DEFAULT_DISPATCH, ...options.settings };
  }

  /** Opens a request and rings the first candidates; resolves with its first news (ringing, or exhausted). */
  async request(input: ExpertRequestInput): Promise<RequestUpdate> {
    const req: Request = {
      id: randomUUID() as ExpertRequestId,
      input,
      status: 'ringing',
      tried: new Set(),
      open: new Map(),
      offered: 0,
      chain: Promise.resolve(),
    };
    await this.#log.requestOpened({
      requestId: req.id,
      caseId: input.caseId,
      requestedBy: input.requestedBy,
      specialty: input.specialty,
      language: input.language ?? null,
      at: new Date(),
    });
    this.#requests.set(req.id, req);
    this.#logger.info({ requestId: req.id, caseId: input.caseId, specialty: input.specialty }, 'request()');
    // A first ring that cannot be logged fails the request (#step): the mediator's ack says so.
    return this.#step(req, () => this.#refill(req));
  }

  /** The expert's answer to the offer ringing on their client. */
  async answer(expertId: ExpertId, offerId: OfferId, how: 'accept' | 'decline'): Promise<'accepted' | 'declined'> {
    const req = this.#offers.get(offerId);
    if (!req || req.open.get(offerId)?.expertId !== expertId) {
      throw new AppError('CONFLICT', 'this call is no longer open');
    }
    return this.#step(req, async () => {
      const open = req.open.get(offerId);
      if (!open) throw new AppError('CONFLICT', 'this call is no longer open');
      this.#forgetOffer(req, open);
      const ended = await this.#store.endRing(expertId, offerId, how);
      if (!ended.ok) {
        // The store let the ring go first (its own end passed, or the expert went offline).
        await this.#logAnswer(req, open, Date.now() >= open.expiresAt ? 'timed_out' : 'withdrawn');
        await this.#refill(req);
        throw new AppError('CONFLICT', 'this call is no longer open');
      }
      if (how === 'decline') {
        await this.#logAnswer(req, open, 'declined');
        await this.#refill(req);
        return 'declined';
      }
      await this.#logAnswer(req, open, 'accepted');
      await this.#withdrawAll(req, null);
      await this.#end(req, 'accepted', { expertId, by: null });
      return 'accepted';
    });
  }

  /** The mediator withdraws the request: every ring stops. */
  async cancel(requestId: ExpertRequestId, by: StaffId): Promise<void> {
    const req = this.#requests.get(requestId);
    if (!req) throw new AppError('NOT_FOUND', 'no such open request');
    await this.#step(req, async () => {
      if (req.status !== 'ringing') return;
      await this.#withdrawAll(req, by);
      await this.#end(req, 'cancelled', { expertId: null, by });
    });
  }

  /** The expert's client is gone (closed, or offline): an offer ringing there moves on now, not at its timeout. */
  async expertLeft(expertId: ExpertId): Promise<void> {
    for (const req of new Set(this.#offers.values())) {
      await this.#step(req, async () => {
        const open = [...req.open.values()].find((o) => o.expertId === expertId);
        if (!open || req.status !== 'ringing') return;
        this.#forgetOffer(req, open);
        await this.#store.endRing(expertId, open.offerId, 'cancel');
        await this.#logAnswer(req, open, 'withdrawn');
        await this.#refill(req);
      });
    }
  }

  /** Whether this dispatcher made the offer and it still rings (another node's offers are not here). */
  hasOffer(offerId: OfferId): boolean {
    return this.#offers.has(offerId);
  }

  /** Who asked for an open request, and for which case; undefined once it has ended. */
  requestOf(requestId: ExpertRequestId): { caseId: CaseId; requestedBy: StaffId } | undefined {
    const req = this.#requests.get(requestId);
    return req && { caseId: req.input.caseId, requestedBy: req.input.requestedBy };
  }

  /** The requests still ringing, for tests and the coordinator's view. */
  get openRequests(): number {
    return this.#requests.size;
  }

  /** Stops every timer and withdraws every ring (server shutdown). */
  async close(): Promise<void> {
    await Promise.allSettled(
      [...this.#requests.values()].map((req) =>
        this.#serial(req, async () => {
          if (req.status !== 'ringing') return;
          await this.#withdrawAll(req, null);
          await this.#end(req, 'cancelled', { expertId: null, by: null });
        }),
      ),
    );
  }

  /** Rings candidates until ringAtOnce ring or nobody is left; then tells the mediator. */
  async #refill(req: Request): Promise<RequestUpdate> {
    const { input } = req;
    while (req.status === 'ringing' && req.open.size < this.settings.ringAtOnce) {
      const candidates = await this.#store.findAvailable({
        specialty: input.specialty,
        language: input.language,
        at: input.at,
        exclude: [...req.tried],
        limit: this.settings.ringAtOnce - req.open.size,
      });
      if (candidates.length === 0) break;
      for (const candidate of candidates) await this.#offer(req, candidate);
    }
    if (req.status === 'ringing' && req.open.size === 0) {
      return this.#end(req, 'exhausted', { expertId: null, by: null });
    }
    const update = this.#update(req);
    this.#listener.requestUpdated(update);
    return update;
  }

  async #offer(req: Request, candidate: Candidate): Promise<void> {
    const { input } = req;
    const { expertId } = candidate;
    req.tried.add(expertId);
    const offerId = randomUUID() as OfferId;
    const { offerTimeoutMs, ringGraceMs } = this.settings;
    const claim = await this.#store.claim({
      expertId,
      caseId: input.caseId,
      requestId: req.id,
      offerId,
      ringMs: offerTimeoutMs + ringGraceMs,
    });
    // Another request (here or on another node) got them between the query and the claim.
    if (!claim.ok) return;
    const offeredAt = Date.now();
    const expiresAt = offeredAt + offerTimeoutMs;
    try {
      await this.#log.offered({
        offerId,
        requestId: req.id,
        caseId: input.caseId,
        expertId,
        requestedBy: input.requestedBy,
        nearness: candidate.nearness,
        rank: req.offered + 1,
        offeredAt: new Date(offeredAt),
        expiresAt: new Date(expiresAt),
      });
    } catch (error) {
      // Nothing rings that the log does not show: give the expert back, then fail the step.
      await this.#store.endRing(expertId, offerId, 'cancel');
      throw error;
    }
    req.offered++;
    const timer = setTimeout(() => this.#timedOut(req, offerId), offerTimeoutMs);
    const open: OpenOffer = { offerId, expertId, expiresAt, timer };
    req.open.set(offerId, open);
    this.#offers.set(offerId, req);
    this.#logger.debug({ requestId: req.id, expertId, offerId, nearness: candidate.nearness }, 'offer(): ringing');
    this.#listener.ring(expertId, {
      offerId,
      requestId: req.id,
      caseId: input.caseId,
      expiresAt,
      summary: input.summary,
    });
  }

  #timedOut(req: Request, offerId: OfferId): void {
    this.#step(req, async () => {
      const open = req.open.get(offerId);
      if (!open) return; // answered meanwhile
      this.#forgetOffer(req, open);
      await this.#store.endRing(open.expertId, offerId, 'timeout');
      await this.#logAnswer(req, open, 'timed_out');
      this.#listener.ringEnded(open.expertId, offerId, 'timed_out');
      await this.#refill(req);
    }).catch(() => undefined); // #step logged it and ended the request
  }

  async #withdrawAll(req: Request, by: StaffId | null): Promise<void> {
    for (const open of [...req.open.values()]) {
      this.#forgetOffer(req, open);
      await this.#store.endRing(open.expertId, open.offerId, 'cancel');
      await this.#logAnswer(req, open, 'withdrawn', by);
      this.#listener.ringEnded(open.expertId, open.offerId, 'withdrawn');
    }
  }

  async #end(
    req: Request,
    outcome: RequestOutcome,
    { expertId, by }: { expertId: ExpertId | null; by: StaffId | null },
  ): Promise<RequestUpdate> {
    req.status = outcome;
    this.#requests.delete(req.id);
    await this.#log.requestEnded({
      requestId: req.id,
      caseId: req.input.caseId,
      outcome,
      expertId,
      by,
      offers: req.offered,
      at: new Date(),
    });
    this.#logger.info({ requestId: req.id, outcome, expertId, offered: req.offered }, 'request ended');
    const update = this.#update(req, expertId);
    this.#listener.requestUpdated(update);
    return update;
  }

  #update(req: Request, expertId: ExpertId | null = null): RequestUpdate {
    const base = {
      requestId: req.id,
      caseId: req.input.caseId,
      requestedBy: req.input.requestedBy,
      offered: req.offered,
    };
    switch (req.status) {
      case 'ringing':
        return { ...base, status: 'ringing', ringing: [...req.open.values()].map((o) => o.expertId) };
      case 'accepted':
        return { ...base, status: 'accepted', expertId: expertId! };
      default:
        return { ...base, status: req.status };
    }
  }

  #logAnswer(req: Request, open: OpenOffer, answer: OfferAnswer, by: StaffId | null = null): Promise<void> {
    return this.#log.answered({
      offerId: open.offerId,
      requestId: req.id,
      caseId: req.input.caseId,
      expertId: open.expertId,
      answer,
      at: new Date(),
      by,
    });
  }

  #forgetOffer(req: Request, open: OpenOffer): void {
    clearTimeout(open.timer);
    req.open.delete(open.offerId);
    this.#offers.delete(open.offerId);
  }

  /**
   * Runs a step of an open request in turn. If it fails other than by a refusal
   * (an AppError: the caller's mistake, nothing changed), the request cannot be
   * trusted to go on: it is ended as failed, its rings withdrawn, and the
   * mediator told, rather than left ringing nobody.
   */
  #step<T>(req: Request, step: () => Promise<T>): Promise<T> {
    return this.#serial(req, async () => {
      try {
        return await step();
      } catch (error) {
        if (!(error instanceof AppError)) await this.#fail(req, error);
        throw error;
      }
    });
  }

  async #fail(req: Request, error: unknown): Promise<void> {
    this.#logger.error({ err: error, requestId: req.id }, 'request failed');
    if (req.status !== 'ringing') return;
    req.status = 'failed';
    this.#requests.delete(req.id);
    for (const open of [...req.open.values()]) {
      this.#forgetOffer(req, open);
      await this.#store.endRing(open.expertId, open.offerId, 'cancel').catch(() => undefined);
      this.#listener.ringEnded(open.expertId, open.offerId, 'withdrawn');
    }
    this.#listener.requestUpdated(this.#update(req));
  }

  /** Resolves once no step of any request is running or queued (timers that have not fired do not count). */
  async whenIdleForTesting(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  #serial<T>(req: Request, step: () => Promise<T>): Promise<T> {
    const run = req.chain.then(step);
    const done = run.then(
      () => undefined,
      () => undefined,
    );
    req.chain = done;
    this.#running.add(done);
    void done.then(() => this.#running.delete(done));
    return run;
  }
}
