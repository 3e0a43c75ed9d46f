/**
 * Drives a level meter from a microphone track without re-rendering React at
 * 60 fps: the level is written straight into the element's style.
 */
import { useEffect, type RefObject } from 'react';

type AudioContextClass = typeof AudioContext;

export function useMicLevel(track: MediaStreamTrack | null, bar: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const el = bar.current;
    const Ctx: AudioContextClass | undefined =
      window.AudioContext ?? (window as unknown as { webkitAudioContext?: AudioContextClass }).webkitAudioContext;
    if (!track || !el || !Ctx) return;
    const context = new Ctx();
    const analyser = context.createAnalyser();
    analyser.fftSize = 512;
    context.createMediaStreamSource(new MediaStream([track])).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    // Browsers start an AudioContext suspended until the first tap on the page.
    const resume = () => void context.resume().catch(() => undefined);
    document.addEventListener('pointerdown', resume, { once: true });
    resume();
    let frame = 0;
    let shown = 0;
    const tick = () => {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const s of samples) sum += s * s;
      // Speech RMS sits around 0.02–0.2: a square root spreads it over the bar, silence stays near zero.
      const level = Math.min(1, Math.sqrt(Math.sqrt(sum / samples.length)) * 2.5);
      shown = Math.max(level, shown * 0.85);
      el.style.transform = `scaleX(${shown.toFixed(3)})`;
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => {
      cancelAnimationFrame(frame);
      document.removeEventListener('pointerdown', resume);
      el.style.transform = 'scaleX(0)';
      void context.close().catch(() => undefined);
    };
  }, [track, bar]);
}
