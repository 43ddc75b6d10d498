/**
 * `cyclepad migrate --from <sqlite data dir> --to <postgres url>`: a SQLite installation, used for real (pads,
 * delegates, edits in both sections, a cycle header, history), copied into PostgreSQL; a server on PostgreSQL then
 * exports every pad exactly as the SQLite server did, and the same keys and read-only links work.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createEntry, entriesOf, metaOf } from '../../shared/schema.js';
import { ROOT, createPad, removeDir, spawnServer, tempDataDir, type ChildServer } from '../helpers/server.js';
import { connectSynced } from '../helpers/clients.js';
import { waitFor } from '../helpers/wait.js';
import { PG_URL, freshSchema, servicesProblem } from '../helpers/services.js';

const skip = await servicesProblem('migrate test');
const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function stop(server: ChildServer): Promise<void> {
  server.process.kill('SIGTERM');
  await server.exited;
}

describe.skipIf(skip !== null)('migrate from SQLite to PostgreSQL', () => {
  it('copies pads, keys, logs and snapshots: every export is identical, keys and mirror links still work', async () => {
    const dataDir = tempDataDir();
    cleanups.push(() => removeDir(dataDir));
    const sqlite = await spawnServer(dataDir, { SNAPSHOT_EVERY: '5' });
    const pads = [];
    for (const name of ['nova-migrate', 'glance-migrate']) {
      const pad = await createPad(sqlite.url, name);
      const delegate = (await (
        await fetch(`${sqlite.url}/api/pads/${pad.padId}/curators`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${pad.curatorKey}` },
          body: JSON.stringify({ label: 'delegate' }),
        })
      ).json()) as { key: string };
      const curator = await connectSynced(sqlite.url, pad.padId, 'ready', { params: { key: pad.curatorKey } });
      const contributor = await connectSynced(sqlite.url, pad.padId, 'proposed');
      metaOf(curator.doc).set('title', `${name} cycle`);
      for (let i = 0; i < 12; i++) {
        entriesOf(contributor.doc).push([createEntry({ title: `proposed ${i}`, addedBy: 'c', reviews: [`https://review.opendev.org/${900 + i}`] })]);
        if (i % 3 === 0) entriesOf(curator.doc).push([createEntry({ title: `ready ${i}`, addedBy: 'ptl', rank: `a${i}` })]);
      }
      entriesOf(contributor.doc).delete(0, 1);
      await waitFor(async () => ((await (await fetch(`${sqlite.url}/api/pads/${pad.padId}/export.json`)).json()) as { sections: { proposed: unknown[] } }).sections.proposed.length === 11);
      curator.provider.destroy();
      contributor.provider.destroy();
      pads.push({ ...pad, delegateKey: delegate.key });
    }
    const before = await Promise.all(pads.map(async (p) => (await fetch(`${sqlite.url}/api/pads/${p.padId}/export.json`)).text()));
    const historyBefore = await (await fetch(`${sqlite.url}/api/pads/${pads[0]!.padId}/history?section=proposed&limit=500`)).json();
    await stop(sqlite);

    const schema = freshSchema('migrate');
    cleanups.push(() => schema.drop());
    const migrate = spawn(process.execPath, [path.join(ROOT, 'dist/server/admin.js'), 'migrate', '--from', dataDir, '--to', PG_URL], {
      env: { ...process.env, DATABASE_SCHEMA: schema.schema },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    migrate.stdout.on('data', (d: Buffer) => (out += d.toString()));
    migrate.stderr.on('data', (d: Buffer) => (out += d.toString()));
    expect(await new Promise((resolve) => migrate.once('exit', resolve)), out).toBe(0);
    expect(out).toMatch(/migrated 2 pads/);

    const postgres = await spawnServer(tempDataDir(), { DATABASE_URL: PG_URL, DATABASE_SCHEMA: schema.schema });
    cleanups.push(() => stop(postgres));
    const after = await Promise.all(pads.map(async (p) => (await fetch(`${postgres.url}/api/pads/${p.padId}/export.json`)).text()));
    expect(after).toEqual(before);
    // the same links and keys
    for (const p of pads) {
      const mirror = new URL(p.readOnlyUrl).pathname;
      expect((await fetch(`${postgres.url}${mirror}`)).status).toBe(200);
      for (const key of [p.curatorKey, p.delegateKey]) {
        expect((await fetch(`${postgres.url}/api/pads/${p.padId}/curators`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
      }
    }
    // the history (from the copied log) is the same too
    expect(await (await fetch(`${postgres.url}/api/pads/${pads[0]!.padId}/history?section=proposed&limit=500`)).json()).toEqual(historyBefore);
  });
});
