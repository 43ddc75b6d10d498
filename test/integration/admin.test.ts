import { describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import * as decoding from 'lib0/decoding';
import { createEntry, entriesOf } from '../../shared/schema.js';
import { ROOT, createPad, removeDir, tempDataDir } from '../helpers/server.js';
import { serverSuite } from '../helpers/server-suite.js';
import { connectSynced } from '../helpers/clients.js';
import { waitFor } from '../helpers/wait.js';

const run = promisify(execFile);
const suite = serverSuite();

async function admin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(ROOT, 'dist/server/admin.js'), ...args], { env: { ...process.env, DATA_DIR: suite.server.dataDir } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('admin command line', () => {
  it('lists pads and curators (never keys), exports a pad in every format', async () => {
    const { padId, curatorKey } = await createPad(suite.server.url, 'admin-a');
    const c = await connectSynced(suite.server.url, padId, 'proposed');
    entriesOf(c.doc).push([createEntry({ title: 'exported entry', owner: 'zed', launchpad: 'https://launchpad.net/bugs/7', addedBy: 'z' })]);
    await waitFor(() => suite.server.store.readLog({ padId, section: 'proposed' }).length === 1);
    c.provider.destroy();
    const pads = await admin('pads');
    expect(pads.code).toBe(0);
    expect(pads.stdout).toMatch(/^admin-a\tcreated .*\tupdates: proposed 1, ready 0$/m);
    const curators = await admin('curators', padId);
    expect(curators.stdout).toMatch(/\tPTL\tcreated /);
    expect(curators.stdout).not.toContain(curatorKey);
    const json = JSON.parse((await admin('export', padId)).stdout) as { sections: { proposed: { title: string }[] } };
    expect(json.sections.proposed[0]!.title).toBe('exported entry');
    expect((await admin('export', padId, '--format', 'txt')).stdout).toContain('* https://launchpad.net/bugs/7 [exported entry] (zed)');
    expect((await admin('export', padId, '--format', 'md')).stdout).toContain('[exported entry]');
  });

  it('resets the PTL key: the old key stops working, on the API and on an open socket, the new one works', async () => {
    const { padId, curatorKey } = await createPad(suite.server.url, 'admin-reset');
    const ptl = await connectSynced(suite.server.url, padId, 'ready', { params: { key: curatorKey } });
    entriesOf(ptl.doc).push([createEntry({ title: 'before reset', addedBy: 'ptl' })]);
    await waitFor(() => suite.server.store.readLog({ padId, section: 'ready' }).length === 1);
    const reset = await admin('reset-ptl', padId);
    expect(reset.code).toBe(0);
    const newKey = /shown once\): (\S+)/.exec(reset.stdout)![1]!;
    const api = (key: string) => fetch(`${suite.server.url}/api/pads/${padId}/curators`, { headers: { authorization: `Bearer ${key}` } });
    expect((await api(curatorKey)).status).toBe(401);
    expect((await api(newKey)).status).toBe(200);
    let denied = '';
    ptl.provider.messageHandlers[2] = (_e, d) => {
      decoding.readVarUint(d);
      denied = decoding.readVarString(d);
    };
    entriesOf(ptl.doc).push([createEntry({ title: 'after reset', addedBy: 'ptl' })]);
    await waitFor(() => denied, 3000, 'the open socket to be refused');
    expect(denied).toContain('revoked');
    expect(suite.server.store.readLog({ padId, section: 'ready' })).toHaveLength(1);
    ptl.provider.destroy();
  });

  it('reset-ptl replaces only the PTL key: the new key is the PTL key, the delegates (and what they made) stay', async () => {
    const { padId, curatorKey } = await createPad(suite.server.url, 'admin-reset-tree');
    const api = (key: string, init: RequestInit = {}) =>
      fetch(`${suite.server.url}/api/pads/${padId}/curators`, { ...init, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } });
    const alice = (await (await api(curatorKey, { method: 'POST', body: JSON.stringify({ label: 'alice' }) })).json()) as { id: string; key: string };
    const carol = (await (await api(alice.key, { method: 'POST', body: JSON.stringify({ label: 'carol' }) })).json()) as { id: string; key: string };
    const reset = await admin('reset-ptl', padId);
    expect(reset.code).toBe(0);
    const newKey = /shown once\): (\S+)/.exec(reset.stdout)![1]!;
    expect((await api(curatorKey)).status).toBe(401);
    const list = ((await (await api(newKey)).json()) as { curators: { id: string; label: string; ptl: boolean; createdBy: string | null }[] }).curators;
    expect(list.map((c) => [c.label, c.ptl])).toEqual([['alice', false], ['carol', false], ['PTL', true]]);
    expect(list.find((c) => c.label === 'carol')!.createdBy).toBe(alice.id);
    for (const key of [alice.key, carol.key]) expect((await api(key)).status).toBe(200);
    // the new PTL key is protected like the old one, and may revoke any delegate
    const ptlId = list.find((c) => c.ptl)!.id;
    expect((await fetch(`${suite.server.url}/api/pads/${padId}/curators/${ptlId}`, { method: 'DELETE', headers: { authorization: `Bearer ${alice.key}` } })).status).toBe(403);
    expect((await fetch(`${suite.server.url}/api/pads/${padId}/curators/${carol.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${newKey}` } })).status).toBe(200);
    const curators = await admin('curators', padId);
    expect(curators.stdout).toMatch(/\tPTL\tcreated \S+\tPTL key$/m);
    expect(curators.stdout).toMatch(new RegExp(`\\talice\\tcreated \\S+\\tmade by \\S+$`, 'm'));
  });

  it('a delegate label is held to what a shown name may carry (no bidi overrides, invisible characters or accent stacks)', async () => {
    const { padId, curatorKey } = await createPad(suite.server.url, 'admin-labels');
    const issue = (label: unknown) =>
      fetch(`${suite.server.url}/api/pads/${padId}/curators`, {
        method: 'POST',
        headers: { authorization: `Bearer ${curatorKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ label }),
      });
    for (const label of ['\u202Eevil\u200B', 'a\u034Fb', 'z' + '\u0301'.repeat(12), 'tab\there', '', 'PTL', 'backup ptl', 'Nova_PTL']) {
      const res = await issue(label);
      expect(res.status, JSON.stringify(label)).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/label must/);
    }
    expect((await issue('  Sylvain (reviews) ')).status).toBe(201);
    const list = await fetch(`${suite.server.url}/api/pads/${padId}/curators`, { headers: { authorization: `Bearer ${curatorKey}` } });
    expect(((await list.json()) as { curators: { label: string }[] }).curators.map((c) => c.label)).toEqual(['PTL', 'Sylvain (reviews)']);
  });

  it('compacts storage without changing any pad, and deletes a pad only with --yes', async () => {
    const { padId } = await createPad(suite.server.url, 'admin-del');
    const before = await (await fetch(`${suite.server.url}/api/pads/admin-a/export.json`)).text();
    const compact = await admin('compact');
    expect(compact.code).toBe(0);
    expect(compact.stdout).toMatch(/compacted: \d+ documents/);
    expect(await (await fetch(`${suite.server.url}/api/pads/admin-a/export.json`)).text()).toBe(before);
    expect((await admin('delete', padId)).code).toBe(2);
    expect((await fetch(`${suite.server.url}/api/pads/${padId}/export.json`)).status).toBe(200);
    expect((await admin('delete', padId, '--yes')).stdout).toContain(`deleted ${padId}`);
    expect((await fetch(`${suite.server.url}/api/pads/${padId}/export.json`)).status).toBe(404);
  });

  it('answers bad usage with exit 2 and unknown pads with exit 1', async () => {
    expect((await admin()).code).toBe(2);
    expect((await admin('frobnicate')).code).toBe(2);
    const missing = await admin('curators', 'no-such-pad');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no such pad');
  });
});

describe('logs', () => {
  it('one line per connection and per refusal, and never a key or a session cookie', async () => {
    const dataDir = tempDataDir();
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/server/main.js')], {
      env: { ...process.env, PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const url = await waitFor(() => /"url":"(http[^"]+)"/.exec(out)?.[1], 10_000, 'server start');
    const { padId, curatorKey } = await createPad(url, 'logs');
    const login = await fetch(`${url}/api/pads/${padId}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: curatorKey }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const cookieValue = cookie.split('=')[1]!;
    await fetch(`${url}/api/pads/${padId}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: 'wrong-key-value-123' }) });
    const viaKey = await connectSynced(url, padId, 'ready', { params: { key: curatorKey } });
    const contributor = await connectSynced(url, padId, 'ready');
    entriesOf(contributor.doc).push([createEntry({ title: 'refused', addedBy: 'x' })]);
    await waitFor(() => out.includes('write refused'), 5000, 'a refusal line');
    viaKey.provider.destroy();
    contributor.provider.destroy();
    await waitFor(() => (out.match(/sync connection closed/g) ?? []).length >= 2, 5000, 'close lines');
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    removeDir(dataDir);
    expect((out.match(/sync connection opened/g) ?? []).length).toBe(2);
    expect(out).not.toContain(curatorKey);
    expect(out).not.toContain(cookieValue);
    expect(out).not.toContain('wrong-key-value-123');
    for (const line of out.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });
});
