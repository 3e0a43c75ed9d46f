/**
 * This device's microphone, camera and shared screen: opening them, switching
 * devices and letting them go. It owns the tracks; producers only borrow them
 * (they are created with `stopTracks: false`), so a track survives a rejoin
 * and the camera light goes off exactly when we stop it here.
 */
import { Store } from '../store';

export type LocalSource = 'mic' | 'camera' | 'screen';

/** Why a device could not be opened, in terms the user can act on. */
export type DeviceProblem = 'denied' | 'notFound' | 'inUse' | 'unavailable' | 'other';

export interface LocalMediaState {
  micTrack: MediaStreamTrack | null;
  cameraTrack: MediaStreamTrack | null;
  screenTrack: MediaStreamTrack | null;
  /** The chosen devices; null means the browser's default. */
  micDeviceId: string | null;
  cameraDeviceId: string | null;
  /** The last failure to open the microphone or camera, cleared by the next success. */
  micProblem: DeviceProblem | null;
  cameraProblem: DeviceProblem | null;
}

const AUDIO: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
// 640x480 at 24 fps: sharp enough for a face and an ID card, light enough for a cheap phone on 4G.
const VIDEO: MediaTrackConstraints = {
  width: { ideal: 640 },
  height: { ideal: 480 },
  frameRate: { ideal: 24, max: 30 },
};

const trackKey = { mic: 'micTrack', camera: 'cameraTrack', screen: 'screenTrack' } as const;

export function canCaptureScreen(): boolean {
  // Phones (Android Chrome, iOS Safari) have no getDisplayMedia at all.
  return typeof navigator.mediaDevices?.getDisplayMedia === 'function';
}

export function problemOf(error: unknown): DeviceProblem {
  const name = error instanceof Error ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'notFound';
  if (name === 'NotReadableError' || name === 'AbortError') return 'inUse';
  return 'other';
}

export class LocalMedia {
  readonly store = new Store<LocalMediaState>({
    micTrack: null,
    cameraTrack: null,
    screenTrack: null,
    micDeviceId: null,
    cameraDeviceId: null,
    micProblem: null,
    cameraProblem: null,
  });
  /** Called when a track ends on its own: device unplugged, permission revoked, "stop sharing" pressed. */
  onEnded: (source: LocalSource) => void = () => {};
  readonly #inFlight = new Set<Promise<unknown>>();
  // Bumped by every open and close of a source: an open that resolves after a
  // newer open or a close (the person changed their mind during the prompt) drops its track.
  readonly #epoch: Record<LocalSource, number> = { mic: 0, camera: 0, screen: 0 };

  get state(): LocalMediaState {
    return this.store.get();
  }

  /** Resolves once every open that has been started has succeeded or failed (a permission prompt may take a while). */
  async settled(): Promise<void> {
    while (this.#inFlight.size) await Promise.allSettled([...this.#inFlight]);
  }

  /** Opens what is asked for with a single permission prompt (phones show one dialog, not two). */
  open(want: { mic: boolean; camera: boolean }): Promise<void> {
    return this.#watch(this.#open(want));
  }

  openMic(deviceId = this.state.micDeviceId): Promise<MediaStreamTrack | null> {
    this.store.set({ micDeviceId: deviceId });
    return this.#watch(this.#openOne('mic', ++this.#epoch.mic));
  }

  openCamera(deviceId = this.state.cameraDeviceId): Promise<MediaStreamTrack | null> {
    // Many phones cannot open two cameras at once: let the old one go first.
    this.#release('camera');
    this.store.set({ cameraDeviceId: deviceId });
    return this.#watch(this.#openOne('camera', ++this.#epoch.camera));
  }

  async openScreen(): Promise<MediaStreamTrack | null> {
    if (!canCaptureScreen()) return null;
    const epoch = ++this.#epoch.screen;
    try {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { max: 15 } }, audio: false });
      const [track] = stream.getVideoTracks();
      if (!track) return null;
      // Text on a shared document must stay readable; motion matters less.
      track.contentHint = 'detail';
      return this.#adopt('screen', track, epoch);
    } catch {
      // The person pressed "cancel" in the browser's picker: nothing to report.
      return null;
    }
  }

  close(source: LocalSource): void {
    this.#epoch[source] += 1;
    this.#release(source);
  }

  closeAll(): void {
    for (const source of ['mic', 'camera', 'screen'] as const) this.close(source);
  }

  async #open(want: { mic: boolean; camera: boolean }): Promise<void> {
    if (!want.mic && !want.camera) return;
    const mic = want.mic ? ++this.#epoch.mic : -1;
    const camera = want.camera ? ++this.#epoch.camera : -1;
    if (!navigator.mediaDevices?.getUserMedia) {
      this.store.set({
        micProblem: want.mic ? 'unavailable' : null,
        cameraProblem: want.camera ? 'unavailable' : null,
      });
      return;
    }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        audio: want.mic && this.#audioConstraints(),
        video: want.camera && this.#videoConstraints(),
      });
      const [micTrack] = stream.getAudioTracks();
      const [cameraTrack] = stream.getVideoTracks();
      if (micTrack) this.#adopt('mic', micTrack, mic);
      if (cameraTrack) this.#adopt('camera', cameraTrack, camera);
    } catch (error) {
      // One missing device (a laptop without a camera) must not cost the other: try them apart.
      if (want.mic && want.camera) {
        await this.#openOne('mic', mic);
        await this.#openOne('camera', camera);
        return;
      }
      this.store.set(want.mic ? { micProblem: problemOf(error) } : { cameraProblem: problemOf(error) });
    }
  }

  async #openOne(source: 'mic' | 'camera', epoch: number): Promise<MediaStreamTrack | null> {
    const problemKey = source === 'mic' ? 'micProblem' : 'cameraProblem';
    const deviceKey = source === 'mic' ? 'micDeviceId' : 'cameraDeviceId';
    if (!navigator.mediaDevices?.getUserMedia) {
      this.store.set({ [problemKey]: 'unavailable' });
      return null;
    }
    try {
      const stream = await navigator.mediaDevices.getUserMedia(
        source === 'mic' ? { audio: this.#audioConstraints() } : { video: this.#videoConstraints() },
      );
      const track = (source === 'mic' ? stream.getAudioTracks() : stream.getVideoTracks())[0];
      if (!track) throw Object.assign(new Error('no track'), { name: 'NotFoundError' });
      return this.#adopt(source, track, epoch);
    } catch (error) {
      // A remembered device that is gone (headset unplugged): fall back to the default once.
      if (this.state[deviceKey] && problemOf(error) === 'notFound') {
        this.store.set({ [deviceKey]: null });
        return this.#openOne(source, epoch);
      }
      if (epoch === this.#epoch[source]) this.store.set({ [problemKey]: problemOf(error) });
      return null;
    }
  }

  #adopt(source: LocalSource, track: MediaStreamTrack, epoch: number): MediaStreamTrack | null {
    if (epoch !== this.#epoch[source]) {
      track.stop();
      return null;
    }
    this.#release(source);
    track.onended = () => {
      if (this.state[trackKey[source]] !== track) return;
      this.store.set({ [trackKey[source]]: null });
      this.onEnded(source);
    };
    const patch: Partial<LocalMediaState> = { [trackKey[source]]: track };
    if (source === 'mic') patch.micProblem = null;
    if (source === 'camera') patch.cameraProblem = null;
    this.store.set(patch);
    return track;
  }

  #release(source: LocalSource): void {
    const track = this.state[trackKey[source]];
    if (!track) return;
    track.onended = null;
    track.stop();
    this.store.set({ [trackKey[source]]: null });
  }

  #watch<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight.add(promise);
    void promise.finally(() => this.#inFlight.delete(promise)).catch(() => undefined);
    return promise;
  }

  #audioConstraints(): MediaTrackConstraints {
    const id = this.state.micDeviceId;
    return id ? { ...AUDIO, deviceId: { exact: id } } : AUDIO;
  }

  #videoConstraints(): MediaTrackConstraints {
    const id = this.state.cameraDeviceId;
    return id ? { ...VIDEO, deviceId: { exact: id } } : { ...VIDEO, facingMode: 'user' };
  }
}
