/**
 * Notary fixtures shared by the journal and seal suites: a notary account
 * written straight into the staff table, and a stand-in for the SFU recorder
 * that writes a real file per attempt and hashes it (media/Recorder.ts has its
 * own suite against mediasoup and ffmpeg; the journal needs only a closed,
 * hashed file).
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../../server/db/Db';
import type { ActRecordingControl } from '../../server/notary/NotaryService';
import type { ActRecord, RecordingRecord } from '../../server/notary/NotaryStore';

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export async function addNotary(db: Db, id: string, displayName = '钱公证员'): Promise<void> {
  await db.query(
    `insert into staff (id, username, display_name, role, password_hash) values ($1, $2, $3, 'notary', 'x')`,
    [id, `notary-${id.slice(0, 8)}`, displayName],
  );
}

export class FileRecordings implements ActRecordingControl {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridroom-recordings-'));
  readonly started: string[] = [];

  async start(act: ActRecord, attempt: number): Promise<void> {
    this.started.push(`${act.id}#${attempt}`);
  }

  async stop(act: ActRecord, attempt: number): Promise<RecordingRecord> {
    const reference = `${act.id}-${attempt}.mkv`;
    const bytes = randomBytes(4096);
    fs.writeFileSync(path.join(this.dir, reference), bytes);
    const now = new Date();
    return { attempt, reference, sha256: sha256(bytes), bytes: bytes.length, startedAt: now, stoppedAt: now };
  }

  /** A stand-in still: random bytes under a PNG name, hashed like the real one. */
  async still(
    act: ActRecord,
    attempt: number,
    _peerId: string,
    side: string,
  ): Promise<{ reference: string; sha256: string }> {
    const reference = `${act.id}-${attempt}-${side}-${randomBytes(4).toString('hex')}.png`;
    const bytes = randomBytes(512);
    fs.writeFileSync(path.join(this.dir, reference), bytes);
    return { reference, sha256: sha256(bytes) };
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
