/**
 * A still image taken in the SFU from a live camera (an ffmpeg test pattern
 * through a real mediasoup worker): a PNG of the camera's size whose hash is
 * the file's, taken again on demand; audio is refused.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { PeerId, RoomId } from '../../shared/ids';
import { MediaRoom } from '../../media/MediaRoom';
import { captureStill } from '../../media/StillCapture';
import { WorkerPool } from '../../media/WorkerPool';
import { ffmpegParticipant, type FfmpegParticipant } from '../helpers/ffmpegParticipant';

const logger = pino({ level: 'silent' });
let dir: string;
let pool: WorkerPool;
let room: MediaRoom;
let signer: FfmpegParticipant;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridroom-still-'));
  pool = await WorkerPool.create({
    numWorkers: 1,
    listenIp: '127.0.0.1',
    rtcMinPort: 40000,
    rtcMaxPort: 49999,
    logLevel: 'warn',
    logTags: [],
    logger,
  });
  room = await MediaRoom.create({ roomId: 'still-test' as RoomId, pooledWorker: pool.pick(), logger });
  signer = await ffmpegParticipant(room, 'signer' as PeerId, 5000);
});

afterAll(async () => {
  await signer?.stop();
  room?.close();
  pool?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const still = (name: string) =>
  captureStill({
    router: room.router,
    producer: signer.camera,
    listenIp: '127.0.0.1',
    outputPath: path.join(dir, name),
  });

test('a still of the camera is a PNG of its size, hashed, and its SDP is gone', async () => {
  const front = await still('front.png');
  const bytes = fs.readFileSync(front.path);
  expect(front.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  const probe = execFileSync(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'csv=p=0', front.path],
    { encoding: 'utf8' },
  );
  expect(probe.trim()).toBe('png,320,240');
  expect(fs.existsSync(path.join(dir, 'front.sdp'))).toBe(false);
});

test('two stills in a row are two pictures of the moving test pattern', async () => {
  const [a, b] = [await still('a.png'), await still('b.png')];
  expect(a.sha256).not.toBe(b.sha256);
});

test('a still of a microphone is refused', async () => {
  await expect(
    captureStill({
      router: room.router,
      producer: signer.mic,
      listenIp: '127.0.0.1',
      outputPath: path.join(dir, 'x.png'),
    }),
  ).rejects.toThrow(/not video/);
});
