/**
 * Does an update only build structure the pad's schema allows? Checked on the decoded structs, before anything is
 * applied: an entry nested 20,000 maps deep was once accepted, and deleting it overflowed the stack in every client.
 *
 * The schema (README, "The document"): root `entries` (a `Y.Array` of `Y.Map` entries whose fields are strings,
 * numbers, a `Y.Text` or a `Y.Array` of strings) and, in `ready`, root `meta` (a `Y.Map` holding strings, numbers,
 * `milestones`: a `Y.Array` of `Y.Map`, and `preamble`: a `Y.Array` of strings). So:
 * - only the section's own root names;
 * - shared types only `Y.Array`, `Y.Map`, `Y.Text`, and no deeper than {@link MAX_TYPE_DEPTH} (an entry is depth 1,
 *   its title or reviews depth 2); no XML types, sub-documents, embeds, formatting or binary content;
 * - plain values (strings, numbers, booleans, null, and JSON nested at most {@link MAX_VALUE_DEPTH} deep, whether
 *   written as current Yjs does or as JSON text, as older versions did).
 */
import * as Y from 'yjs';
import type { Section } from '../../shared/schema.js';
import { ENTRIES_KEY, META_KEY } from '../../shared/schema.js';

type Struct = Y.Item | Y.GC | Y.Skip;

/** Deepest nesting of shared types: 1 for an entry in `entries` or a milestone list in `meta`, 2 for a milestone. */
export const MAX_TYPE_DEPTH = 2;
/** Deepest plain JSON value (an array in a map value counts 1). */
export const MAX_VALUE_DEPTH = 3;

export const ROOTS: Record<Section, readonly string[]> = {
  proposed: [ENTRIES_KEY],
  ready: [ENTRIES_KEY, META_KEY],
};

const idKey = (id: Y.ID) => `${id.client}:${id.clock}`;

/**
 * The shared type a struct sits in: a root (by name), a type the document has, or the type an item of the update
 * itself holds (not integrated yet).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any shared type
export type Container = { root: string } | { type: Y.AbstractType<any> } | { holder: Y.Item };

/**
 * Where a struct sits: its root (by name), the depth of the type it sits in, that type, and the key it holds in
 * it (`sub`: the map key, or null for an element of a sequence: an array's item, a text's characters).
 */
export type KnownPlace = { root: string; depth: number; container: Container; sub: string | null };
type Place = KnownPlace | { unknown: true };
const UNKNOWN: Place = { unknown: true };
const tooDeep = (depth: number): KnownPlace => ({ root: '', depth, container: { root: '' }, sub: null });

/**
 * Null if the structs are allowed in `section`'s document, else what is wrong.
 * `inUpdate(id)` finds a struct of the update itself (the document is searched for the rest). `places`, if given,
 * receives where each item of the update sits (the limits check, update-limits.ts, counts by it).
 */
export function structureProblem(
  doc: Y.Doc,
  section: Section,
  structs: Struct[],
  inUpdate: (id: Y.ID) => Struct | undefined,
  places?: Map<Y.Item, KnownPlace>,
): string | null {
  const roots = ROOTS[section];
  // Depth of the shared type an update item *contains* (ContentType), by the item's id: filled as items are placed.
  const placed = new Map<string, Place>();

  /**
   * Where `start` sits. Iterative (an explicit stack, no recursion): an item depends on its parent's item or on the
   * neighbour it was inserted beside, and those may themselves be in the update; a chain of nested parents longer
   * than the schema allows is answered at once, however long it is.
   */
  const placeOf = (start: Struct): Place => {
    const stack: Array<{ item: Y.Item; viaParent: boolean }> = [];
    let parentHops = 0;
    const onPath = new Set<Struct>();
    let s: Struct | undefined = start;
    let place: Place;
    for (;;) {
      if (!(s instanceof Y.Item)) {
        place = UNKNOWN;
        break;
      }
      const known = placed.get(idKey(s.id));
      if (known) {
        place = known;
        break;
      }
      // the inspector refuses reference cycles before this runs; never loop on one all the same
      if (onPath.has(s)) return UNKNOWN;
      onPath.add(s);
      let dependency: Struct | undefined;
      let viaParent = false;
      let direct: Place | undefined;
      if (typeof s.parent === 'string') direct = { root: s.parent, depth: 0, container: { root: s.parent }, sub: s.parentSub };
      else if (s.parent instanceof Y.ID) {
        viaParent = true;
        dependency = inUpdate(s.parent);
        if (!dependency) direct = docTypePlace(doc, s.parent, s.parentSub);
      } else {
        // positioned by a neighbour: it has the neighbour's parent, and its key in it
        const neighbour = s.origin ?? s.rightOrigin;
        if (!neighbour) direct = UNKNOWN;
        else {
          dependency = inUpdate(neighbour);
          if (!dependency) direct = docPlaceOfItem(doc, neighbour);
        }
      }
      if (direct) {
        placed.set(idKey(s.id), direct);
        place = direct;
        break;
      }
      stack.push({ item: s, viaParent });
      if (viaParent && ++parentHops > MAX_TYPE_DEPTH + 1) return tooDeep(MAX_TYPE_DEPTH + 2);
      s = dependency;
    }
    // unwind: `place` is where `above` sits; each frame sits beside it, or inside the type it holds
    let above: Struct | undefined = s;
    for (let i = stack.length - 1; i >= 0; i--) {
      const frame = stack[i]!;
      if (frame.viaParent) {
        place = 'unknown' in place || !(above instanceof Y.Item) || !(above.content instanceof Y.ContentType)
          ? UNKNOWN
          : { root: place.root, depth: place.depth + 1, container: { holder: above }, sub: frame.item.parentSub };
      }
      placed.set(idKey(frame.item.id), place);
      above = frame.item;
    }
    return place;
  };

  for (const s of structs) {
    if (!(s instanceof Y.Item)) continue;
    const place = placeOf(s);
    if ('unknown' in place) continue; // its parent was garbage-collected: Yjs drops it on integration
    places?.set(s, place);
    if (place.depth > MAX_TYPE_DEPTH) return 'shared types nested deeper than the schema allows';
    if (!roots.includes(place.root)) return `"${place.root.slice(0, 40)}" is not a root of the ${section} section`;
    const content = s.content;
    if (content instanceof Y.ContentType) {
      const type = content.type;
      if (!(type instanceof Y.Array || type instanceof Y.Map || type instanceof Y.Text) || isXml(type)) {
        return 'only Y.Array, Y.Map and Y.Text are allowed';
      }
      if (place.depth + 1 > MAX_TYPE_DEPTH) return 'shared types nested deeper than the schema allows';
    } else if (content instanceof Y.ContentAny || content instanceof Y.ContentJSON) {
      // (ContentJSON: values as older Yjs wrote them, decoded by JSON.parse: held to the same depth, for the same
      // reason and one more: every encoding of the document re-stringifies them, which a deep one overflowed)
      // and JSON only: a typed array (binary content, which lib0 encodes too) or a bigint is no part of the schema, and
      // walking a megabyte of bytes as an object's keys cost a second
      for (const value of content.arr as unknown[]) {
        const depth = valueDepth(value, 0);
        if (depth === NOT_JSON) return 'a value that is not JSON (binary content, a bigint) is not part of the schema';
        if (depth > MAX_VALUE_DEPTH) return 'a value nested deeper than the schema allows';
      }
    } else if (!(content instanceof Y.ContentString || content instanceof Y.ContentDeleted)) {
      return `content of type ${content.constructor.name} is not part of the schema`;
    }
  }
  return null;
}

function isXml(type: unknown): boolean {
  return type instanceof Y.XmlElement || type instanceof Y.XmlFragment || type instanceof Y.XmlText || type instanceof Y.XmlHook;
}

/** What {@link valueDepth} answers for a value that is not JSON. */
const NOT_JSON = Number.POSITIVE_INFINITY;

/** Plain JSON: null, a boolean, a number, a string, an array, an object of plain prototype (and undefined, a map's unset). */
function isJsonObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** How deep a value nests (0 for a leaf), or {@link NOT_JSON}. */
function valueDepth(value: unknown, depth: number): number {
  if (depth > MAX_VALUE_DEPTH) return depth;
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return depth;
  if (typeof value !== 'object' || !(Array.isArray(value) || isJsonObject(value))) return NOT_JSON;
  // a loop, not Math.max(...): a peer's array of 200,000 values would overflow the stack
  const children = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
  let deepest = depth;
  for (const child of children) {
    deepest = Math.max(deepest, valueDepth(child, depth + 1));
    if (deepest > MAX_VALUE_DEPTH) break;
  }
  return deepest;
}

function docItem(doc: Y.Doc, id: Y.ID): Y.Item | Y.GC | undefined {
  const structs = doc.store.clients.get(id.client);
  if (!structs || id.clock >= Y.getState(doc.store, id.client)) return undefined;
  return structs[Y.findIndexSS(structs, id.clock)];
}

/** Root and depth of a document type: depth 0 for a root, 1 for a type directly in a root, … (bounded). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any shared type
function docTypeDepth(type: Y.AbstractType<any>): { root: string; depth: number } {
  let depth = 0;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any shared type
  let t: Y.AbstractType<any> = type;
  while (t._item) {
    depth++;
    if (depth > MAX_TYPE_DEPTH + 1) return { root: '', depth };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any shared type
    t = t._item.parent as Y.AbstractType<any>;
  }
  return { root: Y.findRootTypeKey(t), depth: depth };
}

/** Where the document item `id` sits (in its parent type, under its key). */
function docPlaceOfItem(doc: Y.Doc, id: Y.ID): Place {
  const item = docItem(doc, id);
  if (!(item instanceof Y.Item) || !item.parent) return UNKNOWN;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any shared type
  const type = item.parent as Y.AbstractType<any>;
  return { ...docTypeDepth(type), container: { type }, sub: item.parentSub };
}

/** Where a struct sits whose parent is the type held by document item `id`, under key `sub`. */
function docTypePlace(doc: Y.Doc, id: Y.ID, sub: string | null): Place {
  const item = docItem(doc, id);
  if (!(item instanceof Y.Item) || !(item.content instanceof Y.ContentType)) return UNKNOWN;
  const type = item.content.type;
  return { ...docTypeDepth(type), container: { type }, sub };
}
