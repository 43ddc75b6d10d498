/**
 * Updates outside the pad's schema, as an attacker with the pad's link sends them: a 20,000-deep entry, XML types, a
 * sub-document, formatting and embeds, binary content, unknown roots, `meta` in `proposed`. Each is refused whole
 * (permission denied), never logged, never seen by another peer; the live document stays exactly what the store
 * would load; honest writes and restores keep working.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createEntry, entriesOf, metaOf, sectionToJSON, type Section } from '../../shared/schema.js';
import { createPad } from '../helpers/server.js';
import { serverSuite } from '../helpers/server-suite.js';
import { connectSynced } from '../helpers/clients.js';
import { RawClient } from '../helpers/raw-client.js';
import { craftUpdate } from '../helpers/craft-update.js';
import { sleep, waitFor } from '../helpers/wait.js';

const suite = serverSuite({ maxMessagesPerSecond: 2000 });

let padId: string;
let curatorKey: string;
beforeAll(async () => {
  ({ padId, curatorKey } = await createPad(suite.server.url, 'structure-attack'));
  const honest = await connectSynced(suite.server.url, padId, 'proposed');
  const entry = createEntry({ id: 'base', title: 'base entry', note: 'n', addedBy: 'honest' });
  entriesOf(honest.doc).push([entry]);
  await waitFor(() => logOf('proposed').length === 1);
  honest.provider.destroy();
});

const logOf = (section: Section) => suite.server.store.readLog({ padId, section });

/** The live document equals a fresh load from the store: nothing is applied in memory without being logged. */
function expectMemoryMatchesStore(section: Section): void {
  const ref = { padId, section };
  const live = suite.server.registry.peek(ref)?.doc;
  if (!live) return; // unloaded: what is loaded next comes from the store
  const stored = suite.server.store.loadDocument(ref);
  const fresh = new Y.Doc();
  if (stored.snapshot) Y.applyUpdate(fresh, stored.snapshot.state);
  for (const u of stored.updates) Y.applyUpdate(fresh, u.data);
  expect(Y.encodeStateVector(live)).toEqual(Y.encodeStateVector(fresh));
  expect(sectionToJSON(live)).toEqual(sectionToJSON(fresh));
  expect([...live.share.keys()].filter((k) => k !== 'entries' && k !== 'meta')).toEqual([]);
  expect(live.getMap('meta').toJSON()).toEqual(fresh.getMap('meta').toJSON());
}

/**
 * Sends `change` (made on a copy of the section) from a connection with `role`'s credentials and expects it refused
 * whole: a permission-denied answer, nothing logged, nothing sent to a watcher, memory equal to the store.
 */
async function expectRefused(section: Section, change: (doc: Y.Doc) => void, options: { curator?: boolean; clientID?: number } = {}) {
  const query = options.curator ? `?key=${encodeURIComponent(curatorKey)}` : '';
  const watcher = await RawClient.open(suite.server.url, padId, section, `?key=${encodeURIComponent(curatorKey)}`);
  const attacker = await RawClient.open(suite.server.url, padId, section, query);
  const before = logOf(section).length;
  const update = attacker.forge(change, options.clientID);
  attacker.sendUpdate(update);
  await waitFor(() => attacker.denials().length > 0 || attacker.closed, 5000, 'the update to be refused');
  expect(attacker.closed, 'refused with a message, not a closed socket').toBeNull();
  expect(attacker.denials()[0]).toMatch(/^refused: /);
  await sleep(60);
  expect(logOf(section)).toHaveLength(before);
  expect(watcher.count('update')).toBe(0);
  expectMemoryMatchesStore(section);
  attacker.close();
  watcher.close();
  return update;
}

/** An honest write still goes through, is logged and reaches another client. */
async function honestWriteWorks(section: Section, title: string) {
  const params: Record<string, string> = section === 'ready' ? { key: curatorKey } : {};
  const a = await connectSynced(suite.server.url, padId, section, { params });
  const b = await connectSynced(suite.server.url, padId, section, { params });
  const before = logOf(section).length;
  entriesOf(a.doc).push([createEntry({ title, addedBy: 'honest' })]);
  await waitFor(() => sectionToJSON(b.doc).some((e) => e.title === title), 3000, 'the honest write to arrive');
  expect(logOf(section).length).toBe(before + 1);
  expectMemoryMatchesStore(section);
  a.provider.destroy();
  b.provider.destroy();
}

function deepEntry(depth: number) {
  return (d: Y.Doc) =>
    d.transact(() => {
      const entry = createEntry({ title: 'deep', addedBy: 'attacker' });
      entriesOf(d).push([entry]);
      let m: Y.Map<unknown> = entry;
      for (let i = 0; i < depth; i++) {
        const next = new Y.Map<unknown>();
        m.set('x', next);
        m = next;
      }
    });
}

describe('schema violations are refused whole', () => {
  it('an entry nested 20,000 maps deep: refused, not logged, not seen; honest writes and restore still work', async () => {
    const other = await connectSynced(suite.server.url, padId, 'proposed');
    const update = await expectRefused('proposed', deepEntry(20_000));
    expect(update.byteLength).toBeGreaterThan(20_000);
    expect(sectionToJSON(other.doc).map((e) => e.title)).toEqual(['base entry']);
    other.provider.destroy();
    await honestWriteWorks('proposed', 'after the deep attack');
    const res = await fetch(`${suite.server.url}/api/pads/${padId}/restore`, {
      method: 'POST',
      headers: { authorization: `Bearer ${curatorKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ section: 'proposed', seq: 1 }),
    });
    expect(res.status, await res.clone().text()).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);
    const check = await connectSynced(suite.server.url, padId, 'proposed');
    expect(sectionToJSON(check.doc).map((e) => e.title)).toEqual(['base entry']);
    check.provider.destroy();
    expectMemoryMatchesStore('proposed');
  });

  it('depth reached one level per update, and by overwriting a key (positioned by its neighbour, no parent given)', async () => {
    const a = await RawClient.open(suite.server.url, padId, 'proposed');
    const before = logOf('proposed').length;
    // level 2: a map inside an entry: within the schema's depth
    const level2 = a.forge((d) => entriesOf(d).get(0).set('extra', new Y.Map()));
    a.sendUpdate(level2);
    Y.applyUpdate(a.doc, level2); // a lone update is not echoed to its sender
    await waitFor(() => logOf('proposed').length === before + 1, 3000, 'level 2 to be accepted');
    // level 3 inside it: refused
    a.sendUpdate(a.forge((d) => ((entriesOf(d).get(0).get('extra') as Y.Map<unknown>).set('deeper', new Y.Map()))));
    await waitFor(() => a.denials().length === 1, 3000, 'level 3 refused');
    // a nested type into a text field (an embed of a map in the title): refused
    a.sendUpdate(a.forge((d) => (entriesOf(d).get(0).get('title') as Y.Text).insertEmbed(0, new Y.Map())));
    await waitFor(() => a.denials().length === 2, 3000, 'a type embedded in a text refused');
    await sleep(50);
    expect(logOf('proposed')).toHaveLength(before + 1);
    expectMemoryMatchesStore('proposed');
    a.close();
    // overwrite the existing 'extra' key with a deep map: the new item names only its left neighbour
    await expectRefused('proposed', (d) => {
      const deep = new Y.Map<unknown>();
      entriesOf(d).get(0).set('extra', deep);
      deep.set('y', new Y.Map());
    });
  });

  it.each<[string, Section, (d: Y.Doc) => void]>([
    ['an XML element in entries', 'proposed', (d) => entriesOf(d).push([new Y.XmlElement('script') as unknown as Y.Map<unknown>])],
    ['an XML text in an entry', 'proposed', (d) => entriesOf(d).get(0).set('note', new Y.XmlText('x'))],
    ['an XML fragment in an entry', 'proposed', (d) => entriesOf(d).get(0).set('frag', new Y.XmlFragment())],
    ['a sub-document in an entry', 'proposed', (d) => entriesOf(d).get(0).set('sub', new Y.Doc())],
    ['a sub-document in entries', 'proposed', (d) => (entriesOf(d) as unknown as Y.Array<unknown>).push([new Y.Doc()])],
    ['binary content', 'proposed', (d) => entriesOf(d).get(0).set('bin', new Uint8Array(64))],
    ['formatting in a title', 'proposed', (d) => (entriesOf(d).get(0).get('title') as Y.Text).format(0, 2, { bold: true })],
    ['an embed in a title', 'proposed', (d) => (entriesOf(d).get(0).get('title') as Y.Text).insertEmbed(0, { image: 'x' })],
    ['an unknown root (map)', 'proposed', (d) => d.getMap('evil').set('x', 1)],
    ['an unknown root (array)', 'proposed', (d) => d.getArray('entries2').push(['x'])],
    ['an unknown root (text)', 'proposed', (d) => d.getText('__proto__').insert(0, 'x')],
    ['meta in proposed', 'proposed', (d) => metaOf(d).set('title', 'hijacked cycle')],
    ['a plain value nested deeper than the schema', 'proposed', (d) => entriesOf(d).get(0).set('owner', { a: { b: { c: { d: { e: 1 } } } } })],
    ['a valid entry and an XML element in the same update', 'proposed', (d) => {
      entriesOf(d).push([createEntry({ title: 'smuggled with xml', addedBy: 'x' })]);
      d.getXmlFragment('entries-xml').push([new Y.XmlElement('p')]);
    }],
  ])('%s: refused', async (_what, section, change) => {
    await expectRefused(section, change);
  });

  it('a curator is held to the same schema in ready (unknown root, XML in meta, deep milestones)', async () => {
    await expectRefused('ready', (d) => d.getMap('roles').set('admin', 'me'), { curator: true });
    await expectRefused('ready', (d) => metaOf(d).set('x', new Y.XmlElement('p')), { curator: true });
    await expectRefused('ready', (d) => {
      const milestones = new Y.Array<Y.Map<unknown>>();
      metaOf(d).set('milestones', milestones);
      const m = new Y.Map<unknown>();
      milestones.push([m]);
      m.set('nested', new Y.Map());
    }, { curator: true });
    await honestWriteWorks('ready', 'curated after attacks');
  });

  it('a legacy JSON value (ContentJSON) nested thousands deep is refused: once stored, every re-encoding of the section overflowed the stack', async () => {
    const attacker = await RawClient.open(suite.server.url, padId, 'proposed');
    const before = logOf('proposed').length;
    const deep = '['.repeat(6000) + ']'.repeat(6000);
    attacker.sendUpdate(craftUpdate([{ client: 424242, clock: 0, structs: [{ parentKey: 'entries', json: [deep] }] }]));
    await waitFor(() => attacker.denials().length > 0 || attacker.closed, 5000, 'a refusal or a close');
    // a shallow one is still within the schema's depth (legacy clients wrote values this way)
    const shallow = await RawClient.open(suite.server.url, padId, 'proposed');
    shallow.sendUpdate(craftUpdate([{ client: 434343, clock: 0, structs: [{ parentKey: 'entries', json: ['[[1]]'] }] }]));
    await sleep(200);
    expect(shallow.denials()).toEqual([]);
    expect(logOf('proposed')).toHaveLength(before + 1);
    expectMemoryMatchesStore('proposed');
    // the section can still be encoded for a newcomer, and written to
    await honestWriteWorks('proposed', 'after the legacy deep value');
    attacker.close();
    shallow.close();
  });

  it('a deep plain JSON value (thousands of levels) does not take the server down', async () => {
    const attacker = await RawClient.open(suite.server.url, padId, 'proposed');
    const before = logOf('proposed').length;
    let value: unknown = 1;
    for (let i = 0; i < 3000; i++) value = { v: value };
    let update: Uint8Array | null = null;
    try {
      update = attacker.forge((d) => entriesOf(d).get(0).set('owner', value));
    } catch {
      // the client library itself could not encode it: nothing to send
    }
    if (update) {
      attacker.sendUpdate(update);
      await waitFor(() => attacker.denials().length > 0 || attacker.closed, 5000, 'a refusal or a close');
    }
    await sleep(50);
    expect(logOf('proposed')).toHaveLength(before);
    expectMemoryMatchesStore('proposed');
    attacker.close();
    await honestWriteWorks('proposed', 'after the deep value');
  });

  it('after every refusal above, the document reloaded from the store equals the live one', async () => {
    for (const section of ['proposed', 'ready'] as const) {
      await RawClient.open(suite.server.url, padId, section).then((c) => {
        expectMemoryMatchesStore(section);
        c.close();
      });
    }
    const res = await fetch(`${suite.server.url}/api/pads/${padId}/export.json`);
    const data = (await res.json()) as { sections: { proposed: { title: string }[] } };
    expect(data.sections.proposed.map((e) => e.title)).not.toContain('deep');
    expect(data.sections.proposed.map((e) => e.title)).not.toContain('smuggled with xml');
  });
});
