/**
 * Lock, sign, seal: the rules that bind signatures to the exact text.
 *
 * The mediator locks: the server takes the canonical text of its own copy of
 * the document and its SHA-256, and records that version. Each party signs on
 * their own device (their link, their device id) by confirming that hash,
 * typing their name, drawing a signature and ticking the consent; the
 * mediator countersigns last. The last signature seals: the PDF is rendered
 * from the locked text, sealed with the committee's certificate and stored.
 *
 * Unlocking, or any change to the text while it is locked, voids the version
 * and every signature on it (kept in the record, marked void), and everyone
 * with the agreement open sees that at once: the state is mirrored into the
 * document's server-only `signing` root.
 *
 * One operation per case at a time (a queue per case): a signature and the
 * voiding edit that races it are decided in one order, never both half-done.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { canonicalText, fragmentLines, agreementRoots } from '../../shared/agreement';
import { AppError } from '../../shared/errors';
import type { CaseId } from '../../shared/ids';
import {
  readSigningState,
  SIGNING_CONSENT_TEXT,
  writeSigningState,
  type SignatoryKey,
  type SigningState,
  type SignRequest,
} from '../../shared/signing';
import { SqlAuditLog } from '../audit/AuditLog';
import type { CollabServer } from '../collab/CollabServer';
import type { Queryable } from '../db/Db';
import type { SharedDoc } from '../collab/SharedDoc';
import type { Records } from '../records';
import type { LinkRecord } from '../sessions/SessionStore';
import { SigningStore, type SignatureRecord, type VersionRecord } from './SigningStore';

/** Who acts: a join link, checked (not revoked, right device) by the route. */
export interface LinkActor {
  link: LinkRecord;
  deviceId: string;
  userAgent: string | null;
}

/** Renders and seals the agreement PDF of a version (server/signing/sealAgreement.ts). */
export type SealAgreement = (input: {
  caseId: CaseId;
  version: VersionRecord;
  signatures: SignatureRecord[];
}) => Promise<Uint8Array>;

export interface AgreementSigningDeps {
  records: Records;
  collab: CollabServer;
  /** The case a session room belongs to. */
  caseIdOfRoom(roomId: string): Promise<CaseId | null>;
  seal: SealAgreement;
  logger: Logger;
}

interface Signatory {
  key: SignatoryKey;
  role: 'applicant' | 'respondent' | 'mediator';
  name: string;
}

export const sha256Of = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export class AgreementSigning {
  readonly #deps: AgreementSigningDeps;
  readonly #log: Logger;
  readonly #queues = new Map<CaseId, Promise<unknown>>();

  constructor(deps: AgreementSigningDeps) {
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'signing' });
    deps.collab.onDocumentChanged((doc) => this.#onChanged(doc));
  }

  /** The case a link may sign for; refuses a link of a room that belongs to no case, or to another. */
  async caseOf(actor: LinkActor, caseId: CaseId): Promise<CaseId> {
    const linkCase = await this.#deps.caseIdOfRoom(actor.link.sessionId);
    if (linkCase !== caseId) throw new AppError('FORBIDDEN', 'this link is not for this case');
    return caseId;
  }

  async state(caseId: CaseId): Promise<SigningState> {
    return this.#stateOf(caseId, new SigningStore(this.#deps.records.db));
  }

  lock(actor: LinkActor, caseId: CaseId): Promise<SigningState> {
    requireMediator(actor);
    return this.#serialized(caseId, () =>
      this.#deps.collab.withDocument(caseId, async (doc) => {
        const store = new SigningStore(this.#deps.records.db);
        const live = await store.live(caseId);
        if (live?.status === 'sealed') throw new AppError('CONFLICT', 'the agreement is already signed and sealed');
        if (live) throw new AppError('CONFLICT', 'the agreement is already locked');
        const clauses = agreementRoots(doc.doc).clauses.toArray();
        if (!clauses.some((clause) => fragmentLines(clause).length > 0)) {
          throw new AppError('CONFLICT', 'write at least one agreed term before locking');
        }
        const text = canonicalText(doc.doc);
        const version = {
          id: randomUUID(),
          caseId,
          canonicalText: text,
          sha256: sha256Of(text),
          linkId: actor.link.id,
        };
        await this.#deps.records.db.transaction(async (tx) => {
          await new SigningStore(tx).insertVersion(version);
          await this.#audit(tx, actor, caseId, 'agreement.locked', { versionId: version.id, sha256: version.sha256 });
        });
        this.#log.info({ caseId, versionId: version.id, sha256: version.sha256 }, 'lock(): locked');
        return this.#publish(doc, store);
      }),
    );
  }

  unlock(actor: LinkActor, caseId: CaseId): Promise<SigningState> {
    requireMediator(actor);
    return this.#serialized(caseId, () =>
      this.#deps.collab.withDocument(caseId, async (doc) => {
        const store = new SigningStore(this.#deps.records.db);
        const live = await store.live(caseId);
        if (!live) throw new AppError('CONFLICT', 'the agreement is not locked');
        if (live.status === 'sealed') throw new AppError('CONFLICT', 'a sealed agreement cannot be unlocked');
        await this.#void(live, 'unlocked', actor);
        return this.#publish(doc, store);
      }),
    );
  }

  sign(actor: LinkActor, caseId: CaseId, request: SignRequest): Promise<SigningState> {
    return this.#serialized(caseId, () =>
      this.#deps.collab.withDocument(caseId, async (doc) => {
        const store = new SigningStore(this.#deps.records.db);
        const live = await store.live(caseId);
        if (!live || live.status !== 'locked') {
          throw new AppError('CONFLICT', live ? 'the agreement is already sealed' : 'the agreement is not locked');
        }
        if (request.sha256 !== live.sha256) {
          throw new AppError('CONFLICT', 'the text on your screen is not the locked text; wait for it to load');
        }
        // The document must still say what was locked (an edit voids, but the check runs here too).
        if (sha256Of(canonicalText(doc.doc)) !== live.sha256) {
          await this.#void(live, 'edited', null);
          await this.#publish(doc, store);
          throw new AppError('CONFLICT', 'the text changed after it was locked; all signatures are void');
        }
        const signatories = await this.#signatories(caseId);
        const key = signatoryKeyOf(actor);
        const signatory = signatories.find((s) => s.key === key);
        if (!signatory) throw new AppError('FORBIDDEN', 'this link is not one of the signatories');
        const signed = await store.signatures(live.id);
        if (signed.some((s) => s.signatory === key)) throw new AppError('CONFLICT', 'you have signed already');
        const partiesLeft = signatories.filter(
          (s) => s.key !== 'mediator' && !signed.some((x) => x.signatory === s.key),
        );
        if (key === 'mediator' && partiesLeft.length > 0) {
          throw new AppError('CONFLICT', 'the mediator countersigns after every party has signed');
        }
        const signature: Omit<SignatureRecord, 'signedAt' | 'voidedAt'> = {
          id: randomUUID(),
          versionId: live.id,
          signatory: key,
          role: signatory.role,
          partyId: actor.link.partyId,
          typedName: request.typedName,
          drawing: request.drawing,
          consentText: SIGNING_CONSENT_TEXT,
          sha256: request.sha256,
          sessionId: actor.link.sessionId,
          linkId: actor.link.id,
          deviceId: actor.deviceId,
          userAgent: actor.userAgent,
        };
        await this.#deps.records.db.transaction(async (tx) => {
          await new SigningStore(tx).insertSignature(signature);
          await this.#audit(tx, actor, caseId, 'agreement.signed', {
            versionId: live.id,
            signatory: key,
            sha256: live.sha256,
            deviceId: actor.deviceId,
          });
        });
        this.#log.info({ caseId, versionId: live.id, signatory: key }, 'sign(): signed');
        if (signed.length + 1 === signatories.length) await this.#seal(caseId, store);
        return this.#publish(doc, store);
      }),
    );
  }

  /** The sealed PDF of a case, once there is one. */
  async sealedPdf(caseId: CaseId): Promise<{ pdf: Uint8Array; sha256: string } | undefined> {
    return new SigningStore(this.#deps.records.db).sealedPdf(caseId);
  }

  async #seal(caseId: CaseId, store: SigningStore): Promise<void> {
    const version = await store.live(caseId);
    if (!version || version.status !== 'locked') return;
    const signatures = await store.signatures(version.id);
    const started = performance.now();
    const pdf = await this.#deps.seal({ caseId, version, signatures });
    const pdfSha256 = createHash('sha256').update(pdf).digest('hex');
    await this.#deps.records.db.transaction(async (tx) => {
      await new SigningStore(tx).seal(version.id, pdf, pdfSha256);
      await this.#audit(tx, null, caseId, 'agreement.sealed', { versionId: version.id, pdfSha256 });
    });
    this.#log.info(
      { caseId, versionId: version.id, bytes: pdf.length, ms: Math.round(performance.now() - started) },
      '#seal(): sealed',
    );
  }

  /** An edit while locked voids (the check is cheap while open: the state says so). */
  #onChanged(doc: SharedDoc): void {
    const mirrored = readSigningState(doc.doc);
    if (mirrored.status !== 'locked' || sha256Of(canonicalText(doc.doc)) === mirrored.sha256) return;
    void this.#serialized(doc.caseId, async () => {
      const store = new SigningStore(this.#deps.records.db);
      const live = await store.live(doc.caseId);
      if (live?.status !== 'locked' || sha256Of(canonicalText(doc.doc)) === live.sha256) return;
      await this.#void(live, 'edited', null);
      if (!doc.closing) await this.#publish(doc, store);
    }).catch((error: unknown) => this.#log.error({ err: error, caseId: doc.caseId }, '#onChanged(): not voided'));
  }

  async #void(version: VersionRecord, reason: 'unlocked' | 'edited', actor: LinkActor | null): Promise<void> {
    await this.#deps.records.db.transaction(async (tx) => {
      const store = new SigningStore(tx);
      if (!(await store.voidVersion(version.id, reason))) return;
      const signatures = (await store.signatures(version.id)).length;
      await this.#audit(tx, actor, version.caseId, 'agreement.signaturesVoided', {
        versionId: version.id,
        reason,
        signatures,
      });
    });
    this.#log.info({ caseId: version.caseId, versionId: version.id, reason }, '#void(): voided');
  }

  /** Writes the state from the records into the document, for every editor to see. */
  async #publish(doc: SharedDoc, store: SigningStore): Promise<SigningState> {
    const state = await this.#stateOf(doc.caseId, store);
    await doc.serverChange((ydoc) => writeSigningState(ydoc, state));
    return state;
  }

  async #stateOf(caseId: CaseId, store: SigningStore): Promise<SigningState> {
    const [live, voided, signatories] = await Promise.all([
      store.live(caseId),
      store.lastVoided(caseId),
      this.#signatories(caseId),
    ]);
    const signed = live ? await store.signatures(live.id) : [];
    const voidedCount = voided ? (await store.signatures(voided.id)).length : 0;
    return {
      status: live ? (live.status === 'sealed' ? 'sealed' : 'locked') : 'open',
      versionId: live?.id ?? null,
      sha256: live?.sha256 ?? null,
      lockedAt: live?.lockedAt.toISOString() ?? null,
      signatories: signatories.map((s) => ({
        ...s,
        signedAt: signed.find((x) => x.signatory === s.key)?.signedAt.toISOString() ?? null,
      })),
      lastVoided:
        voided?.voidedAt && voided.voidReason
          ? { at: voided.voidedAt.toISOString(), reason: voided.voidReason, signatures: voidedCount }
          : null,
      sealedPdfSha256: live?.sealedPdfSha256 ?? null,
    };
  }

  async #signatories(caseId: CaseId): Promise<Signatory[]> {
    const [record, parties] = await Promise.all([
      this.#deps.records.read.cases.get(caseId),
      this.#deps.records.read.cases.parties(caseId),
    ]);
    if (!record) throw new AppError('NOT_FOUND', 'no such case');
    return [
      ...parties.map((p) => ({ key: `party:${p.id}` as SignatoryKey, role: p.role, name: p.name })),
      { key: 'mediator', role: 'mediator', name: record.handlerName ?? '' },
    ];
  }

  /** Link holders are not staff: the audit row names the link (and so the person and session) in its details. */
  #audit(
    tx: Queryable,
    actor: LinkActor | null,
    caseId: CaseId,
    action: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    const who = actor && { linkId: actor.link.id, label: actor.link.label, role: actor.link.role };
    return new SqlAuditLog(tx).write({
      actorId: null,
      action,
      entity: 'case',
      entityId: caseId,
      caseId,
      details: { ...details, ...(who ?? { by: 'server' }), ...(actor && { sessionId: actor.link.sessionId }) },
    });
  }

  /** Runs `fn` after every earlier operation on the case (get-or-create per key, never check-then-set). */
  #serialized<T>(caseId: CaseId, fn: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(caseId) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(fn);
    const tail = run.catch(() => undefined);
    this.#queues.set(caseId, tail);
    void tail.then(() => this.#queues.get(caseId) === tail && this.#queues.delete(caseId));
    return run;
  }
}

function requireMediator(actor: LinkActor): void {
  if (actor.link.role !== 'mediator') throw new AppError('FORBIDDEN', 'only the mediator locks and unlocks the text');
}

function signatoryKeyOf(actor: LinkActor): SignatoryKey {
  if (actor.link.role === 'mediator') return 'mediator';
  if (actor.link.role === 'party' && actor.link.partyId) return `party:${actor.link.partyId}`;
  throw new AppError('FORBIDDEN', 'only the parties and the mediator sign the agreement');
}
