/**
 * The pad's live review status in the page: one store fed by the `status` server notices of both sections' sockets.
 * Each notice is MERGED per item (changes[n], bugs[n], blueprints["p/n"], topics[t]): an item's value replaces the
 * previous one, nothing is ever removed. An absent item has not been fetched yet; `{visible:false}` is "not visible";
 * `enabled:false` means the server never fetches. `status` is a new object after every merge (so a component given
 * it re-renders); a `change` event follows each merge.
 */
import { emptyStatus, type PadStatus } from '../../shared/status.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class StatusStore extends EventTarget {
  status: PadStatus = emptyStatus();
  /** Whether any notice came yet (before the first, nothing is known, not even whether status is on). */
  received = false;

  /** The server fetches live status and has sent some: what the page shows of it can be relied on. */
  get live(): boolean {
    return this.received && this.status.enabled;
  }

  /** The server said it never fetches live status (STATUS_POLL_SECONDS=0). */
  get off(): boolean {
    return this.received && !this.status.enabled;
  }

  merge(incoming: unknown): void {
    if (!isRecord(incoming)) return;
    const next: PadStatus = { ...this.status };
    for (const key of ['changes', 'bugs', 'blueprints', 'topics'] as const) {
      const items = incoming[key];
      if (isRecord(items)) next[key] = { ...this.status[key], ...(items as PadStatus[typeof key]) } as never;
    }
    if (typeof incoming.enabled === 'boolean') next.enabled = incoming.enabled;
    if (typeof incoming.fetchedAt === 'number') next.fetchedAt = this.status.fetchedAt === null ? incoming.fetchedAt : Math.min(this.status.fetchedAt, incoming.fetchedAt);
    this.status = next;
    this.received = true;
    this.dispatchEvent(new Event('change'));
  }
}
