/**
 * One case's agreement while anyone has it open: the Y.Doc, its awareness,
 * its connections, and the rules every update passes before it is applied
 * (access, size), then fan-out and persistence after.
 *
 * Order of events for an accepted update: checked, applied, sent to the other
 * connections at once, queued for the database; once committed it is sent
 * back to its author too. That echo is the acknowledgement: a client that has
 * received its update back knows the server will still have it after a crash.
 */
import type { Logger } from 'pino';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import {
  AGREEMENT_ROOTS,
  agreementRoots,
  COMMENTS_ROOT,
  initAgreement,
  SERVER_ONLY_ROOT,
  type AgreementInit,
} from '../../shared/agreement';
import { AppError } from '../../shared/errors';
import type { CaseId } from '../../shared/ids';
import { readSigningState } from '../../shared/signing';
import type { AgreementStore } from './AgreementStore';
import { CLOSE_RELOADED, ResyncNeeded, type CollabConnection } from './CollabConnection';
import type { CollabLimits } from './limits';
import { awarenessMessage, syncStep1Message, syncStep2Message, updateMessage, type ClientMessage } from './messages';
import { updateScope } from './updateScope';
import type { UpdateWriter } from './UpdateWriter';

export interface SharedDocDeps {
  caseId: CaseId;
  store: AgreementStore;
  writer: UpdateWriter;
  limits: CollabLimits;
  logger: Logger;
  /** Called when the last connection has been gone for `idleUnloadMs`, or the document must be reloaded. */
  onUnload(doc: SharedDoc, options: { compact: boolean }): void;
  /** Called after a participant's update changed the document (the signing rules check the locked text). */
  onChanged?(doc: SharedDoc): void;
}

/**
 * The template is written by this fixed client id, so that creating it twice
 * (two loads racing on a fresh case) yields identical items that Yjs merges
 * into one, rather than two copies of every section.
 */
const TEMPLATE_CLIENT_ID = 1;

const DECLARED_ROOTS = new Set(Object.keys(AGREEMENT_ROOTS));

export class SharedDoc {
  readonly caseId: CaseId;
  readonly doc: Y.Doc;
  readonly awareness: awarenessProtocol.Awareness;
  readonly log: Logger;
  readonly #deps: SharedDocDeps;
  /** Each connection and the awareness client ids it speaks for. */
  readonly #conns = new Map<CollabConnection, Set<number>>();
  #closing = false;
  #idleTimer: NodeJS.Timeout | undefined;
  // The log after the snapshot: its last durable seq, how many updates and bytes it holds.
  #snapshotSeq = 0;
  #durableSeq = 0;
  #logUpdates = 0;
  #logBytes = 0;
  #snapshotBytes = 0;
  #compaction: Promise<void> | undefined;
  /** Updates of this document on their way to the database. */
  readonly #writing = new Set<Promise<boolean>>();

  private constructor(doc: Y.Doc, deps: SharedDocDeps) {
    this.caseId = deps.caseId;
    this.doc = doc;
    this.#deps = deps;
    this.log = deps.logger.child({ caseId: deps.caseId });
    this.awareness = new awarenessProtocol.Awareness(doc);
    this.awareness.setLocalState(null); // the server has no presence of its own
    this.awareness.on('update', this.#onAwareness);
  }

  /** Snapshot + later updates from the store; a case without either gets the template (durable before anyone sees it). */
  static async load(deps: SharedDocDeps, templateOf: () => Promise<AgreementInit | null>): Promise<SharedDoc> {
    const started = performance.now();
    const stored = await deps.store.load(deps.caseId);
    const doc = new Y.Doc();
    agreementRoots(doc); // give every root its declared kind before content arrives
    const shared = new SharedDoc(doc, deps);
    // One by one, in log order: replaying exactly what was applied gives exactly
    // the state that was served, even for updates that overlap or conflict
    // (Y.mergeUpdates of such updates can pick a different winner).
    const parts = [...(stored.snapshot ? [stored.snapshot] : []), ...stored.updates.map((u) => u.update)];
    // A transaction each, as when they were first applied.
    for (const [i, part] of parts.entries()) {
      try {
        Y.applyUpdate(doc, part, 'load');
      } catch (error) {
        shared.log.error({ err: error, index: i }, 'load(): skipped an update that does not apply');
      }
    }
    shared.#snapshotSeq = stored.snapshotSeq;
    shared.#durableSeq = stored.updates.at(-1)?.seq ?? stored.snapshotSeq;
    shared.#logUpdates = stored.updates.length;
    shared.#logBytes = stored.updates.reduce((sum, u) => sum + u.update.length, 0);
    shared.#snapshotBytes = stored.snapshot?.length ?? 0;

    if (parts.length === 0) {
      const init = await templateOf();
      if (init) await shared.#writeTemplate(init);
    }
    shared.log.info(
      {
        updates: stored.updates.length,
        snapshot: Boolean(stored.snapshot),
        ms: Math.round(performance.now() - started),
      },
      'load(): ready',
    );
    shared.#maybeCompact();
    return shared;
  }

  get closing(): boolean {
    return this.#closing;
  }

  get connections(): ReadonlySet<CollabConnection> {
    return new Set(this.#conns.keys());
  }

  attach(conn: CollabConnection): void {
    clearTimeout(this.#idleTimer);
    this.#conns.set(conn, new Set());
    conn.listen({ message: (c, m) => this.#receive(c, m), close: (c) => this.#detach(c) });
    conn.send(syncStep1Message(this.doc));
    const states = [...this.awareness.getStates().keys()];
    if (states.length > 0) conn.send(awarenessMessage(this.awareness, states));
    conn.log.debug({ caseId: this.caseId, connections: this.#conns.size }, 'attach()');
  }

  /**
   * Makes a change as the server (the signing state), sends it to every
   * connection and resolves once it is stored.
   */
  async serverChange(change: (doc: Y.Doc) => void): Promise<void> {
    if (this.#closing) throw new AppError('UNAVAILABLE', 'the agreement is being reloaded; try again');
    const updates: Uint8Array[] = [];
    const collect = (update: Uint8Array) => updates.push(update);
    this.doc.on('update', collect);
    try {
      this.doc.transact(() => change(this.doc), 'server');
    } finally {
      this.doc.off('update', collect);
    }
    for (const update of updates) {
      const message = updateMessage(update);
      for (const conn of this.#conns.keys()) conn.send(message);
      if (!(await this.#persist(update))) throw new AppError('UNAVAILABLE', 'could not store the change; try again');
    }
  }

  /** Starts the idle countdown of a document that nobody has open (one loaded for the server's own use). */
  releaseIfIdle(): void {
    if (this.#conns.size === 0) this.#scheduleIdleUnload();
  }

  /** Folds the log into a snapshot (Y.encodeStateAsUpdate) and deletes what it folded, in one transaction. */
  compact(): Promise<void> {
    return (this.#compaction ??= this.#compact().finally(() => (this.#compaction = undefined)));
  }

  /** Closes every connection, waits for this document's writes, compacts (unless told not to), frees it. */
  async close(code: number, reason: string, options: { compact: boolean }): Promise<void> {
    this.#closing = true;
    clearTimeout(this.#idleTimer);
    for (const conn of [...this.#conns.keys()]) conn.close(code, reason);
    await Promise.all(this.#writing);
    await this.#compaction?.catch(() => undefined);
    if (options.compact && this.#logUpdates > 0) await this.compact().catch(() => undefined);
    this.awareness.destroy();
    this.doc.destroy();
  }

  #receive(conn: CollabConnection, message: ClientMessage): void {
    if (this.#closing) return;
    switch (message.type) {
      case 'syncStep1':
        conn.send(syncStep2Message(this.doc, message.stateVector));
        return;
      case 'syncStep2':
      case 'update':
        return this.#update(conn, message.update, message.decoded);
      case 'awareness':
        return this.#awarenessFrom(conn, message.update, message.entries);
      case 'queryAwareness':
        conn.send(awarenessMessage(this.awareness, [...this.awareness.getStates().keys()]));
        return;
    }
  }

  #update(conn: CollabConnection, update: Uint8Array, decoded: ReturnType<typeof Y.decodeUpdate>): void {
    if (conn.access === 'read') {
      // Read-only clients send their (empty) state in sync step 2: fine as long as it adds nothing.
      if (Y.snapshotContainsUpdate(Y.snapshot(this.doc), update)) return;
      throw new AppError('FORBIDDEN', 'read-only: this connection may not change the agreement');
    }
    const scope = updateScope(this.doc, decoded);
    if (scope.malformed) throw new AppError('BAD_REQUEST', `malformed update: ${scope.malformed}`);
    if (scope.roots.has(SERVER_ONLY_ROOT)) throw new AppError('FORBIDDEN', 'only the server records signatures');
    const textChange = scope.unknownRoot || [...scope.roots].some((root) => root !== COMMENTS_ROOT);
    if (textChange && readSigningState(this.doc).status === 'sealed') {
      throw new AppError('FORBIDDEN', 'the agreement is signed and sealed; its text can no longer change');
    }
    if (conn.access === 'comment') {
      if (scope.unknownRoot || [...scope.roots].some((root) => root !== COMMENTS_ROOT)) {
        throw new AppError('FORBIDDEN', 'comment-only: this connection may change comments only');
      }
    } else {
      const unknown = [...scope.roots].find((root) => !DECLARED_ROOTS.has(root));
      if (unknown !== undefined) throw new AppError('FORBIDDEN', 'the update writes outside the agreement');
    }
    // After the access checks: a reconnect would not make a forbidden update allowed.
    if (scope.missing) throw new ResyncNeeded();
    this.#checkSize(update.length);

    const emitted = this.#apply(conn, update);
    for (const change of emitted) {
      const message = updateMessage(change);
      for (const other of this.#conns.keys()) if (other !== conn) other.send(message);
      void this.#persist(change).then((durable) => durable && conn.send(message));
    }
    if (emitted.length > 0) this.#deps.onChanged?.(this);
  }

  /** Applies an update, returning what it changed (what the 'update' event carried). */
  #apply(origin: unknown, update: Uint8Array): Uint8Array[] {
    const emitted: Uint8Array[] = [];
    const collect = (change: Uint8Array, from: unknown) => from === origin && emitted.push(change);
    this.doc.on('update', collect);
    try {
      Y.applyUpdate(this.doc, update, origin);
      // updateScope() refuses what would stay pending; if Yjs kept anything, we were wrong about it.
      if (this.doc.store.pendingStructs !== null || this.doc.store.pendingDs !== null) {
        throw new Error('the update left parts pending');
      }
    } catch (error) {
      // Yjs may have integrated part of it before throwing, and cannot undo that:
      // nothing of it was sent or stored, so reload the document from the store.
      this.log.error({ err: error }, '#apply(): a validated update did not apply cleanly; reloading the document');
      this.#closing = true;
      for (const c of this.#conns.keys())
        if (c !== origin) c.close(CLOSE_RELOADED, 'the agreement was reloaded; reconnect');
      // After the author's connection has been closed with the reason below.
      queueMicrotask(() => this.#deps.onUnload(this, { compact: false }));
      throw new AppError('BAD_REQUEST', 'malformed update: it does not apply');
    } finally {
      this.doc.off('update', collect);
    }
    return emitted;
  }

  #checkSize(incoming: number): void {
    const max = this.#deps.limits.maxDocBytes;
    if (this.#snapshotBytes + this.#logBytes + incoming <= max) return;
    // The estimate (snapshot + log) only grows; measure before refusing.
    const exact = Y.encodeStateAsUpdate(this.doc).length;
    this.#snapshotBytes = exact;
    this.#logBytes = 0;
    if (exact + incoming > max) throw new AppError('PAYLOAD_TOO_LARGE', 'the agreement is at its size limit');
  }

  /** Resolves true once the update is committed, false when it could not be. */
  #persist(update: Uint8Array): Promise<boolean> {
    const writing = this.#store(update);
    this.#writing.add(writing);
    void writing.then(() => this.#writing.delete(writing));
    return writing;
  }

  async #store(update: Uint8Array): Promise<boolean> {
    this.#logBytes += update.length;
    try {
      const seq = await this.#deps.writer.append(this.caseId, update);
      this.#durableSeq = Math.max(this.#durableSeq, seq);
      this.#logUpdates++;
      this.#maybeCompact();
      return true;
    } catch (error) {
      this.log.error({ err: error }, '#persist(): update not stored');
      return false;
    }
  }

  async #writeTemplate(init: AgreementInit): Promise<void> {
    const template = new Y.Doc();
    template.clientID = TEMPLATE_CLIENT_ID;
    initAgreement(template, init);
    const [change] = this.#apply('template', Y.encodeStateAsUpdate(template));
    template.destroy();
    if (change && !(await this.#persist(change)))
      throw new AppError('UNAVAILABLE', 'could not store the new agreement');
  }

  #maybeCompact(): void {
    if (this.#logUpdates >= this.#deps.limits.compactAfterUpdates && !this.#closing)
      void this.compact().catch(() => undefined);
  }

  async #compact(): Promise<void> {
    // Everything up to durableSeq is in the document (updates are applied before they are stored).
    const upToSeq = this.#durableSeq;
    if (upToSeq <= this.#snapshotSeq) return;
    const folded = { updates: this.#logUpdates, bytes: this.#logBytes };
    const state = Y.encodeStateAsUpdate(this.doc);
    const started = performance.now();
    // The snapshot replaces the log, so it must load back into this very document.
    if (!reloadsAs(state, this.doc)) {
      this.log.error({ upToSeq }, 'compact(): the state would not load back as it is; keeping the log');
      return;
    }
    try {
      const deleted = await this.#deps.store.compact(this.caseId, state, upToSeq);
      this.#snapshotSeq = upToSeq;
      this.#snapshotBytes = state.length;
      this.#logUpdates = Math.max(0, this.#logUpdates - folded.updates);
      this.#logBytes = Math.max(0, this.#logBytes - folded.bytes);
      this.log.info(
        { upToSeq, deleted, bytes: state.length, ms: Math.round(performance.now() - started) },
        'compact(): done',
      );
    } catch (error) {
      this.log.error({ err: error }, 'compact(): failed (the log stays as it is)');
      throw error;
    }
  }

  #awarenessFrom(conn: CollabConnection, update: Uint8Array, entries: { clientId: number; clock: number }[]): void {
    const owned = this.#conns.get(conn)!;
    for (const { clientId, clock } of entries) {
      if (owned.has(clientId)) continue;
      // An echo: y-websocket's provider sends back every awareness change it hears, other
      // clients' included; at a clock the server already has, it changes nothing.
      const current = this.awareness.meta.get(clientId)?.clock;
      if (current !== undefined && clock <= current) continue;
      if (owned.size >= this.#deps.limits.maxAwarenessOwned) {
        throw new AppError('BAD_REQUEST', 'too many awareness clients on one connection');
      }
      // A reconnecting client keeps its id while its old socket may linger: the newest connection owns it.
      for (const [other, ids] of this.#conns) if (other !== conn) ids.delete(clientId);
      owned.add(clientId);
    }
    awarenessProtocol.applyAwarenessUpdate(this.awareness, update, conn);
  }

  #onAwareness = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    _origin: unknown,
  ): void => {
    const changed = [...added, ...updated, ...removed];
    if (changed.length === 0) return;
    const message = awarenessMessage(this.awareness, changed);
    for (const conn of this.#conns.keys()) conn.send(message);
  };

  #detach(conn: CollabConnection): void {
    const owned = this.#conns.get(conn);
    if (!owned) return;
    this.#conns.delete(conn);
    if (owned.size > 0) awarenessProtocol.removeAwarenessStates(this.awareness, [...owned], null);
    conn.log.debug({ caseId: this.caseId, connections: this.#conns.size }, '#detach()');
    if (this.#conns.size === 0) this.#scheduleIdleUnload();
  }

  #scheduleIdleUnload(): void {
    if (this.#closing) return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      if (this.#conns.size === 0 && !this.#closing) this.#deps.onUnload(this, { compact: true });
    }, this.#deps.limits.idleUnloadMs);
  }
}

/** Whether `state`, applied to a fresh document, gives the same content as `doc` (ids, deletions, every root). */
function reloadsAs(state: Uint8Array, doc: Y.Doc): boolean {
  const fresh = new Y.Doc();
  try {
    agreementRoots(fresh);
    Y.applyUpdate(fresh, state);
    if (!Y.equalSnapshots(Y.snapshot(fresh), Y.snapshot(doc))) return false;
    return [...doc.share.keys()].every(
      (name) => JSON.stringify(fresh.get(name).toJSON()) === JSON.stringify(doc.get(name).toJSON()),
    );
  } catch {
    return false;
  } finally {
    fresh.destroy();
  }
}
