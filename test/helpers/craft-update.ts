/**
 * Hand-encodes Yjs V1 updates (the format Yjs' own encoder writes: per client run, then the delete set), for updates
 * no honest Yjs client makes: reference cycles, forward references, padded delete sets.
 */
import * as encoding from 'lib0/encoding';

export interface CraftStruct {
  origin?: [client: number, clock: number];
  right?: [client: number, clock: number];
  /** Root type name (when neither neighbour is given). */
  parentKey?: string;
  parentId?: [client: number, clock: number];
  parentSub?: string;
  str?: string;
  any?: unknown[];
  /** Legacy JSON content (ContentJSON, which no current Yjs writes): each value as its JSON text. */
  json?: string[];
}

export function craftUpdate(
  runs: Array<{ client: number; clock: number; structs: CraftStruct[] }>,
  ds: Array<{ client: number; ranges: Array<[clock: number, len: number]> }> = [],
): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, runs.length);
  for (const r of runs) {
    encoding.writeVarUint(e, r.structs.length);
    encoding.writeVarUint(e, r.client);
    encoding.writeVarUint(e, r.clock);
    for (const s of r.structs) {
      const ref = s.str !== undefined ? 4 : s.json !== undefined ? 2 : 8;
      encoding.writeUint8(e, ref | (s.origin ? 0x80 : 0) | (s.right ? 0x40 : 0) | (s.parentSub ? 0x20 : 0));
      if (s.origin) {
        encoding.writeVarUint(e, s.origin[0]);
        encoding.writeVarUint(e, s.origin[1]);
      }
      if (s.right) {
        encoding.writeVarUint(e, s.right[0]);
        encoding.writeVarUint(e, s.right[1]);
      }
      if (!s.origin && !s.right) {
        if (s.parentKey !== undefined) {
          encoding.writeVarUint(e, 1);
          encoding.writeVarString(e, s.parentKey);
        } else {
          encoding.writeVarUint(e, 0);
          encoding.writeVarUint(e, s.parentId![0]);
          encoding.writeVarUint(e, s.parentId![1]);
        }
        if (s.parentSub) encoding.writeVarString(e, s.parentSub);
      }
      if (ref === 4) encoding.writeVarString(e, s.str!);
      else if (ref === 2) {
        encoding.writeVarUint(e, s.json!.length);
        for (const j of s.json!) encoding.writeVarString(e, j);
      } else {
        encoding.writeVarUint(e, s.any!.length);
        for (const a of s.any!) encoding.writeAny(e, a as never);
      }
    }
  }
  encoding.writeVarUint(e, ds.length);
  for (const { client, ranges } of ds) {
    encoding.writeVarUint(e, client);
    encoding.writeVarUint(e, ranges.length);
    for (const [clock, len] of ranges) {
      encoding.writeVarUint(e, clock);
      encoding.writeVarUint(e, len);
    }
  }
  return encoding.toUint8Array(e);
}
