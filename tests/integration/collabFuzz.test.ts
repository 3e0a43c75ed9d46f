/**
 * Fuzzing the co-editing endpoint with binary messages: valid ones taken from
 * real edits, then mutated (bits flipped, bytes replaced, inserted, cut off,
 * lengths blown up, messages spliced) or replaced by noise, sent over raw
 * sockets by a read-only connection and by an editor.
 *
 * After each message a probe (sync step 1) tells whether the server took it:
 * the probe is answered, or the socket is closed with a code and reason. What
 * it took, a mirror document takes too; at the end the server's agreement must
 * equal the mirror (nothing refused left a trace, nothing accepted was lost),
 * the read-only phase must have changed nothing at all, and a restarted server
 * must load exactly the same state from the database.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { agreementRoots, canonicalText } from '../../shared/agreement';
import type { CaseId, RoomId } from '../../shared/ids';
import type { RoomLinks } from '../../server/http/routes';
import { collabUrl, connectProvider } from '../helpers/collabClient';
import { createFixture, registerCase } from '../helpers/records';
import { createTestDb, type TestDb } from '../helpers/testDb';
import { startTestServer, tokenOf, type TestServer } from '../helpers/testServer';
import { replicaEdits } from '../helpers/agreementEdits';
import { prng } from '../helpers/prng';

jest.setTimeout(60_000);

const MESSAGES_PER_ROLE = Number(process.env.FUZZ_MESSAGES ?? 5000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const RELOADED = 4500;
/** Connections per role fuzzing at once (each waits for the server's answer to every message). */
const FUZZERS = 16;
const UNLIMITED = { messagesPerSecond: 1e9, messageBurst: 1e9, bytesPerSecond: 1e12, byteBurst: 1e12 };

const random = prng(SEED);
const int = (n: number) => Math.floor(random() * n);
const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;
const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));

const syncMessage = (step: number, payload: Uint8Array) => {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, step);
  encoding.writeVarUint8Array(e, payload);
  return encoding.toUint8Array(e);
};

/** Valid messages of every kind, from edits of a replica that the server has not seen. */
function corpus(base: Y.Doc): Uint8Array[] {
  const updates = replicaEdits(base);
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(base));
  for (const update of updates) Y.applyUpdate(doc, update);
  const awareness = new awarenessProtocol.Awareness(doc);
  awareness.setLocalState({ user: { name: '甲', color: '#f00' }, cursor: null });
  const awarenessUpdate = awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID]);
  awareness.destroy();
  const withType = (type: number, payload: Uint8Array) => {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, type);
    encoding.writeVarUint8Array(e, payload);
    return encoding.toUint8Array(e);
  };
  return [
    ...updates.map((u) => syncMessage(2, u)),
    syncMessage(1, Y.mergeUpdates(updates)),
    syncMessage(0, Y.encodeStateVector(doc)),
    syncMessage(0, new Uint8Array([0])),
    withType(1, awarenessUpdate),
    new Uint8Array([3]),
  ];
}

const MUTATIONS: [string, (m: Uint8Array, corpus: Uint8Array[]) => Uint8Array][] = [
  ['flip a bit', (m) => mutate(m, (c) => (c[int(c.length)]! ^= 1 << int(8)))],
  ['replace a byte', (m) => mutate(m, (c) => (c[int(c.length)] = int(256)))],
  [
    'replace several bytes',
    (m) =>
      mutate(m, (c) => {
        for (let i = 0; i < 1 + int(8); i++) c[int(c.length)] = int(256);
      }),
  ],
  ['truncate', (m) => m.slice(0, int(m.length))],
  ['append bytes', (m) => concat(m, bytes(1 + int(16)))],
  [
    'insert bytes',
    (m) => {
      const at = int(m.length);
      return concat(m.slice(0, at), bytes(1 + int(8)), m.slice(at));
    },
  ],
  [
    'max out a varint',
    (m) => {
      const at = int(m.length);
      return concat(
        m.slice(0, at),
        Uint8Array.from({ length: 1 + int(10) }, () => 0xff),
        m.slice(at),
      );
    },
  ],
  [
    'splice two messages',
    (m, all) => {
      const o = pick(all);
      return concat(m.slice(0, int(m.length)), o.slice(int(o.length)));
    },
  ],
  ['noise', () => bytes(int(64))],
  ['noise with a known type', () => concat(new Uint8Array([int(4)]), bytes(int(64)))],
  ['valid as it is', (m) => m],
];

function mutate(m: Uint8Array, change: (copy: Uint8Array) => void): Uint8Array {
  const copy = m.slice();
  if (copy.length > 0) change(copy);
  return copy;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** An awareness update for one client; the server broadcasts it back, so it doubles as a probe. */
function awarenessProbe(clientId: number, clock: number): Uint8Array {
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, 1);
  encoding.writeVarUint(inner, clientId);
  encoding.writeVarUint(inner, clock);
  encoding.writeVarString(inner, JSON.stringify({ probe: clock }));
  const outer = encoding.createEncoder();
  encoding.writeVarUint(outer, 1);
  encoding.writeVarUint8Array(outer, encoding.toUint8Array(inner));
  return encoding.toUint8Array(outer);
}

/** Whether `message` is the server's echo of probe (clientId, clock). */
function isProbeAnswer(message: Uint8Array, clientId: number, clock: number): boolean {
  try {
    const d = decoding.createDecoder(message);
    if (decoding.readVarUint(d) !== 1) return false;
    const inner = decoding.createDecoder(decoding.readVarUint8Array(d));
    const count = decoding.readVarUint(inner);
    for (let i = 0; i < count; i++) {
      const id = decoding.readVarUint(inner);
      const c = decoding.readVarUint(inner);
      decoding.readVarString(inner);
      if (id === clientId && c === clock) return true;
    }
  } catch {
    // not an awareness message of ours
  }
  return false;
}

/** One fuzzing client: sends a message, then a probe, and learns which of the two the server answered. */
class Fuzzer {
  #ws: WebSocket | undefined;
  #probeClient = 0;
  #probeClock = 0;
  #inbox: Uint8Array[] = [];
  #wake: (() => void) | undefined;
  #closed: { code: number; reason: string } | undefined;
  readonly closes = new Map<string, number>();
  sent = 0;
  accepted: Uint8Array[] = [];

  constructor(private readonly url: string) {}

  async run(messages: number, corpusMessages: Uint8Array[]): Promise<void> {
    while (this.sent < messages) {
      if (!this.#ws) await this.#connect();
      const base = pick(corpusMessages);
      const [, mutation] = pick(MUTATIONS);
      const message = mutation(base, corpusMessages);
      this.sent++;
      if (await this.#send(message)) this.accepted.push(message);
    }
    this.#ws?.close();
  }

  async #connect(): Promise<void> {
    // Listening from the start: the server's first messages may come in the same packet as the upgrade.
    const ws = new WebSocket(this.url);
    this.#ws = ws;
    this.#closed = undefined;
    this.#inbox = [];
    ws.on('message', (data: Buffer) => {
      this.#inbox.push(new Uint8Array(data));
      this.#wake?.();
    });
    ws.once('close', (code, reason) => {
      this.#closed = { code, reason: reason.toString('utf8') };
      this.#wake?.();
    });
    ws.once('unexpected-response', (_req, res) => {
      this.#closed = { code: -(res.statusCode ?? 0), reason: 'upgrade refused' };
      this.#wake?.();
    });
    await new Promise<void>((resolve) => {
      ws.once('open', () => resolve());
      ws.once('close', () => resolve());
      ws.once('error', () => resolve());
    });
    // Each connection probes as an awareness client of its own (never one of the corpus's).
    this.#probeClient = 1_000_000 + int(2 ** 29);
    this.#probeClock = 0;
    if (!(await this.#exchange(awarenessProbe(this.#probeClient, ++this.#probeClock), false))) {
      // Closed by a reload of the document (another fuzzer's update did not apply): connect again.
      if (this.#closedWith(RELOADED)) return this.#connect();
      throw new Error(`connection refused: ${JSON.stringify(this.#closed)}`);
    }
  }

  /**
   * Sends one fuzzed message; true when the server took it. A close for a
   * reload (caused by another connection) says nothing of this message, so it
   * is sent again on a new connection: Yjs updates apply idempotently.
   */
  async #send(message: Uint8Array): Promise<boolean> {
    for (;;) {
      if (!this.#ws) await this.#connect();
      if (await this.#exchange(message)) return true;
      if (!this.#closedWith(RELOADED)) return false;
    }
  }

  #closedWith(code: number): boolean {
    return this.#closed?.code === code;
  }

  /** True when the server answered the probe after `message`; false when it closed the socket instead. */
  async #exchange(message: Uint8Array, probe = true): Promise<boolean> {
    const ws = this.#ws!;
    if (ws.readyState === WebSocket.OPEN) ws.send(message);
    const clock = probe ? ++this.#probeClock : this.#probeClock;
    if (probe && ws.readyState === WebSocket.OPEN) ws.send(awarenessProbe(this.#probeClient, clock));
    const answer = await this.#next((m) => isProbeAnswer(m, this.#probeClient, clock));
    if (answer) return true;
    const { code, reason } = this.#closed!;
    const key = `${code} ${reason.replace(/\d+/g, 'N')}`;
    this.closes.set(key, (this.closes.get(key) ?? 0) + 1);
    this.#ws = undefined;
    return false;
  }

  /** The next message matching `wanted` (others are dropped), or undefined once the socket has closed. */
  async #next(wanted: (m: Uint8Array) => boolean): Promise<Uint8Array | undefined> {
    for (;;) {
      const found = this.#inbox.shift();
      if (found && wanted(found)) return found;
      if (found) continue;
      if (this.#closed) return undefined;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
  }
}

let testDb: TestDb;
let server: TestServer;
let caseId: CaseId;
let room: RoomLinks;
const roomCases = new Map<RoomId, CaseId>();
// Fixed, so the links stay valid across the restart at the end.
const ENV = { TOKEN_SECRET: 'collab-fuzz-test-token-secret-0123456789' };
const appDeps = { caseIdOfRoom: async (roomId: RoomId) => roomCases.get(roomId) ?? null, collabLimits: UNLIMITED };

async function serverDoc(): Promise<Y.Doc> {
  return (await server.app.collab.documentForTesting(caseId))!.doc;
}

function summary(title: string, fuzzers: Fuzzer[]): void {
  const closes = new Map<string, number>();
  for (const f of fuzzers) for (const [k, n] of f.closes) closes.set(k, (closes.get(k) ?? 0) + n);
  const sent = fuzzers.reduce((n, f) => n + f.sent, 0);
  const accepted = fuzzers.reduce((n, f) => n + f.accepted.length, 0);
  const lines = [...closes].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  ${String(n).padStart(6)}  ${k}`);
  console.log(
    `${title} (seed ${SEED}): ${sent} messages, ${accepted} accepted, ${sent - accepted} closed the connection:\n${lines.join('\n')}`,
  );
}

beforeAll(async () => {
  testDb = await createTestDb();
  server = await startTestServer(ENV, { db: testDb.db, appDeps });
  const f = await createFixture(server.app, server.url);
  caseId = (await registerCase(await f.as('gridMediator'), f.org.grids.heping1.id)).id as CaseId;
  room = await server.createRoom('Fuzz');
  roomCases.set(room.roomId, caseId);
});

afterAll(async () => {
  await server?.close();
  await testDb?.drop();
});

test(`${MESSAGES_PER_ROLE} fuzzed messages from read-only connections change nothing and crash nothing`, async () => {
  const mediator = connectProvider(server.url, caseId, { link: tokenOf(room.links.mediator) });
  await mediator.synced();
  const messages = corpus(mediator.doc);
  mediator.destroy();
  const doc = await serverDoc();
  const before = { text: canonicalText(doc), state: Y.encodeStateAsUpdate(doc) };

  const url = `${collabUrl(server.url)}/${caseId}?token=${tokenOf(room.links.observer)}`;
  const fuzzers = Array.from({ length: FUZZERS }, () => new Fuzzer(url));
  await Promise.all(fuzzers.map((f) => f.run(MESSAGES_PER_ROLE / fuzzers.length, messages)));
  summary('read-only', fuzzers);

  expect(canonicalText(await serverDoc())).toBe(before.text);
  expect(Y.encodeStateAsUpdate(await serverDoc())).toEqual(before.state);
  const closes = fuzzers.flatMap((f) => [...f.closes.keys()]);
  expect(closes.some((k) => k.startsWith('4403 read-only'))).toBe(true); // valid changes were among them, and refused
  expect(closes.filter((k) => k.startsWith('1011'))).toEqual([]); // no internal error
});

test(`${MESSAGES_PER_ROLE} fuzzed messages from editors: the server keeps exactly what it accepted, and reloads it after a restart`, async () => {
  const doc = await serverDoc();
  const textBefore = canonicalText(doc);
  const mirror = new Y.Doc();
  agreementRoots(mirror);
  Y.applyUpdate(mirror, Y.encodeStateAsUpdate(doc));
  const url = `${collabUrl(server.url)}/${caseId}?token=${tokenOf(room.links.mediator)}`;
  const fuzzers = Array.from({ length: FUZZERS }, () => new Fuzzer(url));
  // A corpus per fuzzer, each written by a client of its own: two mutants of one update
  // can carry the same ids with different content, and then the first to arrive wins;
  // with disjoint ids, the fuzzers' accepted updates commute and the mirror can replay
  // them fuzzer by fuzzer in each one's order.
  await Promise.all(fuzzers.map((f) => f.run(MESSAGES_PER_ROLE / fuzzers.length, corpus(doc))));
  summary('editor', fuzzers);
  const closes = fuzzers.flatMap((f) => [...f.closes.keys()]);
  expect(closes.filter((k) => k.startsWith('1011'))).toEqual([]);

  for (const message of fuzzers.flatMap((f) => f.accepted)) {
    const d = decoding.createDecoder(message);
    if (decoding.readVarUint(d) !== 0) continue;
    const step = decoding.readVarUint(d);
    if (step !== syncProtocol.messageYjsSyncStep1) Y.applyUpdate(mirror, decoding.readVarUint8Array(d));
  }
  const served = await serverDoc();
  expect(canonicalText(served)).toBe(canonicalText(mirror));
  expect(Y.encodeStateVector(served)).toEqual(Y.encodeStateVector(mirror));
  expect(canonicalText(served)).not.toBe(textBefore); // valid edits were among the accepted
  const final = { text: canonicalText(served), vector: Y.encodeStateVector(served) };

  await server.close();
  server = await startTestServer(ENV, { db: testDb.db, appDeps });
  const reader = connectProvider(server.url, caseId, { link: tokenOf(room.links.mediator) });
  try {
    await reader.synced();
    expect(canonicalText(reader.doc)).toBe(final.text);
    expect(Y.encodeStateVector(await serverDoc())).toEqual(final.vector);
  } finally {
    reader.destroy();
  }
});
