import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { createEntry, entriesOf, sectionToJSON } from '../../shared/schema.js';
import { createPad } from '../helpers/server.js';
import { serverSuite } from '../helpers/server-suite.js';
import { connectSynced, serverNotices } from '../helpers/clients.js';
import { sleep, waitFor } from '../helpers/wait.js';

const suite = serverSuite({ guard: { maxEntries: 10, windowMs: 10_000 } });

const api = (path: string, init: RequestInit & { key?: string } = {}) =>
  fetch(`${suite.server.url}/api/pads/${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...(init.key ? { authorization: `Bearer ${init.key}` } : {}) },
  });

/** A pad with `n` proposed entries, written by a "seed" client. */
async function padWith(name: string, n: number) {
  const pad = await createPad(suite.server.url, name);
  const seed = await connectSynced(suite.server.url, pad.padId, 'proposed');
  seed.doc.transact(() =>
    entriesOf(seed.doc).push(Array.from({ length: n }, (_, i) => createEntry({ id: `e${i}`, title: `Entry ${i}`, note: 'needs review', addedBy: 'seed' }))),
  );
  await waitFor(() => suite.server.store.readLog({ padId: pad.padId, section: 'proposed' }).length > 0);
  return { ...pad, seed };
}

/** Watches a provider for the server's permission-denied messages. */
function refusals(provider: { messageHandlers: Array<(e: unknown, d: decoding.Decoder) => void> }): string[] {
  const seen: string[] = [];
  provider.messageHandlers[2] = (_e, decoder) => {
    decoding.readVarUint(decoder);
    seen.push(decoding.readVarString(decoder));
  };
  return seen;
}

const translate = (doc: Y.Doc, indices: number[]) =>
  doc.transact(() => {
    for (const i of indices) {
      const t = entriesOf(doc).get(i).get('title') as Y.Text;
      const old = t.toString();
      t.delete(0, t.length);
      t.insert(0, `Eintrag ${old.split(' ')[1]}`);
    }
  });

describe('server guard against mass rewrites', () => {
  it('quarantines a connection that rewrites many entries, tells curators, and the burst is undone in one action', async () => {
    const { padId, curatorKey, seed } = await padWith('guard-quarantine', 20);
    const translator = await connectSynced(suite.server.url, padId, 'proposed');
    const denied = refusals(translator.provider as never);
    const curator = await connectSynced(suite.server.url, padId, 'proposed', { params: { key: curatorKey } });
    const curatorNotices = serverNotices(curator.provider);
    const contributorNotices = serverNotices(seed.provider);
    // another person's honest edit, before the burst
    (entriesOf(seed.doc).get(15).get('note') as Y.Text).insert(0, 'honest: ');
    translate(translator.doc, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    await waitFor(async () => ((await (await api(`${padId}/guard`, { key: curatorKey })).json()) as { notices: unknown[] }).notices.length === 1, 3000, 'notice');
    const { notices } = (await (await api(`${padId}/guard`, { key: curatorKey })).json()) as {
      notices: Array<{ id: string; section: string; session: string; from: number; to: number; entries: string[] }>;
    };
    expect(notices[0]!.entries).toHaveLength(12);
    expect(notices[0]!.session).toMatch(/^contributor:/);

    // further writes of that connection are refused with the refusal message
    const before = suite.server.store.readLog({ padId, section: 'proposed' }).length;
    (entriesOf(translator.doc).get(19).get('title') as Y.Text).insert(0, 'more ');
    await waitFor(() => denied.length > 0, 3000, 'refusal');
    expect(denied[0]).toMatch(/quarantined/);
    await sleep(50);
    expect(suite.server.store.readLog({ padId, section: 'proposed' })).toHaveLength(before);

    // the notice reaches curators' sockets live, as a server notice (never as presence, which peers can forge)…
    await waitFor(() => curatorNotices.some((m) => m.type === 'guard' && m.notices.length === 1), 3000, 'live notice');
    // …and a curator connecting later gets it at once; contributors get none
    const late = await connectSynced(suite.server.url, padId, 'ready', { params: { key: curatorKey } });
    const lateNotices = serverNotices(late.provider);
    late.provider.disconnect();
    late.provider.connect();
    await waitFor(() => lateNotices.some((m) => m.type === 'guard' && m.notices.length === 1), 3000, 'notice on connect');
    late.provider.destroy();
    expect(contributorNotices).toEqual([]);
    expect([...seed.provider.awareness.getStates().values()].some((s) => 'guard' in (s as object))).toBe(false);

    // someone else keeps working after the burst
    (entriesOf(seed.doc).get(0).get('note') as Y.Text).insert(0, 'later: ');
    await sleep(100);
    const n = notices[0]!;
    const res = await api(`${padId}/restore`, { method: 'POST', key: curatorKey, body: JSON.stringify({ section: 'proposed', session: n.session, from: n.from, to: n.to }) });
    expect(await res.json()).toEqual({ applied: true });
    await waitFor(() => sectionToJSON(seed.doc)[0]!.title === 'Entry 0', 3000, 'revert to reach the other client');
    const entries = sectionToJSON(seed.doc);
    expect(entries.map((e) => e.title)).toEqual(Array.from({ length: 20 }, (_, i) => `Entry ${i}`));
    expect(entries[0]!.note).toBe('later: needs review');
    expect(entries[15]!.note).toBe('honest: needs review');
    expect(((await (await api(`${padId}/guard`, { key: curatorKey })).json()) as { notices: unknown[] }).notices).toEqual([]);
    translator.provider.destroy();
    seed.provider.destroy();
    curator.provider.destroy();
  });

  it('two connections quarantined at the same moment: curators see both notices', async () => {
    const { padId, curatorKey } = await padWith('guard-two-at-once', 24);
    const [one, two] = await Promise.all([connectSynced(suite.server.url, padId, 'proposed'), connectSynced(suite.server.url, padId, 'proposed')]);
    const indices = Array.from({ length: 12 }, (_, i) => i);
    translate(one.doc, indices);
    translate(two.doc, indices.map((i) => i + 12));
    const sessions = async () =>
      ((await (await api(`${padId}/guard`, { key: curatorKey })).json()) as { notices: Array<{ session: string }> }).notices.map((n) => n.session);
    await waitFor(async () => (await sessions()).length === 2, 5000, 'two notices');
    expect(new Set(await sessions()).size).toBe(2);
    one.provider.destroy();
    two.provider.destroy();
  });

  it('never trips on a fast honest typist', async () => {
    const { padId, curatorKey, seed } = await padWith('guard-honest', 12);
    const typist = await connectSynced(suite.server.url, padId, 'proposed');
    const denied = refusals(typist.provider as never);
    // 10 entries, each: select a word and retype it, then type a few characters, as fast as the client can
    for (let i = 0; i < 10; i++) {
      const t = entriesOf(typist.doc).get(i).get('title') as Y.Text;
      t.delete(0, 5);
      for (const ch of 'Item') t.insert(t.length === 0 ? 0 : Math.min(4, t.length), ch);
      for (const ch of ' fixed') t.insert(t.length, ch);
      const note = entriesOf(typist.doc).get(i).get('note') as Y.Text;
      note.delete(0, note.length);
      note.insert(0, 'needs +2');
    }
    await waitFor(() => sectionToJSON(seed.doc).filter((e) => e.note === 'needs +2').length === 10, 5000, 'edits to arrive');
    await sleep(100);
    expect(denied).toEqual([]);
    expect(((await (await api(`${padId}/guard`, { key: curatorKey })).json()) as { notices: unknown[] }).notices).toEqual([]);
    typist.provider.destroy();
    seed.provider.destroy();
  });
});

describe('history and restore', () => {
  it('lists revisions with who and what, shows a past revision, and restores it as a new change', async () => {
    const { padId, curatorKey, seed } = await padWith('history', 2);
    (entriesOf(seed.doc).get(0).get('title') as Y.Text).insert(7, ' (edited)');
    await waitFor(() => suite.server.store.readLog({ padId, section: 'proposed' }).length >= 2);
    const history = (await (await api(`${padId}/history?section=proposed`)).json()) as {
      latest: number;
      revisions: Array<{ seq: number; role: string; session: string; entries: Array<{ id: string; change: string; fields?: string[] }> }>;
    };
    expect(history.revisions).toHaveLength(2);
    expect(history.revisions[0]).toMatchObject({ role: 'contributor', entries: [{ id: 'e0', change: 'edited', fields: ['title'] }] });
    expect(history.revisions[1]!.entries.map((e) => e.change)).toEqual(['added', 'added']);

    const first = history.revisions[1]!.seq;
    const past = (await (await api(`${padId}/history/${first}?section=proposed`)).json()) as { entries: Array<{ title: string }> };
    expect(past.entries.map((e) => e.title)).toEqual(['Entry 0', 'Entry 1']);
    // the latest revision is read from the history index's checkpoint (listing made one): the same content
    const latest = (await (await api(`${padId}/history/${history.latest}?section=proposed`)).json()) as { entries: Array<{ title: string }> };
    expect(latest.entries.map((e) => e.title)).toEqual(['Entry 0 (edited)', 'Entry 1']);

    // contributors may view but not restore
    expect((await api(`${padId}/restore`, { method: 'POST', body: JSON.stringify({ section: 'proposed', seq: first }) })).status).toBe(401);
    const res = await api(`${padId}/restore`, { method: 'POST', key: curatorKey, body: JSON.stringify({ section: 'proposed', seq: first }) });
    expect(await res.json()).toEqual({ applied: true });
    await waitFor(() => sectionToJSON(seed.doc)[0]!.title === 'Entry 0', 3000, 'restore to be seen live');
    // the restore is itself a revision, by the curator
    const after = (await (await api(`${padId}/history?section=proposed&limit=1`)).json()) as { revisions: Array<{ role: string }> };
    expect(after.revisions[0]!.role).toBe('curator');
    seed.provider.destroy();
  });

  it('refuses restore of ready to non-curators, and history to viewers; answers bad requests with 4xx', async () => {
    const { padId, curatorKey, readOnlyUrl, seed } = await padWith('history-auth', 1);
    const ready = await connectSynced(suite.server.url, padId, 'ready', { params: { key: curatorKey } });
    entriesOf(ready.doc).push([createEntry({ title: 'curated', addedBy: 'ptl' })]);
    await waitFor(() => suite.server.store.readLog({ padId, section: 'ready' }).length === 1);
    expect((await api(`${padId}/restore`, { method: 'POST', body: JSON.stringify({ section: 'ready', seq: 0 }) })).status).toBe(401);
    expect((await api(`${padId}/restore`, { method: 'POST', key: 'wrong', body: JSON.stringify({ section: 'ready', seq: 0 }) })).status).toBe(401);
    expect(sectionToJSON(ready.doc)).toHaveLength(1);
    const ro = readOnlyUrl.split('/p/')[1]!;
    expect((await api(`${ro}/history?section=ready`)).status).toBe(403);
    expect((await api(`${padId}/history?section=nope`)).status).toBe(400);
    expect((await api(`${padId}/history/999?section=ready`)).status).toBe(404);
    // numbers are decimal digits only: not hexadecimal, exponents or spaces that Number() would read
    for (const query of ['history/0x1?section=ready', 'history/1e0?section=ready', 'history?section=ready&limit=0x10', 'history?section=ready&before=%201', 'history?section=ready&limit=1.5']) {
      const res = await api(`${padId}/${query}`);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { error: string }).error, query).toMatch(/whole number|must be/);
    }
    expect((await api(`${padId}/history/1?section=ready`)).status).toBe(200);
    expect((await api(`${padId}/history?section=ready&limit=10&before=5`)).status).toBe(200);
    expect((await api(`${padId}/restore`, { method: 'POST', key: curatorKey, body: JSON.stringify({ section: 'ready' }) })).status).toBe(400);
    expect((await api(`${padId}/restore`, { method: 'POST', key: curatorKey, body: '{' })).status).toBe(400);
    // undo revisions alone: a range that is backwards is a 400, one past the log a 404
    const undo = (body: unknown) => api(`${padId}/restore`, { method: 'POST', key: curatorKey, body: JSON.stringify(body) });
    expect((await undo({ section: 'ready', undo: { from: 2, to: 1 } })).status).toBe(400);
    expect((await undo({ section: 'ready', undo: { from: 1, to: 99 } })).status).toBe(404);
    expect((await undo({ section: 'ready', undo: { from: 0, to: 1 } })).status).toBe(400);
    // an undo of a change and of its own undo changes nothing shown: no revision is made
    const before = suite.server.store.readLog({ padId, section: 'ready' }).length;
    expect(await (await undo({ section: 'ready', undo: { from: 1, to: 1 } })).json()).toEqual({ applied: true });
    await waitFor(() => sectionToJSON(ready.doc).length === 0);
    const afterUndo = suite.server.store.readLog({ padId, section: 'ready' }).length;
    expect(afterUndo).toBe(before + 1);
    expect(await (await undo({ section: 'ready', undo: { from: 1, to: afterUndo } })).json()).toEqual({ applied: false });
    expect(suite.server.store.readLog({ padId, section: 'ready' })).toHaveLength(afterUndo);
    // and undoing the undo brings the entry back
    expect(await (await undo({ section: 'ready', undo: { from: afterUndo, to: afterUndo } })).json()).toEqual({ applied: true });
    await waitFor(() => sectionToJSON(ready.doc).length === 1);
    // a curator restores ready to before the entry existed
    const res = await api(`${padId}/restore`, { method: 'POST', key: curatorKey, body: JSON.stringify({ section: 'ready', seq: 0 }) });
    expect(await res.json()).toEqual({ applied: true });
    await waitFor(() => sectionToJSON(ready.doc).length === 0);
    ready.provider.destroy();
    seed.provider.destroy();
  });
});

describe('names in history', () => {
  it("stores the names of sessions that wrote, not of those that only showed one (they cannot crowd writers' names out)", async () => {
    const { padId, seed } = await padWith('names-writers', 1);
    const lurkers = await Promise.all(Array.from({ length: 5 }, () => connectSynced(suite.server.url, padId, 'proposed')));
    lurkers.forEach((l, i) => l.provider.awareness.setLocalStateField('user', { name: `Lurker ${i}` }));
    const writer = await connectSynced(suite.server.url, padId, 'proposed');
    writer.provider.awareness.setLocalStateField('user', { name: 'Wanda' });
    await sleep(200);
    entriesOf(writer.doc).push([createEntry({ title: 'by Wanda', addedBy: 'w' })]);
    await waitFor(() => suite.server.store.listSessionNames(padId).length > 0, 5000, 'the writer\'s name to be stored');
    await sleep(1500); // a whole batch later
    expect(suite.server.store.listSessionNames(padId).map((n) => n.name)).toEqual(['Wanda']);
    // renaming after the write is stored too; history shows the latest name
    writer.provider.awareness.setLocalStateField('user', { name: 'Wanda M.' });
    await waitFor(() => suite.server.store.listSessionNames(padId).some((n) => n.name === 'Wanda M.'), 5000, 'the new name');
    const history = (await (await api(`${padId}/history?section=proposed`)).json()) as { revisions: Array<{ name?: string; session: string }> };
    expect(history.revisions[0]!.name).toBe('Wanda M.');
    for (const c of [seed, writer, ...lurkers]) c.provider.destroy();
  });
});

describe('history names curator keys', () => {
  it("a curator's revision names the key it was made with (its label), the PTL's as PTL", async () => {
    const { padId, curatorKey } = await createPad(suite.server.url, 'history-key-label');
    const made = (await (await api(`${padId}/curators`, { method: 'POST', key: curatorKey, body: JSON.stringify({ label: 'bauzas' }) })).json()) as { id: string; key: string };
    for (const key of [curatorKey, made.key]) {
      const writer = await connectSynced(suite.server.url, padId, 'ready', { params: { key } });
      entriesOf(writer.doc).push([createEntry({ title: `by ${key === curatorKey ? 'ptl' : 'delegate'}`, addedBy: 'x' })]);
      await waitFor(() => suite.server.store.readLog({ padId, section: 'ready' }).length === (key === curatorKey ? 1 : 2));
      writer.provider.destroy();
    }
    const list = (await (await api(`${padId}/history?section=ready`, { key: curatorKey })).json()) as { revisions: Array<{ session: string; keyLabel?: string }> };
    expect(list.revisions.map((r) => r.keyLabel)).toEqual(['bauzas', 'PTL']);
    expect(list.revisions[0]!.session).toBe(`curator:${made.id}`);
    // a revoked key is still named, and said to be revoked: its changes are the ones a PTL looks for
    expect((await api(`${padId}/curators/${made.id}`, { method: 'DELETE', key: curatorKey })).status).toBe(200);
    const after = (await (await api(`${padId}/history?section=ready`, { key: curatorKey })).json()) as { revisions: Array<{ keyLabel?: string }> };
    expect(after.revisions.map((r) => r.keyLabel)).toEqual(['bauzas (revoked)', 'PTL']);
    // to curators: someone with the pad link alone is not told who was revoked
    const contributor = (await (await api(`${padId}/history?section=ready`)).json()) as { revisions: Array<{ keyLabel?: string }> };
    expect(contributor.revisions.map((r) => r.keyLabel)).toEqual([undefined, 'PTL']);
  });
});
