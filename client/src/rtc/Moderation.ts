/**
 * The mediator's controls over the session: admit from the waiting room, take
 * someone into a private caucus, bring everyone back, send back to the
 * waiting room, remove. The server checks the role; the roster that follows
 * each change arrives as `session:rosterChanged`.
 */
import type { PeerId } from '../../../shared/ids';
import type { SpaceId } from '../../../shared/protocol';
import type { SignalingClient } from '../signaling/SignalingClient';

export class Moderation {
  readonly #signaling: SignalingClient;

  constructor(signaling: SignalingClient) {
    this.#signaling = signaling;
  }

  admit(peerId: PeerId): Promise<unknown> {
    return this.#signaling.request('session:admit', { peerId });
  }

  sendToLobby(peerId: PeerId): Promise<unknown> {
    return this.#signaling.request('session:sendToLobby', { peerId });
  }

  remove(peerId: PeerId): Promise<unknown> {
    return this.#signaling.request('session:remove', { peerId });
  }

  /** Opens a caucus with these participants; the mediator moves into it too. */
  openCaucus(peerIds: PeerId[]): Promise<unknown> {
    return this.#signaling.request('session:openCaucus', { peerIds });
  }

  /** Moves someone, or the mediator themself (to shuttle between the joint room and a caucus). */
  move(peerId: PeerId, space: SpaceId): Promise<unknown> {
    return this.#signaling.request('session:move', { peerId, space });
  }

  endCaucuses(): Promise<unknown> {
    return this.#signaling.request('session:endCaucuses', {});
  }
}
