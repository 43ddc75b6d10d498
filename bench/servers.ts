/** Starts each server under test in its own child process on loopback, and reads its CPU time and peak RSS. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT, removeDir, spawnServer, startNodeOptions, tempDataDir } from '../test/helpers/server.js';

export type ServerKind = 'cyclepad' | 'cyclepad-pg' | 'cyclepad-cluster' | 'y-websocket-server' | 'hocuspocus' | 'relay' | 'durable-relay';

/** cyclepad on any storage (they speak the same protocol and need their pads made). */
export const isCyclepad = (kind: ServerKind): boolean => kind.startsWith('cyclepad');
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
  /** Several processes (cyclepad-cluster): each one's ws base and pid; clients are spread over them. */
  processes?: Array<{ ws: string; pid: number }>;
  stop(): Promise<void>;
}

/**
 * cyclepad starts as `npm start` runs it (built server, SQLite on disk, durable commits), with the settings a
 * benchmark from one address needs: its abuse limits raised (connections per address: default 100; messages per
 * second per connection: default 2,000, which the burst scenario exceeds on purpose; bytes written per address and
 * hour: default 64 MiB), and documents unloaded
 * 300 ms after their last client leaves (for the cold-load scenario).
 */
const CYCLEPAD_ENV = { MAX_CONNECTIONS_PER_ADDRESS: '10000', MAX_MESSAGES_PER_SECOND: '1000000', MAX_BYTES_PER_SECOND: '1000000000', UNLOAD_DELAY_MS: '300', MAX_PADS_PER_HOUR: '100000', MAX_WRITE_BYTES_PER_HOUR: '100000000000' };

/** A fresh PostgreSQL schema for one benchmark server, dropped when it stops. */
async function pgSchema(): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  const { freshSchema, PG_URL } = await import('../test/helpers/services.js');
  const schema = freshSchema('bench');
  return { env: { DATABASE_URL: PG_URL, DATABASE_SCHEMA: schema.schema }, drop: schema.drop };
}

/**
 * `processes` cyclepad processes on one PostgreSQL schema and one Redis prefix (started as `npm start` runs them),
 * for the multi-process scenarios.
 */
export async function startCluster(processes: number): Promise<RunningPeer> {
  const { REDIS_URL } = await import('../test/helpers/services.js');
  const pg = await pgSchema();
  const env = { ...CYCLEPAD_ENV, ...pg.env, REDIS_URL, REDIS_PREFIX: `bench:${process.pid}:${Date.now()}:` };
  const dirs: string[] = [];
  const start = async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    // BENCH_PROFILE_DIR=<dir>: each process writes a CPU profile there when it stops
    const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE_DIR] : [];
    // BENCH_NODE_ARGS='--trace-gc ...': more node options for the servers measured (diagnosis)
    profile.push(...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []));
    return spawnServer(dir, env, [...startNodeOptions(), ...profile]);
  };
  const servers = [await start()];
  servers.push(...(await Promise.all(Array.from({ length: processes - 1 }, start))));
  return {
    kind: 'cyclepad-cluster',
    http: servers[0]!.url,
    ws: servers[0]!.url.replace(/^http/, 'ws'),
    pid: servers[0]!.process.pid!,
    processes: servers.map((s) => ({ ws: s.url.replace(/^http/, 'ws'), pid: s.process.pid! })),
    stop: async () => {
      for (const s of servers) s.process.kill('SIGTERM');
      await Promise.all(servers.map((s) => s.exited));
      for (const d of dirs) removeDir(d);
      await pg.drop().catch(() => undefined);
    },
  };
}

export async function startPeer(kind: ServerKind): Promise<RunningPeer> {
  if (kind === 'cyclepad-cluster') return startCluster(3);
  if (kind === 'cyclepad' || kind === 'cyclepad-pg') {
    const dataDir = tempDataDir();
    const pg = kind === 'cyclepad-pg' ? await pgSchema() : null;
    // BENCH_PROFILE_DIR=<dir>: cyclepad writes a CPU profile there (node --cpu-prof) when it stops
    const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE_DIR] : [];
    // BENCH_NODE_ARGS='--trace-gc ...': more node options for the servers measured (diagnosis)
    profile.push(...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []));
    const server = await spawnServer(dataDir, { ...CYCLEPAD_ENV, ...pg?.env }, [...startNodeOptions(), ...profile]);
    return {
      kind,
      http: server.url,
      ws: server.url.replace(/^http/, 'ws'),
      pid: server.process.pid!,
      stop: async () => {
        server.process.kill('SIGTERM');
        await server.exited;
        removeDir(dataDir);
        await pg?.drop().catch(() => undefined);
      },
    };
  }
  // the durable relay is the relay writing its log into a directory removed when it stops
  const logDir = kind === 'durable-relay' ? tempDataDir() : null;
  const script = path.join(ROOT, 'bench/peers', `${logDir ? 'relay' : kind}.mjs`);
  // BENCH_PROFILE_DIR profiles the servers compared too (the same cost breakdown, beside cyclepad's)
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE_DIR] : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, script, ...(logDir ? ['--durable', logDir] : [])], {
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
      // SIGINT when profiling: the peer scripts exit on it, and node writes the profile on exit
      child.kill(profile.length > 0 ? 'SIGINT' : 'SIGKILL');
      await exited;
      if (logDir) removeDir(logDir);
    },
  };
}

/** User and system CPU seconds from a /proc `stat` line (a process's or one thread's): utime and stime, in ticks of 1/100 s. */
function cpuOfStat(stat: string): { user: number; system: number } {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
}

/** CPU seconds (user + system) and peak resident memory (MiB) of a process, from /proc. */
export function processStats(pid: number): { cpuSeconds: number; peakRssMiB: number } {
  const { user, system } = cpuOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuSeconds: user + system, peakRssMiB: hwm ? Number(hwm[1]) / 1024 : Number.NaN };
}

/** CPU seconds so far of a process's main thread (user, system) and of all its other threads (V8's GC helpers, libuv's pool). */
export interface CpuSplit {
  mainUser: number;
  mainSystem: number;
  otherThreads: number;
}

export function cpuSplit(pid: number): CpuSplit {
  const split: CpuSplit = { mainUser: 0, mainSystem: 0, otherThreads: 0 };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    const { user, system } = cpuOfStat(stat);
    if (Number(tid) === pid) Object.assign(split, { mainUser: user, mainSystem: system });
    else split.otherThreads += user + system;
  }
  return split;
}
