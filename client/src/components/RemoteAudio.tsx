/** Plays one remote audio track; a blocked autoplay raises the "turn on the sound" button. */
import { useEffect, useRef } from 'react';
import { forgetAudio, playAudio } from '../audioPlayback';

export function RemoteAudio({ track }: { track: MediaStreamTrack }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const audio = ref.current;
    if (!audio) return;
    audio.srcObject = new MediaStream([track]);
    playAudio(audio);
    return () => {
      forgetAudio(audio);
      audio.srcObject = null;
    };
  }, [track]);
  return <audio ref={ref} autoPlay />;
}
