import { afterEach, describe, expect, it, vi } from 'vitest';
import { BroadcastPacer } from './broadcast-pacer.js';

describe('BroadcastPacer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends a lone update at the end of the turn, everything queued in the turn in one flush', async () => {
    const flushes: number[][] = [];
    const pacer = new BroadcastPacer<number>((items) => flushes.push(items));
    pacer.add([1]);
    pacer.add([2, 3]);
    expect(flushes).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushes).toEqual([[1, 2, 3]]);
  });

  it('past its rate, updates wait and go out together: flushes per second stay bounded however many updates come', () => {
    vi.useFakeTimers();
    let now = 0;
    const flushes: number[][] = [];
    const pacer = new BroadcastPacer<number>((items) => flushes.push(items), 30, 5, () => now);
    // one update every millisecond for a second: 1,000 updates
    for (let i = 0; i < 1000; i++) {
      pacer.add([i]);
      now += 1;
      vi.advanceTimersByTime(1);
    }
    vi.advanceTimersByTime(100);
    expect(flushes.flat()).toEqual(Array.from({ length: 1000 }, (_, i) => i)); // all of them, in order
    expect(flushes.length).toBeLessThanOrEqual(5 + 30 + 1);
    expect(flushes.length).toBeGreaterThanOrEqual(30);
  });

  it('a few updates a second go out at once, each in its own flush', () => {
    vi.useFakeTimers();
    let now = 0;
    const flushes: number[][] = [];
    const pacer = new BroadcastPacer<number>((items) => flushes.push(items), 30, 5, () => now);
    for (let i = 0; i < 20; i++) {
      pacer.add([i]);
      vi.advanceTimersByTime(0); // the end of the turn
      expect(flushes.at(-1)).toEqual([i]);
      now += 100;
      vi.advanceTimersByTime(100);
    }
    expect(flushes).toHaveLength(20);
  });

  it('closed: nothing queued goes out and nothing more is taken', async () => {
    const flushes: number[][] = [];
    const pacer = new BroadcastPacer<number>((items) => flushes.push(items));
    pacer.add([1]);
    pacer.close();
    pacer.add([2]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(flushes).toEqual([]);
    expect(pacer.waiting).toBe(0);
  });
});

describe('BroadcastPacer, asked to flush now', () => {
  it('flushes at once while the rate allows, then waits like any other', () => {
    vi.useFakeTimers();
    const pacer = new BroadcastPacer<number>((items) => flushes.push(items), 30, 2, () => Date.now());
    const flushes: number[][] = [];
    pacer.add([1], true);
    expect(flushes).toEqual([[1]]);
    pacer.add([2], true);
    expect(flushes).toEqual([[1], [2]]);
    // the burst is spent: the next waits for a token (1/30 s), and what comes meanwhile joins it
    pacer.add([3], true);
    pacer.add([4]);
    expect(flushes).toHaveLength(2);
    vi.advanceTimersByTime(40);
    expect(flushes).toEqual([[1], [2], [3, 4]]);
  });
});

describe('BroadcastPacer, fed a huge batch', () => {
  it('takes a commit of 300,000 updates (a spread of them overflowed the stack and ended the process)', async () => {
    const flushes: number[][] = [];
    const pacer = new BroadcastPacer<number>((items) => flushes.push(items));
    const batch = Array.from({ length: 300_000 }, (_, i) => i);
    expect(() => pacer.add(batch, true)).not.toThrow();
    expect(flushes.flat()).toHaveLength(300_000);
  });
});
