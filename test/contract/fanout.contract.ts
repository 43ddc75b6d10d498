/**
 * The contract every {@link FanOut} keeps (see server/fanout/fanout.ts), run against each implementation by
 * fanout.test.ts. `open` makes a new instance each call: for a broker-backed implementation two instances stand for
 * two processes (`crossProcess: true`), and a message published by one reaches the other's subscribers.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { FanOut } from '../../server/fanout/fanout.js';

export interface FanOutContractOptions {
  /** Whether two instances from `open` reach each other (false for the in-process fan-out). */
  crossProcess: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Collects what a subscriber receives, and waits for it. */
function inbox() {
  const got: string[] = [];
  const waiters: Array<() => void> = [];
  return {
    got,
    handler: (m: string) => {
      got.push(m);
      for (const w of waiters.splice(0)) w();
    },
    async waitFor(n: number, timeoutMs = 3000): Promise<string[]> {
      const deadline = Date.now() + timeoutMs;
      while (got.length < n) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`received ${got.length} of ${n} messages: ${JSON.stringify(got)}`);
        await new Promise<void>((r) => {
          const t = setTimeout(r, left);
          waiters.push(() => {
            clearTimeout(t);
            r();
          });
        });
      }
      return got;
    },
  };
}

export function fanOutContract(name: string, open: () => Promise<FanOut>, options: FanOutContractOptions): void {
  describe(`FanOut contract: ${name}`, () => {
    const opened: FanOut[] = [];
    const make = async () => {
      const f = await open();
      opened.push(f);
      return f;
    };
    afterAll(async () => {
      for (const f of opened) await f.close();
    });
    const channel = (tag: string) => `cyclepad:test:${tag}:${randomBytes(6).toString('hex')}`;

    it('has a distinct processId per instance, a description, and is healthy', async () => {
      const [a, b] = [await make(), await make()];
      expect(a.processId).not.toBe(b.processId);
      expect(a.processId.length).toBeGreaterThan(0);
      expect(typeof a.description).toBe('string');
      expect(a.healthy).toBe(true);
    });

    it('delivers a message to every subscriber of the channel, this process included, and to no other channel', async () => {
      const a = await make();
      const ch = channel('every');
      const one = inbox();
      const two = inbox();
      const elsewhere = inbox();
      await a.subscribe(ch, one.handler);
      await a.subscribe(ch, two.handler);
      await a.subscribe(channel('other'), elsewhere.handler);
      await a.publish(ch, 'hello ✓ \u{1F600}');
      expect(await one.waitFor(1)).toEqual(['hello ✓ \u{1F600}']);
      expect(await two.waitFor(1)).toEqual(['hello ✓ \u{1F600}']);
      await sleep(50);
      expect(elsewhere.got).toEqual([]);
      expect(one.got).toHaveLength(1); // once per subscriber, not once per subscription of the process
    });

    it('keeps one publisher’s messages on a channel in order, large ones too', async () => {
      const a = await make();
      const ch = channel('order');
      const box = inbox();
      await a.subscribe(ch, box.handler);
      const big = 'x'.repeat(256 * 1024);
      const sent = Array.from({ length: 50 }, (_, i) => (i === 25 ? big : `m${i}`));
      for (const m of sent) await a.publish(ch, m);
      expect(await box.waitFor(sent.length)).toEqual(sent);
    });

    it('stops delivering to a subscription once unsubscribed, others on the channel still receive', async () => {
      const a = await make();
      const ch = channel('unsub');
      const gone = inbox();
      const stays = inbox();
      const sub = await a.subscribe(ch, gone.handler);
      await a.subscribe(ch, stays.handler);
      await a.publish(ch, 'one');
      await gone.waitFor(1);
      await sub.unsubscribe();
      await sub.unsubscribe(); // twice is harmless
      await a.publish(ch, 'two');
      expect(await stays.waitFor(2)).toEqual(['one', 'two']);
      await sleep(50);
      expect(gone.got).toEqual(['one']);

      // The last subscription gone, the channel can be subscribed again.
      const last = await a.subscribe(ch, gone.handler);
      await a.publish(ch, 'three');
      expect(await gone.waitFor(2)).toEqual(['one', 'three']);
      await last.unsubscribe();
    });

    it('has the subscription active when subscribe resolves: a message published right after is received', async () => {
      const subscriberSide = await make();
      const publisherSide = options.crossProcess ? await make() : subscriberSide;
      for (let i = 0; i < 20; i++) {
        const ch = channel(`active-${i}`);
        const box = inbox();
        await subscriberSide.subscribe(ch, box.handler);
        await publisherSide.publish(ch, `now-${i}`);
        expect(await box.waitFor(1)).toEqual([`now-${i}`]);
      }
    });

    it.skipIf(!options.crossProcess)('delivers across processes: every instance subscribed receives what one publishes', async () => {
      const [a, b, c] = [await make(), await make(), await make()];
      const ch = channel('cross');
      const boxes = [inbox(), inbox(), inbox()];
      await Promise.all([a, b, c].map((f, i) => f.subscribe(ch, boxes[i]!.handler)));
      await b.publish(ch, `from ${b.processId}`);
      await c.publish(ch, 'second');
      for (const box of boxes) expect(await box.waitFor(2)).toEqual([`from ${b.processId}`, 'second']);

      // One process unsubscribing does not stop delivery to the others.
      const only = inbox();
      const sub = await a.subscribe(ch, only.handler);
      await sub.unsubscribe();
      await c.publish(ch, 'third');
      for (const box of boxes) expect(await box.waitFor(3)).toEqual([`from ${b.processId}`, 'second', 'third']);
      await sleep(50);
      expect(only.got).toEqual([]);
    });
  });
}
