/**
 * An expert's duty on this page, outside React: the /presence connection,
 * the heartbeats that keep them alive, the call ringing now, the case they are
 * in, and what just ended. The page renders `store`; its buttons call the
 * methods. Being on call is being connected: ending duty closes the socket,
 * and the server takes the expert offline when their last page is gone
 * (the protocol has no "go offline" request).
 */
import type { ChosenState, ExpertState, OfferSummary, OfferView } from '../../../shared/experts';
import type { CaseId, OfferId } from '../../../shared/ids';
import type { PresenceView } from '../../../shared/presenceProtocol';
import { PresenceConnection, type PresenceStatus } from '../presence/PresenceConnection';
import { codeOf } from '../signaling/errors';
import { Store } from '../store';
import { RingNotification, type RingText } from './ringNotification';
import { Ringer, type RingerState } from './ringer';

export type EndedWhy = 'timed_out' | 'withdrawn' | 'declined' | 'released' | 'left';

export interface RingingCall {
  offer: OfferView;
  /** expiresAt on this device's clock (the server's minus the measured offset). */
  expiresAtLocal: number;
}

export interface OnCallState {
  connection: 'off' | PresenceStatus['state'];
  refusal: { code: string; message: string } | null;
  /** What the expert chose; heartbeats carry it so a server that lost them rebuilds it. */
  chosen: ChosenState;
  /** The state the server last reported. */
  presence: ExpertState | null;
  ringing: RingingCall | null;
  answering: boolean;
  sound: RingerState;
  /** The case they accepted; summary is null when the page was reloaded since (the server does not resend it). */
  /** `joinUrl`: the link into the case's session, given with the accepted call (null: no session yet). */
  inCase: { caseId: CaseId | null; summary: OfferSummary | null; joinUrl?: string | null } | null;
  lastEnded: { why: EndedWhy; caseNo: string | null } | null;
  error: { code: string; message: string } | null;
  /** Bumped whenever an offer ends, so the history reloads. */
  historyVersion: number;
}

const initial: OnCallState = {
  connection: 'off',
  refusal: null,
  chosen: 'available',
  presence: null,
  ringing: null,
  answering: false,
  sound: 'silent',
  inCase: null,
  lastEnded: null,
  error: null,
  historyVersion: 0,
};

export class OnCall {
  readonly store = new Store<OnCallState>(initial);
  readonly #ringer = new Ringer();
  readonly #notification = new RingNotification();
  /** The words of the system notification, in the page's current language (set by the page). */
  ringText: (offer: OfferView) => RingText = (offer) => ({ title: 'Gridroom', body: offer.summary.caseNo });
  #connection: PresenceConnection | undefined;
  #offs: (() => void)[] = [];
  #beat: ReturnType<typeof setTimeout> | undefined;
  /** Server clock minus this device's, estimated from each presence answer. */
  #clockOffset = 0;
  /** When the last heartbeat went out, and how often the server wants them. */
  #lastBeatAt = 0;
  #everyMs = 5_000;
  #beating = false;

  /** Call from the click on "Go on call": that gesture is what lets the ring be heard. */
  goOnCall(): void {
    this.#ringer.unlock();
    this.#notification.askPermission();
    if (this.#connection) return;
    const connection = new PresenceConnection();
    this.#connection = connection;
    this.store.set({ connection: 'connecting', refusal: null, error: null });
    this.#offs = [
      connection.onStatus((status) => this.#onStatus(status)),
      // Chrome throttles a tab hidden for 5 minutes to one timer a minute, longer than the TTL:
      // the server's pings are not throttled, so a beat that is due goes out with them.
      connection.onServerPing(() => {
        const due = Date.now() - this.#lastBeatAt >= this.#everyMs * 0.8;
        if (due && this.store.get().connection === 'connected') void this.#heartbeat('beat');
      }),
      connection.on('expert:ringing', (offer) => this.#onRinging(offer)),
      connection.on('expert:ringEnded', ({ offerId, why }) => this.#endRing(offerId, why)),
      connection.on('expert:released', () =>
        this.store.set({ inCase: null, presence: 'available', lastEnded: { why: 'released', caseNo: null } }),
      ),
    ];
  }

  endDuty(): void {
    clearTimeout(this.#beat);
    for (const off of this.#offs.splice(0)) off();
    this.#connection?.close();
    this.#connection = undefined;
    this.#ringer.stop();
    this.#notification.close();
    this.store.set({ ...initial, historyVersion: this.store.get().historyVersion + 1 });
  }

  /** The "tap to turn the sound on" button: a fresh gesture to resume audio, then ring again. */
  retrySound(): void {
    this.#ringer.unlock();
    this.#ringer.stop();
    if (this.store.get().ringing) {
      // resume() settles asynchronously; start once it has.
      setTimeout(() => {
        if (this.store.get().ringing) this.#ringer.start();
        this.store.set({ sound: this.#ringer.state });
      }, 50);
    }
  }

  async setAvailability(state: ChosenState): Promise<void> {
    const connection = this.#connection;
    if (!connection) return;
    this.store.set({ error: null });
    try {
      const view = await this.#timed(() => connection.request('expert:setAvailability', { state }));
      this.store.set({ chosen: state });
      this.#applyView(view);
    } catch (error) {
      this.#fail(error);
    }
  }

  async answer(how: 'accept' | 'decline'): Promise<void> {
    const connection = this.#connection;
    const ringing = this.store.get().ringing;
    if (!connection || !ringing || this.store.get().answering) return;
    this.store.set({ answering: true, error: null });
    this.#ringer.stop();
    this.#notification.close();
    const { offer } = ringing;
    try {
      const { result, joinUrl } = await connection.request('expert:answer', { offerId: offer.offerId, answer: how });
      if (result === 'accepted') {
        this.store.set({
          inCase: { caseId: offer.caseId, summary: offer.summary, joinUrl },
          presence: 'in_case',
          lastEnded: null,
        });
      } else {
        this.store.set({ presence: 'available', lastEnded: { why: 'declined', caseNo: offer.summary.caseNo } });
      }
    } catch (error) {
      // CONFLICT: the call ended (timed out, withdrawn) before the answer arrived.
      if (codeOf(error) === 'CONFLICT')
        this.store.set({ lastEnded: { why: 'withdrawn', caseNo: offer.summary.caseNo } });
      else this.#fail(error);
    }
    const state = this.store.get();
    this.store.set({
      answering: false,
      ringing: state.ringing?.offer.offerId === offer.offerId ? null : state.ringing,
      sound: this.#ringer.state,
      historyVersion: state.historyVersion + 1,
    });
  }

  async leaveCase(): Promise<void> {
    const connection = this.#connection;
    if (!connection) return;
    this.store.set({ error: null });
    try {
      const view = await this.#timed(() => connection.request('expert:leaveCase', {}));
      this.store.set({ inCase: null, lastEnded: { why: 'left', caseNo: null } });
      this.#applyView(view);
    } catch (error) {
      this.#fail(error);
    }
  }

  dismissEnded(): void {
    this.store.set({ lastEnded: null });
  }

  close(): void {
    this.endDuty();
    this.#ringer.close();
  }

  #onStatus(status: PresenceStatus): void {
    this.store.set({
      connection: status.state,
      refusal: status.state === 'refused' ? { code: status.code, message: status.message } : null,
    });
    if (status.state === 'connected') {
      // First connection: the expert's choice; after a reconnect, a heartbeat rebuilds it on the server.
      void this.#heartbeat(this.store.get().presence === null ? 'choose' : 'beat');
    } else {
      clearTimeout(this.#beat);
      // A call cannot be answered without the connection, and the server withdraws it when the page goes.
      if (this.store.get().ringing) this.#endRing(this.store.get().ringing!.offer.offerId, 'withdrawn');
    }
  }

  async #heartbeat(how: 'choose' | 'beat'): Promise<void> {
    const connection = this.#connection;
    // One beat at a time: the timer and the server's ping may both find one due.
    if (!connection || this.#beating) return;
    this.#beating = true;
    clearTimeout(this.#beat);
    const chosen = this.store.get().chosen;
    let everyMs = this.#everyMs;
    this.#lastBeatAt = Date.now();
    try {
      const view = await this.#timed(() =>
        how === 'choose'
          ? connection.request('expert:setAvailability', { state: chosen })
          : connection.request('expert:heartbeat', { chosen }),
      );
      this.#applyView(view);
      everyMs = this.#everyMs = view.heartbeatEveryMs;
    } catch (error) {
      const code = codeOf(error);
      // setAvailability is refused while ringing or in a case (a reload, a second tab): beat at once instead.
      if (how === 'choose' && code === 'CONFLICT') everyMs = 0;
      // DISCONNECTED: the reconnect beats again.
      else if (code !== 'DISCONNECTED') this.#fail(error);
    } finally {
      this.#beating = false;
    }
    if (this.#connection === connection && connection.status.state === 'connected') {
      this.#beat = setTimeout(() => void this.#heartbeat('beat'), everyMs);
    }
  }

  /**
   * Runs a request whose answer is a PresenceView and measures the clock
   * offset: the server set `deadline` to its now + TTL and `heartbeatEveryMs`
   * is a third of the TTL, so its now is deadline − 3 × heartbeatEveryMs
   * (within 2 ms of rounding), read at about the middle of the round trip.
   */
  async #timed(run: () => Promise<PresenceView>): Promise<PresenceView> {
    const sent = Date.now();
    const view = await run();
    if (view.deadline !== null) {
      const serverNow = view.deadline - 3 * view.heartbeatEveryMs;
      this.#clockOffset = serverNow - (sent + Date.now()) / 2;
    }
    return view;
  }

  #applyView(view: PresenceView): void {
    const { inCase } = this.store.get();
    this.store.set({
      presence: view.state,
      // The server's word wins: in a case after a reload, or released while this page was away.
      inCase: view.state === 'in_case' ? (inCase ?? { caseId: null, summary: null }) : null,
    });
  }

  #onRinging(offer: OfferView): void {
    this.#ringer.start();
    this.#notification.show(offer, this.ringText(offer));
    this.store.set({
      ringing: { offer, expiresAtLocal: offer.expiresAt - this.#clockOffset },
      presence: 'ringing',
      lastEnded: null,
      sound: this.#ringer.state,
    });
  }

  #endRing(offerId: OfferId, why: 'timed_out' | 'withdrawn'): void {
    const { ringing, historyVersion } = this.store.get();
    if (ringing?.offer.offerId !== offerId) return;
    this.#ringer.stop();
    this.#notification.close();
    this.store.set({
      ringing: null,
      presence: this.store.get().connection === 'connected' ? 'available' : this.store.get().presence,
      lastEnded: { why, caseNo: ringing.offer.summary.caseNo },
      sound: this.#ringer.state,
      historyVersion: historyVersion + 1,
    });
  }

  #fail(error: unknown): void {
    this.store.set({ error: { code: codeOf(error), message: error instanceof Error ? error.message : String(error) } });
  }
}
