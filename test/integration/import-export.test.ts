import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SqliteStore } from '../../server/storage/sqlite-store.js';
import type { DocumentRef, UpdateRecord } from '../../server/storage/store.js';
import { createEntry, entriesOf, metaOf, sectionToJSON } from '../../shared/schema.js';
import { createPad, removeDir, startTestServer, tempDataDir } from '../helpers/server.js';
import { connectSynced } from '../helpers/clients.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { MAX_IMPORT_ENTRIES } from '../../shared/wire.js';

const sample = readFileSync(path.join(import.meta.dirname, '../fixtures/etherpad-tracking-sample.txt'), 'utf8');
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function server(parts = {}) {
  const dataDir = tempDataDir();
  const s = await startTestServer(dataDir, {}, parts);
  cleanups.push(() => removeDir(dataDir), () => s.close());
  return s;
}

const importText = (url: string, padId: string, text: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/api/pads/${padId}/import`, { method: 'POST', headers: { 'content-type': 'text/plain', ...headers }, body: text });

const exported = async (url: string, ref: string) =>
  (await (await fetch(`${url}/api/pads/${ref}/export.json`)).json()) as {
    sections: { proposed: { title: string; owner: string }[]; ready: { title: string; rank: string | null }[] };
    meta: { title: string; milestones: unknown[]; preamble: string[] };
  };

describe('import', () => {
  it('refuses a ready-list import without curator authentication, writing nothing; its proposed part alone may be imported', async () => {
    const s = await server();
    const { padId } = await createPad(s.url, 'imp-403');
    const watcher = await connectSynced(s.url, padId, 'proposed');
    const res = await importText(s.url, padId, sample);
    expect(res.status).toBe(403);
    const refusal = (await res.json()) as { error: string; code?: string };
    expect(refusal.error).toMatch(/would add 2 entries to the Ready to review list, which only curators change.*nothing was imported/);
    expect(refusal.code).toBe('ready-needs-curator');
    const json = (body: unknown) => fetch(`${s.url}/api/pads/${padId}/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await json({ text: sample, proposedOnly: true, headerOnly: true })).status).toBe(400);
    expect((await json({ text: sample, proposedOnly: 'yes' })).status).toBe(400);
    await sleep(50);
    expect(s.store.readLog({ padId, section: 'proposed' })).toEqual([]);
    expect(s.store.readLog({ padId, section: 'ready' })).toEqual([]);
    expect(sectionToJSON(watcher.doc)).toEqual([]);
    const only = await json({ text: sample, proposedOnly: true });
    expect(only.status).toBe(201);
    expect(((await only.json()) as { created: unknown; header: string })).toMatchObject({ created: { proposed: 4, ready: 0 }, header: 'none' });
    expect((await exported(s.url, padId)).sections.ready).toEqual([]);
    watcher.provider.destroy();
  });

  it("imports cyclepad's own JSON export as it imports the Etherpad text: the same pad, then nothing new; other JSON is refused saying what is importable", async () => {
    const s = await server();
    const source = await createPad(s.url, 'imp-json-source');
    const seeded = await importText(s.url, source.padId, sample, { authorization: `Bearer ${source.curatorKey}` });
    expect(seeded.status).toBe(201);
    const json = JSON.stringify(await exported(s.url, source.padId));
    const shown = (pad: { meta: unknown; sections: Record<'proposed' | 'ready', Array<Record<string, unknown>>> }) => ({
      meta: pad.meta,
      sections: Object.fromEntries(
        (['proposed', 'ready'] as const).map((k) => [k, pad.sections[k].map((e) => [e.kind, e.title, e.launchpad, e.owner, e.reviews, e.note, e.status])]),
      ),
    });

    const target = await createPad(s.url, 'imp-json-target');
    // a contributor may not bring ready entries in this way either
    expect((await importText(s.url, target.padId, json)).status).toBe(403);
    const res = await importText(s.url, target.padId, json, { authorization: `Bearer ${target.curatorKey}` });
    expect(res.status).toBe(201);
    const report = (await res.json()) as { created: { proposed: number; ready: number } };
    const source_ = JSON.parse(json) as Parameters<typeof shown>[0];
    expect(report.created).toEqual({ proposed: source_.sections.proposed.length, ready: source_.sections.ready.length });
    expect(shown((await exported(s.url, target.padId)) as Parameters<typeof shown>[0])).toEqual(shown(source_));
    // fed back again: everything is on the pad already
    const again = (await (await importText(s.url, target.padId, json, { authorization: `Bearer ${target.curatorKey}` })).json()) as { created: { proposed: number; ready: number }; skipped: unknown[] };
    expect(again.created).toEqual({ proposed: 0, ready: 0 });
    expect(again.skipped).toHaveLength(source_.sections.proposed.length + source_.sections.ready.length);

    for (const other of ['{"hello": "world"}', JSON.stringify({ ...JSON.parse(json), sections: { proposed: [{ kind: 'bug', title: 1 }], ready: [] } })]) {
      const refused = await importText(s.url, target.padId, other, { authorization: `Bearer ${target.curatorKey}` });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: string }).error).toMatch(/^this JSON is not a cyclepad export \(.+\); import an Etherpad text export or a cyclepad JSON export; nothing was imported$/);
    }
    // posted as it is, as application/json (not wrapped in {"text"}): the same import
    const posted = await fetch(`${s.url}/api/pads/${target.padId}/import`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${target.curatorKey}` }, body: json });
    expect(posted.status).toBe(201);
    expect(((await posted.json()) as { created: { proposed: number; ready: number } }).created).toEqual({ proposed: 0, ready: 0 });
  });

  it('a JSON import links a promoted entry and its ready copy again (by their new ids) and keeps when the ready list was scrubbed', async () => {
    const s = await server();
    const source = await createPad(s.url, 'imp-json-links');
    const proposed = await connectSynced(s.url, source.padId, 'proposed');
    const ready = await connectSynced(s.url, source.padId, 'ready', { params: { key: source.curatorKey } });
    const scrubbedAt = Date.UTC(2025, 0, 20);
    entriesOf(proposed.doc).push([
      createEntry({ id: 'p1', kind: 'feature', title: 'vTPM live migration', launchpad: 'https://blueprints.launchpad.net/nova/+spec/vtpm', addedBy: 'x', promotedTo: 'r1' }),
      createEntry({ id: 'p2', kind: 'bug', title: 'Lost allocation', addedBy: 'x', promotedTo: 'gone' }),
    ]);
    ready.doc.transact(() => {
      entriesOf(ready.doc).push([createEntry({ id: 'r1', kind: 'feature', title: 'vTPM live migration', launchpad: 'https://blueprints.launchpad.net/nova/+spec/vtpm', addedBy: 'ptl', promotedFrom: 'p1', rank: 'a0' })]);
      metaOf(ready.doc).set('title', 'Nova 2025.1');
      metaOf(ready.doc).set('scrubbedAt', scrubbedAt);
    });
    await waitFor(async () => {
      const e = await exported(s.url, source.padId);
      return e.sections.proposed.length === 2 && e.sections.ready.length === 1 && e.meta.title === 'Nova 2025.1';
    }, 5000, 'the source pad stored');
    const json = JSON.stringify(await exported(s.url, source.padId));

    const target = await createPad(s.url, 'imp-json-links-target');
    const res = await importText(s.url, target.padId, json, { authorization: `Bearer ${target.curatorKey}` });
    expect(res.status).toBe(201);
    const pad = (await exported(s.url, target.padId)) as unknown as {
      sections: Record<'proposed' | 'ready', Array<{ id: string; title: string; promotedTo: string | null; promotedFrom: string | null }>>;
      meta: { scrubbedAt: number | null };
    };
    const copy = pad.sections.ready[0]!;
    const promoted = pad.sections.proposed.find((e) => e.title === 'vTPM live migration')!;
    expect(copy.id).not.toBe('r1'); // new ids: the target pad's own
    expect(promoted.promotedTo).toBe(copy.id);
    expect(copy.promotedFrom).toBe(promoted.id);
    // a link to an entry the import does not bring is dropped, not kept pointing at nothing
    expect(pad.sections.proposed.find((e) => e.title === 'Lost allocation')!.promotedTo).toBeNull();
    expect(pad.meta.scrubbedAt).toBe(scrubbedAt);

    // crafted links (to itself, within its own section, through a repeated id) are dropped, as a contributor's
    const crafted = JSON.parse(json) as { sections: { proposed: Array<Record<string, unknown>>; ready: unknown[] } };
    const entry = (id: string, title: string, promotedTo: string) => ({ id, kind: 'bug', title, launchpad: '', owner: '', reviews: [], note: '', status: 'open', promotedTo });
    crafted.sections = { ready: [], proposed: [entry('s', 'SELF', 's'), entry('a', 'A', 'b'), entry('b', 'B', 'a'), entry('b', 'B again', 'a')] };
    const other = await createPad(s.url, 'imp-json-links-crafted');
    expect((await importText(s.url, other.padId, JSON.stringify(crafted))).status).toBe(201);
    const made = ((await exported(s.url, other.padId)) as unknown as { sections: { proposed: Array<{ title: string; promotedTo: string | null }> } }).sections.proposed;
    expect(made.filter((e) => e.title !== 'Imported header').map((e) => [e.title, e.promotedTo])).toEqual([['SELF', null], ['A', null], ['B', null], ['B again', null]]);
    proposed.provider.destroy();
    ready.provider.destroy();
  });

  it('a JSON import is held to what the text import can bring: links that are links, text that is text, a bounded number of reviews', async () => {
    const s = await server();
    const { padId, curatorKey } = await createPad(s.url, 'imp-json-hostile');
    const entry = { kind: 'bug', title: 't', launchpad: '', owner: '', reviews: [] as string[], note: '', status: 'open' };
    const exportOf = (e: Partial<typeof entry>) => JSON.stringify({ meta: { title: '', milestones: [], preamble: [] }, sections: { proposed: [{ ...entry, ...e }], ready: [] } });
    const refused = async (text: string) => {
      const res = await importText(s.url, padId, text, { authorization: `Bearer ${curatorKey}` });
      return [res.status, ((await res.json()) as { error: string }).error] as const;
    };
    expect(await refused(exportOf({ launchpad: 'javascript:alert(1)' }))).toEqual([400, expect.stringContaining('sections.proposed.0.launchpad: not a Launchpad bug or blueprint link')]);
    expect(await refused(exportOf({ reviews: ['not a link'] }))).toEqual([400, expect.stringContaining('sections.proposed.0.reviews.0: not a Gerrit change or topic link')]);
    const many = Array.from({ length: 201 }, (_, i) => `https://review.opendev.org/${900_000 + i}`);
    expect(await refused(exportOf({ reviews: many }))).toEqual([400, expect.stringContaining('an entry may list at most 200 reviews')]);
    expect(await refused(exportOf({ title: 'a\u0000b' }))).toEqual([400, expect.stringContaining('not text')]);
    expect(await refused('{ not json')).toEqual([400, expect.stringMatching(/^this looks like JSON but does not parse/)]);
    // the Etherpad text is held to the same: escapes cannot bring a NUL, and reviews are bounded
    expect(await refused('== Proposed patches ==\n\\ [a\\u0000b] (x)\n')).toEqual([400, expect.stringContaining('not text')]);
    const longList = ['== Proposed patches ==', '* https://bugs.launchpad.net/nova/+bug/1 [t]', ...many.map((r) => `\t* ${r}`)].join('\n');
    expect(await refused(longList)).toEqual([400, expect.stringContaining('an entry may list at most 200 reviews')]);
    expect((await exported(s.url, padId)).sections.proposed).toEqual([]);
    // links in another form the pad knows are kept in the pad's form
    const ok = await importText(s.url, padId, exportOf({ launchpad: 'https://launchpad.net/bugs/2082345', reviews: ['https://review.opendev.org/#/c/931233/'] }), { authorization: `Bearer ${curatorKey}` });
    expect(ok.status).toBe(201);
  });

  it('imports the sample as a curator and reports what it created; clients see it live', async () => {
    const s = await server();
    const { padId, curatorKey, readOnlyUrl } = await createPad(s.url, 'imp-ok');
    const watcher = await connectSynced(s.url, padId, 'proposed');
    const res = await importText(s.url, padId, sample.replace(/\n/g, '\r\n'), { authorization: `Bearer ${curatorKey}` });
    expect(res.status).toBe(201);
    const report = (await res.json()) as { created: { proposed: number; ready: number }; entries: { section: string; title: string }[]; header: string };
    expect(report.created).toEqual({ proposed: 4, ready: 2 });
    expect(report.header).toBe('meta');
    expect(report.entries.filter((e) => e.section === 'ready').map((e) => e.title)).toEqual(['PCI device groups', 'Race in resource tracker on resize revert']);
    await waitFor(() => sectionToJSON(watcher.doc).length === 4);
    const pad = await exported(s.url, padId);
    expect(pad.meta.title).toBe('Nova 2025.1 Epoxy - cycle tracking (features and bugs)');
    expect(pad.meta.milestones).toHaveLength(2);
    expect(pad.sections.ready.every((e) => e.rank !== null)).toBe(true);
    // the import is recorded as the curator's
    expect(s.store.readLog({ padId, section: 'ready' }).every((u) => u.role === 'curator')).toBe(true);
    // viewers can export too
    const ref = readOnlyUrl.split('/p/')[1]!;
    expect((await fetch(`${s.url}/api/pads/${ref}/export.txt`)).status).toBe(200);
    watcher.provider.destroy();
  });

  it("the pad's own cycle header is kept over an import's unless a curator asks to replace it", async () => {
    const s = await server();
    const { padId, curatorKey } = await createPad(s.url, 'imp-keep-header');
    const ptl = await connectSynced(s.url, padId, 'ready', { params: { key: curatorKey } });
    metaOf(ptl.doc).set('title', 'Nova 2026.1 Gazpacho');
    await waitFor(async () => (await exported(s.url, padId)).meta.title === 'Nova 2026.1 Gazpacho');
    const asCurator = (body: Record<string, unknown>) =>
      fetch(`${s.url}/api/pads/${padId}/import`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${curatorKey}` },
        body: JSON.stringify(body),
      });
    const first = await asCurator({ text: sample });
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({
      created: { proposed: 4, ready: 2 },
      header: 'kept',
      headerKept: { title: 'Nova 2025.1 Epoxy - cycle tracking (features and bugs)', replaceable: true },
    });
    expect((await exported(s.url, padId)).meta).toMatchObject({ title: 'Nova 2026.1 Gazpacho', milestones: [] });
    // a contributor cannot replace it (nor is the header made a note: the pad has one)
    const contributor = await fetch(`${s.url}/api/pads/${padId}/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: sample, replaceHeader: true }) });
    expect(await contributor.json()).toMatchObject({ created: { proposed: 0, ready: 0 }, header: 'kept', headerKept: { replaceable: false } });
    expect((await exported(s.url, padId)).meta.title).toBe('Nova 2026.1 Gazpacho');
    // an entry of the import is deleted; the curator then takes the import's header only: it does not come back
    const proposedDoc = await connectSynced(s.url, padId, 'proposed');
    entriesOf(proposedDoc.doc).delete(0, 1);
    await waitFor(async () => (await exported(s.url, padId)).sections.proposed.length === 3);
    expect((await asCurator({ text: '== Proposed patches ==\n* https://launchpad.net/bugs/1 [x] (y)', replaceHeader: true, headerOnly: true })).status).toBe(400);
    const headerOnly = await asCurator({ text: sample, replaceHeader: true, headerOnly: true });
    expect(await headerOnly.json()).toMatchObject({ created: { proposed: 0, ready: 0 }, skipped: [], header: 'meta' });
    expect((await exported(s.url, padId)).sections.proposed).toHaveLength(3);
    expect((await exported(s.url, padId)).meta.title).toBe('Nova 2025.1 Epoxy - cycle tracking (features and bugs)');
    proposedDoc.provider.destroy();
    metaOf(ptl.doc).set('title', 'Nova 2026.1 Gazpacho');
    await waitFor(async () => (await exported(s.url, padId)).meta.title === 'Nova 2026.1 Gazpacho');
    // without headerOnly, the same import again replaces the header and adds back only what the pad lacks
    const replaced = await asCurator({ text: sample, replaceHeader: true });
    expect(await replaced.json()).toMatchObject({ created: { proposed: 1, ready: 0 }, header: 'meta' });
    const pad = await exported(s.url, padId);
    expect(pad.meta.title).toBe('Nova 2025.1 Epoxy - cycle tracking (features and bugs)');
    expect(pad.meta.milestones).toHaveLength(2);
    expect(pad.sections.proposed).toHaveLength(4);
    expect((await asCurator({ text: sample, replaceHeader: 'yes' })).status).toBe(400);
    // replacing takes the import's whole header: an import with a title only leaves no old milestones behind
    const titleOnly = await asCurator({ text: 'Nova 2026.2\n\n== Proposed patches ==\n* https://launchpad.net/bugs/99 [x] (y)', replaceHeader: true });
    expect(await titleOnly.json()).toMatchObject({ header: 'meta' });
    expect((await exported(s.url, padId)).meta).toMatchObject({ title: 'Nova 2026.2', milestones: [], preamble: [] });
    ptl.provider.destroy();
  });

  it("a contributor's import of proposed entries works; the header is kept as a note, not lost", async () => {
    const s = await server();
    const { padId } = await createPad(s.url, 'imp-contrib');
    const proposedOnly = sample.slice(0, sample.indexOf('== Ready to review'));
    const res = await importText(s.url, padId, proposedOnly);
    expect(res.status).toBe(201);
    const report = (await res.json()) as { created: { proposed: number; ready: number }; header: string };
    expect(report).toMatchObject({ created: { proposed: 5, ready: 0 }, header: 'note' });
    const pad = await exported(s.url, padId);
    expect(pad.sections.proposed[0]).toMatchObject({ title: 'Imported header' });
    expect(JSON.stringify(pad.sections.proposed[0])).toContain('Spec freeze (R-12): 2025-01-09');
    expect(s.store.readLog({ padId, section: 'ready' })).toEqual([]);
    // imported again, by someone else with a name: everything, the header's note too, is skipped; the report says so,
    // and nothing is recorded for a session that wrote nothing
    const again = await fetch(`${s.url}/api/pads/${padId}/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: proposedOnly, name: 'Mallory' }) });
    expect(again.status).toBe(201);
    expect((await again.json()) as unknown).toMatchObject({ created: { proposed: 0, ready: 0 }, header: 'none' });
    await sleep(1300); // (names are written within a second)
    expect(JSON.stringify(await s.storage.listSessionNames(padId))).not.toContain('Mallory');
  });

  it("a contributor may import the pad's own export: every entry, ready ones included, and the header are skipped as already there", async () => {
    const s = await server();
    const { padId, curatorKey } = await createPad(s.url, 'imp-own-export');
    expect((await importText(s.url, padId, sample, { authorization: `Bearer ${curatorKey}` })).status).toBe(201);
    const before = await exported(s.url, padId);
    const text = await (await fetch(`${s.url}/api/pads/${padId}/export.txt`)).text();
    const res = await importText(s.url, padId, text);
    expect(res.status).toBe(201);
    const report = (await res.json()) as { created: { proposed: number; ready: number }; skipped: unknown[]; header: string };
    expect(report).toMatchObject({ created: { proposed: 0, ready: 0 }, header: 'none' });
    expect(report.skipped).toHaveLength(before.sections.proposed.length + before.sections.ready.length);
    expect(await exported(s.url, padId)).toEqual(before);
    // one new ready entry in it, and the contributor's import is refused whole
    const withNew = text.replace(/(== Ready to review[^\n]*==)/, '$1\n* https://bugs.launchpad.net/nova/+bug/2099999 [A new one] (zed)');
    expect(withNew).not.toBe(text);
    const refused = await importText(s.url, padId, withNew);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toMatch(/would add 1 entry to the Ready to review list/);
    expect(await exported(s.url, padId)).toEqual(before);
  });

  it('history names an import by the name its page sent, as it names socket writers; a name presence would refuse is refused', async () => {
    const s = await server();
    const { padId } = await createPad(s.url, 'imp-named');
    const proposedOnly = sample.slice(0, sample.indexOf('== Ready to review'));
    const post = (body: unknown) =>
      fetch(`${s.url}/api/pads/${padId}/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const bad = await post({ text: proposedOnly, name: 'curator:abcd' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/name must be/);
    expect(s.store.readLog({ padId, section: 'proposed' })).toEqual([]);
    expect((await post({ text: proposedOnly, name: 'Alice Liddell' })).status).toBe(201);
    const history = (await (await fetch(`${s.url}/api/pads/${padId}/history?section=proposed`)).json()) as { revisions: Array<{ session: string; name?: string }> };
    expect(history.revisions).toHaveLength(1);
    expect(history.revisions[0]!.session).toMatch(/^contributor:/);
    expect(history.revisions[0]!.name).toBe('Alice Liddell');
  });

  it('round-trips through export.txt: importing the export gives the same entries', async () => {
    const s = await server();
    const a = await createPad(s.url, 'rt-a');
    const b = await createPad(s.url, 'rt-b');
    expect((await importText(s.url, a.padId, sample, { authorization: `Bearer ${a.curatorKey}` })).status).toBe(201);
    const text = await (await fetch(`${s.url}/api/pads/${a.padId}/export.txt`)).text();
    expect((await importText(s.url, b.padId, text, { authorization: `Bearer ${b.curatorKey}` })).status).toBe(201);
    const strip = (p: Awaited<ReturnType<typeof exported>>) =>
      Object.fromEntries(Object.entries(p.sections).map(([k, list]) => [k, list.map(({ id, addedAt, rank, ...rest }: any) => rest)]));
    expect(strip(await exported(s.url, b.padId))).toEqual(strip(await exported(s.url, a.padId)));
    const md = await (await fetch(`${s.url}/api/pads/${a.padId}/export.md`)).text();
    expect(md).toContain('## Ready to review');
    expect(md).toContain('1. [PCI device groups](<https://blueprints.launchpad.net/nova/+spec/sample-pci-device-groups>) (erin)');
  });

  it('is all or nothing: a storage failure half-way leaves no entry in either section, nowhere', async () => {
    const dataDir = tempDataDir();
    const store = new SqliteStore(dataDir);
    let failReady = false;
    const faulty = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'appendBatches') {
          return (batches: Array<{ ref: DocumentRef; incarnation: string; updates: UpdateRecord[] }>) => {
            if (failReady && batches.some((b) => b.ref.section === 'ready')) throw new Error('disk full (injected)');
            return target.appendBatches(batches);
          };
        }
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const s = await startTestServer(dataDir, {}, { store: faulty });
    cleanups.push(() => removeDir(dataDir), () => s.close());
    const { padId, curatorKey } = await createPad(s.url, 'imp-atomic');
    const watcher = await connectSynced(s.url, padId, 'proposed');
    failReady = true;
    const res = await importText(s.url, padId, sample, { authorization: `Bearer ${curatorKey}` });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toContain('nothing was imported');
    failReady = false;
    await sleep(100);
    expect(s.store.readLog({ padId, section: 'proposed' })).toEqual([]);
    expect(s.store.readLog({ padId, section: 'ready' })).toEqual([]);
    expect(sectionToJSON(watcher.doc)).toEqual([]);
    // the watcher was told to resync and comes back to the (empty) stored state
    await waitFor(() => watcher.provider.synced && watcher.provider.wsconnected, 5000, 'resync');
    expect(sectionToJSON(watcher.doc)).toEqual([]);
    const pad = await exported(s.url, padId);
    expect(pad.sections).toEqual({ proposed: [], ready: [] });
    watcher.provider.destroy();
  });

  it('answers bad imports with clear 4xx errors', async () => {
    const s = await server();
    const { padId, readOnlyUrl } = await createPad(s.url, 'imp-bad');
    expect((await importText(s.url, padId, '')).status).toBe(400);
    expect((await importText(s.url, padId, 'just some words\nno bullets here')).status).toBe(400);
    const json = await fetch(`${s.url}/api/pads/${padId}/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text": 5}' });
    expect(json.status).toBe(400);
    const ro = readOnlyUrl.split('/p/')[1]!;
    expect((await importText(s.url, ro, sample)).status).toBe(403);
    // bytes that are not UTF-8 (a Latin-1 file): refused, not imported as replacement characters
    const latin1 = await fetch(`${s.url}/api/pads/${padId}/import`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: Buffer.from('* https://launchpad.net/bugs/1 [Caf\xe9 fix] (jos\xe9)\n', 'latin1'),
    });
    expect(latin1.status).toBe(400);
    expect(((await latin1.json()) as { error: string }).error).toBe('the import is not UTF-8 text; nothing was imported');
    // nor, through JSON, a NUL or half of a character
    for (const text of ['* https://launchpad.net/bugs/1 [a \u0000 b] (x)', '* https://launchpad.net/bugs/1 [lone \ud800 surrogate] (x)', '* https://launchpad.net/bugs/1 [\udc00] (x)']) {
      const res = await fetch(`${s.url}/api/pads/${padId}/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/not text/);
    }
    // a whole character outside the BMP is text
    const other = await createPad(s.url, 'imp-bad-emoji');
    const emoji = await fetch(`${s.url}/api/pads/${other.padId}/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: '* https://launchpad.net/bugs/7 [rocket \u{1F680}] (x)' }) });
    expect(emoji.status).toBe(201);
    const lines = (n: number) => Array.from({ length: n }, (_, i) => `* https://launchpad.net/bugs/${i} [t] (x)`).join('\n');
    const tooMany = await importText(s.url, padId, lines(MAX_IMPORT_ENTRIES + 1));
    expect(tooMany.status).toBe(413);
    expect(((await tooMany.json()) as { error: string }).error).toMatch(/at most 1000 entries .*import it in parts; nothing was imported/);
    expect((await exported(s.url, padId)).sections.proposed).toEqual([]);
    // the most one may hold is imported
    const most = await importText(s.url, padId, lines(MAX_IMPORT_ENTRIES));
    expect(most.status).toBe(201);
    expect((await exported(s.url, padId)).sections.proposed).toHaveLength(MAX_IMPORT_ENTRIES);
  });
});
