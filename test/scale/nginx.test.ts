/**
 * Debian's nginx, configured as the README says (deploy/nginx.conf), in front of three cyclepad processes on one
 * PostgreSQL and one Redis: real y-websocket clients connect through it, and one process is SIGKILLed while they
 * type. Every client ends up on a live process with every edit anyone saw.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import * as Y from 'yjs';
import { createEntry, entriesOf, sectionToJSON } from '../../shared/schema.js';
import { ROOT, createPad, removeDir } from '../helpers/server.js';
import { connect } from '../helpers/clients.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { servicesProblem, SERVICES_REQUIRED } from '../helpers/services.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
let skip = await servicesProblem('nginx test');
if (!skip && !NGINX) {
  skip = 'nginx test SKIPPED: Debian nginx is not installed (.ci/run installs it)';
  if (SERVICES_REQUIRED) throw new Error(skip);
  console.warn(skip);
}

const titles = (doc: Y.Doc) => sectionToJSON(doc).map((e) => e.title).sort();

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** deploy/nginx.conf with this run's upstreams and listen port, wrapped in the main context nginx needs. */
function nginxConfig(dir: string, listen: number, upstreams: number[]): string {
  let site = readFileSync(path.join(ROOT, 'deploy/nginx.conf'), 'utf8');
  site = site.replace(/\n\s*server 127\.0\.0\.1:\d+ [^\n]*/g, '');
  site = site.replace('least_conn;', `least_conn;\n${upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join('\n')}`);
  site = site.replace('listen 127.0.0.1:8080;', `listen 127.0.0.1:${listen};`);
  return `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${site}
}
`;
}

describe.skipIf(skip !== null)('nginx in front of three processes', () => {
  let cluster: Cluster;
  let nginx: ChildProcess;
  let dir: string;
  let base: string;

  beforeAll(async () => {
    cluster = await startCluster(3, { TRUST_PROXY: 'loopback' }); // as the README runs them behind nginx
    dir = mkdtempSync(path.join(tmpdir(), 'cyclepad-nginx-'));
    mkdirSync(path.join(dir, 'body'));
    const port = await freePort();
    const upstreams = cluster.servers.map((s) => Number(new URL(s.url).port));
    writeFileSync(path.join(dir, 'nginx.conf'), nginxConfig(dir, port, upstreams));
    nginx = spawn(NGINX!, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
    base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${base}/healthz`).catch(() => null))?.ok === true, 10_000, 'nginx up');
  }, 60_000);

  afterAll(async () => {
    nginx?.kill('SIGTERM');
    await cluster?.stop();
    if (dir) removeDir(dir);
  });

  it('spreads clients over the processes; a process killed while they type loses nothing anyone saw', async () => {
    const { padId } = await createPad(base, 'behind-nginx');
    const clients = Array.from({ length: 9 }, () => connect(base, padId, 'proposed'));
    await waitFor(() => clients.every((c) => c.provider.synced), 10_000, 'all synced through nginx');
    // spread: least_conn over three processes
    const perProcess = await Promise.all(
      cluster.servers.map(async (s) => {
        const text = await (await fetch(`${s.url}/metrics`)).text();
        return text
          .split('\n')
          .filter((l) => l.startsWith('cyclepad_connections{'))
          .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
      }),
    );
    expect(perProcess.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);

    let n = 0;
    const typing = setInterval(() => {
      for (const c of clients) if (c.provider.wsconnected) entriesOf(c.doc).push([createEntry({ title: `e${n++}`, addedBy: 'x' })]);
    }, 50);
    await sleep(800);
    const victim = cluster.servers[perProcess.indexOf(Math.max(...perProcess))]!;
    victim.process.kill('SIGKILL');
    await victim.exited;
    await sleep(1500);
    clearInterval(typing);
    // every client reconnects through nginx to a live process and converges with everyone
    await waitFor(() => clients.every((c) => c.provider.synced && c.provider.wsconnected), 15_000, 'reconnected');
    await waitFor(() => clients.every((c) => titles(c.doc).length === n), 15_000, `every client has all ${n} entries`);
    const first = titles(clients[0]!.doc);
    for (const c of clients) expect(titles(c.doc)).toEqual(first);
    expect(first).toHaveLength(n);
    for (const c of clients) c.provider.destroy();
    const exported = (await (await fetch(`${base}/api/pads/${padId}/export.json`)).json()) as { sections: { proposed: unknown[] } };
    expect(exported.sections.proposed).toHaveLength(n);
  });
});
