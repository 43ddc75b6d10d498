/**
 * Looks at an incoming Yjs update (V1) before anything applies it: is it well-formed, can it be integrated now
 * (nothing it references is missing, so nothing would stay pending), and does it carry anything the document
 * does not already have? Updates from clients are hostile until this says otherwise.
 */
import * as Y from 'yjs';
import type { Section } from '../../shared/schema.js';
import { structureProblem } from './update-structure.js';

export type Inspection =
  /**
   * `fresh`: every struct in it is new to the document (none overlaps what it has); `grows`: it adds content;
   * `deletes`: it carries deletions.
   */
  | { ok: true; changes: boolean; fresh: boolean; grows: boolean; deletes: boolean }
  | { ok: false; reason: 'malformed' | 'incomplete' | 'schema'; detail: string };

type Struct = Y.Item | Y.GC | Y.Skip;
type DeleteSet = ReturnType<typeof Y.createDeleteSet>;

const fail = (reason: 'malformed' | 'incomplete' | 'schema', detail: string): Inspection => ({ ok: false, reason, detail });

/** With `section`, the update must also keep to the section's schema ({@link structureProblem}). */
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

  if (section) {
    const problem = structureProblem(doc, section, structs, structInUpdate);
    if (problem) return fail('schema', problem);
  }

  for (const [client, ranges] of ds.clients) {
    const end = knownEnd(client);
    for (const { clock, len } of ranges) {
      if (clock < 0 || len <= 0 || clock + len > end) return fail('incomplete', 'deletes unknown content');
      if (!changes && deletesSomethingNew(doc, client, clock, len)) changes = true;
    }
  }
  return { ok: true, changes, fresh, grows, deletes: ds.clients.size > 0 };
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
