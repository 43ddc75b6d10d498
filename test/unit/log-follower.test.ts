/**
 * A document's place in the log across processes (server/sync/log-follower.ts), with a log and a fan-out that the
 * test controls: the fan-out loses what the test says, and every read of the log is counted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { GAP_GRACE_MS, LogFollower } from '../../server/sync/log-follower.js';
import type { FanOut } from '../../server/fanout/fanout.js';
import type { StoredUpdate } from '../../server/storage/store.js';
import { sleep, waitFor } from '../helpers/wait.js';

const ref = { padId: 'p', section: 'proposed' as const };

function setup(options: { failingSubscribes?: number } = {}) {
  let failingSubscribes = options.failingSubscribes ?? 0;
  const log: StoredUpdate[] = [];
  let reads = 0;
  const applied: number[] = [];
  /** Each call of applyRemote: the rows it was given (one transaction each in the document). */
  const calls: number[][] = [];
  /** Set to make the next applyRemote throw (a row that does not apply). */
  const failing = { next: false };
  let deliver: ((m: string) => void) | null = null;
  const fanout: FanOut = {
    processId: 'here',
    description: 'test',
    crossProcess: true,
    healthy: true,
    publish: async () => undefined,
    subscribe: async (_channel, onMessage) => {
      if (failingSubscribes > 0) {
        failingSubscribes--;
        throw new Error('subscriber connection is down');
      }
      deliver = onMessage;
      return { unsubscribe: async () => undefined };
    },
    onReconnect: () => undefined,
    close: async () => undefined,
  };
  const follower = new LogFollower({
    ref,
    store: {
      readLog: async (_ref, after = 0, limit = 1000) => {
        reads++;
        return log.filter((r) => r.seq > after).slice(0, limit);
      },
    },
    fanout,
    log: pino({ level: 'silent' }),
    applyRemote: (rows) => {
      if (failing.next) {
        failing.next = false;
        throw new Error('does not apply');
      }
      calls.push(rows.map((data) => data[0]!));
      applied.push(...rows.map((data) => data[0]!));
    },
    applyRemotePresence: () => undefined,
    hasPeers: () => true,
  });
  /** Another process commits row `seq`; its message reaches this one unless `lost`. */
  const commitElsewhere = (seq: number, lost = false) => {
    log.push({ seq, data: new Uint8Array([seq]), role: 'contributor', session: 's', at: Date.now() });
    const message = JSON.stringify({ t: 'commit', from: 'there', seq, first: seq, rows: [{ data: Buffer.from([seq]).toString('base64'), at: Date.now() }] });
    if (!lost) deliver!(message);
  };
  /** The fan-out delivers (late) the message of row `seq`, already in the log. */
  const deliverRow = (seq: number) =>
    deliver!(JSON.stringify({ t: 'commit', from: 'there', seq, first: seq, rows: [{ data: Buffer.from([seq]).toString('base64'), at: Date.now() }] }));
  return { follower, commitElsewhere, deliverRow, applied, calls, failing, reads: () => reads, log };
}

const followers: LogFollower[] = [];
afterEach(() => followers.splice(0).forEach((f) => f.close()));

describe('following the log across processes', () => {
  it('a lost commit message shows as a gap at the next one; rows after it are applied at once, the lost one read from the log after the grace', async () => {
    const t = setup();
    followers.push(t.follower);
    await t.follower.subscribe();
    t.commitElsewhere(1);
    t.commitElsewhere(2, true);
    expect(t.applied).toEqual([1]);
    t.commitElsewhere(3);
    // 3 is shown at once (Yjs holds it until what it needs arrives); the position stays before the gap
    expect(t.applied).toEqual([1, 3]);
    expect(t.follower.seq).toBe(1);
    expect(t.reads()).toBe(0);
    await waitFor(() => t.applied.length === 3, 2000, 'the gap to be read');
    expect(t.applied).toEqual([1, 3, 2]);
    expect(t.follower.seq).toBe(3);
    expect(t.reads()).toBe(1);
  });

  it('a gap the fan-out fills within the grace reads nothing: commits arriving out of order, or after this process\'s own', async () => {
    const t = setup();
    followers.push(t.follower);
    await t.follower.subscribe();
    // another process's commit 2 arrives before its commit 1
    t.log.push({ seq: 1, data: new Uint8Array([1]), role: 'contributor', session: 's', at: Date.now() });
    t.commitElsewhere(2);
    expect(t.follower.seq).toBe(0);
    await sleep(GAP_GRACE_MS / 4);
    t.deliverRow(1);
    expect(t.applied).toEqual([2, 1]);
    expect(t.follower.seq).toBe(2);
    // this process commits row 4 while row 3 (another's) is on its way
    t.log.push({ seq: 3, data: new Uint8Array([3]), role: 'contributor', session: 's', at: Date.now() });
    t.log.push({ seq: 4, data: new Uint8Array([4]), role: 'contributor', session: 's', at: Date.now() });
    t.follower.committed([{ data: new Uint8Array([4]), at: Date.now() }], { firstSeq: 4, lastSeq: 4 });
    expect(t.follower.seq).toBe(2);
    await sleep(GAP_GRACE_MS / 4);
    t.deliverRow(3);
    expect(t.follower.seq).toBe(4);
    await sleep(GAP_GRACE_MS * 1.5);
    expect(t.reads()).toBe(0);
    // this process's own row is never applied again
    expect(t.applied).toEqual([2, 1, 3]);
  });

  it('a row this process committed after a gap is skipped when the log fills the gap', async () => {
    const t = setup();
    followers.push(t.follower);
    await t.follower.subscribe();
    t.commitElsewhere(1, true);
    t.log.push({ seq: 2, data: new Uint8Array([2]), role: 'contributor', session: 's', at: Date.now() });
    t.follower.committed([{ data: new Uint8Array([2]), at: Date.now() }], { firstSeq: 2, lastSeq: 2 });
    await waitFor(() => t.follower.seq === 2, 2000, 'the gap to be read after the grace');
    expect(t.applied).toEqual([1]);
    expect(t.reads()).toBe(1);
  });

  it('the last message before a silence, lost, is read by the poll once nothing has been heard for a while', async () => {
    const t = setup();
    followers.push(t.follower);
    await t.follower.subscribe();
    t.follower.startPolling(150);
    t.commitElsewhere(1);
    t.commitElsewhere(2, true);
    await waitFor(() => t.applied.length === 2, 2000, 'the poll to read the lost row');
    expect(t.applied).toEqual([1, 2]);
  });

  it('while commits are heard of, the poll reads nothing (the fan-out carries the rows)', async () => {
    const t = setup();
    followers.push(t.follower);
    await t.follower.subscribe();
    t.follower.startPolling(100);
    for (let seq = 1; seq <= 12; seq++) {
      t.commitElsewhere(seq);
      await sleep(40);
    }
    expect(t.applied).toEqual([...Array(12).keys()].map((i) => i + 1));
    expect(t.reads()).toBe(0);
    // and once quiet, polls resume (finding nothing new)
    await waitFor(() => t.reads() > 0, 2000, 'a poll after the silence');
    expect(t.applied.length).toBe(12);
  });

  it('rows read from the log are applied as one batch per page, in order', async () => {
    const t = setup();
    followers.push(t.follower);
    await t.follower.subscribe();
    for (let seq = 1; seq <= 5; seq++) t.commitElsewhere(seq, true); // all lost: only the log has them
    await t.follower.now('poll');
    expect(t.calls).toEqual([[1, 2, 3, 4, 5]]);
    expect(t.follower.seq).toBe(5);
  });

  it('a batch that does not apply leaves the position where it was: the rows are read and applied again, not skipped', async () => {
    const t = setup();
    followers.push(t.follower);
    await t.follower.subscribe();
    t.commitElsewhere(1);
    t.commitElsewhere(2, true);
    t.commitElsewhere(3, true);
    t.failing.next = true;
    await t.follower.now('poll').catch(() => undefined);
    expect(t.follower.seq).toBe(1);
    expect(t.applied).toEqual([1]);
    await t.follower.now('poll');
    expect(t.applied).toEqual([1, 2, 3]);
    expect(t.follower.seq).toBe(3);
  });

  it('a fanned-out commit that does not apply is read from the log instead, and its position moves only then', async () => {
    const t = setup();
    followers.push(t.follower);
    await t.follower.subscribe();
    t.commitElsewhere(1);
    t.failing.next = true;
    t.commitElsewhere(2);
    expect(t.follower.seq).toBe(1);
    await waitFor(() => t.follower.seq === 2, 2000, 'the log to be read after the failed inline apply');
    expect(t.applied).toEqual([1, 2]);
  });

  it('a document that could not subscribe (the fan-out was reconnecting) subscribes at the next poll and reads what it missed', async () => {
    const t = setup({ failingSubscribes: 1 });
    followers.push(t.follower);
    expect(await t.follower.subscribe()).toBe(false);
    t.commitElsewhere(1, true); // nobody to deliver it to yet
    t.follower.startPolling(100);
    await waitFor(() => t.applied.length === 1, 2000, 'the missed row to be read once subscribed');
    t.commitElsewhere(2); // delivered by the fan-out now
    expect(t.applied).toEqual([1, 2]);
  });
});
