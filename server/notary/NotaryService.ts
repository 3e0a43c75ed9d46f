/**
 * The notarial act's rules around its state machine: a move is computed by
 * actMachine.ts, its effects are performed here (the recording is started or
 * stopped through `ActRecordingControl`, the journal entry is appended), and
 * the new snapshot, the recording's hash and the journal entry are stored in
 * one transaction, so an act is never final without its entry.
 *
 * Moves of one act are serialised in this process (a queue per act); across
 * processes the act's row lock and a check that its state did not change
 * while the recording was being closed refuse the loser with CONFLICT.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import type { ActSignerId, NotaryActId, StaffId } from '../../shared/ids';
import type { Db, Queryable } from '../db/Db';
import { parseInput } from '../http/validate';
import { advance, FINAL_STATES, type ActEvent, type ActMove } from './actMachine';
import { NotaryJournal, type JournalRow } from './NotaryJournal';
import { IdentityProviders, type ProviderRequest } from './identityProviders';
import {
  SqlNotaryStore,
  type ActRecord,
  type ProviderCheck,
  type RecordingRecord,
  type StillRecord,
  type StillSide,
} from './NotaryStore';
import { DEFAULT_RETENTION, type RetentionPolicy } from './retention';
import { identityEvidenceSchema, scheduleActSchema, stillSchema } from './schemas';

/** Starts and stops the server-side recording of an act's room (media/Recorder.ts behind it). */
export interface ActRecordingControl {
  start(act: ActRecord, attempt: number): Promise<void>;
  /** Stops the attempt's recording; resolves once the file is closed and hashed. */
  stop(act: ActRecord, attempt: number): Promise<RecordingRecord>;
  /** A still of a participant's camera, taken in the SFU, for identity proofing. */
  still?(
    act: ActRecord,
    attempt: number,
    peerId: string,
    side: StillSide,
  ): Promise<{ reference: string; sha256: string }>;
}

/**
 * Seals the signed document of an act that is being sealed, binding its
 * journal entry (notarialSeal.ts with the notary's certificate). Runs inside
 * the sealing transaction: the act is sealed only with its sealed PDF.
 */
export type NotarySealer = (tx: Queryable, act: ActRecord, journal: JournalRow, signedPdf: Buffer) => Promise<Buffer>;

export interface NotaryServiceOptions {
  recording: ActRecordingControl;
  /** Without one, acts are sealed in the journal only (no PDF is produced). */
  sealer?: NotarySealer;
  /** External identity providers the deployment has; none by default. */
  providers?: IdentityProviders;
  retention?: RetentionPolicy;
  logger: Logger;
}

export interface MoveResult {
  act: ActRecord;
  move: ActMove;
  /** Set when the move ended the act. */
  journal: JournalRow | null;
}

export class NotaryService {
  readonly #db: Db;
  readonly #options: NotaryServiceOptions;
  readonly #log: Logger;
  /** The tail of each act's queue of moves. */
  readonly #queues = new Map<NotaryActId, Promise<unknown>>();

  constructor(db: Db, options: NotaryServiceOptions) {
    this.#db = db;
    this.#options = options;
    this.#log = options.logger.child({ component: 'notary' });
  }

  async schedule(notaryId: StaffId, input: unknown): Promise<ActRecord> {
    const parsed = parseInput(scheduleActSchema, input);
    const id = randomUUID() as NotaryActId;
    await this.#db.transaction(async (tx) => {
      await new SqlNotaryStore(tx).insertAct({
        id,
        notaryId,
        ...parsed,
        signers: parsed.signers.map((s) => ({ id: randomUUID() as ActSignerId, ...s })),
      });
    });
    this.#log.info({ actId: id, actType: parsed.actType }, 'NotaryService.schedule(): act scheduled');
    return (await new SqlNotaryStore(this.#db).act(id))!;
  }

  act(id: NotaryActId): Promise<ActRecord | undefined> {
    return new SqlNotaryStore(this.#db).act(id);
  }

  /** The sealed PDF of a sealed act, once there is one. */
  async sealedPdf(id: NotaryActId): Promise<Buffer | undefined> {
    return (await new SqlNotaryStore(this.#db).documents(id))?.sealed ?? undefined;
  }

  /**
   * Records the SHA-256 of the document as it will be (or was) signed by the
   * signer; the journal entry and the notarial seal name it. Refused once the
   * act is final.
   */
  attachDocument(actId: NotaryActId, pdf: Uint8Array): Promise<ActRecord> {
    return this.#serialised(actId, async () => {
      const store = new SqlNotaryStore(this.#db);
      const act = await this.#require(store, actId);
      if (FINAL_STATES.includes(act.state)) {
        throw new AppError('ACT_ILLEGAL_TRANSITION', `the act is ${act.state}: its document cannot change`);
      }
      await store.setSignedPdf(actId, pdf, createHash('sha256').update(pdf).digest('hex'));
      return (await store.act(actId))!;
    });
  }

  /**
   * Takes a still of a participant's camera (the ID's front or back held up,
   * or the signer's face) while the act is at identity; identity evidence can
   * then name it by its SHA-256.
   */
  takeStill(actId: NotaryActId, by: StaffId, input: unknown): Promise<StillRecord> {
    const { peerId, side } = parseInput(stillSchema, input);
    return this.#serialised(actId, async () => {
      const store = new SqlNotaryStore(this.#db);
      const act = await this.#require(store, actId);
      if (act.state !== 'identity') {
        throw new AppError('ACT_ILLEGAL_TRANSITION', `stills are taken while the act is at identity, not ${act.state}`);
      }
      if (!this.#options.recording.still) throw new AppError('UNAVAILABLE', 'stills cannot be taken here');
      const taken = await this.#options.recording.still(act, act.attempt, peerId, side);
      const still = { ...taken, attempt: act.attempt, side, peerId };
      await store.insertStill(actId, still, by);
      return (await store.stills(actId, act.attempt)).find((s) => s.sha256 === taken.sha256)!;
    });
  }

  /** Records how each signer's identity was established, then moves the act on to the recital. */
  establishIdentity(actId: NotaryActId, by: StaffId, input: unknown): Promise<MoveResult> {
    const evidence = parseInput(z.array(identityEvidenceSchema).min(1), input);
    return this.#serialised(actId, async () => {
      const act = await this.#require(new SqlNotaryStore(this.#db), actId);
      const signers = await new SqlNotaryStore(this.#db).signers(actId);
      const missing = signers.filter((s) => !evidence.some((e) => e.signerId === s.id));
      if (missing.length > 0 || evidence.length !== signers.length) {
        throw new AppError('BAD_REQUEST', 'give exactly one identity record per signer of the act');
      }
      // Images must be stills this act took in this attempt, not pictures from anywhere.
      const stills = new Set((await new SqlNotaryStore(this.#db).stills(actId, act.attempt)).map((s) => s.sha256));
      const foreign = evidence.flatMap((e) => Object.values(e.images)).filter((sha) => !stills.has(sha!));
      if (foreign.length > 0) {
        throw new AppError('BAD_REQUEST', 'identity images must be stills taken in this attempt of the act');
      }
      // The act's snapshot keeps one method (that identity was established); each signer's own is in the evidence.
      const method = evidence[0]!.method;
      return this.#move(act, { type: 'identityEstablished', method }, async (tx, move) => {
        for (const e of evidence) {
          await new SqlNotaryStore(tx).insertEvidence(actId, {
            ...e,
            signerId: e.signerId as ActSignerId,
            attempt: move.snapshot.attempt,
            recordedBy: by,
          });
        }
      });
    });
  }

  /**
   * Runs an external identity check for one signer while the act is at
   * identity, and stores its answer (an `error` too) under the current attempt.
   */
  runProviderCheck(
    actId: NotaryActId,
    signerId: ActSignerId,
    provider: string,
    images: ProviderRequest['images'],
  ): Promise<ProviderCheck> {
    return this.#serialised(actId, async () => {
      const providers = this.#options.providers ?? new IdentityProviders();
      if (!providers.has(provider)) throw new AppError('NOT_FOUND', `no identity provider named ${provider}`);
      const store = new SqlNotaryStore(this.#db);
      const act = await this.#require(store, actId);
      if (act.state !== 'identity') {
        throw new AppError(
          'ACT_ILLEGAL_TRANSITION',
          `identity checks run while the act is at identity, not ${act.state}`,
        );
      }
      const signer = (await store.signers(actId)).find((s) => s.id === signerId);
      if (!signer) throw new AppError('NOT_FOUND', 'no such signer in this act');
      const check = await providers.run(provider, {
        actId,
        signerId,
        attempt: act.attempt,
        signer: { name: signer.name, address: signer.address },
        images,
      });
      await store.insertProviderCheck(actId, check);
      this.#log.info({ actId, provider, outcome: check.outcome }, 'NotaryService.runProviderCheck(): stored');
      return check;
    });
  }

  /** Any other event of the machine (start, consentGiven, documentSigned, seal, interrupt, resume, abort). */
  apply(actId: NotaryActId, event: Exclude<ActEvent, { type: 'identityEstablished' }>): Promise<MoveResult> {
    return this.#serialised(actId, async () => {
      const act = await this.#require(new SqlNotaryStore(this.#db), actId);
      return this.#move(act, event);
    });
  }

  async #move(
    act: ActRecord,
    event: ActEvent,
    within?: (tx: Queryable, move: ActMove) => Promise<void>,
  ): Promise<MoveResult> {
    const move = advance(act, event); // throws before any side effect when the move is refused
    if (event.type === 'seal' && this.#options.sealer && !act.documentSha256) {
      throw new AppError('ACT_PRECONDITION_FAILED', 'attach the document before the act is sealed');
    }
    // Recordings start and stop outside the transaction: ffmpeg's start-up, finalisation and the hash
    // take a while, and no row should stay locked meanwhile. A recording that cannot start refuses
    // the move, so an act never reaches a recorded state unrecorded.
    if (move.effects.includes('startRecording')) await this.#options.recording.start(act, move.snapshot.attempt);
    const recording = move.effects.includes('stopRecording') ? await this.#stopRecording(act, event) : null;
    const performedAt = new Date();
    const result = await this.#db
      .transaction(async (tx) => {
        const store = new SqlNotaryStore(tx);
        const locked = await this.#require(store, act.id, true);
        if (locked.state !== act.state || locked.attempt !== act.attempt) {
          throw new AppError('CONFLICT', `the act moved meanwhile (it is now ${locked.state})`);
        }
        await store.saveSnapshot(act.id, move.snapshot);
        if (recording) await store.insertRecording(act.id, recording);
        await within?.(tx, move);
        const journal = move.effects.includes('writeJournal') ? await this.#conclude(tx, act.id, performedAt) : null;
        return { act: (await store.act(act.id))!, move, journal };
      })
      .catch(async (error: unknown) => {
        // The move did not happen: a recording started for it must not run on unreferenced.
        if (move.effects.includes('startRecording')) {
          await this.#options.recording.stop(act, move.snapshot.attempt).catch(() => undefined);
        }
        if (recording)
          this.#log.error({ actId: act.id, recording }, 'NotaryService.move(): recording closed, move failed');
        throw error;
      });
    this.#log.info(
      { actId: act.id, from: move.from, to: move.to, attempt: move.snapshot.attempt, journalSeq: result.journal?.seq },
      'NotaryService.move(): act moved',
    );
    return result;
  }

  /**
   * Writes the journal entry of an act that has just become final and, when
   * it was sealed and a sealer is configured, seals its document binding that
   * entry: in the same transaction, so a sealed act always has both.
   */
  async #conclude(tx: Queryable, actId: NotaryActId, performedAt: Date): Promise<JournalRow> {
    const store = new SqlNotaryStore(tx);
    const final = (await store.act(actId))!;
    const entry = await store.journalEntry(final, performedAt);
    const journal = await new NotaryJournal(tx, this.#options.retention ?? DEFAULT_RETENTION).append(
      entry,
      performedAt,
    );
    if (final.state === 'sealed' && this.#options.sealer) {
      const documents = await store.documents(actId);
      if (!documents) throw new AppError('ACT_PRECONDITION_FAILED', 'the act has no document to seal');
      const sealed = await this.#options.sealer(tx, final, journal, documents.signed);
      await store.setSealedPdf(actId, sealed, createHash('sha256').update(sealed).digest('hex'));
    }
    return journal;
  }

  /**
   * Closes the attempt's recording. Without a closed, hashed recording there is no seal; but an
   * interruption or abort must still be possible when the recording itself failed, and is then
   * journaled without it (the log says why).
   */
  async #stopRecording(act: ActRecord, event: ActEvent): Promise<RecordingRecord | null> {
    try {
      return await this.#options.recording.stop(act, act.attempt);
    } catch (error) {
      if (event.type === 'seal') throw error;
      this.#log.error({ actId: act.id, attempt: act.attempt, err: error }, 'NotaryService.move(): recording lost');
      return null;
    }
  }

  async #require(store: SqlNotaryStore, id: NotaryActId, forUpdate = false): Promise<ActRecord> {
    const act = await store.act(id, { forUpdate });
    if (!act) throw new AppError('NOT_FOUND', 'no such notarial act');
    return act;
  }

  /** Runs `fn` after every earlier move of the same act has settled (habit: never check, await, then set). */
  #serialised<T>(actId: NotaryActId, fn: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(actId) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(fn);
    const tail = run.catch(() => undefined);
    this.#queues.set(actId, tail);
    void tail.then(() => {
      if (this.#queues.get(actId) === tail) this.#queues.delete(actId);
    });
    return run;
  }
}
