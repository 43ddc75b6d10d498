/**
 * A pad deleted while people are on it (admin command line beside the running server, or storage directly): their
 * sockets are closed with 4404 within seconds, nothing they write afterwards is stored, and a new pad made under
 * the same name starts empty in both sections: no document of the old pad is served for it, and no snapshot of
 * the old pad is written into it by unloading.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import * as Y from 'yjs';
import { createEntry, entriesOf, metaOf, sectionToJSON, type Section } from '../../shared/schema.js';
import { ROOT, createPad } from '../helpers/server.js';
import { serverSuite } from '../helpers/server-suite.js';
import { connect, connectSynced, serverNotices } from '../helpers/clients.js';
import { RawClient } from '../helpers/raw-client.js';
import { sleep, waitFor } from '../helpers/wait.js';

const run = promisify(execFile);
const suite = serverSuite();

async function adminDelete(padId: string): Promise<void> {
  const { stdout } = await run(process.execPath, [path.join(ROOT, 'dist/server/admin.js'), 'delete', padId, '--yes'], {
    env: { ...process.env, DATA_DIR: suite.server.dataDir },
  });
  expect(stdout).toContain(`deleted ${padId}`);
}

const logOf = (padId: string, section: Section) => suite.server.store.readLog({ padId, section });

/** A pad with one stored entry in each section and a cycle title; returns raw clients still connected to both. */
async function padInUse(name: string) {
  const pad = await createPad(suite.server.url, name);
  const key = `?key=${encodeURIComponent(pad.curatorKey)}`;
  const proposed = await RawClient.open(suite.server.url, name, 'proposed');
  const ready = await RawClient.open(suite.server.url, name, 'ready', key);
  proposed.sendUpdate(proposed.forge((d) => entriesOf(d).push([createEntry({ title: 'old proposed', addedBy: 'old' })])));
  ready.sendUpdate(ready.forge((d) => {
    entriesOf(d).push([createEntry({ title: 'old ready', addedBy: 'old' })]);
    metaOf(d).set('title', 'old cycle');
  }));
  await waitFor(() => logOf(name, 'proposed').length === 1 && logOf(name, 'ready').length === 1, 3000, 'the old content to be stored');
  return { pad, proposed, ready };
}

/** The pad under `name` is empty in both sections: live (a new client), exported, and in storage. */
async function expectEmpty(name: string, curatorKey: string) {
  const proposed = await connectSynced(suite.server.url, name, 'proposed');
  const ready = await connectSynced(suite.server.url, name, 'ready', { params: { key: curatorKey } });
  expect(sectionToJSON(proposed.doc)).toEqual([]);
  expect(sectionToJSON(ready.doc)).toEqual([]);
  expect(metaOf(ready.doc).get('title')).toBeUndefined();
  proposed.provider.destroy();
  ready.provider.destroy();
  const exported = (await (await fetch(`${suite.server.url}/api/pads/${name}/export.json`)).json()) as {
    sections: { proposed: unknown[]; ready: unknown[] };
    meta: { title?: string };
  };
  expect(exported.sections).toEqual({ proposed: [], ready: [] });
  expect(exported.meta.title ?? '').toBe('');
  for (const section of ['proposed', 'ready'] as const) {
    const stored = suite.server.store.loadDocument({ padId: name, section });
    expect(stored.snapshot ?? undefined, `a snapshot in ${section} of the new pad`).toBeUndefined();
    expect(stored.updates).toEqual([]);
  }
}

describe('a pad deleted while in use', () => {
  it('admin delete: both sections’ sockets close with 4404 within seconds; a new pad of that name is empty', async () => {
    const { proposed, ready } = await padInUse('deleted-cli');
    const provider = connect(suite.server.url, 'deleted-cli', 'proposed');
    const providerCloses: number[] = [];
    provider.provider.on('connection-close', (event) => {
      if (event) providerCloses.push(event.code);
    });
    await waitFor(() => provider.provider.synced, 3000, 'provider sync');
    await adminDelete('deleted-cli');
    const started = Date.now();
    await waitFor(() => proposed.closed && ready.closed && providerCloses.length > 0, 5000, 'the sockets to be closed');
    expect(Date.now() - started).toBeLessThan(4000);
    expect(proposed.closed!.code).toBe(4404);
    expect(ready.closed!.code).toBe(4404);
    expect(providerCloses[0]).toBe(4404);
    provider.provider.destroy();
    expect(suite.server.registry.ofPad('deleted-cli')).toEqual([]);
    // a reconnect finds no pad
    await expect(RawClient.open(suite.server.url, 'deleted-cli', 'proposed')).rejects.toThrow(/404/);
    await sleep(200); // past the unload delay: nothing may be written by an unload
    expect(suite.server.store.getPad('deleted-cli')).toBeUndefined();
    const again = await createPad(suite.server.url, 'deleted-cli');
    await expectEmpty('deleted-cli', again.curatorKey);
  });

  it('admin delete while a client keeps typing: closed with 4404, nothing it typed afterwards is stored', async () => {
    const pad = await createPad(suite.server.url, 'deleted-typing');
    const typist = await connectSynced(suite.server.url, 'deleted-typing', 'proposed');
    const closes: number[] = [];
    typist.provider.on('connection-close', (event) => {
      if (event) closes.push(event.code);
    });
    let typed = 0;
    const timer = setInterval(() => entriesOf(typist.doc).push([createEntry({ title: `typed ${typed++}`, addedBy: 'typist' })]), 15);
    await waitFor(() => logOf('deleted-typing', 'proposed').length > 3, 3000, 'typing to be stored');
    await adminDelete('deleted-typing');
    await waitFor(() => closes.length > 0, 3000, 'the typist to be closed');
    expect(closes[0]).toBe(4404);
    clearInterval(timer);
    typist.provider.destroy();
    expect(typed).toBeGreaterThan(5);
    expect(logOf('deleted-typing', 'proposed')).toEqual([]);
    await sleep(200);
    expect(logOf('deleted-typing', 'proposed')).toEqual([]);
    const again = await createPad(suite.server.url, 'deleted-typing');
    expect(again.curatorKey).not.toBe(pad.curatorKey);
    await expectEmpty('deleted-typing', again.curatorKey);
  });

  it('deleted in storage directly while a client keeps typing: closed with 4404 at its next write, nothing stored', async () => {
    await createPad(suite.server.url, 'deleted-store');
    const typist = await connectSynced(suite.server.url, 'deleted-store', 'proposed');
    const closes: number[] = [];
    typist.provider.on('connection-close', (event) => {
      if (event) closes.push(event.code);
    });
    let typed = 0;
    const timer = setInterval(() => entriesOf(typist.doc).push([createEntry({ title: `typed ${typed++}`, addedBy: 'typist' })]), 15);
    await waitFor(() => logOf('deleted-store', 'proposed').length > 3, 3000, 'typing to be stored');
    expect(suite.server.store.deletePad('deleted-store')).toBe(true);
    await waitFor(() => closes.length > 0, 1000, 'the typist to be closed at its next write (not at the next check)');
    expect(closes[0]).toBe(4404);
    clearInterval(timer);
    typist.provider.destroy();
    await sleep(200);
    expect(logOf('deleted-store', 'proposed')).toEqual([]);
    const again = await createPad(suite.server.url, 'deleted-store');
    await expectEmpty('deleted-store', again.curatorKey);
  });

  // The race an attacker (or an unlucky operator) wins: the pad is deleted and made again under its name before the
  // server's periodic check notices. The old pad's loaded documents must not be served as the new pad's.
  it('deleted and made again at once (idle clients still on it): the new pad is served empty', async () => {
    const { proposed, ready } = await padInUse('deleted-recreated');
    await adminDelete('deleted-recreated');
    const again = await createPad(suite.server.url, 'deleted-recreated');
    try {
      await expectEmpty('deleted-recreated', again.curatorKey);
    } finally {
      // the old sockets are closed by now at the latest
      await waitFor(() => proposed.closed && ready.closed, 5000, 'the old sockets to be closed');
    }
    expect(proposed.closed!.code).toBe(4404);
    expect(ready.closed!.code).toBe(4404);
  });

  it('deleted and made again, then the old clients leave: unloading the old document writes nothing into the new pad', async () => {
    const { proposed, ready } = await padInUse('deleted-unload');
    expect(suite.server.store.deletePad('deleted-unload')).toBe(true);
    const again = await createPad(suite.server.url, 'deleted-unload');
    proposed.close();
    ready.close();
    await sleep(2500); // past the unload delay and the periodic pad check
    for (const section of ['proposed', 'ready'] as const) {
      const stored = suite.server.store.loadDocument({ padId: 'deleted-unload', section });
      expect(stored.snapshot ?? undefined, `an old snapshot written into the new pad's ${section}`).toBeUndefined();
    }
    await expectEmpty('deleted-unload', again.curatorKey);
  });

  it("the old pad's guard notices (sessions, entry ids) are not shown to the curators of a new pad of that name", async () => {
    const old = await createPad(suite.server.url, 'deleted-guard');
    const seed = await connectSynced(suite.server.url, 'deleted-guard', 'proposed');
    seed.doc.transact(() =>
      entriesOf(seed.doc).push(Array.from({ length: 12 }, (_, i) => createEntry({ id: `e${i}`, title: `Entry ${i}`, addedBy: 'seed' }))),
    );
    await waitFor(() => logOf('deleted-guard', 'proposed').length > 0, 3000, 'the seed');
    seed.doc.transact(() => {
      for (let i = 0; i < 12; i++) {
        const t = entriesOf(seed.doc).get(i).get('title') as Y.Text;
        t.delete(0, t.length);
        t.insert(0, `Eintrag ${i}`);
      }
    });
    const guard = async (key: string) =>
      ((await (await fetch(`${suite.server.url}/api/pads/deleted-guard/guard`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
        notices: unknown[];
      }).notices;
    await waitFor(async () => (await guard(old.curatorKey)).length === 1, 3000, 'the quarantine notice');
    const closes: number[] = [];
    seed.provider.on('connection-close', (event) => {
      if (event) closes.push(event.code);
    });
    await adminDelete('deleted-guard');
    await waitFor(() => closes.length > 0, 5000, 'the socket to be closed');
    seed.provider.destroy();
    const again = await createPad(suite.server.url, 'deleted-guard');
    expect(await guard(again.curatorKey)).toEqual([]);
    const curator = connect(suite.server.url, 'deleted-guard', 'proposed', { params: { key: again.curatorKey } });
    const notices = serverNotices(curator.provider);
    await waitFor(() => curator.provider.synced, 3000, 'curator sync');
    await sleep(100);
    expect(notices.filter((n) => n.type === 'guard' && n.notices.length > 0)).toEqual([]);
    curator.provider.destroy();
  });
});
