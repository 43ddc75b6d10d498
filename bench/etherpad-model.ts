/**
 * The Etherpad load model (as Etherpad's own load tests measure it): N authors on one pad, each appending 4
 * characters every 400 ms, and a probe measuring edit-to-receive. Authors only write: they speak WebSocket over a
 * raw TCP socket and throw away what the server sends without parsing it (the server still sends it all), so the
 * load generator, which shares the machine's 2 cores with the servers, is not what saturates first. They run in a
 * worker thread (authors-worker.ts), the probe in this one: the probe's event loop is not the authors'.
 */
import { Worker } from 'node:worker_threads';
import { sleep } from '../test/helpers/wait.js';
import { createPad } from '../test/helpers/server.js';
import { BenchClient, Recorder } from './load.js';
import { percentile } from './stats.js';
import { processStats, startCluster, startPeer, type RunningPeer } from './servers.js';

export interface EtherpadStep {
  authors: number;
  p50: number;
  p95: number;
  p99: number;
  samples: number;
  /** Server CPU seconds per process over the measured window. */
  cpuSeconds: number[];
  /** How long a newcomer waited for its sync answer, joining halfway through the window (Infinity: not within it). */
  joinMs: number;
}

/** Steps the author count up; the largest count whose probe p95 stays under 100 ms. */
export async function etherpadModel(
  processes: number,
  steps = [200, 400, 600, 800, 1000, 1200, 1500],
  seconds = 10,
): Promise<{ processes: number; steps: EtherpadStep[]; largestUnder100ms: number }> {
  const results: EtherpadStep[] = [];
  let largest = 0;
  for (const n of steps) {
    const peer: RunningPeer = processes === 1 ? await startPeer('cyclepad') : await startCluster(processes);
    const bases = peer.processes?.map((p) => p.ws) ?? [peer.ws];
    const pids = peer.processes?.map((p) => p.pid) ?? [peer.pid];
    let authors: Worker | null = null;
    try {
      const room = `etherpad-${n}-${Date.now()}`;
      await createPad(peer.http, room);
      const worker = (authors = new Worker(new URL('./authors-worker.js', import.meta.url), { workerData: { bases, room, count: n, everyMs: 400 } }));
      await new Promise<void>((resolve, reject) => {
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`the authors' worker ended (${code}) before they were ready`)));
        worker.once('message', (m: unknown) => (m === 'ready' ? resolve() : reject(new Error(`authors: ${JSON.stringify(m)}`))));
      });
      // the probe: a writer on the first process, a reader on the last (across processes when there are several)
      const recorder = new Recorder();
      const probeWriter = new BenchClient({ kind: 'cyclepad', base: bases[0]! }, room, recorder, 'probe');
      const probeReader = new BenchClient({ kind: 'cyclepad', base: bases[bases.length - 1]! }, room, recorder, null);
      await Promise.all([probeWriter.ready, probeReader.ready]);
      worker.postMessage('start');
      let measuring = false;
      let sent = 0;
      const probe = setInterval(() => {
        probeWriter.edit();
        if (measuring) sent++;
      }, 200);
      await sleep(3000); // warm-up
      recorder.latencies = [];
      measuring = true;
      const cpuBefore = pids.map((pid) => processStats(pid).cpuSeconds);
      // halfway, a newcomer joins on the last process: how long until its sync answer arrives while everyone types
      await sleep((seconds * 1000) / 2);
      const joinStarted = performance.now();
      const newcomer = new BenchClient({ kind: 'cyclepad', base: bases[bases.length - 1]! }, room, new Recorder(), null, true);
      const joinMs = await Promise.race([newcomer.ready.then(() => performance.now() - joinStarted), sleep((seconds * 1000) / 2).then(() => Number.POSITIVE_INFINITY)]);
      newcomer.close();
      await sleep(Math.max(0, (seconds * 1000) / 2 - (performance.now() - joinStarted)));
      const cpu = pids.map((pid, i) => processStats(pid).cpuSeconds - cpuBefore[i]!);
      if (process.env.BENCH_METRICS) {
        // where the time goes, per process: commits (count, seconds), catch-ups by reason, fan-out lag, event-loop lag, GC
        for (const base of bases) {
          const text = await (await fetch(`${base.replace(/^ws/, 'http')}/metrics`)).text();
          const pick = text.split('\n').filter((l) => /^(cyclepad_(persist_seconds_(sum|count)|catchups_total|caught_up_rows_total|fanout_lag_seconds_(sum|count))|nodejs_eventloop_lag_(p50|p99|max)_seconds|nodejs_gc_duration_seconds_sum)/.test(l));
          console.log(`[${n} authors] ${base}\n  ${pick.join('\n  ')}`);
        }
      }
      measuring = false;
      clearInterval(probe);
      await sleep(1000); // what was sent last is still on its way
      const l = recorder.latencies;
      // edits the probe sent in the window that never arrived count as over the limit
      const missing = Math.max(0, sent - l.length);
      const all = [...l, ...Array.from({ length: missing }, () => Number.POSITIVE_INFINITY)];
      const step = { authors: n, p50: percentile(all, 50), p95: percentile(all, 95), p99: percentile(all, 99), samples: l.length, cpuSeconds: cpu, joinMs };
      results.push(step);
      probeWriter.close();
      probeReader.close();
      if (step.p95 < 100) largest = n;
      else break;
    } finally {
      if (authors) {
        const ended = new Promise((resolve) => authors!.once('exit', resolve));
        authors.postMessage('stop');
        await Promise.race([ended, sleep(5000).then(() => authors!.terminate())]);
      }
      await peer.stop();
    }
  }
  return { processes, steps: results, largestUnder100ms: largest };
}
