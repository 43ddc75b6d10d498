/**
 * A document's place in the log across processes (server/sync/log-follower.ts), with a log and a fan-out that the
 * test controls: the fan-out loses what the test says, and every read of the log is counted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { LogFollower } from '../../server/sync/log-follower.js';
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
  return { follower, commitElsewhere, applied, calls, failing, reads: () => reads, log };
}

const followers: LogFollower[] = [];
afterEach(() => followers.splice(0).forEach((f) => f.close()));

describe('following the log across processes', () => {
  it('a lost commit message shows as a gap at the next one, which reads the log', async () => {
    const t = setup();
    followers.push(t.follower);
    await t.follower.subscribe();
    t.commitElsewhere(1);
    t.commitElsewhere(2, true);
    expect(t.applied).toEqual([1]);
    t.commitElsewhere(3);
    await waitFor(() => t.applied.length === 3, 2000, 'the gap to be read');
    expect(t.applied).toEqual([1, 2, 3]);
    expect(t.follower.seq).toBe(3);
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
