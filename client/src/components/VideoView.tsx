/** One video track in a <video>; for remote video, reports the first decoded frame to the join benchmark. */
import { useEffect, useRef } from 'react';
import { markOnce } from '../rtc/marks';

interface Props {
  track: MediaStreamTrack;
  /** Our own camera is shown as in a mirror, as people expect. */
  mirrored?: boolean;
  /** 'contain' for a shared screen, whose every edge matters. */
  fit?: 'cover' | 'contain';
  remote?: boolean;
}

type FrameCallbackVideo = HTMLVideoElement & { requestVideoFrameCallback?: (cb: () => void) => number };

export function VideoView({ track, mirrored = false, fit = 'cover', remote = false }: Props) {
  const ref = useRef<HTMLVideoElement>(null);

  useEffect(() => {
    const video = ref.current as FrameCallbackVideo | null;
    if (!video) return;
    video.srcObject = new MediaStream([track]);
    // Muted video may always autoplay; play() only fails when the element is being replaced.
    video.play().catch(() => undefined);
    if (!remote) return;
    if (video.requestVideoFrameCallback) {
      video.requestVideoFrameCallback(() => markOnce('firstRemoteFrame'));
      return;
    }
    const onPlaying = () => markOnce('firstRemoteFrame');
    video.addEventListener('playing', onPlaying, { once: true });
    return () => video.removeEventListener('playing', onPlaying);
  }, [track, remote]);

  return (
    <video
      ref={ref}
      className={`video video--${fit}${mirrored ? ' video--mirrored' : ''}`}
      autoPlay
      playsInline
      muted
    />
  );
}
