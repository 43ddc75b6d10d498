/**
 * `npm run bench`: every scenario, side by side, in one run; prints compact tables and writes
 * bench/results/latest.json. Options: `--only s1,s2,s3,s4,s5,browser`, `--servers cyclepad,relay,...`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, removeDir, spawnServer, startNodeOptions, tempDataDir } from '../test/helpers/server.js';
import { browserScenario, summarizeBrowser } from './browser.js';
import { round } from './stats.js';
import { REFERENCE_KINDS, SERVER_KINDS, startPeer, type ServerKind } from './servers.js';
import { S1, S2, S3, S4, S5, S6, type Measurement } from './scenarios.js';
import { etherpadModel } from './etherpad-model.js';
import { statusScenario } from './status.js';

const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const only = new Set((arg('--only') ?? 's1,s2,s3,s4,s5,browser,pg,s6,etherpad').split(','));
const kinds = (arg('--servers')?.split(',') as ServerKind[] | undefined) ?? SERVER_KINDS;
/** The durable relay (fdatasync before forwarding) shows what durability alone costs where latency is compared. */
const withReferences = arg('--servers') ? kinds : [...kinds, ...REFERENCE_KINDS];
const results: Record<string, unknown> = { startedAt: new Date().toISOString(), node: process.version, cores: 2 };
const started = Date.now();

type Row = Record<string, number | string>;

function table(title: string, rows: Record<string, Measurement | null>, pick: (m: Measurement) => Row): void {
  console.log(`\n${title}`);
  const relay = rows.relay;
  const out: Record<string, Row> = {};
  for (const [kind, m] of Object.entries(rows)) {
    if (!m) {
      out[kind] = { note: 'n/a' };
      continue;
    }
    out[kind] = Object.fromEntries(Object.entries(pick(m)).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v]));
    if (relay && kind !== 'relay' && Number.isFinite(m.p99)) out[kind]!['p99 / relay'] = round(m.p99 / relay.p99, 2);
  }
  console.table(out);
  const cp = rows.cyclepad;
  if (cp) {
    for (const [kind, m] of Object.entries(rows)) {
      if (kind === 'cyclepad' || !m) continue;
      console.log(`  cyclepad / ${kind}: p99 ${round(cp.p99 / m.p99, 2)}, delivered/s ${round(cp.deliveredPerSecond / m.deliveredPerSecond, 2)}, CPU ${round(cp.cpuSeconds / m.cpuSeconds, 2)}, peak RSS ${round(cp.peakRssMiB / m.peakRssMiB, 2)}`);
    }
  }
}

const latencyRow = (m: Measurement): Row => ({
  'p50 ms': m.p50,
  'p95 ms': m.p95,
  'p99 ms': m.p99,
  'max ms': m.max,
  'delivered/s': m.deliveredPerSecond,
  'CPU s': m.cpuSeconds,
  // main thread user/system + the other threads (V8's GC helpers, libuv's pool), where a single process was measured
  'CPU split s': m.extra?.cpuSplit ?? '',
  'peak RSS MiB': m.peakRssMiB,
});

async function perServer<T>(
  scenario: (peer: Awaited<ReturnType<typeof startPeer>>) => Promise<T>,
  servers: ServerKind[] = kinds,
): Promise<Record<string, T>> {
  const out: Record<string, T> = {};
  for (const kind of servers) {
    const peer = await startPeer(kind);
    try {
      out[kind] = await scenario(peer);
    } finally {
      await peer.stop();
    }
  }
  return out;
}

if (only.has('s1')) {
  const rows = await perServer(S1, withReferences);
  results.s1 = rows;
  table('S1 review day: 50 clients on one pad, 5 writers x 5 edits/s, presence, 20 s', rows, latencyRow);
}
if (only.has('s2')) {
  const rows = await perServer(S2, withReferences);
  results.s2 = rows;
  table('S2 burst: 20 clients, one writer sends 2,000 edits as fast as it can (median of 3 bursts)', rows, (m) => ({
    'all received ms': m.extra!.allReceivedMs!,
    'each burst ms': m.extra!.rounds!,
    'edits/s': m.extra!.editsPerSecond!,
    'p99 ms': m.p99,
    'CPU s': m.cpuSeconds,
    'peak RSS MiB': m.peakRssMiB,
  }));
}
if (only.has('s3')) {
  const rows = await perServer(S3);
  results.s3 = rows;
  table('S3 cold load: a pad with 20,000 past edits, time for a new client to be fully synced', rows, (m) => ({
    'median ms': m.p50,
    'max ms': m.max,
    'sync message bytes': m.extra!.syncMessageBytes!,
    'from disk': m.extra!.coldFromDisk!,
  }));
}
if (only.has('s4')) {
  const rows = await perServer(S4);
  results.s4 = rows;
  table('S4 many pads: 200 pads x 2 clients, 1 edit/s each, 15 s', rows, latencyRow);
}
if (only.has('s5')) {
  const out: Record<string, Awaited<ReturnType<typeof S5>>> = {};
  for (const kind of kinds) out[kind] = await S5(kind);
  results.s5 = out;
  console.log('\nS5 scale: clients on one pad (5 writers x 5 edits/s, presence); p99 ms per step; largest count with p99 < 100 ms');
  console.table(
    Object.fromEntries(
      Object.entries(out).map(([kind, r]) => [
        kind,
        { ...Object.fromEntries(r.steps.map((s) => [`${s.clients}`, round(s.p99)])), 'largest < 100 ms': r.largestUnder100ms },
      ]),
    ),
  );
}
if (only.has('pg')) {
  // the same scenarios with PostgreSQL storage, one process (no Redis)
  const s1 = await perServer(S1, ['cyclepad', 'cyclepad-pg', ...(kinds.includes('relay') ? (['durable-relay'] as ServerKind[]) : [])]);
  results.s1pg = s1;
  table('S1 review day, SQLite vs PostgreSQL storage (one process)', s1, latencyRow);
  const s4 = await perServer(S4, ['cyclepad', 'cyclepad-pg', ...(kinds.includes('y-websocket-server') ? (['y-websocket-server'] as ServerKind[]) : [])]);
  results.s4pg = s4;
  table('S4 many pads, SQLite vs PostgreSQL storage (one process)', s4, latencyRow);
}
if (only.has('s6')) {
  const rows = await S6();
  results.s6 = rows;
  table('S6 one pad over several processes (PostgreSQL + Redis): 50 clients spread, 5 writers x 5 edits/s, 15 s', rows, (m) => ({
    ...latencyRow(m),
    'CPU s per process': String(m.extra?.cpuPerProcess ?? m.cpuSeconds.toFixed(2)),
  }));
}
if (only.has('etherpad')) {
  const out: Record<string, Awaited<ReturnType<typeof etherpadModel>>> = {};
  // BENCH_ETHERPAD_PROCESSES=3 BENCH_ETHERPAD_STEPS=800,1000: one configuration, chosen steps (profiling, tuning)
  const processCounts = process.env.BENCH_ETHERPAD_PROCESSES?.split(',').map(Number) ?? [1, 3];
  const steps = process.env.BENCH_ETHERPAD_STEPS?.split(',').map(Number);
  for (const processes of processCounts) out[`${processes} process${processes > 1 ? 'es' : ''}`] = await etherpadModel(processes, steps);
  results.etherpad = out;
  console.log('\nEtherpad load model: N authors on one pad, 4 characters every 400 ms each; probe p95 ms per step (server CPU s per process; a newcomer\'s sync in ms); largest N with p95 < 100 ms');
  console.table(
    Object.fromEntries(
      Object.entries(out).map(([k, r]) => [
        k,
        { ...Object.fromEntries(r.steps.map((s) => [`${s.authors}`, `${round(s.p95)} (CPU ${s.cpuSeconds.map((c) => c.toFixed(1)).join('/')}; join ${round(s.joinMs)})`])), 'largest < 100 ms': r.largestUnder100ms },
      ]),
    ),
  );
}
if (only.has('status')) {
  // not in the default run: `npm run bench -- --only status`
  const r = await statusScenario();
  results.status = r;
  console.log(`\nLive review status: a pad of ${r.entries} entries linking ${r.changes} changes and ${r.bugs} bugs (fake Gerrit and Launchpad, STATUS_POLL_SECONDS=${r.intervalSeconds})`);
  console.table({
    'cold start': {
      'seconds until all': round(r.coldSeconds),
      'Gerrit requests': r.coldRequests.gerrit,
      'Launchpad requests': r.coldRequests.launchpad,
      'KiB received': round((r.coldBytes.gerrit + r.coldBytes.launchpad) / 1024),
      'server CPU s': round(r.coldCpuSeconds),
    },
    'one steady cycle': {
      'seconds until all': '',
      'Gerrit requests': r.cycleRequests.gerrit,
      'Launchpad requests': `${r.cycleRequests.launchpad} (${r.cycleRequests.launchpad304} x 304)`,
      'KiB received': round((r.cycleBytes.gerrit + r.cycleBytes.launchpad) / 1024),
      'server CPU s': round(r.cycleCpuSeconds),
    },
  });
  console.log(`  the connected editor got ${r.notices} status notices (${round(r.noticeBytes / 1024)} KiB); steady-cycle CPU is over the whole ${r.intervalSeconds} s interval`);
}
if (only.has('browser')) {
  const dataDir = tempDataDir();
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE_DIR] : [];
  const server = await spawnServer(dataDir, {}, [...startNodeOptions(), ...profile]);
  try {
    const summary = summarizeBrowser(await browserScenario(server.url, 500, Number(process.env.BENCH_LOADS ?? 5)));
    results.browser = summary;
    console.log('\nBrowser: 500-entry pad in headless Chromium (targets: first full render ≤ 350 ms median, filter and edit keystrokes < 16 ms median)');
    console.table({
      'first full render (ms)': { median: round(summary.firstRenderMedianMs), max: round(summary.firstRenderMaxMs) },
      'editor rendered (ms)': { median: round(summary.editorRenderMedianMs), max: round(summary.editorRenderMaxMs) },
      'filter keystroke (ms)': { median: round(summary.filterKeystrokeMedianMs), max: round(summary.filterKeystrokeMaxMs) },
      'edit keystroke (ms)': { median: round(summary.editKeystrokeMedianMs), max: round(summary.editKeystrokeMaxMs) },
    });
    console.log(`  the last entry was first shown by: ${summary.shownIn.join(', ')}`);
    const m = summary.mainThreadMs;
    console.log(`  main thread until rendered (medians): ${round(m.tasks)} ms in tasks: script ${round(m.script)}, style ${round(m.style)}, layout ${round(m.layout)}, other ${round(m.tasks - m.script - m.style - m.layout)}`);
  } finally {
    server.process.kill('SIGTERM');
    await server.exited;
    removeDir(dataDir);
  }
}

results.totalSeconds = (Date.now() - started) / 1000;
const out = path.join(ROOT, 'bench/results');
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwrote bench/results/latest.json (whole run: ${round(results.totalSeconds as number)} s)`);
process.exit(0);
