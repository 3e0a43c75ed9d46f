/**
 * The sound of a ringing call, made with Web Audio (no file to download): two
 * tones of 440 + 480 Hz, on for 0.4 s, off for 0.2 s, on for 0.4 s, then 2 s
 * of quiet, repeated, and a vibration where the phone has one.
 *
 * Browsers let a page make sound only after the person has touched it, so the
 * AudioContext is created (and resumed) by `unlock()` inside the click that
 * puts the expert on call; a call that rings later can then be heard.
 */
const PATTERN_MS = [400, 200, 400, 2000];
const CYCLE_MS = PATTERN_MS.reduce((a, b) => a + b, 0);
const VOLUME = 0.25;

export type RingerState = 'silent' | 'ringing' | 'blocked';

export class Ringer {
  #context: AudioContext | undefined;
  #gain: GainNode | undefined;
  #oscillators: OscillatorNode[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  #state: RingerState = 'silent';

  get state(): RingerState {
    return this.#state;
  }

  /** Call from a click or tap: the only moment a browser allows audio to start. */
  unlock(): void {
    try {
      this.#context ??= new AudioContext();
      void this.#context.resume();
    } catch {
      // No Web Audio (a very old WebView): the call still shows and vibrates.
    }
  }

  start(): void {
    if (this.#state === 'ringing') return;
    const context = this.#context;
    if (!context || context.state !== 'running') {
      this.#state = 'blocked';
      this.#vibrate();
      return;
    }
    const gain = context.createGain();
    gain.gain.value = 0;
    gain.connect(context.destination);
    this.#oscillators = [440, 480].map((frequency) => {
      const oscillator = context.createOscillator();
      oscillator.frequency.value = frequency;
      oscillator.connect(gain);
      oscillator.start();
      return oscillator;
    });
    this.#gain = gain;
    this.#schedule();
    // Scheduling a few cycles ahead on the audio clock keeps the rhythm steady even when timers lag.
    this.#timer = setInterval(() => this.#schedule(), CYCLE_MS);
    this.#state = 'ringing';
    this.#vibrate();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    for (const oscillator of this.#oscillators) {
      try {
        oscillator.stop();
      } catch {
        // Already stopped.
      }
      oscillator.disconnect();
    }
    this.#oscillators = [];
    this.#gain?.disconnect();
    this.#gain = undefined;
    if ('vibrate' in navigator) navigator.vibrate(0);
    this.#state = 'silent';
  }

  close(): void {
    this.stop();
    void this.#context?.close().catch(() => undefined);
    this.#context = undefined;
  }

  #schedule(): void {
    const context = this.#context;
    const gain = this.#gain;
    if (!context || !gain) return;
    let t = context.currentTime + 0.05;
    gain.gain.cancelScheduledValues(t);
    PATTERN_MS.forEach((ms, i) => {
      gain.gain.setValueAtTime(i % 2 === 0 ? VOLUME : 0, t);
      t += ms / 1000;
    });
    gain.gain.setValueAtTime(0, t);
    this.#vibrate();
  }

  #vibrate(): void {
    if ('vibrate' in navigator) navigator.vibrate([400, 200, 400]);
  }
}
