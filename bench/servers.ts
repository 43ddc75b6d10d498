/** Starts each server under test in its own child process on loopback, and reads its CPU time and peak RSS. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT, removeDir, spawnServer, tempDataDir } from '../test/helpers/server.js';

export type ServerKind = 'cyclepad' | 'y-websocket-server' | 'hocuspocus' | 'relay' | 'durable-relay';
export const SERVER_KINDS: ServerKind[] = ['cyclepad', 'y-websocket-server', 'hocuspocus', 'relay'];

/** Reference servers run in S1 and S2 besides the four compared (unless `--servers` names the servers). */
export const REFERENCE_KINDS: ServerKind[] = ['durable-relay'];

/** Relays forward bytes without speaking the protocol: no sync answers, no state to load. */
export const isRelay = (kind: ServerKind): boolean => kind === 'relay' || kind === 'durable-relay';

export interface RunningPeer {
  kind: ServerKind;
  http: string;
  ws: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * cyclepad starts as `npm start` runs it (built server, SQLite on disk, durable commits), with the settings a
 * benchmark from one address needs: its abuse limits raised (connections per address: default 100; messages per
 * second per connection: default 2,000, which the burst scenario exceeds on purpose), and documents unloaded
 * 300 ms after their last client leaves (for the cold-load scenario).
 */
const CYCLEPAD_ENV = { MAX_CONNECTIONS_PER_ADDRESS: '10000', MAX_MESSAGES_PER_SECOND: '1000000', UNLOAD_DELAY_MS: '300', MAX_PADS_PER_HOUR: '100000' };

/** The node options `npm start` runs the server with (package.json `scripts.start`): the benchmark starts it the same way. */
export function startNodeOptions(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.trim().split(/\s+/);
  return words.slice(words.indexOf('node') + 1).filter((w) => w.startsWith('--'));
}

export async function startPeer(kind: ServerKind): Promise<RunningPeer> {
  if (kind === 'cyclepad') {
    const dataDir = tempDataDir();
    // BENCH_PROFILE_DIR=<dir>: cyclepad writes a CPU profile there (node --cpu-prof) when it stops
    const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE_DIR] : [];
    const server = await spawnServer(dataDir, CYCLEPAD_ENV, [...startNodeOptions(), ...profile]);
    return {
      kind,
      http: server.url,
      ws: server.url.replace(/^http/, 'ws'),
      pid: server.process.pid!,
      stop: async () => {
        server.process.kill('SIGTERM');
        await server.exited;
        removeDir(dataDir);
      },
    };
  }
  // the durable relay is the relay writing its log into a directory removed when it stops
  const logDir = kind === 'durable-relay' ? tempDataDir() : null;
  const script = path.join(ROOT, 'bench/peers', `${logDir ? 'relay' : kind}.mjs`);
  const child: ChildProcess = spawn(process.execPath, logDir ? [script, '--durable', logDir] : [script], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const m = /^LISTENING (\d+)/.exec(line);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code}`)));
  });
  return {
    kind,
    http: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGKILL');
      await exited;
      if (logDir) removeDir(logDir);
    },
  };
}

/** CPU seconds (user + system) and peak resident memory (MiB) of a process, from /proc. */
export function processStats(pid: number): { cpuSeconds: number; peakRssMiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuSeconds: ticks / 100, peakRssMiB: hwm ? Number(hwm[1]) / 1024 : Number.NaN };
}
