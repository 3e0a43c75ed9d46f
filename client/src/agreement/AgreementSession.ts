/**
 * One person's connection to a case's mediation agreement: the shared Y.Doc,
 * the official y-websocket provider at /collab/<caseId> (authenticated by the
 * join link's token, the same one the room uses), and who else has it open
 * (awareness). The UI reads `store`.
 *
 * What the connection may do is the server's decision; the page asks it
 * first (`access`) so it never sends what would be refused, and falls back on
 * the role when it cannot ask: the mediator edits, experts and observers
 * read, parties edit unless the case is set to comment-only. A connection
 * whose edit is refused anyway (4403: the setting changed meanwhile)
 * reconnects with a fresh document, for comments only.
 */
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { AGREEMENT_PATH, type AgreementAccess } from '../../../shared/agreement';
import type { CaseId } from '../../../shared/ids';
import type { Role } from '../../../shared/roles';
import { Store } from '../store';

/** Refused for good: the server closed with a 44xx code (y-websocket does not retry those). */
const CLOSE_FORBIDDEN = 4403;

export interface Presence {
  clientId: number;
  name: string;
  color: string;
  readOnly: boolean;
  self: boolean;
}

export interface AgreementSnapshot {
  /** 'refused': the server will not let this link open the agreement. */
  status: 'connecting' | 'synced' | 'refused';
  access: AgreementAccess;
  /** A party's edit was refused: the case lets parties comment only. */
  downgraded: boolean;
  people: readonly Presence[];
}

export interface AgreementSessionOptions {
  /** The page's origin (http or https); the websocket goes to the same host. */
  origin: string;
  token: string;
  caseId: CaseId;
  role: Role;
  displayName: string;
  /** What the server said this link may do (GET /api/agreement/<case>/access); by default guessed from the role. */
  access?: AgreementAccess;
}

/** What the server gives a join link's role (server/collab/access.ts linkAccess), assuming parties may edit. */
export function accessOfRole(role: Role): AgreementAccess {
  return role === 'mediator' || role === 'party' ? 'edit' : 'read';
}

/** Cursor colours, dark enough for white name labels. */
const COLORS = ['#1a5fb4', '#c01c28', '#26a269', '#a347ba', '#c64600', '#0b7285', '#865e3c', '#613583'];

export function colorOf(name: string): string {
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.codePointAt(0)!) >>> 0;
  return COLORS[hash % COLORS.length]!;
}

export function collabUrl(origin: string): string {
  return `${origin.replace(/^http/, 'ws')}${AGREEMENT_PATH}`;
}

export class AgreementSession {
  readonly store: Store<AgreementSnapshot>;
  readonly user: { name: string; color: string };
  #doc: Y.Doc;
  #provider: WebsocketProvider;
  #destroyed = false;
  readonly #opts: AgreementSessionOptions;

  constructor(opts: AgreementSessionOptions) {
    this.#opts = opts;
    this.user = { name: opts.displayName, color: colorOf(opts.displayName) };
    this.store = new Store<AgreementSnapshot>({
      status: 'connecting',
      access: opts.access ?? accessOfRole(opts.role),
      downgraded: opts.access === 'comment',
      people: [],
    });
    [this.#doc, this.#provider] = this.#connect();
  }

  /** Replaced when a refused party reconnects read-only: the editors are made again for the new one. */
  get doc(): Y.Doc {
    return this.#doc;
  }

  get provider(): WebsocketProvider {
    return this.#provider;
  }

  get editable(): boolean {
    return this.store.get().access === 'edit';
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#teardown();
  }

  #connect(): [Y.Doc, WebsocketProvider] {
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(collabUrl(this.#opts.origin), this.#opts.caseId, doc, {
      params: { token: this.#opts.token },
      // Every tab talks to the server, which decides what each may do.
      disableBc: true,
    });
    provider.awareness.setLocalStateField('user', { ...this.user, readOnly: !this.editable });
    provider.on('sync', (synced) => {
      if (synced && provider === this.#provider) this.store.set({ status: 'synced' });
    });
    provider.on('connection-close', (event) => {
      if (provider !== this.#provider || !event) return;
      if (event.code === CLOSE_FORBIDDEN && this.editable) return this.#reconnectReadOnly();
      if (event.code >= 4400 && event.code < 4500) this.store.set({ status: 'refused' });
    });
    const onAwareness = () => provider === this.#provider && this.store.set({ people: this.#people(provider) });
    provider.awareness.on('change', onAwareness);
    return [doc, provider];
  }

  #reconnectReadOnly(): void {
    this.#teardown();
    this.store.set({ status: 'connecting', access: 'comment', downgraded: true, people: [] });
    [this.#doc, this.#provider] = this.#connect();
  }

  #teardown(): void {
    this.#provider.destroy();
    this.#provider.awareness.destroy(); // the provider made it, but leaves its interval running
    this.#doc.destroy();
  }

  #people(provider: WebsocketProvider): Presence[] {
    const people: Presence[] = [];
    for (const [clientId, state] of provider.awareness.getStates()) {
      const user = (state as { user?: { name?: unknown; color?: unknown; readOnly?: unknown } }).user;
      if (typeof user?.name !== 'string' || !user.name) continue;
      people.push({
        clientId,
        name: user.name,
        color: typeof user.color === 'string' ? user.color : colorOf(user.name),
        readOnly: user.readOnly === true,
        self: clientId === provider.doc.clientID,
      });
    }
    return people.sort((a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name));
  }
}
