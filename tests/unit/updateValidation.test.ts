/**
 * A property of the update checks, tested on many mutated updates without a
 * server: whatever updateScope() lets an editor apply leaves nothing pending
 * in the document, and the document then loads back from its own encoded
 * state unchanged. That is what makes compaction (and sync step 2 to a new
 * client) faithful even after hostile input; Yjs alone does not guarantee it
 * for inconsistent updates, whose pending parts it merges with Y.mergeUpdates.
 */
import * as Y from 'yjs';
import { AGREEMENT_ROOTS, agreementRoots, canonicalText, initAgreement } from '../../shared/agreement';
import { updateScope } from '../../server/collab/updateScope';
import { replicaEdits } from '../helpers/agreementEdits';
import { prng } from '../helpers/prng';

jest.setTimeout(60_000);

const MUTATIONS = Number(process.env.FUZZ_UPDATES ?? 5000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

function corpus(base: Y.Doc): Uint8Array[] {
  const updates = replicaEdits(base);
  return [...updates, Y.mergeUpdates(updates)];
}

function loadsBackUnchanged(doc: Y.Doc): boolean {
  const fresh = new Y.Doc();
  agreementRoots(fresh);
  Y.applyUpdate(fresh, Y.encodeStateAsUpdate(doc));
  const same = Y.equalSnapshots(Y.snapshot(fresh), Y.snapshot(doc)) && canonicalText(fresh) === canonicalText(doc);
  fresh.destroy();
  return same;
}

test(`${MUTATIONS} mutated updates: what passes the checks never leaves parts pending, and the document always loads back unchanged`, () => {
  const random = prng(SEED);
  const int = (n: number) => Math.floor(random() * n);
  let doc = new Y.Doc();
  initAgreement(doc, {
    caseNo: 'D01-2025-000001',
    parties: [
      { role: 'applicant', name: '甲' },
      { role: 'respondent', name: '乙' },
    ],
  });
  const updates = corpus(doc);
  const mutate: ((m: Uint8Array) => Uint8Array)[] = [
    (m) => m.map((b, i, a) => (i === (a.length * random()) >> 0 ? b ^ (1 << int(8)) : b)),
    (m) => m.map((b, i, a) => (i === (a.length * random()) >> 0 ? int(256) : b)),
    (m) => {
      const at = int(m.length);
      return Uint8Array.from([
        ...m.slice(0, at),
        ...Array.from({ length: 1 + int(8) }, () => int(256)),
        ...m.slice(at),
      ]);
    },
    (m) => m,
  ];
  const counts = { decoded: 0, refused: 0, applied: 0, threw: 0 };
  for (let i = 0; i < MUTATIONS; i++) {
    const update = mutate[int(mutate.length)]!(updates[int(updates.length)]!);
    let decoded: ReturnType<typeof Y.decodeUpdate>;
    try {
      decoded = Y.decodeUpdate(update);
    } catch {
      continue;
    }
    counts.decoded++;
    const scope = updateScope(doc, decoded);
    if (scope.malformed || scope.missing || [...scope.roots].some((r) => !Object.hasOwn(AGREEMENT_ROOTS, r))) {
      counts.refused++;
      continue;
    }
    const before = Y.encodeStateAsUpdate(doc);
    try {
      Y.applyUpdate(doc, update);
    } catch {
      // The server reloads the document from its log in this case; so do we.
      counts.threw++;
      doc = new Y.Doc();
      Y.applyUpdate(doc, before);
      continue;
    }
    counts.applied++;
    expect({ at: i, pendingStructs: doc.store.pendingStructs, pendingDs: doc.store.pendingDs }).toEqual({
      at: i,
      pendingStructs: null,
      pendingDs: null,
    });
    if (!loadsBackUnchanged(doc))
      throw new Error(`seed ${SEED}: mutation ${i} made the document not load back as it is`);
  }
  console.log(`seed ${SEED}: ${MUTATIONS} mutations`, counts);
  expect(counts.applied).toBeGreaterThan(MUTATIONS / 10);
});
