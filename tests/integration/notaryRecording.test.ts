/**
 * A notarial act recorded for real: NotaryService on the real database with
 * RoomRecordings over a real mediasoup room, where a notary and a signer
 * (each an ffmpeg camera and microphone) take part. The signer's connection
 * drops, which interrupts the act by itself; they come back, are identified
 * again, and the act is sealed in a second attempt. Each attempt leaves a file whose
 * SHA-256 is the journal's and which ffprobe reads as one video and one audio
 * stream per participant, and the journal verifies.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { ActSignerId, PeerId, RoomId, StaffId } from '../../shared/ids';
import { MediaRoom } from '../../media/MediaRoom';
import { WorkerPool } from '../../media/WorkerPool';
import { verifyJournal } from '../../server/notary/NotaryJournal';
import { NotaryService } from '../../server/notary/NotaryService';
import type { ActRecord } from '../../server/notary/NotaryStore';
import { RoomRecordings } from '../../server/notary/RoomRecordings';
import { eventually } from '../helpers/eventually';
import { ffmpegParticipant, type FfmpegParticipant } from '../helpers/ffmpegParticipant';
import { addNotary, sha256 } from '../helpers/notary';
import { createTestDb, type TestDb } from '../helpers/testDb';

const logger = pino({ level: process.env.LOG_TESTS ? 'debug' : 'silent' });
const notaryId = randomUUID() as StaffId;

let dir: string;
let testDb: TestDb;
let pool: WorkerPool;
let room: MediaRoom;
let recordings: RoomRecordings;
let service: NotaryService;
const participants: FfmpegParticipant[] = [];

interface Probe {
  streams: { codec_type: string }[];
  format: { duration: string };
}

const probe = (file: string) =>
  JSON.parse(
    execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file], {
      encoding: 'utf8',
    }),
  ) as Probe;

/** Lets the recording of the current attempt run for `ms` of wall time, measured by what reached ffmpeg. */
async function recordFor(ms: number): Promise<void> {
  const since = Date.now();
  await eventually(() => Date.now() - since >= ms, { timeoutMs: ms + 5000, intervalMs: 200, what: 'recording time' });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridroom-notary-rec-'));
  testDb = await createTestDb();
  await addNotary(testDb.db, notaryId);
  pool = await WorkerPool.create({
    numWorkers: 1,
    listenIp: '127.0.0.1',
    rtcMinPort: 40000,
    rtcMaxPort: 49999,
    logLevel: 'warn',
    logTags: [],
    logger,
  });
  room = await MediaRoom.create({ roomId: 'notary-room' as RoomId, pooledWorker: pool.pick(), logger });
  recordings = new RoomRecordings({
    dir,
    mediaFor: () => room,
    listenIp: '127.0.0.1',
    logger,
    // As the composition root wires it: lost media interrupts the act (a second loss finds it interrupted already).
    onMediaLost: (act, _attempt, reason) => {
      service.apply(act.id, { type: 'interrupt', reason }).catch(() => undefined);
    },
  });
  service = new NotaryService(testDb.db, { recording: recordings, logger });
});

afterAll(async () => {
  await recordings?.close();
  await Promise.all(participants.map((p) => p.stop()));
  room?.close();
  pool?.close();
  await testDb?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

let act: ActRecord;

test('an act cannot start while nobody in its room sends media, and stays scheduled', async () => {
  act = await service.schedule(notaryId, {
    actType: 'jurat',
    documentDescription: 'Affidavit of residence',
    jurisdiction: 'CN-ZJ',
    signers: [{ name: '张三', address: '东湖街道幸福里3栋201室' }],
  });
  await expect(service.apply(act.id, { type: 'start' })).rejects.toMatchObject({ code: 'ACT_PRECONDITION_FAILED' });
  expect((await service.act(act.id))?.state).toBe('scheduled');
});

test('a dropped signer interrupts the act by itself; back, they are identified again and the act is sealed', async () => {
  participants.push(await ffmpegParticipant(room, 'notary' as PeerId, 1000));
  const firstVisit = await ffmpegParticipant(room, 'signer' as PeerId, 2000);
  participants.push(firstVisit);
  const [signer] = await testDb.db.query<{ id: ActSignerId }>('select id from notary_act_signers where act_id = $1', [
    act.id,
  ]);
  const identify = () =>
    service.establishIdentity(act.id, notaryId, [{ signerId: signer!.id, method: 'personal_knowledge' }]);

  await service.apply(act.id, { type: 'start' });
  await identify();
  await recordFor(2000);
  // What a dropped socket does to the signer's media: the room closes their peer, and its producers with it.
  room.getPeer('signer' as PeerId)!.close();
  await firstVisit.stop();
  const interrupted = await eventually(async () => {
    const now = await service.act(act.id);
    return now?.state === 'interrupted' && now;
  });
  expect(interrupted).toMatchObject({ attempt: 1, reason: expect.stringMatching(/^signer's (audio|video) stopped$/) });
  const [first] = await testDb.db.query<{ sha256: string; reference: string }>(
    'select sha256, reference from notary_recordings where act_id = $1 and attempt = 1',
    [act.id],
  );
  expect(sha256(fs.readFileSync(path.join(dir, first!.reference)))).toBe(first!.sha256);

  participants.push(await ffmpegParticipant(room, 'signer' as PeerId, 3000));
  await service.apply(act.id, { type: 'resume' });
  await expect(service.apply(act.id, { type: 'consentGiven' })).rejects.toMatchObject({
    code: 'ACT_ILLEGAL_TRANSITION',
  });
  await identify();
  await service.apply(act.id, { type: 'consentGiven' });
  await recordFor(2500);
  await service.apply(act.id, { type: 'documentSigned' });
  const { journal } = await service.apply(act.id, { type: 'seal' });

  expect(journal!.entry).toMatchObject({ outcome: 'sealed', attempts: 2 });
  expect(journal!.entry.recordings.map((r) => r.reference)).toEqual([`${act.id}-1.mkv`, `${act.id}-2.mkv`]);
  for (const recording of journal!.entry.recordings) {
    const file = path.join(dir, recording.reference);
    expect(sha256(fs.readFileSync(file))).toBe(recording.sha256);
    const { streams, format } = probe(file);
    expect(streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'audio', 'video', 'video']);
    expect(Number(format.duration)).toBeGreaterThan(1.5);
  }
  expect(Number(probe(path.join(dir, `${act.id}-2.mkv`)).format.duration)).toBeGreaterThan(2.4);
  expect(await verifyJournal(testDb.db)).toMatchObject({ ok: true, entries: 1 });
});
