/**
 * One still image from a live video producer, taken in the SFU: the ID card
 * the signer holds up (front, back) and their face, for the notary to compare
 * side by side. Taken server-side rather than by the notary's browser so the
 * image is what the SFU forwarded, not something a page could substitute.
 *
 * The same path as the Recorder (a PlainTransport into Debian's ffmpeg, a
 * paused consumer resumed once ffmpeg listens, a keyframe requested), but
 * ffmpeg decodes: it waits for the first keyframe and writes it as a PNG.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { types as ms } from 'mediasoup';
import { boundUdpPorts, freePortPairs, recorderCapabilities, sdpOf } from './plainRtp';

export interface StillOptions {
  router: ms.Router;
  /** A video producer. */
  producer: ms.Producer;
  listenIp: string;
  /** The PNG to write; its folder must exist. The SDP is written beside it and removed. */
  outputPath: string;
  ffmpegPath?: string;
  /** Until a keyframe has arrived and been decoded; default 10 s. */
  timeoutMs?: number;
}

export interface Still {
  path: string;
  sha256: string;
  bytes: number;
  takenAt: Date;
}

export async function captureStill(options: StillOptions): Promise<Still> {
  if (options.producer.kind !== 'video') throw new Error('captureStill(): the producer is not video');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const [port] = await freePortPairs(1, { min: 35000, max: 39999 });
  const transport = await options.router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: options.listenIp },
    rtcpMux: false,
    comedia: false,
  });
  const sdpPath = options.outputPath.replace(/\.[^./]+$/, '') + '.sdp';
  let stderr = '';
  try {
    await transport.connect({ ip: '127.0.0.1', port: port!, rtcpPort: port! + 1 });
    const consumer = await transport.consume({
      producerId: options.producer.id,
      rtpCapabilities: recorderCapabilities(options.router.rtpCapabilities),
      paused: true,
    });
    const stream = { port: port! };
    fs.writeFileSync(sdpPath, sdpOf([{ consumer, stream }]));
    const child = spawn(
      options.ffmpegPath ?? '/usr/bin/ffmpeg',
      [
        ...['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error', '-protocol_whitelist', 'file,udp,rtp'],
        // Decode keyframes only: a frame decoded from a partial picture is grey smears. (The SFU starts
        // a consumer on a keyframe anyway; this holds even if a sender's first frames are lost.)
        ...['-skip_frame', 'nokey', '-i', sdpPath],
        ...['-frames:v', '1', '-f', 'image2', '-y', options.outputPath],
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    child.once('error', (error) => (stderr += String(error)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    try {
      const deadline = Date.now() + timeoutMs;
      while (!(boundUdpPorts().has(port!) && boundUdpPorts().has(port! + 1))) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error('ffmpeg did not listen');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await consumer.resume();
      await consumer.requestKeyFrame();
      const code = await exited;
      if (code !== 0 || !fs.existsSync(options.outputPath)) throw new Error(`ffmpeg ended with ${code}`);
    } finally {
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    }
    const bytes = fs.readFileSync(options.outputPath);
    return {
      path: options.outputPath,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      bytes: bytes.length,
      takenAt: new Date(),
    };
  } catch (error) {
    throw new Error(`captureStill(): ${(error as Error).message}${stderr ? `; ffmpeg said: ${stderr}` : ''}`);
  } finally {
    transport.close();
    fs.rmSync(sdpPath, { force: true });
  }
}
