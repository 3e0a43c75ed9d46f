/**
 * The SFU recorder against real parts: a mediasoup worker, two ffmpeg
 * processes sending a VP8 camera and an Opus microphone as producers, and
 * Debian's ffmpeg recording them through PlainTransports. ffprobe then reads
 * the file: one video and one audio stream, a duration covering the
 * recording, a first video frame that is a keyframe, and the hash matches.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import type { PeerId, ProducerId, RoomId, TransportId } from '../../shared/ids';
import type { Producer } from '../../media/MediaPeer';
import { MediaRoom } from '../../media/MediaRoom';
import { Recorder, type RecordingResult } from '../../media/Recorder';
import { WorkerPool } from '../../media/WorkerPool';
import { eventually } from '../helpers/eventually';
import { sendOpusTone, sendVp8TestPattern, type FfmpegProcess } from '../helpers/ffmpegRtp';
import { descendantsOf, isAlive } from '../helpers/processTree';

const logger = pino({ level: process.env.LOG_TESTS ? 'debug' : 'silent' });
const RECORD_MS = 3000;

let dir: string;
let pool: WorkerPool;
let room: MediaRoom;
let camera: Producer;
let mic: Producer;
const senders: FfmpegProcess[] = [];
let recorder: Recorder | undefined;

interface Probe {
  streams: { codec_type: string; codec_name: string; width?: number; channels?: number }[];
  format: { duration: string; format_name: string };
}

async function ffprobe(file: string, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('ffprobe', ['-v', 'error', ...args, file]);
  return stdout;
}

async function packetsOf(producer: Producer): Promise<number> {
  return (await producer.getStats()).reduce((sum, s) => sum + s.packetCount, 0);
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridroom-recorder-'));
  pool = await WorkerPool.create({
    numWorkers: 1,
    listenIp: '127.0.0.1',
    rtcMinPort: 40000,
    rtcMaxPort: 49999,
    logLevel: 'warn',
    logTags: [],
    logger,
  });
  room = await MediaRoom.create({ roomId: 'recorder-test' as RoomId, pooledWorker: pool.pick(), logger });
  const peer = room.peer('signer' as PeerId);
  const videoIn = await peer.createPlainTransport();
  const audioIn = await peer.createPlainTransport();
  camera = await peer.produce({
    transportId: videoIn.id as TransportId,
    kind: 'video',
    source: 'camera',
    rtpParameters: {
      codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
      encodings: [{ ssrc: 11111111 }],
    },
  });
  mic = await peer.produce({
    transportId: audioIn.id as TransportId,
    kind: 'audio',
    source: 'mic',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc: 22222222 }],
    },
  });
  senders.push(sendVp8TestPattern({ port: videoIn.tuple.localPort, ssrc: 11111111, payloadType: 101 }));
  senders.push(sendOpusTone({ port: audioIn.tuple.localPort, ssrc: 22222222, payloadType: 100 }));
  await eventually(async () => (await packetsOf(camera)) > 10 && (await packetsOf(mic)) > 10, {
    what: `producers receiving (${senders.map((s) => s.stderr()).join(' ') || 'ffmpeg said nothing'})`,
  });
});

afterAll(async () => {
  await recorder?.stop().catch(() => undefined);
  await Promise.all(senders.map((s) => s.stop()));
  room?.close();
  pool?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('recording a camera and a microphone', () => {
  let result: RecordingResult;
  let pid: number;

  test('the recorder starts ffmpeg on an SDP of both streams and resumes its consumers once ffmpeg listens', async () => {
    recorder = await Recorder.create({
      router: room.router,
      producers: [camera, mic],
      listenIp: '127.0.0.1',
      outputPath: path.join(dir, 'act.mkv'),
      logger,
    });
    pid = recorder.pid!;
    expect(isAlive(pid)).toBe(true);
    expect(recorder.streams.map((s) => [s.kind, s.mimeType, s.appData.source])).toEqual([
      ['video', 'video/VP8', 'camera'],
      ['audio', 'audio/opus', 'mic'],
    ]);
    expect(recorder.consumers.every((c) => !c.paused)).toBe(true);
    const sdp = fs.readFileSync(path.join(dir, 'act.sdp'), 'utf8');
    expect(sdp).toContain(`m=video ${recorder.streams[0]!.port} RTP/AVP`);
    expect(sdp).toMatch(/a=rtpmap:\d+ opus\/48000\/2/);
  });

  test('after a few seconds stop() closes the file, ffmpeg is gone, and the hash is the file’s', async () => {
    const rec = recorder!;
    // Wait until both consumers have forwarded what RECORD_MS of media is, rather than sleeping a guess.
    await eventually(
      async () => {
        const sent = await Promise.all(rec.consumers.map(async (c) => (await c.getStats())[0]?.packetCount ?? 0));
        return Date.now() - rec.startedAt.getTime() >= RECORD_MS && sent.every((n) => n > 20);
      },
      { timeoutMs: RECORD_MS + 10_000, what: 'media reaching the recorder' },
    );
    result = await rec.stop();
    expect(await rec.stop()).toBe(result);
    expect(isAlive(pid)).toBe(false);
    const bytes = fs.readFileSync(result.path);
    expect(result.bytes).toBe(bytes.length);
    expect(result.bytes).toBeGreaterThan(10_000);
    expect(result.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(result.exit.code === 255 || result.exit.code === 0).toBe(true);
  });

  test('ffprobe finds one VP8 video and one Opus audio stream, covering the recording', async () => {
    const probe = JSON.parse(await ffprobe(result.path, '-show_streams', '-show_format', '-of', 'json')) as Probe;
    expect(probe.format.format_name).toContain('matroska');
    expect(probe.streams.map((s) => [s.codec_type, s.codec_name]).sort()).toEqual([
      ['audio', 'opus'],
      ['video', 'vp8'],
    ]);
    expect(probe.streams.find((s) => s.codec_type === 'video')?.width).toBe(320);
    const duration = Number(probe.format.duration);
    const wallClock = (result.stoppedAt.getTime() - result.startedAt.getTime()) / 1000;
    expect(duration).toBeGreaterThanOrEqual(RECORD_MS / 1000 - 0.5);
    expect(duration).toBeLessThanOrEqual(wallClock + 1);
  });

  test('the file starts on a keyframe', async () => {
    const first = await ffprobe(
      result.path,
      ...['-select_streams', 'v:0', '-show_entries', 'packet=flags', '-read_intervals', '%+#1', '-of', 'csv=p=0'],
    );
    expect(first.trim()).toMatch(/^K/);
  });
});

describe('a producer that sends nothing', () => {
  test('makes create() fail, saying ffmpeg gave up, and leaves no ffmpeg behind', async () => {
    const peer = room.getPeer('signer' as PeerId)!;
    const silentIn = await peer.createPlainTransport();
    const silent = await peer.produce({
      transportId: silentIn.id as TransportId,
      kind: 'video',
      source: 'screen',
      rtpParameters: {
        codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
        encodings: [{ ssrc: 33333333 }],
      },
    });
    const before = descendantsOf(process.pid).filter((p) => p.comm === 'ffmpeg').length;
    await expect(
      Recorder.create({
        router: room.router,
        producers: [silent],
        listenIp: '127.0.0.1',
        outputPath: path.join(dir, 'silent.mkv'),
        idleSeconds: 1,
        logger,
      }),
    ).rejects.toThrow(/ffmpeg exited while waiting for ffmpeg probing the streams/);
    expect(descendantsOf(process.pid).filter((p) => p.comm === 'ffmpeg')).toHaveLength(before);
    silentIn.close();
  });
});

describe('a recording stopped as soon as it started', () => {
  test('is still a whole file that ffprobe reads (ffmpeg had finished probing before create() resolved)', async () => {
    const rec = await Recorder.create({
      router: room.router,
      producers: [camera, mic],
      listenIp: '127.0.0.1',
      outputPath: path.join(dir, 'short.mkv'),
      logger,
    });
    recorder = rec;
    const result = await rec.stop();
    const probe = JSON.parse(await ffprobe(result.path, '-show_streams', '-show_format', '-of', 'json')) as Probe;
    expect(probe.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
  });
});

describe('when participants leave mid-recording', () => {
  test('each closed producer ends its stream; with every stream gone ffmpeg closes the file by itself', async () => {
    const rec = await Recorder.create({
      router: room.router,
      producers: [camera, mic],
      listenIp: '127.0.0.1',
      outputPath: path.join(dir, 'interrupted.mkv'),
      idleSeconds: 1,
      logger,
    });
    recorder = rec;
    const ended: string[] = [];
    let exited = false;
    rec.on('streamEnded', (producerId) => ended.push(producerId));
    rec.on('ffmpegExited', () => (exited = true));
    await eventually(async () => ((await rec.consumers[0]!.getStats())[0]?.packetCount ?? 0) > 30, {
      what: 'video reaching the recorder',
    });
    const peer = room.getPeer('signer' as PeerId)!;
    peer.closeProducer(camera.id as ProducerId);
    await eventually(() => ended.length === 1, { what: 'streamEnded for the camera' });
    expect(exited).toBe(false); // the microphone still feeds it
    peer.closeProducer(mic.id as ProducerId);
    await eventually(() => ended.length === 2, { what: 'streamEnded for the microphone' });
    expect(ended).toEqual([camera.id, mic.id]);
    await eventually(() => exited, { what: 'ffmpeg ending on its idle timeout' });

    const result = await rec.stop();
    expect(result.exit).toEqual({ code: 0, signal: null });
    const probe = JSON.parse(await ffprobe(result.path, '-show_streams', '-show_format', '-of', 'json')) as Probe;
    expect(probe.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
    expect(Number(probe.format.duration)).toBeGreaterThan(1);
  });
});
