/**
 * Several server processes on one pad: PostgreSQL as the log, Redis as the fan-out. Real built processes, real
 * y-websocket clients, the machine's PostgreSQL and Redis (a schema and a key prefix of this run's own), reached
 * through proxies the tests cut to play the faults.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import pg from 'pg';
import { createEntry, entriesOf, sectionToJSON } from '../../shared/schema.js';
import { createPad } from '../helpers/server.js';
import { connect, connectSynced, serverNotices } from '../helpers/clients.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { servicesProblem, PG_URL } from '../helpers/services.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../helpers/server.js';

const skip = await servicesProblem('multi-process tests');

const titles = (doc: Y.Doc) => sectionToJSON(doc).map((e) => e.title).sort();

/** The titles PostgreSQL holds for a section: every logged update replayed (what survives any process). */
async function storedTitles(cluster: Cluster, padId: string, section: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT data FROM "${cluster.env.DATABASE_SCHEMA}".updates WHERE pad_id = $1 AND section = $2 ORDER BY seq`,
      [padId, section],
    );
    const doc = new Y.Doc();
    for (const r of rows as Array<{ data: Buffer }>) Y.applyUpdate(doc, new Uint8Array(r.data));
    return titles(doc);
  } finally {
    await client.end();
  }
}

async function admin(cluster: Cluster, ...args: string[]) {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/server/admin.js'), ...args], {
    env: { ...process.env, ...cluster.env, DATA_DIR: '/nonexistent-cyclepad-admin' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stdout, stderr };
}

describe.skipIf(skip !== null)('three processes on one pad (PostgreSQL + Redis)', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster(3);
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  const url = (i: number) => cluster.servers[i]!.url;

  it('clients on different processes converge, and every edit is in the database before anyone sees it', async () => {
    const { padId } = await createPad(url(0), 'mp-converge');
    const clients = await Promise.all([0, 1, 2].map((i) => connectSynced(url(i), padId, 'proposed')));
    // each observer checks, the moment an entry arrives, that PostgreSQL already has it
    const unstored: string[] = [];
    const pending: Array<Promise<void>> = [];
    clients.forEach((c) =>
      entriesOf(c.doc).observe((event) => {
        if (event.transaction.local) return;
        const arrived = [...event.changes.added]
          .flatMap((item) => item.content.getContent() as Array<Y.Map<unknown>>)
          .map((entry) => String(entry.get('title')));
        pending.push(
          storedTitles(cluster, padId, 'proposed').then((stored) => {
            for (const t of arrived) if (!stored.includes(t)) unstored.push(t);
          }),
        );
      }),
    );
    for (let round = 0; round < 5; round++) {
      clients.forEach((c, i) => entriesOf(c.doc).push([createEntry({ title: `p${i}-r${round}`, addedBy: `c${i}` })]));
      await sleep(20);
    }
    const expected = [0, 1, 2].flatMap((i) => Array.from({ length: 5 }, (_, r) => `p${i}-r${r}`)).sort();
    await waitFor(() => clients.every((c) => titles(c.doc).length === 15), 10_000, 'convergence');
    for (const c of clients) expect(titles(c.doc)).toEqual(expected);
    await Promise.all(pending);
    expect(unstored).toEqual([]);
    expect(await storedTitles(cluster, padId, 'proposed')).toEqual(expected);
    // a client joining on any process later gets everything
    const late = await connectSynced(url(2), padId, 'proposed');
    await waitFor(() => titles(late.doc).length === 15, 5000, 'late joiner');
    // the other processes applied what the others committed (told by the fan-out, or on a gap in their own
    // sequence numbers, whichever came first), and say so in /metrics
    const metrics = await (await fetch(`${url(1)}/metrics`)).text();
    expect(metrics).toMatch(/cyclepad_catchups_total\{reason="(fanout|gap|poll)"\} [1-9]/);
    expect(metrics).toMatch(/cyclepad_fanout_lag_seconds_count [1-9]/);
    for (const c of [...clients, late]) c.provider.destroy();
  });

  it('the same curator key, sign-in cookie and mirror link work on every process', async () => {
    const { padId, curatorKey, readOnlyUrl } = await createPad(url(0), 'mp-auth');
    const login = await fetch(`${url(1)}/api/pads/${padId}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: curatorKey }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const session = (await (await fetch(`${url(2)}/api/pads/${padId}/session`, { headers: { cookie } })).json()) as { role: string };
    expect(session.role).toBe('curator');
    const curator = await connectSynced(url(2), padId, 'ready', { params: { key: curatorKey } });
    entriesOf(curator.doc).push([createEntry({ title: 'ready on p2', addedBy: 'ptl', rank: 'a0' })]);
    const mirrorPath = new URL(readOnlyUrl).pathname;
    await waitFor(async () => (await (await fetch(`${url(0)}${mirrorPath}`)).text()).includes('ready on p2'), 5000, 'mirror on p0');
    const viewer = await connectSynced(url(1), mirrorPath.split('/').pop()!, 'ready');
    await waitFor(() => titles(viewer.doc).includes('ready on p2'), 5000, 'viewer on p1');
    curator.provider.destroy();
    viewer.provider.destroy();
  });

  it('the rate limits count once for all processes: a client spreading its requests over them gets each limit once; Redis away, each process still limits', async () => {
    const { padId, curatorKey } = await createPad(url(0), 'mp-limits');
    const signIn = (i: number, key: string) =>
      fetch(`${url(i)}/api/pads/${padId}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key }) });
    // 10 failed sign-ins per pad and address per minute, spread over the three processes
    const statuses = [];
    for (let i = 0; i < 12; i++) statuses.push((await signIn(i % 3, `wrong-${i}`)).status);
    expect(statuses).toEqual([...Array<number>(10).fill(401), 429, 429]);
    const refused = await signIn(2, 'wrong-again');
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await refused.json()) as { error: string }).error).toMatch(/too many failed sign-ins/);
    // the right key is checked first: never refused
    expect((await signIn(1, curatorKey)).status).toBe(200);

    const other = await createPad(url(1), 'mp-limits-redis-down');
    await cluster.redis.cut();
    try {
      // counted in each process's memory while Redis is away: answered at once, and still limited
      const down = [];
      for (let i = 0; i < 11; i++) {
        down.push((await fetch(`${url(2)}/api/pads/${other.padId}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: `w${i}` }) })).status);
      }
      expect(down).toEqual([...Array<number>(10).fill(401), 429]);
    } finally {
      await cluster.redis.restore();
    }
  });

  it('Redis frozen (connections open, nothing answered): the fan-out says it is down and clients converge through the database, the limits count in memory; both come back when Redis answers', async () => {
    const { padId } = await createPad(url(0), 'mp-limits-frozen');
    const ready = async (i: number) => (await (await fetch(`${url(i)}/readyz`)).json()) as { limits: string; fanoutHealthy: boolean };
    const limitsOf = async (i: number) => (await ready(i)).limits;
    // (an earlier test's outage may still be healing)
    await waitFor(async () => (await limitsOf(0)) === 'redis' && (await ready(1)).fanoutHealthy, 15_000, 'Redis in use');
    cluster.redis.freeze();
    try {
      // the watchdogs notice: a frozen connection looked "ready" to ioredis, and the fan-out called itself healthy
      await waitFor(async () => !(await ready(0)).fanoutHealthy && !(await ready(1)).fanoutHealthy, 8000, 'the fan-out to be seen down');
      // a pad opened now, on two processes: edits meet through the database
      const other = await createPad(url(0), 'mp-frozen-edits');
      const a = await connectSynced(url(0), other.padId, 'proposed');
      const b = await connectSynced(url(1), other.padId, 'proposed');
      entriesOf(a.doc).push([createEntry({ title: 'while redis is frozen', addedBy: 'a' })]);
      await waitFor(() => titles(b.doc).includes('while redis is frozen'), 8000, 'converged through the database');
      a.provider.destroy();
      b.provider.destroy();
      // the watchdog's ping times out: the connection is dropped and made again, and until Redis is ready on it
      // counts do not wait for it (a count that waited would take the command timeout each time)
      await waitFor(async () => (await limitsOf(0)) === 'memory', 8000, 'the limits to notice Redis is not answering');
      const statuses = [];
      for (let i = 0; i < 11; i++) {
        statuses.push((await fetch(`${url(0)}/api/pads/${padId}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: `f${i}` }) })).status);
      }
      expect(statuses).toEqual([...Array<number>(10).fill(401), 429]);
    } finally {
      cluster.redis.thaw();
    }
    await waitFor(async () => (await limitsOf(0)) === 'redis', 15_000, 'the limits to count in Redis again');
    await waitFor(async () => (await ready(0)).fanoutHealthy && (await ready(1)).fanoutHealthy, 15_000, 'the fan-out back');
  });

  it('history names people on every process by the name their presence showed on another', async () => {
    const { padId } = await createPad(url(0), 'mp-names');
    const alice = await connectSynced(url(2), padId, 'proposed');
    alice.provider.awareness.setLocalStateField('user', { name: 'Alice on p2' });
    entriesOf(alice.doc).push([createEntry({ title: 'named on p2', addedBy: 'alice' })]);
    type History = { revisions: Array<{ session: string; name?: string }> };
    let history: History = { revisions: [] };
    await waitFor(async () => {
      history = (await (await fetch(`${url(0)}/api/pads/${padId}/history?section=proposed`)).json()) as History;
      return history.revisions.some((r) => r.name === 'Alice on p2');
    }, 8000, 'the name in history read from another process');
    expect(history.revisions.find((r) => r.name === 'Alice on p2')!.session).toMatch(/^contributor:/);
    alice.provider.destroy();
  });

  it('revoking a key or signing out on one process demotes its sockets on every other at once', async () => {
    const { padId, curatorKey } = await createPad(url(0), 'mp-revoke');
    const made = await fetch(`${url(0)}/api/pads/${padId}/curators`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${curatorKey}` },
      body: JSON.stringify({ label: 'delegate' }),
    });
    const delegate = (await made.json()) as { id: string; key: string };
    const sockets = await Promise.all([1, 2].map((i) => connectSynced(url(i), padId, 'ready', { params: { key: delegate.key } })));
    const notices = sockets.map((s) => serverNotices(s.provider));
    const revoked = await fetch(`${url(0)}/api/pads/${padId}/curators/${delegate.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${curatorKey}` } });
    expect(revoked.status).toBe(200);
    // faster than the periodic re-check: through the fan-out
    await waitFor(() => notices.every((n) => n.some((m) => m.type === 'role' && m.role === 'contributor')), 1500, 'demoted everywhere');
    for (const s of sockets) s.provider.destroy();
  });

  it('two connections on two processes quarantined at the same moment: curators see both notices', async () => {
    const { padId, curatorKey } = await createPad(url(0), 'mp-guard');
    const seed = await connectSynced(url(0), padId, 'proposed');
    seed.doc.transact(() => entriesOf(seed.doc).push(Array.from({ length: 24 }, (_, i) => createEntry({ title: `Entry ${i}`, addedBy: 'seed' }))));
    const one = await connectSynced(url(0), padId, 'proposed');
    const two = await connectSynced(url(1), padId, 'proposed');
    await waitFor(() => entriesOf(one.doc).length === 24 && entriesOf(two.doc).length === 24, 5000, 'the entries everywhere');
    // each rewrites 12 entries' titles in one change (over the guard's 10): both are quarantined, each by its process
    const rewrite = (doc: Y.Doc, from: number) =>
      doc.transact(() => {
        for (let i = from; i < from + 12; i++) {
          const title = entriesOf(doc).get(i).get('title') as Y.Text;
          title.delete(0, title.length);
          title.insert(0, `Eintrag ${i}`);
        }
      });
    rewrite(one.doc, 0);
    rewrite(two.doc, 12);
    const sessions = async () =>
      ((await (await fetch(`${url(2)}/api/pads/${padId}/guard`, { headers: { authorization: `Bearer ${curatorKey}` } })).json()) as {
        notices: Array<{ session: string }>;
      }).notices.map((n) => n.session);
    await waitFor(async () => (await sessions()).length === 2, 5000, 'both notices').catch(async (err: unknown) => {
      throw new Error(`${String(err)}: ${JSON.stringify(await sessions())}`);
    });
    expect(new Set(await sessions()).size).toBe(2);
    for (const c of [seed, one, two]) c.provider.destroy();
  });

  it('a pad deleted with the admin command line is gone on every process', async () => {
    const { padId } = await createPad(url(0), 'mp-delete');
    const closes: number[] = [];
    const clients = await Promise.all([0, 1, 2].map((i) => connectSynced(url(i), padId, 'proposed')));
    for (const c of clients) c.provider.on('connection-close', (e: { code: number } | null) => closes.push(e?.code ?? 0));
    entriesOf(clients[0]!.doc).push([createEntry({ title: 'doomed', addedBy: 'x' })]);
    await waitFor(async () => (await storedTitles(cluster, padId, 'proposed')).length === 1);
    const result = await admin(cluster, 'delete', padId, '--yes');
    expect(result.code, result.stderr).toBe(0);
    await waitFor(() => closes.filter((c) => c === 4404).length >= 3, 5000, 'every process closed its sockets');
    for (const c of clients) c.provider.destroy();
    for (let i = 0; i < 3; i++) expect((await fetch(`${url(i)}/api/pads/${padId}/export.json`)).status).toBe(404);
  });

  it('Redis unreachable: every process keeps serving and clients on different processes converge through the database; Redis back, fan-out resumes', async () => {
    const { padId } = await createPad(url(0), 'mp-redis-down');
    const a = await connectSynced(url(0), padId, 'proposed');
    const b = await connectSynced(url(1), padId, 'proposed');
    await cluster.redis.cut();
    await waitFor(async () => ((await (await fetch(`${url(0)}/readyz`)).json()) as { fanoutHealthy: boolean }).fanoutHealthy === false, 5000, 'fan-out seen down');
    entriesOf(a.doc).push([createEntry({ title: 'while redis is down', addedBy: 'a' })]);
    const cutAt = Date.now();
    await waitFor(() => titles(b.doc).includes('while redis is down'), 8000, 'converged through the database');
    const convergedIn = Date.now() - cutAt;
    expect(convergedIn).toBeLessThan(5000);
    await cluster.redis.restore();
    await waitFor(async () => ((await (await fetch(`${url(1)}/readyz`)).json()) as { fanoutHealthy: boolean }).fanoutHealthy === true, 10_000, 'fan-out back');
    const started = Date.now();
    entriesOf(b.doc).push([createEntry({ title: 'after redis is back', addedBy: 'b' })]);
    await waitFor(() => titles(a.doc).includes('after redis is back'), 5000, 'fan-out again');
    // through the fan-out again: well under the database polling interval
    expect(Date.now() - started).toBeLessThan(1500);
    a.provider.destroy();
    b.provider.destroy();
  });

  it('a document first opened while Redis is away still hears the other processes: through the database, until Redis is back', async () => {
    const { padId } = await createPad(url(0), 'mp-opened-without-redis');
    await cluster.redis.cut();
    try {
      await waitFor(async () => ((await (await fetch(`${url(1)}/readyz`)).json()) as { fanoutHealthy: boolean }).fanoutHealthy === false, 5000, 'fan-out seen down');
      // both processes open the pad's document now, without a fan-out to subscribe to
      const a = await connectSynced(url(0), padId, 'proposed');
      const b = await connectSynced(url(1), padId, 'proposed');
      entriesOf(a.doc).push([createEntry({ title: 'opened without redis', addedBy: 'a' })]);
      await waitFor(() => titles(b.doc).includes('opened without redis'), 8000, 'converged through the database');
      a.provider.destroy();
      b.provider.destroy();
    } finally {
      await cluster.redis.restore();
    }
  });

  it('PostgreSQL unreachable: writes refused with a reason, nothing acknowledged lost, accepted again when it is back', async () => {
    const { padId } = await createPad(url(0), 'mp-pg-down');
    const a = await connectSynced(url(0), padId, 'proposed');
    const b = await connectSynced(url(1), padId, 'proposed');
    entriesOf(a.doc).push([createEntry({ title: 'before', addedBy: 'a' })]);
    await waitFor(() => titles(b.doc).includes('before'), 5000);
    const closes: Array<{ code: number; reason: string }> = [];
    a.provider.on('connection-close', (e: { code: number; reason: string } | null) => e && closes.push({ code: e.code, reason: e.reason }));
    await cluster.pg.cut();
    entriesOf(a.doc).push([createEntry({ title: 'while the database is down', addedBy: 'a' })]);
    await waitFor(() => closes.length > 0, 15_000, 'the writer told');
    expect(closes[0]!.code).toBe(1013);
    expect(closes[0]!.reason).toMatch(/storage/);
    // nobody else saw it: it was never acknowledged
    await sleep(300);
    expect(titles(b.doc)).not.toContain('while the database is down');
    const ready = await fetch(`${url(0)}/readyz`);
    expect(ready.status).toBe(503);
    await cluster.pg.restore();
    // the writer kept its edit and sends it again once the database takes writes
    await waitFor(() => titles(b.doc).includes('while the database is down'), 20_000, 'accepted after the database is back');
    expect(await storedTitles(cluster, padId, 'proposed')).toEqual(['before', 'while the database is down']);
    a.provider.destroy();
    b.provider.destroy();
  });

  it('a process SIGKILLed under load: its clients reconnect to another, and every update any client saw is stored', async () => {
    const { padId } = await createPad(url(0), 'mp-kill');
    const victim = cluster.servers[2]!;
    // writers on the victim; an observer on another process records what it saw
    const writers = [0, 1, 2].map(() => connect(victim.url, padId, 'proposed'));
    await waitFor(() => writers.every((w) => w.provider.synced), 5000);
    const observer = await connectSynced(url(0), padId, 'proposed');
    let n = 0;
    const timer = setInterval(() => {
      for (const w of writers) entriesOf(w.doc).push([createEntry({ title: `w${n++}`, addedBy: 'w' })]);
    }, 20);
    await sleep(1000);
    victim.process.kill('SIGKILL');
    await victim.exited;
    clearInterval(timer);
    const seen = titles(observer.doc);
    expect(seen.length).toBeGreaterThan(10);
    const stored = await storedTitles(cluster, padId, 'proposed');
    for (const t of seen) expect(stored).toContain(t);
    // its clients reconnect to another process (as a load balancer would send them) with what they had
    const moved = writers.map((w) => {
      w.provider.destroy();
      return connect(url(1), padId, 'proposed', { doc: w.doc });
    });
    await waitFor(() => moved.every((w) => w.provider.synced), 10_000, 'writers resynced elsewhere');
    await waitFor(() => titles(observer.doc).length === n, 10_000, 'every edit of every writer arrives');
    expect(await storedTitles(cluster, padId, 'proposed')).toHaveLength(n);
    for (const w of moved) w.provider.destroy();
    observer.provider.destroy();
    // a replacement process serves the pad
    const replacement = await cluster.spawn();
    const fresh = await connectSynced(replacement.url, padId, 'proposed');
    await waitFor(() => titles(fresh.doc).length === n, 5000);
    fresh.provider.destroy();
  });
});
