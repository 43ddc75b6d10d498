/**
 * The group commit across documents: every section document with queued updates at the end of an event-loop turn
 * is committed in one storage transaction (`Storage.append`), then each broadcasts its updates. A server with many
 * busy pads pays one durable commit per turn, not one per pad (in the benchmark's 200-pad scenario a quarter of the
 * turns had updates of two to nine documents, each paying its own fsync).
 *
 * One commit is in flight at a time: what is queued meanwhile goes into the next one, so a document's updates are
 * appended (and given sequence numbers) in the order they were accepted.
 */
import type { AppendBatch, AppendResult, DocumentLog } from '../storage/storage.js';
import type { SyncMetrics } from '../metrics.js';
import type { Pending } from './section-document.js';

/** What the group commit needs of a document. */
export interface CommitMember {
  readonly ref: AppendBatch['ref'];
  /** The pad's identity when the document was loaded (a pad deleted and made again under its name is another). */
  readonly incarnation: string;
  /** How many updates wait to be committed (received, not yet checked, included). */
  readonly queued: number;
  /** Takes the queued updates for a commit (checking and applying what was received first). */
  takePending(): Pending[];
  /** The updates were committed with these sequence numbers: broadcast and publish them. */
  committed(batch: Pending[], seqs: { firstSeq: number; lastSeq: number }): void;
  /** The transaction holding this document's updates failed: they are not stored. */
  commitFailed(err: unknown): void;
}

/** Told of documents whose pad was deleted (or deleted and made again) under them: nothing of theirs was written. */
export type PadGoneHandler = (member: CommitMember) => void;

export class GroupCommit {
  private readonly waiting = new Set<CommitMember>();
  private scheduled = false;
  private inflight: Promise<void> | null = null;
  /** True while a commit takes its documents' updates (before it is {@link inflight}). */
  private taking = false;
  private readonly inflightMembers = new Set<CommitMember>();

  constructor(
    private readonly log: Pick<DocumentLog, 'append'>,
    private readonly metrics?: SyncMetrics,
    private readonly onPadGone?: PadGoneHandler,
  ) {}

  /** `member` has queued updates: they are committed with every other document's at the end of this turn. */
  schedule(member: CommitMember): void {
    this.waiting.add(member);
    if (this.scheduled || this.inflight) return;
    this.scheduled = true;
    setImmediate(this.run);
  }

  /** Resolves once every update `member` has queued so far is committed (or failed): before answering a sync step 1. */
  async flush(member: CommitMember): Promise<void> {
    while (member.queued > 0 || this.inflightMembers.has(member)) {
      if (this.inflight) await this.inflight;
      else if (member.queued > 0) {
        this.waiting.add(member);
        await this.runNow();
      }
    }
  }

  /** Whether every update `member` has queued is committed: none queued, none in a commit in flight. */
  settled(member: CommitMember): boolean {
    return member.queued === 0 && !this.inflightMembers.has(member);
  }

  /** `member` is gone (unloaded or discarded): nothing of it is committed any more. */
  forget(member: CommitMember): void {
    this.waiting.delete(member);
  }

  /** Resolves when nothing is queued or in flight (shutdown). */
  async drain(): Promise<void> {
    while (this.inflight || this.waiting.size > 0) {
      if (this.inflight) await this.inflight;
      else await this.runNow();
    }
  }

  private run = (): void => {
    this.scheduled = false;
    void this.runNow();
  };

  private runNow(): Promise<void> {
    if (this.inflight) return this.inflight;
    // (a commit taking its documents' updates, which checks and applies what they received, is one in flight: a
    // flush asked from inside that must not start another commit within it)
    if (this.taking) return Promise.resolve();
    const members = [...this.waiting].filter((m) => m.queued > 0);
    this.waiting.clear();
    if (members.length === 0) return Promise.resolve();
    for (const m of members) this.inflightMembers.add(m);
    this.inflight = this.commit(members).finally(() => {
      for (const m of members) this.inflightMembers.delete(m);
      this.inflight = null;
      if (this.waiting.size > 0 && !this.scheduled) {
        this.scheduled = true;
        setImmediate(this.run);
      }
    });
    return this.inflight;
  }

  private async commit(members: CommitMember[]): Promise<void> {
    const started = performance.now();
    // (a document may find nothing to commit once it has checked what it received: every update refused, or the
    // document dropped as it applied them)
    let taken: Array<{ m: CommitMember; batch: Pending[] }>;
    this.taking = true;
    try {
      taken = members.map((m) => ({ m, batch: m.takePending() })).filter(({ batch }) => batch.length > 0);
    } finally {
      this.taking = false;
    }
    members = taken.map(({ m }) => m);
    const batches = taken.map(({ batch }) => batch);
    if (members.length === 0) return;
    let results: AppendResult[];
    try {
      results = await this.log.append(
        members.map((m, i) => ({ ref: m.ref, incarnation: m.incarnation, updates: batches[i]!.map((p) => p.record) })),
      );
    } catch (err) {
      for (const m of members) m.commitFailed(err);
      return;
    }
    this.metrics?.persisted((performance.now() - started) / 1000);
    members.forEach((m, i) => {
      const result = results[i]!;
      if ('gone' in result) this.onPadGone?.(m);
      else m.committed(batches[i]!, result);
    });
  }
}
