/**
 * The pieces of the co-editing endpoint that decide before anything is
 * applied: decoding client messages, finding which sections an update
 * touches, and the token bucket that throttles a connection.
 */
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { addComment, agreementRoots, appendClause, initAgreement, paragraph } from '../../shared/agreement';
import { DEFAULT_LIMITS } from '../../server/collab/limits';
import { parseClientMessage, updateMessage, type ClientMessage } from '../../server/collab/messages';
import { TokenBucket } from '../../server/collab/TokenBucket';
import { updateScope } from '../../server/collab/updateScope';

const parse = (bytes: Uint8Array) => parseClientMessage(bytes, DEFAULT_LIMITS);
const reasonOf = (bytes: Uint8Array) => {
  try {
    parse(bytes);
    return 'accepted';
  } catch (error) {
    return `${(error as { code: string }).code}: ${(error as Error).message}`;
  }
};

function serverDoc(): Y.Doc {
  const doc = new Y.Doc();
  initAgreement(doc, { caseNo: 'D01-2025-000001', parties: [{ role: 'applicant', name: '甲' }] });
  return doc;
}

/** A client that has synced with `server`, and the update of what `edit` does on it. */
function clientEdit(server: Y.Doc, edit: (doc: Y.Doc) => void): Uint8Array {
  const client = new Y.Doc();
  Y.applyUpdate(client, Y.encodeStateAsUpdate(server));
  const before = Y.encodeStateVector(client);
  edit(client);
  return Y.encodeStateAsUpdate(client, before);
}

const scopeOf = (server: Y.Doc, update: Uint8Array) => updateScope(server, Y.decodeUpdate(update));

describe('parseClientMessage', () => {
  test('reads the three sync steps, awareness and query-awareness as the provider sends them', () => {
    const doc = serverDoc();
    const step1 = encoding.createEncoder();
    encoding.writeVarUint(step1, 0);
    syncProtocol.writeSyncStep1(step1, doc);
    expect(parse(encoding.toUint8Array(step1)).type).toBe('syncStep1');

    const step2 = encoding.createEncoder();
    encoding.writeVarUint(step2, 0);
    syncProtocol.writeSyncStep2(step2, doc, new Uint8Array([0]));
    expect(parse(encoding.toUint8Array(step2)).type).toBe('syncStep2');
    expect(parse(updateMessage(Y.encodeStateAsUpdate(doc))).type).toBe('update');

    const awareness = new awarenessProtocol.Awareness(doc);
    awareness.setLocalState({ user: { name: '甲' } });
    const a = encoding.createEncoder();
    encoding.writeVarUint(a, 1);
    encoding.writeVarUint8Array(a, awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID]));
    const parsed = parse(encoding.toUint8Array(a)) as Extract<ClientMessage, { type: 'awareness' }>;
    expect(parsed.entries).toEqual([
      { clientId: doc.clientID, clock: expect.any(Number), state: { user: { name: '甲' } } },
    ]);
    awareness.destroy();

    expect(parse(new Uint8Array([3])).type).toBe('queryAwareness');
  });

  test('refuses trailing bytes, unknown types and steps, truncation and oversize, each with its reason', () => {
    const update = updateMessage(Y.encodeStateAsUpdate(serverDoc()));
    expect(reasonOf(new Uint8Array([...update, 0]))).toBe('BAD_REQUEST: trailing bytes after the message');
    expect(reasonOf(new Uint8Array([2, 0]))).toBe('BAD_REQUEST: unknown message type 2');
    expect(reasonOf(new Uint8Array([9]))).toBe('BAD_REQUEST: unknown message type 9');
    expect(reasonOf(new Uint8Array([0, 7, 0]))).toBe('BAD_REQUEST: unknown sync step 7');
    expect(reasonOf(update.slice(0, update.length - 3))).toBe('BAD_REQUEST: malformed message header');
    expect(reasonOf(new Uint8Array([]))).toBe('BAD_REQUEST: malformed message header');
    expect(reasonOf(new Uint8Array([0, 2, 3, 0xff, 0xff, 0xff]))).toBe('BAD_REQUEST: malformed update');
    expect(reasonOf(new Uint8Array([0, 0, 2, 5, 1]))).toBe('BAD_REQUEST: malformed state vector');
    expect(reasonOf(new Uint8Array(DEFAULT_LIMITS.maxMessageBytes + 1))).toBe('PAYLOAD_TOO_LARGE: message too large');
  });

  test('refuses awareness that is not JSON objects, or speaks for too many clients', () => {
    const awareness = (entries: [number, number, string][]) => {
      const inner = encoding.createEncoder();
      encoding.writeVarUint(inner, entries.length);
      for (const [id, clock, state] of entries) {
        encoding.writeVarUint(inner, id);
        encoding.writeVarUint(inner, clock);
        encoding.writeVarString(inner, state);
      }
      const outer = encoding.createEncoder();
      encoding.writeVarUint(outer, 1);
      encoding.writeVarUint8Array(outer, encoding.toUint8Array(inner));
      return encoding.toUint8Array(outer);
    };
    expect(reasonOf(awareness([[1, 1, 'null']]))).toBe('accepted');
    expect(reasonOf(awareness([[1, 1, '{not json']]))).toBe('BAD_REQUEST: malformed awareness update');
    expect(reasonOf(awareness([[1, 1, '42']]))).toBe('BAD_REQUEST: malformed awareness update');
    const many = Array.from({ length: DEFAULT_LIMITS.maxAwarenessEntries + 1 }, (_, i): [number, number, string] => [
      i,
      1,
      '{}',
    ]);
    expect(reasonOf(awareness(many))).toBe('BAD_REQUEST: malformed awareness update');
  });
});

describe('updateScope', () => {
  test('a new comment touches the comments root only', () => {
    const server = serverDoc();
    const update = clientEdit(server, (doc) =>
      addComment(doc, {
        id: 'c',
        authorName: '甲',
        authorRole: 'party',
        createdAt: '',
        body: '意见',
        section: 'facts',
        resolved: false,
      }),
    );
    expect(scopeOf(server, update)).toEqual({
      roots: new Set(['comments']),
      missing: false,
      unknownRoot: false,
      malformed: undefined,
    });
  });

  test('typing into a clause, deep inside an XmlFragment in an array, is found to be in clauses', () => {
    const server = serverDoc();
    appendClause(server, '已有条款');
    const update = clientEdit(server, (doc) => {
      const text = (agreementRoots(doc).clauses.get(1).get(0) as Y.XmlElement).get(0) as Y.XmlText;
      text.insert(2, '补充');
    });
    expect(scopeOf(server, update).roots).toEqual(new Set(['clauses']));
  });

  test('deleting text and setting a party field name their roots; an already deleted part counts for nothing', () => {
    const server = serverDoc();
    agreementRoots(server).facts.insert(1, [paragraph('事实')]);
    const deletion = clientEdit(server, (doc) => agreementRoots(doc).facts.delete(1, 1));
    expect(scopeOf(server, deletion).roots).toEqual(new Set(['facts']));
    Y.applyUpdate(server, deletion);
    expect(scopeOf(server, deletion).roots).toEqual(new Set());

    const field = clientEdit(server, (doc) => agreementRoots(doc).parties.get(0).set('sex', '女'));
    expect(scopeOf(server, field).roots).toEqual(new Set(['parties']));
  });

  test('editing a comment and the text in one transaction names both roots', () => {
    const server = serverDoc();
    const update = clientEdit(server, (doc) =>
      doc.transact(() => {
        addComment(doc, {
          id: 'c',
          authorName: '甲',
          authorRole: 'party',
          createdAt: '',
          body: '意见',
          section: '',
          resolved: false,
        });
        agreementRoots(doc).meta.set('date', '2025-01-01');
      }),
    );
    expect(scopeOf(server, update).roots).toEqual(new Set(['comments', 'meta']));
  });

  test('an update that depends on content the server lacks is missing something', () => {
    const server = serverDoc();
    const client = new Y.Doc();
    Y.applyUpdate(client, Y.encodeStateAsUpdate(server));
    appendClause(client, '离线时写的');
    const offline = Y.encodeStateVector(client);
    const text = (agreementRoots(client).clauses.get(1).get(0) as Y.XmlElement).get(0) as Y.XmlText;
    text.insert(0, '再补充');
    const dependent = Y.encodeStateAsUpdate(client, offline);
    expect(scopeOf(server, dependent).missing).toBe(true);
    expect(scopeOf(server, Y.encodeStateAsUpdate(client)).missing).toBe(false); // with what it depends on
  });

  test('a root the agreement does not declare is reported as it is', () => {
    const server = serverDoc();
    const update = clientEdit(server, (doc) => doc.getText('hidden').insert(0, 'x'));
    expect(scopeOf(server, update).roots).toEqual(new Set(['hidden']));
  });
});

describe('TokenBucket', () => {
  test('lets a burst through, then says how long to wait for the sustained rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 20, () => now);
    for (let i = 0; i < 20; i++) expect(bucket.take(1)).toBe(0);
    expect(bucket.take(1)).toBeCloseTo(100); // one message in debt at 10/s
    now += 1000;
    expect(bucket.take(1)).toBe(0); // 10 tokens back, minus the debt
    now += 10_000;
    for (let i = 0; i < 20; i++) expect(bucket.take(1)).toBe(0); // never more than the burst
    expect(bucket.take(1)).toBeGreaterThan(0);
  });
});
