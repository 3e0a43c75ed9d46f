/**
 * Notarial acts in SQL (009_notary.sql), the same on PostgreSQL and PGlite:
 * the act and its machine snapshot, its signers, the identity evidence and
 * external checks of each attempt, and each attempt's recording. It stores
 * and fetches; the rules are in actMachine.ts and NotaryService.ts.
 */
import type { ActSignerId, NotaryActId, StaffId } from '../../shared/ids';
import type { ActType, IdentityMethod, JournalEntry, ProviderCheckKind, ProviderOutcome } from '../../shared/notary';
import type { Queryable } from '../db/Db';
import type { ActSnapshot } from './actMachine';

export interface ActRecord extends ActSnapshot {
  id: NotaryActId;
  notaryId: StaffId;
  notaryName: string;
  sessionId: string | null;
  actType: ActType;
  documentDescription: string;
  documentSha256: string | null;
  jurisdiction: string;
  feeMinor: number;
  currency: string;
  scheduledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface SignerRecord {
  id: ActSignerId;
  actId: NotaryActId;
  position: number;
  name: string;
  address: string;
}

export interface NewAct {
  id: NotaryActId;
  notaryId: StaffId;
  sessionId: string | null;
  actType: ActType;
  documentDescription: string;
  jurisdiction: string;
  feeMinor: number;
  currency: string;
  scheduledAt: Date | null;
  signers: { id: ActSignerId; name: string; address: string }[];
}

export interface IdentityEvidence {
  signerId: ActSignerId;
  attempt: number;
  method: IdentityMethod;
  idDocument: string | null;
  witnessName: string | null;
  /** SHA-256 of the stills captured from the live video. */
  images: Partial<Record<'front' | 'back' | 'face', string>>;
  recordedBy: StaffId;
}

export interface ProviderCheck {
  signerId: ActSignerId;
  attempt: number;
  provider: string;
  kind: ProviderCheckKind;
  outcome: ProviderOutcome;
  reference: string | null;
  details: Record<string, unknown>;
  at: Date;
}

export type StillSide = 'front' | 'back' | 'face';

export interface StillRecord {
  sha256: string;
  attempt: number;
  side: StillSide;
  peerId: string;
  /** The PNG, relative to the recordings folder. */
  reference: string;
  takenAt: Date;
}

export interface RecordingRecord {
  attempt: number;
  /** Where the file is, relative to the recordings folder. */
  reference: string;
  sha256: string;
  bytes: number;
  startedAt: Date;
  stoppedAt: Date;
}

const ACT_SELECT = `select a.id, a.notary_id as "notaryId", s.display_name as "notaryName", a.session_id as "sessionId",
    a.act_type as "actType", a.document_description as "documentDescription", a.document_sha256 as "documentSha256",
    a.jurisdiction, a.fee_minor as "feeMinor", a.currency, a.scheduled_at as "scheduledAt", a.state, a.attempt,
    a.identity_method as "identityMethod", a.consented, a.document_signed as "documentSigned", a.reason,
    a.created_at as "createdAt", a.updated_at as "updatedAt"
  from notary_acts a join staff s on s.id = a.notary_id`;

export class SqlNotaryStore {
  constructor(private readonly q: Queryable) {}

  async insertAct(act: NewAct): Promise<void> {
    await this.q.query(
      `insert into notary_acts (id, notary_id, session_id, act_type, document_description, jurisdiction, fee_minor,
         currency, scheduled_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        act.id,
        act.notaryId,
        act.sessionId,
        act.actType,
        act.documentDescription,
        act.jurisdiction,
        act.feeMinor,
        act.currency,
        act.scheduledAt?.toISOString() ?? null,
      ],
    );
    for (const [i, signer] of act.signers.entries()) {
      await this.q.query(
        'insert into notary_act_signers (id, act_id, position, name, address) values ($1, $2, $3, $4, $5)',
        [signer.id, act.id, i + 1, signer.name, signer.address],
      );
    }
  }

  /** The act; `forUpdate` locks its row until the transaction ends, so two moves cannot interleave. */
  async act(id: NotaryActId, { forUpdate = false } = {}): Promise<ActRecord | undefined> {
    const [row] = await this.q.query<ActRecord>(`${ACT_SELECT} where a.id = $1${forUpdate ? ' for update of a' : ''}`, [
      id,
    ]);
    return row;
  }

  /** One notary's acts, newest first (the console's list); capped, as a notary has a day's work open, not years. */
  actsOf(notaryId: StaffId, limit = 200): Promise<ActRecord[]> {
    return this.q.query<ActRecord>(`${ACT_SELECT} where a.notary_id = $1 order by a.created_at desc limit $2`, [
      notaryId,
      limit,
    ]);
  }

  signers(actId: NotaryActId): Promise<SignerRecord[]> {
    return this.q.query<SignerRecord>(
      `select id, act_id as "actId", position, name, address from notary_act_signers where act_id = $1 order by position`,
      [actId],
    );
  }

  async saveSnapshot(id: NotaryActId, snapshot: ActSnapshot): Promise<void> {
    await this.q.query(
      `update notary_acts set state = $2, attempt = $3, identity_method = $4, consented = $5, document_signed = $6,
         reason = $7, updated_at = now()
       where id = $1`,
      [
        id,
        snapshot.state,
        snapshot.attempt,
        snapshot.identityMethod,
        snapshot.consented,
        snapshot.documentSigned,
        snapshot.reason,
      ],
    );
  }

  async setDocumentSha256(id: NotaryActId, sha256: string): Promise<void> {
    await this.q.query('update notary_acts set document_sha256 = $2, updated_at = now() where id = $1', [id, sha256]);
  }

  /** Stores the document as the signer will sign it, and its hash on the act. */
  async setSignedPdf(id: NotaryActId, pdf: Uint8Array, sha256: string): Promise<void> {
    await this.q.query(
      `insert into notary_documents (act_id, signed_pdf) values ($1, $2)
       on conflict (act_id) do update set signed_pdf = excluded.signed_pdf`,
      [id, Buffer.from(pdf)],
    );
    await this.setDocumentSha256(id, sha256);
  }

  async setSealedPdf(id: NotaryActId, pdf: Uint8Array, sha256: string): Promise<void> {
    await this.q.query('update notary_documents set sealed_pdf = $2, sealed_sha256 = $3 where act_id = $1', [
      id,
      Buffer.from(pdf),
      sha256,
    ]);
  }

  /** The signed and the sealed document; bytea arrives as a Buffer from pg and a Uint8Array from PGlite. */
  async documents(id: NotaryActId): Promise<{ signed: Buffer; sealed: Buffer | null } | undefined> {
    const [row] = await this.q.query<{ signed: Uint8Array; sealed: Uint8Array | null }>(
      'select signed_pdf as signed, sealed_pdf as sealed from notary_documents where act_id = $1',
      [id],
    );
    return row && { signed: Buffer.from(row.signed), sealed: row.sealed && Buffer.from(row.sealed) };
  }

  async insertEvidence(actId: NotaryActId, e: IdentityEvidence): Promise<void> {
    await this.q.query(
      `insert into notary_identity_evidence (act_id, signer_id, attempt, method, id_document, witness_name, images,
         recorded_by)
       values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)`,
      [actId, e.signerId, e.attempt, e.method, e.idDocument, e.witnessName, JSON.stringify(e.images), e.recordedBy],
    );
  }

  evidence(actId: NotaryActId, attempt: number): Promise<IdentityEvidence[]> {
    return this.q.query<IdentityEvidence>(
      `select signer_id as "signerId", attempt, method, id_document as "idDocument", witness_name as "witnessName",
         images, recorded_by as "recordedBy"
       from notary_identity_evidence where act_id = $1 and attempt = $2`,
      [actId, attempt],
    );
  }

  async insertProviderCheck(actId: NotaryActId, c: ProviderCheck): Promise<void> {
    await this.q.query(
      `insert into notary_provider_checks (act_id, signer_id, attempt, provider, kind, outcome, reference, details, at)
       values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9)`,
      [
        actId,
        c.signerId,
        c.attempt,
        c.provider,
        c.kind,
        c.outcome,
        c.reference,
        JSON.stringify(c.details),
        c.at.toISOString(),
      ],
    );
  }

  providerChecks(actId: NotaryActId, attempt: number): Promise<ProviderCheck[]> {
    return this.q.query<ProviderCheck>(
      `select signer_id as "signerId", attempt, provider, kind, outcome, reference, details, at
       from notary_provider_checks where act_id = $1 and attempt = $2 order by id`,
      [actId, attempt],
    );
  }

  async insertStill(actId: NotaryActId, still: Omit<StillRecord, 'takenAt'>, takenBy: StaffId): Promise<void> {
    await this.q.query(
      `insert into notary_stills (sha256, act_id, attempt, side, peer_id, reference, taken_by)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [still.sha256, actId, still.attempt, still.side, still.peerId, still.reference, takenBy],
    );
  }

  stills(actId: NotaryActId, attempt?: number): Promise<StillRecord[]> {
    return this.q.query<StillRecord>(
      `select sha256, attempt, side, peer_id as "peerId", reference, taken_at as "takenAt"
       from notary_stills where act_id = $1 and ($2::int is null or attempt = $2) order by taken_at`,
      [actId, attempt ?? null],
    );
  }

  async insertRecording(actId: NotaryActId, r: RecordingRecord): Promise<void> {
    await this.q.query(
      `insert into notary_recordings (act_id, attempt, reference, sha256, bytes, started_at, stopped_at)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [actId, r.attempt, r.reference, r.sha256, r.bytes, r.startedAt.toISOString(), r.stoppedAt.toISOString()],
    );
  }

  recordings(actId: NotaryActId): Promise<RecordingRecord[]> {
    return this.q.query<RecordingRecord>(
      `select attempt, reference, sha256, bytes, started_at as "startedAt", stopped_at as "stoppedAt"
       from notary_recordings where act_id = $1 order by attempt`,
      [actId],
    );
  }

  /**
   * The journal entry of an act that has just become final: the identity
   * evidence and checks of its last attempt (the one that was sealed or
   * aborted), every attempt's recording.
   */
  async journalEntry(act: ActRecord, performedAt: Date): Promise<JournalEntry> {
    if (act.state !== 'sealed' && act.state !== 'aborted') {
      throw new Error(`journalEntry(): act ${act.id} is ${act.state}, not final`);
    }
    // One after the other: inside a transaction they share one connection, which runs one query at a time.
    const signers = await this.signers(act.id);
    const evidence = await this.evidence(act.id, act.attempt);
    const checks = await this.providerChecks(act.id, act.attempt);
    const recordings = await this.recordings(act.id);
    return {
      actId: act.id,
      actType: act.actType,
      performedAt: performedAt.toISOString(),
      jurisdiction: act.jurisdiction,
      outcome: act.state,
      notary: { id: act.notaryId, name: act.notaryName },
      document: { description: act.documentDescription, sha256: act.documentSha256 },
      signers: signers.map((signer) => {
        const proof = evidence.find((e) => e.signerId === signer.id);
        return {
          name: signer.name,
          address: signer.address,
          // An act aborted before identity was established records that it was not.
          identityMethod: proof?.method ?? null,
          witnessName: proof?.witnessName ?? null,
          idDocument: proof?.idDocument ?? null,
          externalChecks: checks
            .filter((c) => c.signerId === signer.id)
            .map((c) => ({
              provider: c.provider,
              kind: c.kind,
              outcome: c.outcome,
              reference: c.reference,
              at: c.at.toISOString(),
            })),
        };
      }),
      fee: { amountMinor: act.feeMinor, currency: act.currency },
      recordings: recordings.map((r) => ({ attempt: r.attempt, reference: r.reference, sha256: r.sha256 })),
      attempts: act.attempt,
    };
  }
}
