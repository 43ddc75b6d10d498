/**
 * Live review status at the size of a busy cycle: one pad of 500 entries linking 900 Gerrit changes and 300 Launchpad
 * bugs, against the fake Gerrit and Launchpad (test/helpers), cyclepad as `npm start` runs it (a child process) with
 * STATUS_POLL_SECONDS=10. Measured: time from the entries being written until status.json has every item (cold
 * cache); requests and bytes of that first cycle and of a steady cycle (ETags: Launchpad answers 304); the server's
 * CPU seconds over one whole interval (ticks, polling, writing the cache, notices to one connected client).
 */
import * as Y from 'yjs';
import { createEntry, entriesOf } from '../shared/schema.js';
import type { PadStatus } from '../shared/status.js';
import { FakeGerrit, fakeAccount, fakeChange } from '../test/helpers/fake-gerrit.js';
import { FakeLaunchpad } from '../test/helpers/fake-launchpad.js';
import { createPad, removeDir, spawnServer, startNodeOptions, tempDataDir } from '../test/helpers/server.js';
import { connectSynced, serverNotices } from '../test/helpers/clients.js';
import { processStats } from './servers.js';

export interface StatusBench {
  entries: number;
  changes: number;
  bugs: number;
  coldSeconds: number;
  coldRequests: { gerrit: number; launchpad: number };
  coldBytes: { gerrit: number; launchpad: number };
  coldCpuSeconds: number;
  cycleRequests: { gerrit: number; launchpad: number; launchpad304: number };
  cycleBytes: { gerrit: number; launchpad: number };
  cycleCpuSeconds: number;
  intervalSeconds: number;
  /** Status notices the connected client got until every item had status, and their JSON bytes. */
  notices: number;
  noticeBytes: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function statusScenario(): Promise<StatusBench> {
  const ENTRIES = 500;
  const CHANGES = 900;
  const BUGS = 300;
  const INTERVAL = 10;
  const gerrit = new FakeGerrit();
  const launchpad = new FakeLaunchpad();
  await Promise.all([gerrit.start(), launchpad.start()]);
  const people = Array.from({ length: 50 }, (_, i) => `dev${i}`);
  for (const p of people) launchpad.addPerson(p, `Developer ${p}`);
  const cores = Array.from({ length: 8 }, (_, i) => fakeAccount(`core${i}`, `Core ${i}`));
  const zuul = fakeAccount('zuul', 'Zuul');
  for (let i = 0; i < CHANGES; i++) {
    gerrit.add(
      fakeChange(900000 + i, {
        subject: `Change number ${i} of the cycle`,
        status: i % 10 === 0 ? 'MERGED' : 'NEW',
        updated: `2025-01-${String(1 + (i % 28)).padStart(2, '0')} 10:00:00.000000000`,
        votes: {
          'Code-Review': i % 3 === 0 ? [{ account: cores[i % 8]!, value: 2 }, { account: cores[(i + 1) % 8]!, value: 1 }] : [],
          Verified: [{ account: zuul, value: i % 7 === 0 ? -1 : 1 }],
          Workflow: [],
        },
      }),
    );
  }
  for (let i = 0; i < BUGS; i++) {
    launchpad.addBug({
      id: 2000000 + i,
      title: `Bug ${i}: something fails`,
      tasks: [{ target: 'nova', status: i % 4 === 0 ? 'Fix Released' : 'In Progress', importance: 'Medium', assignee: people[i % people.length]!, milestone: '2025.1-epoxy-2' }],
    });
  }
  const dataDir = tempDataDir();
  const server = await spawnServer(
    dataDir,
    { STATUS_POLL_SECONDS: String(INTERVAL), GERRIT_URL: gerrit.url, LAUNCHPAD_API_URL: launchpad.base, LOG_LEVEL: 'info' },
    startNodeOptions(),
  );
  const pid = server.process.pid!;
  try {
    const pad = await createPad(server.url, 'status-bench');
    const client = await connectSynced(server.url, pad.padId, 'proposed');
    const notices = serverNotices(client.provider);
    // 500 entries: 300 with a bug; 900 changes spread over them (1 or 2 each)
    const entries: Y.Map<unknown>[] = [];
    let change = 0;
    for (let i = 0; i < ENTRIES; i++) {
      const reviews: string[] = [];
      const count = i < CHANGES - ENTRIES ? 2 : 1;
      for (let k = 0; k < count && change < CHANGES; k++) reviews.push(`https://review.opendev.org/c/openstack/nova/+/${900000 + change++}`);
      entries.push(createEntry({ addedBy: 'bench', title: `Entry ${i}`, launchpad: i < BUGS ? `https://bugs.launchpad.net/nova/+bug/${2000000 + i}` : '', reviews }));
    }
    const cpu0 = processStats(pid).cpuSeconds;
    const t0 = Date.now();
    client.doc.transact(() => entriesOf(client.doc).push(entries));
    const complete = (s: PadStatus) => Object.keys(s.changes).length === CHANGES && Object.keys(s.bugs).length === BUGS;
    for (;;) {
      const s = (await (await fetch(`${server.url}/api/pads/${pad.padId}/status.json`)).json()) as PadStatus;
      if (complete(s)) break;
      if (Date.now() - t0 > 120_000) throw new Error('status incomplete after 120 s');
      await sleep(100);
    }
    const coldSeconds = (Date.now() - t0) / 1000;
    await sleep(1500); // the people the bugs name arrive just after
    const coldCpuSeconds = processStats(pid).cpuSeconds - cpu0;
    const coldRequests = { gerrit: gerrit.requests, launchpad: launchpad.requests };
    const coldBytes = { gerrit: gerrit.bytes, launchpad: launchpad.bytes };

    // one whole interval of steady state
    gerrit.reset();
    launchpad.reset();
    const cpu1 = processStats(pid).cpuSeconds;
    await sleep(INTERVAL * 1000);
    // the cycle that started within the interval finishes
    let last = gerrit.requests + launchpad.requests;
    for (;;) {
      await sleep(1000);
      const now = gerrit.requests + launchpad.requests;
      if (now === last && now > 0) break;
      last = now;
    }
    const cycleCpuSeconds = processStats(pid).cpuSeconds - cpu1;
    client.provider.destroy();
    return {
      entries: ENTRIES,
      changes: CHANGES,
      bugs: BUGS,
      coldSeconds,
      coldRequests,
      coldBytes,
      coldCpuSeconds,
      cycleRequests: { gerrit: gerrit.requests, launchpad: launchpad.requests, launchpad304: launchpad.seen.filter((r) => r.status === 304).length },
      cycleBytes: { gerrit: gerrit.bytes, launchpad: launchpad.bytes },
      cycleCpuSeconds,
      intervalSeconds: INTERVAL,
      notices: notices.length,
      noticeBytes: notices.reduce((n, x) => n + JSON.stringify(x).length, 0),
    };
  } finally {
    server.process.kill('SIGTERM');
    await server.exited;
    removeDir(dataDir);
    await Promise.all([gerrit.stop(), launchpad.stop()]);
  }
}
