/**
 * The Etherpad load model (as Etherpad's own load tests measure it): N authors on one pad, each appending 4
 * characters every 400 ms, and a probe measuring edit-to-receive. Authors only write: they speak WebSocket over a
 * raw TCP socket and throw away what the server sends without parsing it (the server still sends it all), so the
 * load generator, which shares the machine's 2 cores with the servers, is not what saturates first.
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { createEntry, entriesOf } from '../shared/schema.js';
import { sleep } from '../test/helpers/wait.js';
import { createPad } from '../test/helpers/server.js';
import { BenchClient, Recorder } from './load.js';
import { percentile } from './stats.js';
import { processStats, startCluster, startPeer, type RunningPeer } from './servers.js';

/** A masked client frame (RFC 6455 §5.2) carrying one binary message. */
function wsFrame(payload: Uint8Array): Buffer {
  const mask = randomBytes(4);
  const len = payload.length;
  const header = len < 126 ? Buffer.from([0x82, 0x80 | len]) : len < 65536 ? Buffer.from([0x82, 0x80 | 126, len >> 8, len & 0xff]) : null;
  if (!header) throw new Error('author frames stay small');
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = payload[i]! ^ mask[i & 3]!;
  return Buffer.concat([header, mask, body]);
}

function updateMessage(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, 2);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

/** An author: its own entry, 4 characters appended every `everyMs`; reads nothing it is sent. */
class Author {
  private readonly socket: net.Socket;
  private readonly doc = new Y.Doc();
  private timer: NodeJS.Timeout | null = null;
  readonly ready: Promise<void>;
  private open = false;

  constructor(wsBase: string, room: string) {
    const url = new URL(`${wsBase}/sync/${room}/proposed`);
    this.socket = net.connect(Number(url.port), url.hostname);
    this.socket.setNoDelay(true);
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.once('connect', () => {
        this.socket.write(
          `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
      let head = '';
      const onData = (chunk: Buffer) => {
        head += chunk.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        this.socket.off('data', onData);
        if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(head.split('\r\n')[0]));
        this.open = true;
        // everything after the handshake is read and dropped, unparsed
        this.socket.on('data', () => undefined);
        resolve();
      };
      this.socket.on('data', onData);
    });
    this.socket.on('error', () => undefined);
    this.doc.on('update', (update: Uint8Array) => {
      if (this.open && !this.socket.destroyed) this.socket.write(wsFrame(updateMessage(update)));
    });
  }

  start(everyMs: number): void {
    entriesOf(this.doc).push([createEntry({ title: '', addedBy: 'author' })]);
    const title = entriesOf(this.doc).get(0).get('title') as Y.Text;
    this.timer = setTimeout(() => {
      this.timer = setInterval(() => title.insert(title.length, 'abcd'), everyMs);
    }, Math.random() * everyMs);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.socket.destroy();
    this.doc.destroy();
  }
}

export interface EtherpadStep {
  authors: number;
  p50: number;
  p95: number;
  p99: number;
  samples: number;
  /** Server CPU seconds per process over the measured window. */
  cpuSeconds: number[];
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
    const authors: Author[] = [];
    try {
      const room = `etherpad-${n}-${Date.now()}`;
      await createPad(peer.http, room);
      for (let i = 0; i < n; i += 50) {
        const batch = Array.from({ length: Math.min(50, n - i) }, (_, j) => new Author(bases[(i + j) % bases.length]!, room));
        await Promise.all(batch.map((a) => a.ready));
        authors.push(...batch);
      }
      // the probe: a writer on the first process, a reader on the last (across processes when there are several)
      const recorder = new Recorder();
      const probeWriter = new BenchClient({ kind: 'cyclepad', base: bases[0]! }, room, recorder, 'probe');
      const probeReader = new BenchClient({ kind: 'cyclepad', base: bases[bases.length - 1]! }, room, recorder, null);
      await Promise.all([probeWriter.ready, probeReader.ready]);
      for (const a of authors) a.start(400);
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
      await sleep(seconds * 1000);
      const cpu = pids.map((pid, i) => processStats(pid).cpuSeconds - cpuBefore[i]!);
      if (process.env.BENCH_METRICS) {
        // where the time goes, per process: commits (count, seconds), catch-ups by reason, fan-out lag
        for (const base of bases) {
          const text = await (await fetch(`${base.replace(/^ws/, 'http')}/metrics`)).text();
          const pick = text.split('\n').filter((l) => /^cyclepad_(persist_seconds_(sum|count)|catchups_total|caught_up_rows_total|fanout_lag_seconds_(sum|count))/.test(l));
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
      const step = { authors: n, p50: percentile(all, 50), p95: percentile(all, 95), p99: percentile(all, 99), samples: l.length, cpuSeconds: cpu };
      results.push(step);
      probeWriter.close();
      probeReader.close();
      if (step.p95 < 100) largest = n;
      else break;
    } finally {
      for (const a of authors) a.close();
      await peer.stop();
    }
  }
  return { processes, steps: results, largestUnder100ms: largest };
}
