/**
 * What this person sends, and the buttons that change it: microphone (mute is
 * a paused producer), camera (off closes the producer and stops the track, so
 * the camera light goes off), screen share. The wishes live in the room
 * store, so a tap during a reconnection is honoured by the next join.
 */
import type { Store } from '../store';
import type { LocalMedia, LocalSource } from './LocalMedia';
import type { MediaSession } from './MediaSession';
import type { RoomSnapshot } from './roomSnapshot';

const RECEIVE_FIRST_MAX_WAIT_MS = 1_500;

export interface SenderDeps {
  store: Store<RoomSnapshot>;
  local: LocalMedia;
  /** The current session, if any. */
  session: () => MediaSession | null;
  onFailure: (session: MediaSession, error: unknown) => void;
  /** Settles once the devices asked for before joining are open (or failed). */
  localReady: Promise<unknown>;
}

export class Sender {
  readonly #deps: SenderDeps;
  readonly #store: Store<RoomSnapshot>;
  readonly #local: LocalMedia;
  // One change at a time, so quick taps cannot produce the same source twice.
  #queue: Promise<void> = Promise.resolve();

  constructor(deps: SenderDeps) {
    this.#deps = deps;
    this.#store = deps.store;
    this.#local = deps.local;
  }

  setMicOn(on: boolean): Promise<void> {
    this.#store.set({ micOn: on });
    return this.#serial(async (publisher) => {
      if (!on) return publisher?.setPaused('mic', true);
      const track = this.#local.state.micTrack ?? (await this.#local.openMic());
      if (!track) return this.#store.set({ micOn: false });
      if (!publisher) return;
      if (publisher.has('mic')) await publisher.setPaused('mic', false);
      else await publisher.publish('mic', track);
    });
  }

  setCameraOn(on: boolean): Promise<void> {
    this.#store.set({ cameraOn: on });
    return this.#serial(async (publisher) => {
      if (!on) {
        // The producer closes at once, then the track stops: the camera light goes off now.
        const closing = publisher?.unpublish('camera');
        this.#local.close('camera');
        return closing;
      }
      const track = await this.#local.openCamera();
      if (!track) return this.#store.set({ cameraOn: false });
      await publisher?.publish('camera', track);
    });
  }

  async startScreenShare(): Promise<void> {
    if (!this.#store.get().permissions.canShareScreen || this.#store.get().sharingScreen) return;
    // Not queued: the browser only opens its picker within a moment of the tap.
    const track = await this.#local.openScreen();
    if (!track) return;
    this.#store.set({ sharingScreen: true });
    return this.#serial(async (publisher) => publisher?.publish('screen', track));
  }

  stopScreenShare(): Promise<void> {
    this.#store.set({ sharingScreen: false });
    return this.#serial(async (publisher) => {
      const closing = publisher?.unpublish('screen');
      this.#local.close('screen');
      return closing;
    });
  }

  /** After every join: send again what the user had on. */
  publishWanted(session: MediaSession): Promise<void> {
    return this.#serial(async () => {
      await this.#deps.localReady;
      const publisher = session.publisher;
      // A recorded session sends nothing before the person has agreed (the server would refuse it).
      if (!publisher || session !== this.#deps.session() || session.closed || !this.#store.get().consented) return;
      const { micOn, cameraOn, sharingScreen } = this.#store.get();
      const { micTrack, cameraTrack, screenTrack } = this.#local.state;
      // A device that would not open is shown as off, so a tap on it tries again.
      this.#store.set({ micOn: micOn && Boolean(micTrack), cameraOn: cameraOn && Boolean(cameraTrack) });
      // Receive first, then send: starting our encoders and send transport while
      // the others' media is being set up roughly doubled the wait for their
      // first frame (join benchmark, p50 1.1 s -> 0.6 s), and a weak phone CPU
      // suffers most. People look before they speak, so nobody misses the
      // few hundred milliseconds our own media waits.
      await session.receiving(RECEIVE_FIRST_MAX_WAIT_MS);
      if (session.closed || session !== this.#deps.session()) return;
      await Promise.all([
        micOn && micTrack && publisher.publish('mic', micTrack),
        cameraOn && cameraTrack && publisher.publish('camera', cameraTrack),
        sharingScreen && screenTrack && publisher.publish('screen', screenTrack),
      ]);
    });
  }

  onTrackEnded(source: LocalSource): void {
    // A device unplugged or a permission revoked: show it as off; turning it on opens it again.
    if (source === 'screen') void this.stopScreenShare();
    else if (source === 'camera') void this.setCameraOn(false);
    else {
      this.#store.set({ micOn: false });
      void this.#serial(async (publisher) => publisher?.unpublish('mic'));
    }
  }

  #serial(fn: (publisher: MediaSession['publisher']) => Promise<unknown>): Promise<void> {
    const run = this.#queue.then(async () => {
      const session = this.#deps.session();
      const { status, consented } = this.#store.get();
      // Until joined (and, in a recorded session, agreed) controls only change what will be sent.
      const joined = status === 'joined' && consented && session && !session.closed;
      try {
        await fn(joined ? session.publisher : null);
      } catch (error) {
        if (session) this.#deps.onFailure(session, error);
      }
    });
    this.#queue = run;
    return run;
  }

  /** A link that may not publish: let every device go. */
  dropLocalMedia(): void {
    this.#local.closeAll();
    this.#store.set({ micOn: false, cameraOn: false, sharingScreen: false });
  }
}
