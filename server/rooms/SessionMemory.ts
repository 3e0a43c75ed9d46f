/**
 * What a session remembers while its participants come and go: who was in
 * which space (so a party whose phone dropped returns to the caucus they were
 * in, never to the joint room by accident), which caucuses are open, the chat
 * of each space, who consented to recording, and which parties agreed to which
 * expert taking part. It outlives the live room,
 * which closes when its last participant drops.
 */
import type { ChatMessage, SpaceId } from '../../shared/protocol';

const CHAT_HISTORY = 200;

export class SessionMemory {
  /** Participant key (link + device) → the space they were last in. */
  readonly spaces = new Map<string, SpaceId>();
  /** Participant keys that consented to recording. */
  readonly consented = new Set<string>();
  /** Participant keys of the parties who have joined this session (each must agree to an expert). */
  readonly partyKeys = new Set<string>();
  /** Expert link id → the party keys that agreed to them, and those that declined. */
  readonly expertConsents = new Map<string, { granted: Set<string>; declined: Set<string> }>();
  readonly caucuses = new Set<SpaceId>();
  readonly #chat = new Map<SpaceId, ChatMessage[]>();
  #nextCaucus = 1;
  /** Last time anyone was in the session; idle memories are dropped. */
  lastActive = Date.now();

  newCaucus(): SpaceId {
    const space: SpaceId = `caucus-${this.#nextCaucus++}`;
    this.caucuses.add(space);
    return space;
  }

  chatOf(space: SpaceId): ChatMessage[] {
    return this.#chat.get(space) ?? [];
  }

  addChat(space: SpaceId, message: ChatMessage): void {
    const list = this.#chat.get(space) ?? [];
    list.push(message);
    if (list.length > CHAT_HISTORY) list.splice(0, list.length - CHAT_HISTORY);
    this.#chat.set(space, list);
  }

  closeCaucus(space: SpaceId): void {
    this.caucuses.delete(space);
    this.#chat.delete(space);
    for (const [key, remembered] of this.spaces) if (remembered === space) this.spaces.set(key, 'main');
  }
}
