import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { waitFor } from '../../test/helpers/wait.js';
import { memoryLimits } from './rate-limit.js';
import { HEAVY_READS_AT_ONCE, HEAVY_READS_PER_PAD, HEAVY_READS_WAITING, HeavyReads } from './heavy-reads.js';

/** An app whose heavy read waits until the test lets it finish, with a light route beside it. */
function app(perMinute = 1000) {
  const reads = new HeavyReads(perMinute, memoryLimits);
  const release: Array<() => void> = [];
  let running = 0;
  let mostAtOnce = 0;
  let made = 0;
  const a = new Hono();
  a.get('/light', (c) => c.text('ok'));
  a.get('/heavy/:pad', (c) =>
    reads.run(c, c.req.param('pad'), async () => {
      running++;
      made++;
      mostAtOnce = Math.max(mostAtOnce, running);
      await new Promise<void>((r) => release.push(r));
      running--;
      return c.json({ read: c.req.param('pad') });
    }),
  );
  // what @hono/node-server gives a handler: the request's socket (one address for every request here)
  const env = { incoming: { socket: { remoteAddress: '192.0.2.7', remotePort: 4000, remoteFamily: 'IPv4' } } };
  const request = (path: string, init: RequestInit = {}) => Promise.resolve(a.request(path, init, env));
  return { request, release, stats: () => ({ running, mostAtOnce, made }) };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('HeavyReads', () => {
  it(`runs ${HEAVY_READS_AT_ONCE} at a time, lets ${HEAVY_READS_WAITING} wait, and refuses the rest at once with a JSON 503`, async () => {
    const { request, release, stats } = app();
    const total = HEAVY_READS_AT_ONCE + HEAVY_READS_WAITING + 5;
    // over several pads (one pad's own cap is the next test's)
    let answered = 0;
    const answers = Array.from({ length: total }, (_, i) => request(`/heavy/p${i % 8}`).finally(() => answered++));
    // (waits, not sleeps: this machine may be busy) the refused are answered at once, the first reads start
    await waitFor(() => answered === 5 && stats().running === HEAVY_READS_AT_ONCE, 5000, 'the queue to fill');
    await settle();
    expect(stats().running).toBe(HEAVY_READS_AT_ONCE);
    // the light route is not queued behind them
    expect(await (await request('/light')).text()).toBe('ok');
    // release every read as it starts
    let done = 0;
    while (done < HEAVY_READS_AT_ONCE + HEAVY_READS_WAITING) {
      const r = release.shift();
      if (r) {
        r();
        done++;
      } else await settle();
    }
    const responses = await Promise.all(answers);
    expect(responses.filter((r) => r.status === 200)).toHaveLength(HEAVY_READS_AT_ONCE + HEAVY_READS_WAITING);
    const refused = responses.filter((r) => r.status === 503);
    expect(refused).toHaveLength(5);
    expect(refused[0]!.headers.get('retry-after')).toBe('1');
    expect(((await refused[0]!.json()) as { error: string }).error).toMatch(/busy/);
    expect(stats().mostAtOnce).toBe(HEAVY_READS_AT_ONCE);
  });

  it(`lets one pad have at most ${HEAVY_READS_PER_PAD} reads running or waiting: other pads' readers still get in`, async () => {
    const { request, release } = app();
    let answered = 0;
    const flood = Array.from({ length: HEAVY_READS_PER_PAD + 4 }, () => request('/heavy/flooded').finally(() => answered++));
    await waitFor(() => answered === 4, 5000, 'the reads past the pad\'s share to be refused');
    const other = request('/heavy/quiet');
    await settle();
    const auto = setInterval(() => release.splice(0).forEach((r) => r()), 5);
    try {
      const statuses = await Promise.all(flood.map(async (p) => (await p).status));
      expect(statuses.filter((s) => s === 200)).toHaveLength(HEAVY_READS_PER_PAD);
      expect(statuses.filter((s) => s === 503)).toHaveLength(4);
      expect((await other).status).toBe(200);
    } finally {
      clearInterval(auto);
    }
  });

  it('does not make a read whose client left while it waited', async () => {
    const { request, release, stats } = app();
    const held = Array.from({ length: HEAVY_READS_AT_ONCE }, (_, i) => request(`/heavy/h${i}`));
    await waitFor(() => release.length === HEAVY_READS_AT_ONCE, 5000, 'the first reads to start');
    const gone = new AbortController();
    const abandoned = request('/heavy/left', { signal: gone.signal });
    await settle();
    gone.abort();
    release.splice(0).forEach((r) => r());
    await Promise.all(held);
    expect((await abandoned).status).toBe(503);
    expect(stats().made).toBe(HEAVY_READS_AT_ONCE);
  });

  it('counts per pad: one pad read too often answers 429, another pad is still read', async () => {
    const { request, release } = app(2);
    const auto = setInterval(() => release.splice(0).forEach((r) => r()), 5);
    try {
      expect((await request('/heavy/one')).status).toBe(200);
      expect((await request('/heavy/one')).status).toBe(200);
      const limited = await request('/heavy/one');
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(((await limited.json()) as { error: string }).error).toMatch(/at most 2 per minute/);
      expect((await request('/heavy/two')).status).toBe(200);
    } finally {
      clearInterval(auto);
    }
  });

  it('a read refused because the server is busy costs its client nothing from its per-minute limit', async () => {
    // one pad (the limit is per pad and address), filled to its own cap of reads running or waiting
    const admitted = HEAVY_READS_PER_PAD;
    // exactly enough points for the reads admitted and two more; none left for reads refused as busy
    const { request, release, stats } = app(admitted + 2);
    const answers = Array.from({ length: admitted }, () => request('/heavy/q'));
    await waitFor(() => stats().running === HEAVY_READS_AT_ONCE && release.length === HEAVY_READS_AT_ONCE, 5000, 'the reads to start');
    const busy = await Promise.all(Array.from({ length: 5 }, () => request('/heavy/q')));
    expect(busy.map((r) => r.status)).toEqual([503, 503, 503, 503, 503]);
    const auto = setInterval(() => release.splice(0).forEach((r) => r()), 5);
    try {
      await Promise.all(answers);
      const later = [await request('/heavy/q'), await request('/heavy/q')];
      expect(later.map((r) => r.status)).toEqual([200, 200]);
      expect((await request('/heavy/q')).status).toBe(429);
    } finally {
      clearInterval(auto);
    }
  });

  it('starts each read on a turn of its own: timers and sockets are served between reads that block', async () => {
    const reads = new HeavyReads(1000, memoryLimits);
    const a = new Hono();
    let finished = 0;
    a.get('/blocking', (c) =>
      reads.run(c, 'p', async () => {
        const until = performance.now() + 15;
        while (performance.now() < until); // a read that holds the event loop (rendering a large pad does)
        finished++;
        return c.text('done');
      }),
    );
    const env = { incoming: { socket: { remoteAddress: '192.0.2.8', remotePort: 4000, remoteFamily: 'IPv4' } } };
    const answers = Array.from({ length: 12 }, () => a.request('/blocking', {}, env));
    const finishedWhenTimerRan = await new Promise<number>((r) => setTimeout(() => r(finished), 0));
    await Promise.all(answers);
    expect(finished).toBe(12);
    expect(finishedWhenTimerRan).toBeLessThanOrEqual(HEAVY_READS_AT_ONCE);
  });
});
