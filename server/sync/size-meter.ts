/**
 * How big a section document is, for its size limit, cheaply and truthfully:
 * - measuring (encoding the whole state) costs as much as loading, so between measurements the size is the last
 *   measurement plus every update logged since: an upper bound while content only grows;
 * - deletions shrink a document (its deleted content is garbage-collected), so once something was deleted the
 *   bound is stale: a write that the bound would refuse first re-measures (at most once per `measureEveryMs`), and
 *   a pad that was filled and then cleaned up (by a restore, or by deleting) takes writes again;
 * - a write that only deletes is never refused for size;
 * - a server-side change (import, restore) is measured exactly on a copy before it is applied.
 */
import * as Y from 'yjs';

export class SizeMeter {
  private measured: number;
  private since = 0;
  private deletedSince = true;
  private measuredAt = 0;

  constructor(
    private readonly doc: Y.Doc,
    readonly max: number,
    /** The size known at load (snapshot plus log): an upper bound until measured. */
    loaded: number,
    private readonly measureEveryMs = 1000,
  ) {
    this.measured = loaded;
  }

  /** The current upper bound. */
  get bytes(): number {
    return this.measured + this.since;
  }

  /** Encodes the state to measure it (the bound becomes exact). */
  measure(now = Date.now()): number {
    this.measured = Y.encodeStateAsUpdate(this.doc).byteLength;
    this.since = 0;
    this.deletedSince = false;
    this.measuredAt = now;
    return this.measured;
  }

  /** Whether a peer's update of `bytes`, which adds content if `grows`, keeps the document within its limit. */
  admits(bytes: number, grows: boolean, now = Date.now()): boolean {
    if (!grows || this.bytes + bytes <= this.max) return true;
    if (this.deletedSince && now - this.measuredAt >= this.measureEveryMs) this.measure(now);
    return this.bytes + bytes <= this.max;
  }

  /** The exact size the document would have with `update` applied (measured on a copy; the document is untouched). */
  projected(update: Uint8Array): number {
    const copy = new Y.Doc({ gc: true });
    try {
      Y.applyUpdate(copy, Y.encodeStateAsUpdate(this.doc));
      Y.applyUpdate(copy, update);
      return Y.encodeStateAsUpdate(copy).byteLength;
    } finally {
      copy.destroy();
    }
  }

  /** The exact size is known (a server-side change was measured on a copy before it was applied). */
  known(exact: number, now = Date.now()): void {
    this.measured = exact;
    this.since = 0;
    this.deletedSince = false;
    this.measuredAt = now;
  }

  /** An update of `bytes` was applied; `deleted` if it deleted anything. */
  grew(bytes: number, deleted: boolean): void {
    this.since += bytes;
    if (deleted) this.deletedSince = true;
  }
}
