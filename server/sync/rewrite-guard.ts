/**
 * The server's guard against page-translation rewrites: per connection, a sliding window of the entries whose text
 * it rewrote (deleted and re-inserted). A connection that rewrites more than `maxEntries` distinct entries within
 * `windowMs` is quarantined: its further writes are refused, and a notice tells the curators, who can undo the
 * burst in one action.
 */
import type { GuardNoticeData } from '../../shared/presence.js';
export interface GuardOptions {
  maxEntries: number;
  windowMs: number;
}

/** A quarantine notice, as curators' pages get it (shared/presence.ts declares it for server and page). */
export type GuardNotice = GuardNoticeData;

export class RewriteWindow {
  private readonly events: Array<{ at: number; ids: Set<string> }> = [];

  constructor(private readonly options: GuardOptions) {}

  /** Records a transaction's rewritten entries; returns the distinct entries in the window if over the limit. */
  record(ids: Set<string>, now: number): { entries: string[]; from: number } | null {
    if (ids.size === 0) return null;
    this.events.push({ at: now, ids });
    while (this.events.length > 0 && this.events[0]!.at < now - this.options.windowMs) this.events.shift();
    const distinct = new Set<string>();
    for (const e of this.events) for (const id of e.ids) distinct.add(id);
    return distinct.size > this.options.maxEntries ? { entries: [...distinct], from: this.events[0]!.at } : null;
  }
}
