/**
 * Looks at an incoming Yjs update (V1) before anything applies it: is it well-formed, can it be integrated now
 * (nothing it references is missing, so nothing would stay pending), and does it carry anything the document
 * does not already have? Updates from clients are hostile until this says otherwise.
 */
import * as Y from 'yjs';
import type { Section } from '../../shared/schema.js';
import { limitProblem } from './update-limits.js';
import { structureProblem, type KnownPlace } from './update-structure.js';

export type Inspection =
  /**
   * `fresh`: every struct in it is new to the document (none overlaps what it has); `grows`: it adds content;
   * `deletes`: it carries deletions; `splits`: how many items of the document its deletions cut in two (each adds an
   * item to the encoded state: deleting every other character of a long title once grew a section tenfold).
   */
  | { ok: true; changes: boolean; fresh: boolean; grows: boolean; deletes: boolean; splits: number }
  | { ok: false; reason: 'malformed' | 'incomplete' | 'schema' | 'limit'; detail: string };

type Struct = Y.Item | Y.GC | Y.Skip;

/** Most delete ranges one update may carry (an honest one has a handful; one with 250,000 repeats padded the log). */
export const MAX_DELETE_RANGES = 20_000;
type DeleteSet = ReturnType<typeof Y.createDeleteSet>;

const fail = (reason: 'malformed' | 'incomplete' | 'schema' | 'limit', detail: string): Inspection => ({ ok: false, reason, detail });

/**
 * With `section`, the update must also keep to the section's schema ({@link structureProblem}) and to the pad's
 * limits ({@link limitProblem}).
 */
export function inspectUpdate(doc: Y.Doc, update: Uint8Array, section?: Section): Inspection {
  let structs: Struct[];
  let ds: DeleteSet;
  try {
    ({ structs, ds } = Y.decodeUpdate(update) as { structs: Struct[]; ds: DeleteSet });
  } catch {
    return fail('malformed', 'not a Yjs update');
  }
  // An empty V1 update is two bytes. More bytes that decode to nothing are something else: typically a V2 update
  // (its leading 0 reads as "no structs" in V1).
  if (structs.length === 0 && ds.clients.size === 0 && update.length > 2) {
    return fail('malformed', 'not a Yjs V1 update (V2 updates are not accepted)');
  }

  // Per client: where the update's run starts and ends (the encoder writes one contiguous run per client).
  const runs = new Map<number, { start: number; end: number; structs: Struct[] }>();
  for (const s of structs) {
    if (s instanceof Y.Skip) return fail('incomplete', 'update has gaps');
    const { client, clock } = s.id;
    if (!Number.isSafeInteger(clock) || clock < 0 || !Number.isSafeInteger(s.length) || s.length <= 0) {
      return fail('malformed', 'invalid struct clock');
    }
    const run = runs.get(client);
    if (!run) runs.set(client, { start: clock, end: clock + s.length, structs: [s] });
    else if (clock !== run.end) return fail('malformed', 'structs out of order');
    else {
      run.end = clock + s.length;
      run.structs.push(s);
    }
  }

  let changes = false;
  let fresh = true;
  for (const [client, run] of runs) {
    const known = Y.getState(doc.store, client);
    if (run.start > known) return fail('incomplete', 'update starts after what the document has');
    if (run.end > known) changes = true;
    if (run.start < known) fresh = false;
  }
  // so far, only structs the document lacks made it a change: it adds content
  const grows = changes;

  // Everything an Item references must exist in the document or in the update itself.
  const knownEnd = (client: number): number => Math.max(Y.getState(doc.store, client), runs.get(client)?.end ?? 0);
  const exists = (id: Y.ID): boolean => id.clock < knownEnd(id.client);
  const structInUpdate = (id: Y.ID): Struct | undefined => {
    const run = runs.get(id.client);
    if (!run || id.clock < run.start || id.clock >= run.end) return undefined;
    return run.structs[Y.findIndexSS(run.structs as Array<Y.Item | Y.GC>, id.clock)];
  };

  for (const s of structs) {
    if (!(s instanceof Y.Item)) continue;
    if (s.origin && !exists(s.origin)) return fail('incomplete', 'references an unknown left neighbour');
    if (s.rightOrigin && !exists(s.rightOrigin)) return fail('incomplete', 'references an unknown right neighbour');
    if (s.parent instanceof Y.ID) {
      if (!exists(s.parent)) return fail('incomplete', 'references an unknown parent');
      const parent = s.parent.clock < Y.getState(doc.store, s.parent.client) ? itemAt(doc, s.parent) : structInUpdate(s.parent);
      if (parent instanceof Y.Item && !(parent.content instanceof Y.ContentType)) {
        return fail('malformed', 'parent is not a shared type');
      }
    } else if (s.parent === null && s.origin === null && s.rightOrigin === null) {
      return fail('malformed', 'item has no position');
    }
  }

  // Yjs must be able to integrate the structs in some order: an item after the structs it references. A struct
  // referencing a later struct of its own client, or a cycle across clients, is never integrable (Yjs throws on the
  // first, keeps the second pending forever; one 26-byte cycle once made the schema check loop without end).
  const order = integrationProblem(structs, structInUpdate);
  if (order) return fail('malformed', order);

  const places = section ? new Map<Y.Item, KnownPlace>() : null;
  if (section) {
    const problem = structureProblem(doc, section, structs, structInUpdate, places!);
    if (problem) return fail('schema', problem);
  }

  let ranges = 0;
  for (const list of ds.clients.values()) ranges += list.length;
  if (ranges > MAX_DELETE_RANGES) return fail('malformed', `more than ${MAX_DELETE_RANGES} delete ranges in one update`);
  for (const [client, list] of ds.clients) {
    const end = knownEnd(client);
    for (const { clock, len } of list) {
      if (clock < 0 || len <= 0 || clock + len > end) return fail('incomplete', 'deletes unknown content');
    }
  }
  // Merged first: every look at the document below is then linear in what it holds, however the update repeats or
  // overlaps its ranges (20,000 copies of one range over 99,000 deleted items once held the process for 10 s, from a
  // read-only socket, since a deletion of what is deleted already changes nothing and is never refused).
  const deleted = mergedDeleteRanges(ds);
  let splits = 0;
  for (const [client, list] of deleted) {
    for (const [start, end] of list) {
      if (!changes && deletesSomethingNew(doc, client, start, end - start)) changes = true;
      splits += splitsOf(doc, client, start, end - start);
    }
  }
  if (places && changes) {
    const over = limitProblem(doc, structs, places, deleted);
    if (over) return fail('limit', over);
  }
  return { ok: true, changes, fresh, grows, deletes: ds.clients.size > 0, splits };
}

/** An update's deletions per client, as sorted, merged, disjoint [start, end) ranges. */
export type DeleteRanges = Map<number, Array<[number, number]>>;

export function mergedDeleteRanges(ds: DeleteSet): DeleteRanges {
  const out: DeleteRanges = new Map();
  for (const [client, list] of ds.clients) {
    const sorted = list.map(({ clock, len }): [number, number] => [clock, clock + len]).sort((a, b) => a[0] - b[0]);
    const merged: Array<[number, number]> = [];
    for (const r of sorted) {
      const last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    }
    out.set(client, merged);
  }
  return out;
}

/**
 * Null if the structs can be integrated in some order, else why not. Edges: an item to the structs of the update it
 * references (left and right neighbour, parent), and to the struct before it of its own client; a cycle, or a
 * reference to a later struct of its own client, cannot be integrated. Iterative (no recursion), linear.
 */
function integrationProblem(structs: Struct[], inUpdate: (id: Y.ID) => Struct | undefined): string | null {
  const index = new Map<Struct, number>();
  structs.forEach((s, i) => index.set(s, i));
  const edges: number[][] = structs.map(() => []);
  for (let i = 0; i < structs.length; i++) {
    const s = structs[i]!;
    if (i > 0 && structs[i - 1]!.id.client === s.id.client) edges[i]!.push(i - 1);
    if (!(s instanceof Y.Item)) continue;
    for (const ref of [s.origin, s.rightOrigin, s.parent instanceof Y.ID ? s.parent : null]) {
      if (!ref) continue;
      const target = inUpdate(ref);
      if (!target) continue;
      if (ref.client === s.id.client) {
        if (ref.clock >= s.id.clock) return 'references a later struct of its own client';
        continue; // an earlier struct of its own client: integrated before it anyway
      }
      edges[i]!.push(index.get(target)!);
    }
  }
  // white 0, grey 1 (on the current path), black 2
  const colour = new Uint8Array(structs.length);
  for (let root = 0; root < structs.length; root++) {
    if (colour[root] !== 0) continue;
    const stack: Array<[node: number, next: number]> = [[root, 0]];
    colour[root] = 1;
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const [node, next] = frame;
      const out = edges[node]!;
      if (next < out.length) {
        frame[1] = next + 1;
        const target = out[next]!;
        if (colour[target] === 1) return 'its structs reference each other in a cycle';
        if (colour[target] === 0) {
          colour[target] = 1;
          stack.push([target, 0]);
        }
      } else {
        colour[node] = 2;
        stack.pop();
      }
    }
  }
  return null;
}

/** How many items of the document deleting [clock, clock+len) of `client` cuts in two (0, 1 or 2). */
function splitsOf(doc: Y.Doc, client: number, clock: number, len: number): number {
  const structs = doc.store.clients.get(client);
  if (!structs) return 0;
  const known = Y.getState(doc.store, client);
  let splits = 0;
  for (const at of [clock, clock + len]) {
    if (at <= 0 || at >= known) continue;
    const s = structs[Y.findIndexSS(structs, at)]!;
    if (s.id.clock !== at && !(s instanceof Y.GC) && !s.deleted) splits++;
  }
  return splits;
}

function itemAt(doc: Y.Doc, id: Y.ID): Y.Item | Y.GC | undefined {
  const structs = doc.store.clients.get(id.client);
  if (!structs) return undefined;
  return structs[Y.findIndexSS(structs, id.clock)];
}

/** True if [clock, clock+len) of `client` covers content the document has and has not deleted, or does not have yet. */
function deletesSomethingNew(doc: Y.Doc, client: number, clock: number, len: number): boolean {
  const structs = doc.store.clients.get(client);
  const known = Y.getState(doc.store, client);
  if (clock + len > known) return true;
  if (!structs) return false;
  for (let i = Y.findIndexSS(structs, clock); i < structs.length; i++) {
    const s = structs[i]!;
    if (s.id.clock >= clock + len) break;
    if (!s.deleted) return true;
  }
  return false;
}
