/**
 * Remote sound and the browsers' autoplay rules. Usually the join tap counts
 * as permission to play; when it does not (an autojoin link, some WebViews),
 * the page shows one big "tap to turn on the sound" button that replays every
 * audio element from inside that tap.
 */
import { Store } from './store';

const elements = new Set<HTMLMediaElement>();

export const playback = new Store<{ blocked: boolean }>({ blocked: false });

export function playAudio(el: HTMLMediaElement): void {
  elements.add(el);
  el.play().catch((error: unknown) => {
    if (error instanceof DOMException && error.name === 'NotAllowedError') playback.set({ blocked: true });
  });
}

export function forgetAudio(el: HTMLMediaElement): void {
  elements.delete(el);
}

/** Call from a click handler. */
export function unlockAudio(): void {
  playback.set({ blocked: false });
  for (const el of elements) playAudio(el);
}
