/**
 * Live review status with two built processes on PostgreSQL + Redis: one poller at a time (a lease), both serve
 * status.json from the shared cache, and a change seen by the poller reaches clients of the other process as a status
 * notice. The fakes count the requests: an item is asked once per interval, never once per process.
 * Needs `npm run build` (the processes run dist/server/main.js).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEntry, entriesOf } from '../../shared/schema.js';
import type { PadStatus, StatusNotice } from '../../shared/status.js';
import { createPad } from '../helpers/server.js';
import { connect, serverNotices } from '../helpers/clients.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { servicesProblem } from '../helpers/services.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { FakeGerrit, fakeChange } from '../helpers/fake-gerrit.js';
import { FakeLaunchpad } from '../helpers/fake-launchpad.js';

const skip = await servicesProblem('multi-process status tests');

const POLL_SECONDS = 2;

describe.skipIf(skip !== null)('two processes, one poller (PostgreSQL + Redis)', () => {
  const gerrit = new FakeGerrit();
  const launchpad = new FakeLaunchpad();
  let cluster: Cluster;
  beforeAll(async () => {
    await Promise.all([gerrit.start(), launchpad.start()]);
    gerrit.add(fakeChange(970001, { subject: 'Shared change' }), fakeChange(970002, { subject: 'Another' }));
    launchpad.addBug({ id: 2090001, title: 'Shared bug', tasks: [{ target: 'nova', status: 'Confirmed', importance: 'Low' }] });
    cluster = await startCluster(2, {
      STATUS_POLL_SECONDS: String(POLL_SECONDS),
      GERRIT_URL: gerrit.url,
      LAUNCHPAD_API_URL: launchpad.base,
    });
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
    await Promise.all([gerrit.stop(), launchpad.stop()]);
  });

  it('polls each item once per interval whichever process its clients are on, and tells clients of both', async () => {
    const [a, b] = cluster.servers as unknown as [{ url: string }, { url: string }];
    const pad = await createPad(a.url, 'status-cluster');
    const mirrorRef = new URL(pad.readOnlyUrl).pathname.split('/').pop()!;
    const onA = connect(a.url, pad.padId, 'proposed');
    const onB = connect(b.url, mirrorRef, 'proposed');
    const noticesA = serverNotices(onA.provider);
    const noticesB = serverNotices(onB.provider);
    await waitFor(() => onA.provider.synced && onB.provider.synced, 10_000, 'synced');
    entriesOf(onA.doc).push([
      createEntry({
        addedBy: 't',
        title: 'shared',
        launchpad: 'https://bugs.launchpad.net/nova/+bug/2090001',
        reviews: ['https://review.opendev.org/c/openstack/nova/+/970001', 'https://review.opendev.org/970002'],
      }),
    ]);
    const status = async (url: string, ref: string) => (await (await fetch(`${url}/api/pads/${ref}/status.json`)).json()) as PadStatus;
    await waitFor(async () => (await status(a.url, pad.padId)).changes['970001'] && (await status(b.url, mirrorRef)).bugs['2090001'], 15_000, 'status on both');
    const statusNotices = (seen: unknown[]) => (seen as StatusNotice[]).filter((n) => n.type === 'status');
    await waitFor(() => statusNotices(noticesB).some((n) => n.status.changes['970001']), 10_000, 'notice on the other process');

    // several intervals: the change is asked about once per interval (one poller), not once per process
    const start = Date.now();
    await sleep(POLL_SECONDS * 1000 * 3.5);
    const asked = gerrit.seen.filter((r) => new URL(r.path, 'http://x').searchParams.getAll('q').some((q) => q.includes('change:970001')));
    const times = asked.map((r) => r.at).sort((x, y) => x - y);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!, 'gap between two polls of one change').toBeGreaterThan(POLL_SECONDS * 1000 * 0.75);
    const during = times.filter((t) => t >= start).length;
    expect(during).toBeGreaterThanOrEqual(2);
    expect(during).toBeLessThanOrEqual(4);
    // both changes travel in one query
    expect(asked.every((r) => new URL(r.path, 'http://x').searchParams.getAll('q').some((q) => q.includes('change:970002')))).toBe(true);
    const bugEntries = launchpad.seen.filter((r) => r.path === '/devel/bugs/2090001').map((r) => r.at).sort((x, y) => x - y);
    for (let i = 1; i < bugEntries.length; i++) expect(bugEntries[i]! - bugEntries[i - 1]!).toBeGreaterThan(POLL_SECONDS * 1000 * 0.75);
    expect(launchpad.seen.filter((r) => r.path === '/devel/bugs/2090001' && r.status === 304).length).toBeGreaterThan(0);

    // Gerrit says merged: clients on both processes hear it
    gerrit.add(fakeChange(970001, { subject: 'Shared change', status: 'MERGED' }));
    const merged = (seen: unknown[]) => statusNotices(seen).some((n) => (n.status.changes['970001'] as { status?: string } | undefined)?.status === 'MERGED');
    await waitFor(() => merged(noticesA) && merged(noticesB), 15_000, 'merged on both processes');
    onA.provider.destroy();
    onB.provider.destroy();
  }, 60_000);
});
