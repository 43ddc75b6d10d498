/** The server scenarios S1–S5, run against one server kind at a time (each in a fresh child process). */
import { createPad } from '../test/helpers/server.js';
import { sleep, waitFor } from '../test/helpers/wait.js';
import { BenchClient, Recorder, openClients, type Target } from './load.js';
import { cpuSplit, isCyclepad, isRelay, processStats, startCluster, startPeer, type CpuSplit, type RunningPeer, type ServerKind } from './servers.js';
import { percentile } from './stats.js';

export interface Measurement {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  samples: number;
  deliveredPerSecond: number;
  cpuSeconds: number;
  peakRssMiB: number;
  extra?: Record<string, number | string>;
}

async function rooms(peer: RunningPeer, names: string[]): Promise<void> {
  if (!isCyclepad(peer.kind)) return;
  for (const name of names) await createPad(peer.http, name);
}

/** The peer's process ids (several for a cluster). */
const pidsOf = (peer: RunningPeer) => peer.processes?.map((p) => p.pid) ?? [peer.pid];
const cpuOf = (peer: RunningPeer) => pidsOf(peer).map((pid) => processStats(pid).cpuSeconds);

function summarize(recorder: Recorder, seconds: number, peer: RunningPeer, cpuBefore: number | number[]): Measurement {
  const before = Array.isArray(cpuBefore) ? cpuBefore : [cpuBefore];
  const perProcess = cpuOf(peer).map((c, i) => c - (before[i] ?? 0));
  const stats = { cpuSeconds: perProcess.reduce((a, b) => a + b, 0), peakRssMiB: Math.max(...pidsOf(peer).map((pid) => processStats(pid).peakRssMiB)) };
  const l = recorder.latencies;
  return {
    p50: percentile(l, 50),
    p95: percentile(l, 95),
    p99: percentile(l, 99),
    max: l.length ? l.reduce((a, b) => Math.max(a, b), 0) : Number.NaN,
    samples: l.length,
    deliveredPerSecond: recorder.delivered / seconds,
    cpuSeconds: stats.cpuSeconds,
    peakRssMiB: stats.peakRssMiB,
    ...(perProcess.length > 1 ? { extra: { cpuPerProcess: perProcess.map((c) => c.toFixed(2)).join(' / ') } } : {}),
  };
}

/** Where a window's CPU went: "main thread user/system + other threads", in seconds. */
function describeSplit(before: CpuSplit, after: CpuSplit): string {
  const d = (k: keyof CpuSplit) => (after[k] - before[k]).toFixed(1);
  return `${d('mainUser')}/${d('mainSystem')} + ${d('otherThreads')}`;
}

/** Writers edit at `editsPerSecond`, writers' presence at 2/s, everyone else's every 15 s (y-protocols' renewal). */
function drive(clients: BenchClient[], writers: number, editsPerSecond: number): () => void {
  const timers: NodeJS.Timeout[] = [];
  clients.forEach((c, i) => {
    const isWriter = i < writers;
    const offset = Math.random() * 1000;
    timers.push(
      setTimeout(() => {
        if (isWriter) timers.push(setInterval(() => c.edit(), 1000 / editsPerSecond));
        timers.push(setInterval(() => c.presence(), isWriter ? 500 : 15_000));
        c.presence();
      }, offset),
    );
  });
  return () => timers.forEach((t) => clearInterval(t));
}

async function steadyLoad(
  peer: RunningPeer,
  opts: { clients: number; writers: number; editsPerSecond: number; seconds: number; rooms?: number },
): Promise<Measurement> {
  const bases = peer.processes?.map((p) => p.ws) ?? [peer.ws];
  const targetOf = (i: number): Target => ({ kind: peer.kind, base: bases[i % bases.length]! });
  const roomCount = opts.rooms ?? 1;
  const names = Array.from({ length: roomCount }, (_, i) => `bench-${Date.now()}-${i}`);
  await rooms(peer, names);
  const recorder = new Recorder();
  const perRoom = opts.clients / roomCount;
  const clients = await openClients(
    (i) => {
      const room = names[Math.floor(i / perRoom)]!;
      const inRoom = i % perRoom;
      return new BenchClient(targetOf(i), room, recorder, inRoom < opts.writers ? `w${i}` : null);
    },
    opts.clients,
  );
  const stop = drive(
    clients.filter((_, i) => i % perRoom < opts.writers).concat(clients.filter((_, i) => i % perRoom >= opts.writers)),
    roomCount * opts.writers,
    opts.editsPerSecond,
  );
  await sleep(1500); // warm-up, not recorded
  recorder.latencies = [];
  recorder.delivered = 0;
  const cpuBefore = cpuOf(peer);
  const splitBefore = peer.processes ? null : cpuSplit(peer.pid);
  await sleep(opts.seconds * 1000);
  recorder.recording = false;
  const m = summarize(recorder, opts.seconds, peer, cpuBefore);
  if (splitBefore) m.extra = { ...m.extra, cpuSplit: describeSplit(splitBefore, cpuSplit(peer.pid)) };
  stop();
  clients.forEach((c) => c.close());
  return m;
}

export const S1 = (peer: RunningPeer) => steadyLoad(peer, { clients: 50, writers: 5, editsPerSecond: 5, seconds: 20 });

export const S4 = (peer: RunningPeer) => steadyLoad(peer, { clients: 400, writers: 2, editsPerSecond: 1, seconds: 15, rooms: 200 });

/**
 * S2: one writer sends 2,000 edits as fast as it can to 19 receivers; time until every receiver has all of them
 * (the moment the last one arrived, not when a poll noticed). Three bursts on the same clients; the median counts.
 */
export async function S2(peer: RunningPeer): Promise<Measurement> {
  const BURST = 2000;
  const ROUNDS = 3;
  const target: Target = { kind: peer.kind, base: peer.ws };
  const room = `burst-${Date.now()}`;
  await rooms(peer, [room]);
  const recorder = new Recorder();
  const clients = await openClients((i) => new BenchClient(target, room, recorder, i === 0 ? 'writer' : null), 20);
  const receivers = clients.slice(1);
  const cpuBefore = processStats(peer.pid).cpuSeconds;
  const rounds: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const started = performance.now();
    for (let i = 0; i < BURST; i++) clients[0]!.edit();
    await waitFor(() => receivers.every((c) => c.receivedFrom.get('writer') === BURST * round), 120_000, `${peer.kind} burst`);
    rounds.push(Math.max(...receivers.map((c) => c.lastReceivedAt)) - started);
    await sleep(300);
  }
  const ms = percentile(rounds, 50);
  const m = summarize(recorder, (ms * ROUNDS) / 1000, peer, cpuBefore);
  clients.forEach((c) => c.close());
  return { ...m, extra: { allReceivedMs: ms, editsPerSecond: BURST / (ms / 1000), rounds: rounds.map((r) => Math.round(r)).join(' / ') } };
}

/** S3: a pad with 20,000 past edits; time for a new client to be fully synced. cyclepad's document is unloaded first. */
export async function S3(peer: RunningPeer): Promise<Measurement | null> {
  if (isRelay(peer.kind)) return null; // keeps no state to load
  const target: Target = { kind: peer.kind, base: peer.ws };
  const room = `cold-${Date.now()}`;
  await rooms(peer, [room]);
  const recorder = new Recorder();
  const writer = new BenchClient(target, room, recorder, 'seed');
  const checker = new BenchClient(target, room, recorder, null);
  await Promise.all([writer.ready, checker.ready]);
  for (let i = 0; i < 20_000; i += 500) {
    for (let j = 0; j < 500; j++) writer.edit();
    await sleep(5);
  }
  await waitFor(() => checker.receivedFrom.get('seed') === 20_000, 120_000, `${peer.kind} seeding`);
  checker.close();
  if (isCyclepad(peer.kind)) {
    writer.close();
  }
  const times: number[] = [];
  let bytes = 0;
  for (let round = 0; round < 5; round++) {
    if (isCyclepad(peer.kind)) await sleep(800); // past UNLOAD_DELAY_MS: the next load comes from disk
    const started = performance.now();
    const client = new BenchClient(target, room, recorder, null);
    await client.ready;
    times.push(performance.now() - started);
    bytes = client.syncedBytes;
    client.close();
  }
  if (!isCyclepad(peer.kind)) writer.close();
  const stats = processStats(peer.pid);
  return {
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    p99: percentile(times, 99),
    max: Math.max(...times),
    samples: times.length,
    deliveredPerSecond: Number.NaN,
    cpuSeconds: Number.NaN,
    peakRssMiB: stats.peakRssMiB,
    extra: { syncMessageBytes: bytes, coldFromDisk: isCyclepad(peer.kind) ? 'yes' : 'no (in memory)' },
  };
}

/** S5: clients on one pad stepped up; the largest count whose p99 stays under 100 ms. */
export async function S5(kind: ServerKind, steps = [100, 250, 500, 1000]): Promise<{ steps: Array<{ clients: number } & Measurement>; largestUnder100ms: number }> {
  const results: Array<{ clients: number } & Measurement> = [];
  let largest = 0;
  for (const n of steps) {
    const peer = await startPeer(kind);
    try {
      const m = await steadyLoad(peer, { clients: n, writers: 5, editsPerSecond: 5, seconds: 6 });
      results.push({ clients: n, ...m });
      if (m.p99 < 100 && m.samples > 0) largest = n;
      else break;
    } finally {
      await peer.stop();
    }
  }
  return { steps: results, largestUnder100ms: largest };
}

/**
 * S6: one pad, 50 clients (5 writers x 5 edits/s, presence) spread over 1, 2 and 3 cyclepad processes on PostgreSQL
 * and Redis; edit-to-receive across processes, deliveries per second, CPU per process.
 */
export async function S6(counts = [1, 2, 3]): Promise<Record<string, Measurement>> {
  const out: Record<string, Measurement> = {};
  for (const k of counts) {
    const peer = await startCluster(k);
    try {
      out[`${k} process${k > 1 ? 'es' : ''}`] = await steadyLoad(peer, { clients: 50, writers: 5, editsPerSecond: 5, seconds: 15 });
    } finally {
      await peer.stop();
    }
  }
  return out;
}
