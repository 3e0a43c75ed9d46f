/**
 * The offer log kept in an array, for the dispatcher's unit tests only (the
 * server always writes SqlOfferLog, on PGlite when embedded). `fail` makes
 * the next write throw, to test what the dispatcher does when the log is down.
 */
import type {
  ExpertReleased,
  OfferAnswered,
  OfferLog,
  OfferMade,
  RequestEnded,
  RequestOpened,
} from '../../server/presence/OfferLog';

export type LoggedEvent =
  | ({ type: 'requestOpened' } & RequestOpened)
  | ({ type: 'offered' } & OfferMade)
  | ({ type: 'answered' } & OfferAnswered)
  | ({ type: 'requestEnded' } & RequestEnded)
  | ({ type: 'released' } & ExpertReleased);

export class MemoryOfferLog implements OfferLog {
  readonly events: LoggedEvent[] = [];
  failOn: LoggedEvent['type'] | undefined;

  async requestOpened(event: RequestOpened): Promise<void> {
    this.#push({ type: 'requestOpened', ...event });
  }

  async offered(event: OfferMade): Promise<void> {
    this.#push({ type: 'offered', ...event });
  }

  async answered(event: OfferAnswered): Promise<void> {
    this.#push({ type: 'answered', ...event });
  }

  async requestEnded(event: RequestEnded): Promise<void> {
    this.#push({ type: 'requestEnded', ...event });
  }

  async released(event: ExpertReleased): Promise<void> {
    this.#push({ type: 'released', ...event });
  }

  /** The log as short lines: `offered A`, `answered A declined`, `requestEnded exhausted`. */
  lines(names: Record<string, string> = {}): string[] {
    const n = (id: string | null | undefined) => (id ? (names[id] ?? id) : '-');
    return this.events.map((e) => {
      switch (e.type) {
        case 'requestOpened':
          return `requestOpened ${e.specialty}`;
        case 'offered':
          return `offered ${n(e.expertId)} #${e.rank} ${e.nearness}`;
        case 'answered':
          return `answered ${n(e.expertId)} ${e.answer}`;
        case 'requestEnded':
          return `requestEnded ${e.outcome} ${n(e.expertId)}`;
        case 'released':
          return `released ${n(e.expertId)} ${e.how}`;
      }
    });
  }

  #push(event: LoggedEvent): void {
    if (this.failOn === event.type) {
      this.failOn = undefined;
      throw new Error('offer log is down');
    }
    this.events.push(event);
  }
}
