/**
 * What an update would change, found before it is applied: the root types
 * (sections of the agreement) its new items land in and its deletions hit.
 * A comment-only connection may change the comments root and nothing else;
 * an editor may change any declared root, but no made-up one. Checking first
 * means a refused update never touches the document, so there is nothing to
 * roll back (Yjs cannot roll back).
 *
 * An item names its place by its parent (a root's name, or the id of the item
 * holding a nested type) or, when it sits beside a sibling, only by the
 * sibling's id (origin / right origin); we follow those ids through the
 * update itself and the server's document until a root is reached.
 */
import * as Y from 'yjs';
import type { DecodedUpdate } from './messages';

export interface UpdateScope {
  /** The roots that new items land in or deletions hit. */
  roots: Set<string>;
  /**
   * It depends on content the server does not have (a reference to an unknown
   * item, a gap in a client's clocks, a deletion of unseen content). Yjs would
   * keep such parts pending, and pending parts are merged with Y.mergeUpdates,
   * which can lose or reorder content of inconsistent updates; so the server
   * never holds pending parts. A client sends such an update only in a race
   * (typing before its reconnection has synced); it reconnects and resyncs.
   */
  missing: boolean;
  /** Some part lands in content already garbage-collected, so its root cannot be known. */
  unknownRoot: boolean;
  /** A reference that no well-formed client produces, or undefined. */
  malformed: string | undefined;
}

type Struct = Y.Item | Y.GC;
/** Decoded items carry their parent as a root name, a parent item's id, or null (then the origin tells). */
type DecodedParent = string | Y.ID | null;

export function updateScope(doc: Y.Doc, decoded: DecodedUpdate): UpdateScope {
  const scope: UpdateScope = { roots: new Set(), missing: false, unknownRoot: false, malformed: undefined };
  const store = doc.store;
  const known = (client: number) => Y.getState(store, client);

  // The parts of the update the server lacks, per client in clock order; a
  // skipped range or a gap after what the server knows is content it lacks.
  const sorted = [...decoded.structs].sort((a, b) => a.id.client - b.id.client || a.id.clock - b.id.clock);
  const fresh = new Map<number, Struct[]>();
  const reach = new Map<number, number>();
  for (const struct of sorted) {
    const { client, clock } = struct.id;
    const end = clock + struct.length;
    if (end <= known(client)) continue;
    if (struct instanceof Y.Skip || clock > (reach.get(client) ?? known(client))) {
      scope.missing = true;
      continue;
    }
    reach.set(client, Math.max(end, reach.get(client) ?? 0));
    let list = fresh.get(client);
    if (!list) fresh.set(client, (list = []));
    list.push(struct as Struct);
  }
  const knownAfter = (client: number) => reach.get(client) ?? known(client);

  // Yjs looks up the references of every item, even one it already has (and
  // keeps it pending when one is unknown), so all of them are checked here.
  for (const struct of sorted) {
    if (!(struct instanceof Y.Item)) continue;
    const parent = struct.parent as DecodedParent;
    for (const ref of [struct.origin, struct.rightOrigin, parent instanceof Y.ID ? parent : null]) {
      if (!ref) continue;
      if (ref.client === struct.id.client && ref.clock >= struct.id.clock)
        scope.malformed ??= 'an item refers to its own future';
      else if (ref.clock >= knownAfter(ref.client)) scope.missing = true;
    }
  }

  const inUpdate = (id: Y.ID): Struct | undefined => {
    const list = fresh.get(id.client);
    if (!list) return undefined;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = list[mid]!;
      if (id.clock < s.id.clock) hi = mid - 1;
      else if (id.clock >= s.id.clock + s.length) lo = mid + 1;
      else return s;
    }
    return undefined;
  };

  const memo = new Map<Struct, string | null>();
  const visiting = new Set<Struct>();
  // The root of a struct of the update; null when it cannot be known (and `scope` says why).
  const rootOfFresh = (item: Struct, depth: number): string | null => {
    if (!(item instanceof Y.Item)) return GC_ROOT; // a range of collected content
    const cached = memo.get(item);
    if (cached !== undefined) return cached;
    if (visiting.has(item) || depth > 10_000) {
      scope.malformed ??= 'a cycle of references';
      return null;
    }
    visiting.add(item);
    let root: string | null;
    const parent = item.parent as DecodedParent;
    if (typeof parent === 'string') root = parent;
    else if (parent instanceof Y.ID) root = rootOfContainer(parent, item, depth);
    else {
      const sibling = item.origin ?? item.rightOrigin;
      root = sibling ? rootOfId(sibling, item, depth) : null;
      if (!sibling) scope.malformed ??= 'an item without parent or neighbour';
    }
    visiting.delete(item);
    memo.set(item, root);
    return root;
  };

  // The root that the struct holding `id` lives in.
  const rootOfId = (id: Y.ID, referrer: Y.Item, depth: number): string | null => {
    if (id.client === referrer.id.client && id.clock >= referrer.id.clock) {
      scope.malformed ??= 'an item refers to its own future';
      return null;
    }
    const local = inUpdate(id);
    if (local) return rootOfFresh(local, depth + 1);
    if (id.clock < known(id.client)) return rootOfStored(Y.getItem(store, id));
    scope.missing = true;
    return null;
  };

  // The root of the type that the item holding `id` contains (`id` is a parent).
  const rootOfContainer = (id: Y.ID, referrer: Y.Item, depth: number): string | null => {
    const local = inUpdate(id);
    if (local instanceof Y.Item && !(local.content instanceof Y.ContentType)) {
      scope.malformed ??= 'a parent that is not a type';
      return null;
    }
    if (id.clock < known(id.client) && !local) {
      const stored = Y.getItem(store, id);
      if (stored instanceof Y.Item && !(stored.content instanceof Y.ContentType)) {
        scope.malformed ??= 'a parent that is not a type';
        return null;
      }
    }
    return rootOfId(id, referrer, depth);
  };

  for (const list of fresh.values()) {
    for (const struct of list) {
      if (struct instanceof Y.Item && struct.content instanceof Y.ContentDoc) scope.malformed ??= 'a subdocument';
      note(scope, rootOfFresh(struct, 0));
    }
  }

  // Deletions: of parts new in this update (their roots are counted above), of
  // stored items (count their roots, unless already deleted), or of what the
  // server has not seen (missing).
  for (const [client, ranges] of decoded.ds.clients) {
    const structs = store.clients.get(client) ?? [];
    const state = known(client);
    for (const { clock, len } of ranges) {
      const end = clock + len;
      // Yjs keeps pending any range that starts or ends past what it has (even an empty one).
      const after = knownAfter(client);
      if (clock >= after || end > after) scope.missing = true;
      if (clock >= state || structs.length === 0) continue;
      for (let i = Y.findIndexSS(structs, clock); i < structs.length && structs[i]!.id.clock < end; i++) {
        const struct = structs[i]!;
        if (struct instanceof Y.Item && !struct.deleted) note(scope, rootOfStored(struct));
      }
    }
  }
  return scope;
}

/** What rootOf...() returns for content whose root was garbage-collected. */
const GC_ROOT = '\u0000collected';

function note(scope: UpdateScope, root: string | null): void {
  if (root === GC_ROOT) scope.unknownRoot = true;
  else if (root !== null) scope.roots.add(root);
}

/** The root of an integrated struct, by climbing its parent types. */
function rootOfStored(struct: Struct): string | null {
  if (!(struct instanceof Y.Item)) return GC_ROOT;
  let type = struct.parent as Y.AbstractType<unknown> | null;
  while (type?._item) type = type._item.parent as Y.AbstractType<unknown> | null;
  return type ? Y.findRootTypeKey(type) : GC_ROOT;
}
