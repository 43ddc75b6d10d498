import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { createEntry, entriesOf, metaOf, sectionToJSON, type Section } from '../../shared/schema.js';
import { createPad, removeDir, startTestServer } from '../helpers/server.js';
import { serverSuite } from '../helpers/server-suite.js';
import { connectSynced } from '../helpers/clients.js';
import { RawClient } from '../helpers/raw-client.js';
import { sleep, waitFor } from '../helpers/wait.js';

const suite = serverSuite();

let padCount = 0;
async function newPad() {
  const pad = await createPad(suite.server.url, `roles-${++padCount}`);
  return { ...pad, readOnlyRef: pad.readOnlyUrl.split('/p/')[1]! };
}

const stored = (padId: string, section: Section) => suite.server.store.readLog({ padId, section });
const addEntry = (title: string) => (doc: Y.Doc) => entriesOf(doc).push([createEntry({ title, addedBy: 'forger' })]);

/** A curator watching `ready`, to prove refused writes reach nobody. */
async function watcher(padId: string, curatorKey: string, section: Section = 'ready') {
  return RawClient.open(suite.server.url, padId, section, `?key=${encodeURIComponent(curatorKey)}`);
}

async function expectRefused(client: RawClient, others: RawClient[], padId: string, section: Section, reason: RegExp) {
  await waitFor(() => client.denials().length > 0, 3000, 'permission denied');
  expect(client.denials().at(-1)).toMatch(reason);
  await sleep(50);
  expect(stored(padId, section)).toEqual([]);
  for (const other of others) expect(other.count('update')).toBe(0);
}

describe('forged writes are refused', () => {
  it('a contributor connection writing to ready', async () => {
    const { padId, curatorKey } = await newPad();
    const curator = await watcher(padId, curatorKey);
    const forger = await RawClient.open(suite.server.url, padId, 'ready');
    forger.sendUpdate(forger.forge(addEntry('sneaked into ready')));
    await expectRefused(forger, [curator], padId, 'ready', /only curators can change the "ready" section/);
    // sync step 2 carrying new content is refused the same way
    forger.sendStep2(forger.forge(addEntry('via step 2')));
    await waitFor(() => forger.denials().length === 2);
    expect(stored(padId, 'ready')).toEqual([]);
    // the socket stays open and reading works
    expect(forger.closed).toBeNull();
    curator.close();
    forger.close();
  });

  it('a viewer writing to either section, and viewer presence', async () => {
    const { padId, curatorKey, readOnlyRef } = await newPad();
    for (const section of ['proposed', 'ready'] as const) {
      const other = section === 'ready' ? await watcher(padId, curatorKey) : await RawClient.open(suite.server.url, padId, 'proposed');
      const viewer = await RawClient.open(suite.server.url, readOnlyRef, section);
      viewer.sendUpdate(viewer.forge(addEntry(`viewer into ${section}`)));
      await expectRefused(viewer, [other], padId, section, /read-only link/);
      const presenceBefore = other.count('awareness');
      viewer.sendPresence({ user: { name: 'viewer' } });
      await sleep(100);
      expect(other.count('awareness')).toBe(presenceBefore);
      other.close();
      viewer.close();
    }
  });

  it('a wrong key, and a key for another pad', async () => {
    const { padId, curatorKey } = await newPad();
    const other = await newPad();
    const curator = await watcher(padId, curatorKey);
    for (const key of ['not-a-key', other.curatorKey]) {
      const forger = await RawClient.open(suite.server.url, padId, 'ready', `?key=${encodeURIComponent(key)}`);
      forger.sendUpdate(forger.forge(addEntry(`with key ${key}`)));
      await expectRefused(forger, [curator], padId, 'ready', /curator key given is not valid for this pad/);
      forger.close();
    }
    // a bearer header with a wrong key: same
    const bearer = await RawClient.open(suite.server.url, padId, 'ready', '', { authorization: 'Bearer nope' });
    bearer.sendUpdate(bearer.forge(addEntry('bearer')));
    await expectRefused(bearer, [curator], padId, 'ready', /not valid/);
    bearer.close();
    curator.close();
  });

  it("a client that claims the curator's clientID in its structs", async () => {
    const { padId, curatorKey } = await newPad();
    const curator = await connectSynced(suite.server.url, padId, 'ready', { params: { key: curatorKey } });
    entriesOf(curator.doc).push([createEntry({ title: 'curated', addedBy: 'ptl' })]);
    await waitFor(() => stored(padId, 'ready').length === 1);
    const watch = await watcher(padId, curatorKey);
    const forger = await RawClient.open(suite.server.url, padId, 'ready');
    forger.sendUpdate(forger.forge(addEntry('as the curator'), curator.doc.clientID));
    await waitFor(() => forger.denials().length > 0);
    await sleep(50);
    expect(stored(padId, 'ready')).toHaveLength(1);
    expect(watch.count('update')).toBe(0);
    expect(sectionToJSON(curator.doc).map((e) => e.title)).toEqual(['curated']);

    // On `proposed` (where contributors may write), the log records the sending session, not the forged clientID.
    const proposedForger = await RawClient.open(suite.server.url, padId, 'proposed');
    proposedForger.sendUpdate(proposedForger.forge(addEntry('forged id'), curator.doc.clientID));
    await waitFor(() => stored(padId, 'proposed').length === 1);
    expect(stored(padId, 'proposed')[0]).toMatchObject({ role: 'contributor', session: expect.stringMatching(/^contributor:/) });
    curator.provider.destroy();
    for (const c of [watch, forger, proposedForger]) c.close();
  });

  it('property: no random update from a non-curator is ever applied to ready', async () => {
    const { padId, curatorKey, readOnlyRef } = await newPad();
    // ready has some curated content the forgers can reference, edit and delete
    const curator = await connectSynced(suite.server.url, padId, 'ready', { params: { key: curatorKey } });
    entriesOf(curator.doc).push([createEntry({ title: 'curated one', note: 'needs +2', addedBy: 'ptl' }), createEntry({ title: 'curated two', addedBy: 'ptl' })]);
    metaOf(curator.doc).set('title', 'Nova 2025.1');
    await waitFor(() => stored(padId, 'ready').length > 0);
    const before = stored(padId, 'ready').length;
    const stateBefore = Y.encodeStateVector(curator.doc);
    const contributor = await RawClient.open(suite.server.url, padId, 'ready');
    const viewer = await RawClient.open(suite.server.url, readOnlyRef, 'ready');

    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), title: fc.string({ maxLength: 20 }) }),
      fc.record({ kind: fc.constant('delete' as const), index: fc.nat(3) }),
      fc.record({ kind: fc.constant('title' as const), index: fc.nat(3), at: fc.nat(12), text: fc.string({ minLength: 1, maxLength: 8 }) }),
      fc.record({ kind: fc.constant('cut' as const), index: fc.nat(3), at: fc.nat(12), len: fc.integer({ min: 1, max: 5 }) }),
      fc.record({ kind: fc.constant('meta' as const), key: fc.constantFrom('title', 'scrubbedAt', 'x'), value: fc.oneof(fc.string(), fc.integer()) }),
      fc.record({ kind: fc.constant('root' as const), name: fc.string({ minLength: 1, maxLength: 6 }), value: fc.string() }),
    );
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 6 }), fc.boolean(), fc.boolean(), async (ops, asViewer, asStep2) => {
        const client = asViewer ? viewer : contributor;
        const update = client.forge((doc) => {
          const entries = entriesOf(doc);
          for (const o of ops) {
            const entry = 'index' in o && entries.length > 0 ? entries.get(o.index % entries.length) : undefined;
            if (o.kind === 'add') entries.push([createEntry({ title: o.title, addedBy: 'x' })]);
            else if (o.kind === 'delete' && entries.length > 0) entries.delete(o.index % entries.length, 1);
            else if (o.kind === 'title' && entry) {
              const t = entry.get('title') as Y.Text;
              t.insert(Math.min(o.at, t.length), o.text);
            } else if (o.kind === 'cut' && entry) {
              const t = entry.get('title') as Y.Text;
              const at = Math.min(o.at, t.length);
              t.delete(at, Math.min(o.len, t.length - at));
            } else if (o.kind === 'meta') metaOf(doc).set(o.key, o.value);
            else if (o.kind === 'root') doc.getMap(o.name).set('k', o.value);
          }
        });
        const denied = client.denials().length;
        if (asStep2) client.sendStep2(update);
        else client.sendUpdate(update);
        // An update that changes something is answered with a refusal; one that changes nothing is simply dropped.
        const changes = Y.parseUpdateMeta(update).to.size > 0 || Y.decodeUpdate(update).ds.clients.size > 0;
        if (changes) await waitFor(() => client.denials().length > denied, 3000, 'refusal');
        runs++;
      }),
      { numRuns: 60, seed: 20261123 },
    );
    await sleep(50);
    expect(runs).toBe(60);
    expect(stored(padId, 'ready')).toHaveLength(before);
    expect(Y.encodeStateVector(curator.doc)).toEqual(stateBefore);
    expect(sectionToJSON(curator.doc).map((e) => e.title)).toEqual(['curated one', 'curated two']);
    curator.provider.destroy();
    contributor.close();
    viewer.close();
  });
});

describe('curator flows', () => {
  const api = (path: string, init: RequestInit & { key?: string; cookie?: string } = {}) =>
    fetch(`${suite.server.url}/api/pads/${path}`, {
      ...init,
      headers: {
        'content-type': 'application/json',
        ...(init.key ? { authorization: `Bearer ${init.key}` } : {}),
        ...(init.cookie ? { cookie: init.cookie } : {}),
      },
    });

  it('sign in with the key, write to ready through the cookie, sign out', async () => {
    const { padId, curatorKey } = await newPad();
    const bad = await api(`${padId}/login`, { method: 'POST', body: JSON.stringify({ key: 'wrong' }) });
    expect(bad.status).toBe(401);
    const res = await api(`${padId}/login`, { method: 'POST', body: JSON.stringify({ key: curatorKey }) });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toContain(curatorKey);
    const cookie = setCookie.split(';')[0]!;
    expect(((await (await api(`${padId}/session`, { cookie })).json()) as { role: string }).role).toBe('curator');

    const viaCookie = await RawClient.open(suite.server.url, padId, 'ready', '', { cookie });
    viaCookie.sendUpdate(viaCookie.forge(addEntry('by cookie')));
    await waitFor(() => stored(padId, 'ready').length === 1);
    expect(stored(padId, 'ready')[0]).toMatchObject({ role: 'curator', session: expect.stringMatching(/^curator:/) });
    expect(viaCookie.denials()).toEqual([]);
    viaCookie.close();

    await api(`${padId}/logout`, { method: 'POST', cookie });
    expect(((await (await api(`${padId}/session`, { cookie })).json()) as { role: string }).role).toBe('contributor');
    // the cookie of the ended session writes nothing any more
    const after = await RawClient.open(suite.server.url, padId, 'ready', '', { cookie });
    after.sendUpdate(after.forge(addEntry('after logout')));
    await waitFor(() => after.denials().length > 0);
    expect(stored(padId, 'ready')).toHaveLength(1);
    after.close();
  });

  it('a session cookie of one pad is no curator on another', async () => {
    const a = await newPad();
    const b = await newPad();
    const res = await api(`${a.padId}/login`, { method: 'POST', body: JSON.stringify({ key: a.curatorKey }) });
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    expect(((await (await api(`${b.padId}/session`, { cookie })).json()) as { role: string }).role).toBe('contributor');
    expect((await api(`${b.padId}/curators`, { cookie })).status).toBe(401);
  });

  it('delegate a curator, list without keys, revoke while connected: writes refused from that moment', async () => {
    const { padId, curatorKey } = await newPad();
    expect((await api(`${padId}/curators`, { method: 'POST', body: JSON.stringify({ label: 'x' }) })).status).toBe(401);
    const made = await api(`${padId}/curators`, { method: 'POST', key: curatorKey, body: JSON.stringify({ label: 'gibi (delegate)' }) });
    expect(made.status).toBe(201);
    const delegate = (await made.json()) as { id: string; label: string; key: string };
    expect(delegate.key).toMatch(/^[A-Za-z0-9_-]{32}$/);

    const list = (await (await api(`${padId}/curators`, { key: delegate.key })).json()) as { curators: Record<string, unknown>[] };
    expect(list.curators.map((c) => c.label)).toEqual(['PTL', 'gibi (delegate)']);
    expect(JSON.stringify(list)).not.toContain(delegate.key);
    expect(JSON.stringify(list)).not.toContain(curatorKey);

    const delegated = await connectSynced(suite.server.url, padId, 'ready', { params: { key: delegate.key } });
    entriesOf(delegated.doc).push([createEntry({ title: 'by delegate', addedBy: 'gibi' })]);
    await waitFor(() => stored(padId, 'ready').length === 1);
    const watch = await watcher(padId, curatorKey);

    expect((await api(`${padId}/curators/${delegate.id}`, { method: 'DELETE', key: curatorKey })).status).toBe(200);
    let denied = '';
    delegated.provider.messageHandlers[2] = (_encoder, decoder) => {
      decoding.readVarUint(decoder); // permission denied
      denied = decoding.readVarString(decoder);
    };
    entriesOf(delegated.doc).push([createEntry({ title: 'after revocation', addedBy: 'gibi' })]);
    await waitFor(() => denied, 3000, 'refusal after revocation');
    expect(denied).toMatch(/revoked/);
    await sleep(50);
    expect(stored(padId, 'ready')).toHaveLength(1);
    expect(watch.count('update')).toBe(0);
    // the revoked key no longer authenticates anywhere
    expect((await api(`${padId}/curators`, { key: delegate.key })).status).toBe(401);
    expect((await api(`${padId}/login`, { method: 'POST', body: JSON.stringify({ key: delegate.key }) })).status).toBe(401);
    delegated.provider.destroy();
    watch.close();
  });

  it('refuses to revoke the PTL key through the API, and unknown ids', async () => {
    const { padId, curatorKey } = await newPad();
    const { curators } = (await (await api(`${padId}/curators`, { key: curatorKey })).json()) as { curators: { id: string }[] };
    expect((await api(`${padId}/curators/${curators[0]!.id}`, { method: 'DELETE', key: curatorKey })).status).toBe(403);
    expect((await api(`${padId}/curators/nope`, { method: 'DELETE', key: curatorKey })).status).toBe(404);
  });

  it('rate-limits failed sign-ins per address with a clear 429', async () => {
    // its own server: the other tests' failed sign-ins come from the same address
    const own = await startTestServer();
    const { padId, curatorKey } = await createPad(own.url, 'limited');
    const login = (key: string) =>
      fetch(`${own.url}/api/pads/${padId}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key }) });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await login(`guess-${i}`)).status);
    expect(statuses).toEqual(Array(10).fill(401));
    const limited = await login('guess-11');
    // a correct key is never refused, however many wrong ones came before it
    const right = await login(curatorKey);
    await own.close();
    removeDir(own.dataDir);
    expect(right.status).toBe(200);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await limited.json()) as { error: string }).error).toContain('too many failed sign-ins');
  });
});

describe('read-only mirror', () => {
  it('serves the pad to viewers without its name or any key, live and as JSON', async () => {
    const { padId, curatorKey, readOnlyRef, readOnlyUrl } = await newPad();
    expect(readOnlyRef).toMatch(/^r\.[0-9a-f]{32}$/);
    const curator = await connectSynced(suite.server.url, padId, 'ready', { params: { key: curatorKey } });
    entriesOf(curator.doc).push([createEntry({ title: 'PCI device groups', owner: 'erin', addedBy: 'ptl' })]);
    await waitFor(() => stored(padId, 'ready').length === 1);

    const page = await (await fetch(readOnlyUrl)).text();
    expect(page).toContain('PCI device groups');
    expect(page).not.toContain(padId);
    expect(page).not.toContain('translate="no"');
    const json = (await (await fetch(`${suite.server.url}/api/pads/${readOnlyRef}/export.json`)).json()) as { name: string; sections: { ready: unknown[] } };
    expect(json.name).toBe(readOnlyRef);
    expect(json.sections.ready).toHaveLength(1);
    const session = await (await fetch(`${suite.server.url}/api/pads/${readOnlyRef}/session`)).text();
    expect(session).not.toContain(padId);

    const viewer = await RawClient.open(suite.server.url, readOnlyRef, 'ready');
    entriesOf(curator.doc).push([createEntry({ title: 'second', addedBy: 'ptl' })]);
    await waitFor(() => sectionToJSON(viewer.doc).length === 2);
    const traffic = Buffer.concat(viewer.received.map((m) => Buffer.from(m.payload as Uint8Array))).toString('latin1');
    expect(traffic).not.toContain(padId);
    expect(traffic).not.toContain(curatorKey);
    // viewers cannot sign in or manage curators through the mirror
    expect((await fetch(`${suite.server.url}/api/pads/${readOnlyRef}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: curatorKey }) })).status).toBe(403);
    expect((await fetch(`${suite.server.url}/api/pads/${readOnlyRef}/curators`, { headers: { authorization: `Bearer ${curatorKey}` } })).status).toBe(403);
    curator.provider.destroy();
    viewer.close();
  });

  it('an unknown token is a 404 on every route', async () => {
    const ref = `r.${'ab'.repeat(16)}`;
    expect((await fetch(`${suite.server.url}/p/${ref}`)).status).toBe(404);
    expect((await fetch(`${suite.server.url}/api/pads/${ref}/export.json`)).status).toBe(404);
    await expect(RawClient.open(suite.server.url, ref, 'ready')).rejects.toThrow(/404/);
  });
});
