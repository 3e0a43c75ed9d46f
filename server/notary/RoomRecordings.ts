/**
 * The recordings of notarial acts, made by media/Recorder.ts from the act's
 * live room: every producer in the room (each participant's microphone,
 * camera and screen) when an attempt starts, one Matroska file per attempt in
 * the recordings folder, hashed when it closes. NotaryService drives it
 * through ActRecordingControl.
 *
 * Losing media is reported through `onMediaLost`, so the owner can interrupt
 * the act: a recorded participant's producer closed (their connection dropped
 * or they left), or the recording ended on its own (ffmpeg's idle timeout:
 * nobody sends any more, or ffmpeg failed). An act must not go on with part
 * of it unrecorded.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { AppError } from '../../shared/errors';
import type { PeerId } from '../../shared/ids';
import type { MediaRoom } from '../../media/MediaRoom';
import { Recorder } from '../../media/Recorder';
import { captureStill } from '../../media/StillCapture';
import type { ActRecordingControl } from './NotaryService';
import type { ActRecord, RecordingRecord, StillSide } from './NotaryStore';

export interface RoomRecordingsOptions {
  /** Folder of the recording files (created when missing); journal entries name files relative to it. */
  dir: string;
  /** The act's live room, if it is open. */
  mediaFor(act: ActRecord): Promise<MediaRoom | undefined> | MediaRoom | undefined;
  /** The worker's listen IP, for the recorder's PlainTransports. */
  listenIp: string;
  /** Seconds without a packet on any stream after which ffmpeg ends the file itself. */
  idleSeconds?: number;
  /** Media of a running attempt was lost (see above): the owner should interrupt the act. */
  onMediaLost?(act: ActRecord, attempt: number, reason: string): void;
  logger: Logger;
}

export class RoomRecordings implements ActRecordingControl {
  readonly #options: RoomRecordingsOptions;
  readonly #log: Logger;
  /** Running recorders by `<actId>#<attempt>`. */
  readonly #running = new Map<string, Recorder>();

  constructor(options: RoomRecordingsOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'notaryRecordings' });
    fs.mkdirSync(options.dir, { recursive: true });
  }

  /** The file an attempt records into, relative to the folder. */
  static referenceOf(act: ActRecord, attempt: number): string {
    return `${act.id}-${attempt}.mkv`;
  }

  async start(act: ActRecord, attempt: number): Promise<void> {
    const key = `${act.id}#${attempt}`;
    if (this.#running.has(key)) throw new AppError('CONFLICT', 'this attempt is being recorded already');
    const room = await this.#options.mediaFor(act);
    const producers = room?.peers.flatMap((peer) => peer.producers).filter((p) => !p.closed) ?? [];
    if (!room || producers.length === 0) {
      throw new AppError('ACT_PRECONDITION_FAILED', 'nobody in the act’s room is sending media: it cannot be recorded');
    }
    if (!producers.some((p) => p.kind === 'video') || !producers.some((p) => p.kind === 'audio')) {
      throw new AppError(
        'ACT_PRECONDITION_FAILED',
        'an act is recorded with sound and picture: a camera and a microphone must be on',
      );
    }
    const outputPath = path.join(this.#options.dir, RoomRecordings.referenceOf(act, attempt));
    const recorder = await Recorder.create({
      router: room.router,
      producers,
      listenIp: this.#options.listenIp,
      outputPath,
      idleSeconds: this.#options.idleSeconds,
      logger: this.#log.child({ actId: act.id, attempt }),
    });
    this.#running.set(key, recorder);
    const lost = (reason: string) => {
      this.#log.warn({ actId: act.id, attempt, reason }, 'RoomRecordings: media lost');
      this.#options.onMediaLost?.(act, attempt, reason);
    };
    recorder.on('streamEnded', (producerId) => {
      const stream = recorder.streams.find((s) => s.producerId === producerId);
      lost(`${String(stream?.appData.peerId ?? 'a participant')}'s ${stream?.kind ?? 'media'} stopped`);
    });
    recorder.on('ffmpegExited', () => lost('the recording ended by itself'));
    this.#log.info({ actId: act.id, attempt, streams: recorder.streams.length }, 'RoomRecordings.start(): recording');
  }

  async stop(act: ActRecord, attempt: number): Promise<RecordingRecord> {
    const key = `${act.id}#${attempt}`;
    const recorder = this.#running.get(key);
    if (!recorder) throw new AppError('CONFLICT', `attempt ${attempt} of this act is not being recorded`);
    try {
      const result = await recorder.stop();
      return {
        attempt,
        reference: path.basename(result.path),
        sha256: result.sha256,
        bytes: result.bytes,
        startedAt: result.startedAt,
        stoppedAt: result.stoppedAt,
      };
    } finally {
      this.#running.delete(key);
    }
  }

  /** A still of `peerId`'s camera, as `stills/<actId>-<attempt>-<side>-<n>.png` in the folder. */
  async still(
    act: ActRecord,
    attempt: number,
    peerId: string,
    side: StillSide,
  ): Promise<{ reference: string; sha256: string }> {
    const room = await this.#options.mediaFor(act);
    const camera = room
      ?.getPeer(peerId as PeerId)
      ?.producers.find((p) => p.kind === 'video' && p.appData.source === 'camera' && !p.closed);
    if (!room || !camera) throw new AppError('NOT_FOUND', 'that participant is not sending a camera picture');
    fs.mkdirSync(path.join(this.#options.dir, 'stills'), { recursive: true });
    const reference = path.join('stills', `${act.id}-${attempt}-${side}-${Date.now()}.png`);
    const still = await captureStill({
      router: room.router,
      producer: camera,
      listenIp: this.#options.listenIp,
      outputPath: path.join(this.#options.dir, reference),
    });
    return { reference, sha256: still.sha256 };
  }

  /** The folder of recordings and stills, for serving a still. */
  get dir(): string {
    return this.#options.dir;
  }

  /** Stops every running recording (server shutdown); the files stay, unreferenced until an operator looks. */
  async close(): Promise<void> {
    const running = [...this.#running.values()];
    this.#running.clear();
    await Promise.all(running.map((r) => r.stop().catch(() => undefined)));
  }
}
