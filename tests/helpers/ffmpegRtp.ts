/**
 * ffmpeg as a camera that speaks plain RTP: a VP8 test pattern sent to a
 * PlainTransport (comedia), the way a SIP gateway or a recorder's playback
 * would feed the SFU. Always stop() it in teardown.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export const FFMPEG = process.env.FFMPEG ?? '/usr/bin/ffmpeg';

export interface Vp8SenderOptions {
  /** The PlainTransport's local port (rtcp-mux: RTCP goes to the same port). */
  port: number;
  ssrc: number;
  payloadType: number;
  /** Upper bound on the run, in case a test forgets to stop it. */
  seconds?: number;
  /** Picture size, frame rate and bitrate; default 320x240, 15 fps, 300k (the benchmark sends more). */
  size?: string;
  fps?: number;
  bitrate?: string;
}

export interface FfmpegProcess {
  readonly child: ChildProcess;
  /** What ffmpeg wrote to stderr so far (errors only: it runs with -loglevel error). */
  stderr(): string;
  /** Kills ffmpeg and waits until it and its pipes are gone. Idempotent. */
  stop(): Promise<void>;
}

export function sendVp8TestPattern({
  port,
  ssrc,
  payloadType,
  seconds = 30,
  size = '320x240',
  fps = 15,
  bitrate = '300k',
}: Vp8SenderOptions): FfmpegProcess {
  const args = [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error'],
    ...['-re', '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=${fps}`, '-t', String(seconds)],
    // A keyframe every second: the SFU forwards a video stream to a new consumer only from a keyframe,
    // and ffmpeg does not answer the PLI it sends.
    ...['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', bitrate, '-g', String(fps), '-an'],
    // No RTCP: ffmpeg sends it from a second socket, and a comedia transport locks onto the source
    // of the first packet it sees, so an early sender report would make it ignore the RTP socket.
    ...['-payload_type', String(payloadType), '-ssrc', String(ssrc), '-rtpflags', 'skip_rtcp'],
    ...['-f', 'rtp', `rtp://127.0.0.1:${port}?rtcpport=${port}&pkt_size=1200`],
  ];
  return spawnFfmpeg(args);
}

export interface OpusSenderOptions {
  port: number;
  ssrc: number;
  payloadType: number;
  seconds?: number;
}

/** A 440 Hz tone as Opus over RTP (48 kHz stereo, 20 ms packets), the way a microphone would send it. */
export function sendOpusTone({ port, ssrc, payloadType, seconds = 30 }: OpusSenderOptions): FfmpegProcess {
  const args = [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error'],
    ...['-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', String(seconds)],
    ...['-c:a', 'libopus', '-b:a', '32k', '-ac', '2', '-frame_duration', '20', '-application', 'voip', '-vn'],
    // No RTCP, for the same reason as the camera above.
    ...['-payload_type', String(payloadType), '-ssrc', String(ssrc), '-rtpflags', 'skip_rtcp'],
    ...['-f', 'rtp', `rtp://127.0.0.1:${port}?rtcpport=${port}&pkt_size=1200`],
  ];
  return spawnFfmpeg(args);
}

function spawnFfmpeg(args: string[]): FfmpegProcess {
  const child = spawn(FFMPEG, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  // A missing binary is reported by stderr() and the test's own assertions, not as an unhandled error.
  child.once('error', (error) => (stderr += String(error)));
  return {
    child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await closed;
    },
  };
}
