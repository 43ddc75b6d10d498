/**
 * The group commit across documents: every section document with queued updates at the end of an event-loop turn
 * is committed in one storage transaction, then each broadcasts its updates. A server with many busy pads pays one
 * durable commit per turn, not one per pad (in the benchmark's 200-pad scenario a quarter of the turns had updates
 * of two to nine documents, each paying its own fsync).
 */
import type { PadStore } from '../storage/store.js';
import type { SyncMetrics } from '../metrics.js';
import type { Pending } from './section-document.js';

/** What the group commit needs of a document. */
export interface CommitMember {
  readonly ref: { padId: string };
  /** The pad's identity when the document was loaded (a pad deleted and made again under its name is another). */
  readonly incarnation: string;
  /** How many updates wait to be committed. */
  readonly queued: number;
  /** Appends the queued updates to the log, inside the caller's transaction; returns them for {@link broadcast}. */
  commit(): Pending[];
  /** Sends committed updates to the peers. */
  broadcast(batch: Pending[]): void;
  /** The transaction holding this document's updates failed: they are not stored. */
  commitFailed(err: unknown): void;
}

/** Told of documents whose pad was deleted (or deleted and made again) under them: nothing of theirs was written. */
export type PadGoneHandler = (member: CommitMember) => void;

export class GroupCommit {
  private readonly waiting = new Set<CommitMember>();
  private scheduled = false;

  constructor(
    private readonly store: Pick<PadStore, 'transaction' | 'getPad'>,
    private readonly metrics?: SyncMetrics,
    private readonly onPadGone?: PadGoneHandler,
  ) {}

  /** `member` has queued updates: they are committed with every other document's at the end of this turn. */
  schedule(member: CommitMember): void {
    this.waiting.add(member);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.run);
  }

  /** Commits `member`'s queued updates now (say, before answering a peer's sync step 1), then broadcasts them. */
  commitNow(member: CommitMember): void {
    this.waiting.delete(member);
    this.commit([member]);
  }

  /** `member` is gone (unloaded or discarded): nothing of it is committed any more. */
  forget(member: CommitMember): void {
    this.waiting.delete(member);
  }

  private run = (): void => {
    this.scheduled = false;
    const members = [...this.waiting];
    this.waiting.clear();
    this.commit(members);
  };

  private commit(candidates: CommitMember[]): void {
    const members = candidates.filter((m) => m.queued > 0);
    if (members.length === 0) return;
    const started = performance.now();
    let batches: Pending[][];
    const gone: CommitMember[] = [];
    try {
      // Inside the transaction, so no deletion (by this process, the admin command line or another) slips between
      // the check and the append: a deleted pad is never written to again.
      batches = this.store.transaction(() =>
        members.map((m) => {
          if (this.store.getPad(m.ref.padId)?.readOnlyNonce !== m.incarnation) {
            gone.push(m);
            return [];
          }
          return m.commit();
        }),
      );
    } catch (err) {
      for (const m of members) m.commitFailed(err);
      return;
    }
    this.metrics?.persisted((performance.now() - started) / 1000);
    members.forEach((m, i) => {
      if (!gone.includes(m)) m.broadcast(batches[i]!);
    });
    for (const m of gone) this.onPadGone?.(m);
  }
}
