import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { startServer, type RunningServer, type ServerParts } from '../../server/server.js';
import type { Config } from '../../server/config.js';

/** The repository root (this file also runs built, from dist/test/helpers, for the benchmark). */
export const ROOT = (() => {
  let dir = import.meta.dirname;
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
})();

/** The node options `npm start` runs the server with (package.json `scripts.start`): the benchmark and the overload
 * tests start it the same way. */
export function startNodeOptions(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.trim().split(/\s+/);
  return words.slice(words.indexOf('node') + 1).filter((w) => w.startsWith('--'));
}

export function tempDataDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'cyclepad-test-'));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function testConfig(dataDir: string, overrides: Partial<Config> = {}): Config {
  return {
    port: 0,
    host: '127.0.0.1',
    dataDir,
    logLevel: 'silent',
    unloadDelayMs: 50,
    snapshotEvery: 500,
    maxMessageBytes: 1024 * 1024,
    secureCookies: false,
    trustProxy: '',
    guard: { maxEntries: 10, windowMs: 10_000 },
    maxConnectionsPerAddress: 100,
    maxMessagesPerSecond: 2000,
    maxBytesPerSecond: 2 * 1024 * 1024,
    maxDocumentBytes: 32 * 1024 * 1024,
    // a suite writes from one address for as long as it runs; the budget's own tests set it low
    maxWriteBytesPerHour: 1024 * 1024 * 1024,
    // tests share 2 cores with browsers and other servers: a test server sheds load only when truly stuck (the
    // shedding itself is exercised with the default in the overload tests)
    maxEventLoopLagMs: 10_000,
    // suites create many pads, import often and poll exports from one address; the limits' own tests set them low
    rateLimits: { padsPerHour: 10_000, importsPerMinute: 10_000, restoresPerMinute: 10_000, readsPerMinute: 100_000 },
    ...overrides,
  };
}

/** A real server in this process, on an ephemeral port. */
export async function startTestServer(dataDir = tempDataDir(), overrides: Partial<Config> = {}, parts: ServerParts = {}) {
  const server = await startServer(testConfig(dataDir, overrides), pino({ level: 'silent' }), parts);
  return Object.assign(server, { dataDir }) as RunningServer & { dataDir: string };
}

export interface ChildServer {
  url: string;
  process: ChildProcess;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

/** The built server (`dist/server/main.js`) as a child process, as `npm start` runs it. */
export async function spawnServer(dataDir: string, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<ChildServer> {
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'dist/server/main.js')], {
    // STATUS_POLL_SECONDS=0: a test server never reaches for the real Gerrit or Launchpad (tests of live status
    // point GERRIT_URL and LAUNCHPAD_API_URL at local fakes and turn polling on themselves). Tests poll exports from
    // one address many times a second: the read limit is the limits' own tests' business.
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      STATUS_POLL_SECONDS: '0',
      MAX_EVENT_LOOP_LAG_MS: '10000',
      MAX_READS_PER_MINUTE: '100000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('server did not start in 10 s (it must log "cyclepad listening" at info level)'));
    }, 10_000);
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'cyclepad listening' && entry.url) {
          clearTimeout(timer);
          resolve(entry.url);
        }
      } catch {
        /* not a log line */
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening`)));
  });
  return { url, process: child, exited };
}

export async function createPad(baseUrl: string, name: string) {
  const res = await fetch(`${baseUrl}/api/pads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: baseUrl },
    body: JSON.stringify({ name }),
  });
  if (res.status !== 201) throw new Error(`pad creation failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { padId: string; editUrl: string; readOnlyUrl: string; curatorKey: string };
}
