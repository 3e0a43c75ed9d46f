/**
 * Server-side recording of a set of producers (every participant's audio and
 * video) straight from the SFU: one PlainTransport per stream sends RTP to
 * Debian's ffmpeg, which reads an SDP file describing the streams and copies
 * them into one Matroska file without re-encoding. The SHA-256 of the file is
 * computed once ffmpeg has closed it.
 *
 * Order matters at the start: the consumers are created paused, ffmpeg is
 * started and we wait until it has bound every port of the SDP (read from
 * /proc/net/udp, so nothing else touches those ports), and only then are the
 * consumers resumed and a keyframe requested, so the file begins on one and
 * no packet is sent to a port nobody listens on (ICMP unreachable at best).
 *
 * The set of streams is fixed for the life of a recording (ffmpeg reads the
 * SDP once). A producer that closes ends its stream (`streamEnded`); a new
 * participant needs a new recording, which is how a notarial act's attempts
 * are cut anyway.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { types as ms } from 'mediasoup';
import type { MediaLogger } from './logger';
import { allBound, freePortPairs, recorderCapabilities, sdpOf } from './plainRtp';
import { SafeEmitter } from './SafeEmitter';

export interface RecorderOptions {
  router: ms.Router;
  /** What to record, in the order the file's streams take. */
  producers: readonly ms.Producer[];
  /** IP the PlainTransports listen on (the worker's address). */
  listenIp: string;
  /** The Matroska file to write; its folder must exist. The SDP is written beside it. */
  outputPath: string;
  ffmpegPath?: string;
  /** Where ffmpeg's ports are taken from; keep it outside the mediasoup RTC range. Default 20000-29999. */
  portRange?: { min: number; max: number };
  /**
   * ffmpeg ends the file by itself when no packet arrived on any stream for this long (everyone
   * left, or every producer paused); the owner hears `ffmpegExited` and should treat it as an
   * interruption. It is also the longest stop() waits when nothing flows. Default 5 s.
   */
  idleSeconds?: number;
  /** How long ffmpeg may take to open its ports, and (beyond idleSeconds) to finish the file. Default 10 s. */
  timeoutMs?: number;
  logger: MediaLogger;
}

export interface RecordedStream {
  producerId: string;
  kind: ms.MediaKind;
  mimeType: string;
  /** The producer's appData (whose stream it is), as given. */
  appData: Record<string, unknown>;
  /** ffmpeg's RTP port (RTCP is the next one). */
  port: number;
}

export interface RecordingResult {
  path: string;
  sha256: string;
  bytes: number;
  /** When the consumers were resumed: the first instant the file can hold. */
  startedAt: Date;
  stoppedAt: Date;
  streams: RecordedStream[];
  /** ffmpeg's exit: 255 after our SIGINT is its normal end. */
  exit: { code: number | null; signal: NodeJS.Signals | null };
}

export interface RecorderEvents {
  /** A recorded producer closed (its participant left); the file goes on with the others. */
  streamEnded: [producerId: string];
  /** ffmpeg ended before stop() was called; stop() still closes up and hashes what was written. */
  ffmpegExited: [code: number | null, stderr: string];
}

const DEFAULT_PORTS = { min: 20000, max: 29999 };
const DEFAULT_IDLE_SECONDS = 5;

interface Leg {
  transport: ms.PlainTransport;
  consumer: ms.Consumer;
  stream: RecordedStream;
}

export class Recorder extends SafeEmitter<RecorderEvents> {
  readonly outputPath: string;
  #startedAt = new Date();
  readonly #legs: Leg[];
  readonly #ffmpeg: ChildProcess;
  readonly #exited: Promise<RecordingResult['exit']>;
  readonly #stderr: () => string;
  readonly #timeoutMs: number;
  readonly #log: MediaLogger;
  #stopping: Promise<RecordingResult> | undefined;

  private constructor(
    options: RecorderOptions,
    legs: Leg[],
    ffmpeg: ChildProcess,
    exited: Promise<RecordingResult['exit']>,
    stderr: () => string,
  ) {
    super();
    this.outputPath = options.outputPath;
    this.#legs = legs;
    this.#ffmpeg = ffmpeg;
    this.#exited = exited;
    this.#stderr = stderr;
    this.#timeoutMs = (options.idleSeconds ?? DEFAULT_IDLE_SECONDS) * 1000 + (options.timeoutMs ?? 10_000);
    this.#log = options.logger.child({ recorder: path.basename(options.outputPath) });
    for (const leg of legs) {
      leg.consumer.on('producerclose', () => this.safeEmit('streamEnded', leg.stream.producerId));
    }
    void exited.then(({ code }) => {
      if (!this.#stopping) {
        this.#log.warn({ code, stderr: stderr().slice(-2000) }, 'Recorder: ffmpeg exited on its own');
        this.safeEmit('ffmpegExited', code, stderr());
      }
    });
  }

  static async create(options: RecorderOptions): Promise<Recorder> {
    if (options.producers.length === 0) throw new Error('Recorder.create(): nothing to record');
    const legs: Leg[] = [];
    let ffmpeg: FfmpegChild | undefined;
    try {
      const ports = await freePortPairs(options.producers.length, options.portRange ?? DEFAULT_PORTS);
      for (const [i, producer] of options.producers.entries()) {
        legs.push(await openLeg(options.router, producer, options.listenIp, ports[i]!));
      }
      const sdpPath = options.outputPath.replace(/\.[^./]+$/, '') + '.sdp';
      fs.writeFileSync(sdpPath, sdpOf(legs));
      ffmpeg = startFfmpeg(
        options.ffmpegPath ?? '/usr/bin/ffmpeg',
        sdpPath,
        options.outputPath,
        options.idleSeconds ?? DEFAULT_IDLE_SECONDS,
      );
      const timeoutMs = options.timeoutMs ?? 10_000;
      const ffmpegPorts = ports.flatMap((p) => [p, p + 1]);
      await waitUntil(() => allBound(ffmpegPorts), ffmpeg, timeoutMs, `ffmpeg listening on ${ffmpegPorts.join(', ')}`);
      const recorder = new Recorder(options, legs, ffmpeg.child, ffmpeg.exited, ffmpeg.stderr);
      for (const leg of legs) {
        await leg.consumer.resume();
        // Resuming asks the producer for a keyframe already; asking again costs nothing and says why we wait.
        if (leg.consumer.kind === 'video') await leg.consumer.requestKeyFrame();
      }
      recorder.#startedAt = new Date();
      // ffmpeg first probes the streams (a VP8 keyframe gives the picture size) and only then writes
      // the file's header. A SIGINT before that aborts the probe and leaves a broken file, so create()
      // resolves, and stop() can be called, only once ffmpeg says it is muxing.
      await waitUntil(ffmpeg.muxing, ffmpeg, timeoutMs, 'ffmpeg probing the streams');
      recorder.#log.info({ streams: legs.map((l) => l.stream), pid: ffmpeg.child.pid }, 'Recorder.create(): recording');
      return recorder;
    } catch (error) {
      for (const leg of legs) leg.transport.close();
      if (ffmpeg) {
        ffmpeg.child.kill('SIGKILL');
        await ffmpeg.exited;
        throw new Error(`${(error as Error).message}; ffmpeg said: ${ffmpeg.stderr().slice(-1000) || 'nothing'}`);
      }
      throw error;
    }
  }

  /** When the consumers were resumed. */
  get startedAt(): Date {
    return this.#startedAt;
  }

  get streams(): readonly RecordedStream[] {
    return this.#legs.map((leg) => leg.stream);
  }

  /** The recorder's ffmpeg, for the benchmark's CPU and memory readings. */
  get pid(): number | undefined {
    return this.#ffmpeg.pid;
  }

  /** The consumers feeding ffmpeg (stats: what reached the recorder). */
  get consumers(): readonly ms.Consumer[] {
    return this.#legs.map((leg) => leg.consumer);
  }

  /**
   * Stops feeding ffmpeg, lets it finish the file (SIGINT: it writes the
   * Matroska cues and duration), then hashes the file. Idempotent: every call
   * gets the same result.
   */
  stop(): Promise<RecordingResult> {
    return (this.#stopping ??= this.#stop());
  }

  async #stop(): Promise<RecordingResult> {
    const stoppedAt = new Date();
    // SIGINT while the media still flows: once started, ffmpeg looks at a first signal between two
    // packets, then writes the trailer and exits. Closing the transports first would leave it waiting
    // in its UDP read (a second SIGINT would interrupt the trailer's writes too: a broken file). When
    // nothing flows any more (everyone left), its own idle timeout ends the input just as cleanly.
    let timer: NodeJS.Timeout | undefined;
    if (this.#ffmpeg.exitCode === null && this.#ffmpeg.signalCode === null) {
      this.#ffmpeg.kill('SIGINT');
      timer = setTimeout(() => this.#ffmpeg.kill('SIGKILL'), this.#timeoutMs);
    }
    const exit = await this.#exited.finally(() => clearTimeout(timer));
    for (const leg of this.#legs) leg.transport.close();
    if (!fs.existsSync(this.outputPath)) {
      throw new Error(`Recorder.stop(): ffmpeg wrote no file (exit ${exit.code}): ${this.#stderr().slice(-1000)}`);
    }
    const { sha256, bytes } = await hashFile(this.outputPath);
    const clean = exit.code === 0 || exit.code === 255;
    // What ffmpeg said (its stream list, any warning) is worth keeping next to a recording of legal weight.
    (clean ? this.#log.info : this.#log.warn).call(
      this.#log,
      { sha256, bytes, exit, ffmpeg: this.#stderr().slice(-2000) || undefined },
      'Recorder.stop(): file closed',
    );
    this.removeAllListeners();
    return {
      path: this.outputPath,
      sha256,
      bytes,
      startedAt: this.startedAt,
      stoppedAt,
      streams: [...this.streams],
      exit,
    };
  }
}

async function openLeg(router: ms.Router, producer: ms.Producer, listenIp: string, port: number): Promise<Leg> {
  // rtcpMux off: ffmpeg reads RTCP (the sender reports that line audio and video up) on port + 1.
  const transport = await router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: listenIp },
    rtcpMux: false,
    comedia: false,
    appData: { recorder: true, producerId: producer.id },
  });
  try {
    await transport.connect({ ip: '127.0.0.1', port, rtcpPort: port + 1 });
    const consumer = await transport.consume({
      producerId: producer.id,
      rtpCapabilities: recorderCapabilities(router.rtpCapabilities),
      paused: true,
    });
    const codec = consumer.rtpParameters.codecs[0]!;
    const stream = {
      producerId: producer.id,
      kind: producer.kind,
      mimeType: codec.mimeType,
      appData: producer.appData,
      port,
    };
    return { transport, consumer, stream };
  } catch (error) {
    transport.close();
    throw error;
  }
}

interface FfmpegChild {
  child: ChildProcess;
  exited: Promise<RecordingResult['exit']>;
  stderr: () => string;
  /** ffmpeg has probed its input and written the file's header. */
  muxing: () => boolean;
}

function startFfmpeg(ffmpegPath: string, sdpPath: string, outputPath: string, idleSeconds: number): FfmpegChild {
  const args = [
    // info, for the "Output #0" line that ffmpeg 5.1 prints once the header is written (it prints
    // "Stream mapping:" even when writing the header failed); -nostats drops the progress lines.
    ...['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info'],
    // The SDP names udp and rtp inputs, which ffmpeg refuses from a file unless whitelisted.
    // Probing waits for a keyframe of every video stream: a browser answers the PLI at once, a sender
    // that ignores it (a gateway, ffmpeg) only at its next natural keyframe. 5 s is ffmpeg's default.
    ...['-protocol_whitelist', 'file,udp,rtp', '-fflags', '+genpts', '-analyzeduration', '5000000'],
    // The SDP demuxer's "listen" timeout is its idle timeout too: that long without a packet is the end.
    ...['-listen_timeout', String(idleSeconds), '-i', sdpPath],
    ...['-map', '0', '-c', 'copy', '-f', 'matroska', '-y', outputPath],
  ];
  const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let muxing = false;
  child.stderr!.on('data', (chunk: Buffer) => {
    // Bounded: a recording of hours must not grow the server's memory through ffmpeg's warnings.
    stderr = (stderr + chunk.toString('utf8')).slice(-16_384);
    muxing ||= /^Output #0, /m.test(stderr);
  });
  const exited = new Promise<RecordingResult['exit']>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  child.once('error', (error) => (stderr += String(error)));
  return { child, exited, stderr: () => stderr, muxing: () => muxing };
}

/** Polls `done` until it holds; fails when ffmpeg exits first or time runs out. */
async function waitUntil(done: () => boolean, ffmpeg: FfmpegChild, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void ffmpeg.exited.then(() => (exited = true));
  for (;;) {
    if (done()) return;
    if (exited) throw new Error(`Recorder: ffmpeg exited while waiting for ${what}`);
    if (Date.now() > deadline) throw new Error(`Recorder: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function hashFile(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}
