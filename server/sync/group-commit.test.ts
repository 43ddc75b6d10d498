import { describe, expect, it } from 'vitest';
import { GroupCommit, type CommitMember } from './group-commit.js';
import type { AppendBatch, AppendResult } from '../storage/storage.js';
import type { Pending } from './section-document.js';

/** A log in memory: each batch's rows get the document's next sequence numbers; the calls are kept. */
function memoryLog() {
  const heads = new Map<string, number>();
  const calls: AppendBatch[][] = [];
  return {
    calls,
    async append(batches: AppendBatch[]): Promise<AppendResult[]> {
      calls.push(batches);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return batches.map((b) => {
        const key = `${b.ref.padId}/${b.ref.section}`;
        const firstSeq = (heads.get(key) ?? 0) + 1;
        const lastSeq = firstSeq + b.updates.length - 1;
        heads.set(key, lastSeq);
        return { firstSeq, lastSeq };
      });
    },
  };
}

/** A document whose updates are received first and checked when the commit takes them (as SectionDocument's are). */
function member(padId: string, onTake?: () => void) {
  const received: string[] = [];
  let pending: Pending[] = [];
  const commits: Array<{ sessions: string[]; firstSeq: number; lastSeq: number }> = [];
  return {
    ref: { padId, section: 'proposed' as const },
    incarnation: 'i',
    commits,
    get queued() {
      return received.length + pending.length;
    },
    receive(session: string) {
      received.push(session);
    },
    takePending(): Pending[] {
      for (const session of received.splice(0)) pending.push({ record: { data: new Uint8Array([0, 0]), role: 'contributor', session, at: 0 }, origin: null });
      onTake?.();
      const batch = pending;
      pending = [];
      return batch;
    },
    committed(batch: Pending[], seqs: { firstSeq: number; lastSeq: number }) {
      commits.push({ sessions: batch.map((p) => p.record.session), ...seqs });
    },
    commitFailed() {},
  } satisfies CommitMember & Record<string, unknown>;
}

describe('GroupCommit', () => {
  it('takes what a document received when the commit starts, and commits documents with nothing left to commit not at all', async () => {
    const log = memoryLog();
    const group = new GroupCommit(log);
    const a = member('a');
    const b = member('b');
    a.receive('a1');
    a.receive('a2');
    group.schedule(a);
    group.schedule(b); // (nothing received: every update refused, say)
    await group.flush(a);
    expect(log.calls).toHaveLength(1);
    expect(log.calls[0]!.map((batch) => batch.ref.padId)).toEqual(['a']);
    expect(a.commits).toEqual([{ sessions: ['a1', 'a2'], firstSeq: 1, lastSeq: 2 }]);
  });

  it('a flush asked while a commit takes its documents\' updates starts no commit inside it: rows keep the order they were taken in', async () => {
    const log = memoryLog();
    const group = new GroupCommit(log);
    let flushed: Promise<void> | null = null;
    const b = member('shared');
    // taking a's updates flushes b (as unloading a document from inside an update's check would)
    const a = member('shared', () => {
      b.receive('b1');
      flushed ??= group.flush(b);
    });
    a.receive('a1');
    group.schedule(a);
    await group.flush(a);
    await flushed;
    // one commit for a, then b's in its own: a nested commit inside the first would have taken b1 first
    expect(log.calls.map((c) => c.map((batch) => batch.updates.map((u) => u.session)))).toEqual([[['a1']], [['b1']]]);
    expect(b.commits).toEqual([{ sessions: ['b1'], firstSeq: 2, lastSeq: 2 }]);
  });
});
