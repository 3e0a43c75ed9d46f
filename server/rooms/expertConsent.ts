/**
 * Whether an expert may take part with the parties of a session. A party's
 * agreement is theirs to give: until a party agrees, the expert and that
 * party exchange no media (the SFU makes no consumer between them), and
 * until every party who has joined agrees, the expert may not open the
 * agreement. An agreement is given for the expert's link, so it holds on any
 * device the expert reconnects from, and by the party's link + device, as
 * every other choice in the session is.
 *
 * The state lives in the session's memory, which outlives the live room.
 */
import type { SessionMemory } from './SessionMemory';

/** The link of a participant key (`<linkId>:<deviceId>`). */
export function linkOfKey(key: string): string {
  const colon = key.indexOf(':');
  return colon < 0 ? key : key.slice(0, colon);
}

export class ExpertConsents {
  readonly #memory: SessionMemory;

  constructor(memory: SessionMemory) {
    this.#memory = memory;
  }

  #of(expertKey: string): { granted: Set<string>; declined: Set<string> } {
    const link = linkOfKey(expertKey);
    let consents = this.#memory.expertConsents.get(link);
    if (!consents) this.#memory.expertConsents.set(link, (consents = { granted: new Set(), declined: new Set() }));
    return consents;
  }

  /** A party joined: they too must agree to any expert. */
  partyJoined(partyKey: string): void {
    this.#memory.partyKeys.add(partyKey);
  }

  record(expertKey: string, partyKey: string, consent: boolean): void {
    const consents = this.#of(expertKey);
    (consent ? consents.granted : consents.declined).add(partyKey);
    (consent ? consents.declined : consents.granted).delete(partyKey);
  }

  /** Media between this expert and this party. */
  allows(expertKey: string, partyKey: string): boolean {
    return this.#memory.expertConsents.get(linkOfKey(expertKey))?.granted.has(partyKey) ?? false;
  }

  /** The party has not answered for this expert yet. */
  pending(expertKey: string, partyKey: string): boolean {
    const consents = this.#memory.expertConsents.get(linkOfKey(expertKey));
    return !consents?.granted.has(partyKey) && !consents?.declined.has(partyKey);
  }

  /** Every party who has joined the session agreed (and at least one has): the expert may open the agreement. */
  cleared(expertLinkId: string): boolean {
    const granted = this.#memory.expertConsents.get(expertLinkId)?.granted;
    const parties = [...this.#memory.partyKeys];
    return parties.length > 0 && parties.every((key) => granted?.has(key));
  }

  /** The party keys that declined this expert. */
  declined(expertKey: string): string[] {
    return [...(this.#memory.expertConsents.get(linkOfKey(expertKey))?.declined ?? [])];
  }
}
