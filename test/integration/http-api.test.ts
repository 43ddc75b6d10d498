import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createEntry, entriesOf, metaOf, sectionToJSON } from '../../shared/schema.js';
import { INITIAL_STATE_ELEMENT_ID, type InitialState } from '../../shared/wire.js';
import { createPad } from '../helpers/server.js';
import { serverSuite } from '../helpers/server-suite.js';
import { connectSynced } from '../helpers/clients.js';
import { sleep, waitFor } from '../helpers/wait.js';

const suite = serverSuite();

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${suite.server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('POST /api/pads', () => {
  it('creates a pad and answers its links and the curator key once', async () => {
    const res = await post('/api/pads', { name: 'nova-2025.1-tracking' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, string>;
    expect(body.padId).toBe('nova-2025.1-tracking');
    expect(body.editUrl).toBe(`${suite.server.url}/p/nova-2025.1-tracking`);
    expect(body.readOnlyUrl).toMatch(new RegExp(`^${suite.server.url}/p/r\\.[0-9a-f]{32}$`));
    expect(body.curatorKey).toMatch(/^[A-Za-z0-9_-]{32}$/);
    // the key is stored only as a hash
    const rows = (suite.server.store as unknown as { db: import('better-sqlite3').Database }).db
      .prepare('SELECT key_hash FROM curator_keys')
      .all() as { key_hash: string }[];
    expect(rows.some((r) => r.key_hash === body.curatorKey)).toBe(false);
    expect(JSON.stringify(rows)).not.toContain(body.curatorKey);
  });

  it.each([
    ['', 'must not be empty'],
    ['a'.repeat(51), 'at most 50'],
    ['has space', 'may only contain'],
    ['ünïcode', 'may only contain'],
    ['r.something', 'must not start with "r."'],
    ['../etc', 'may only contain'],
    ['.', 'only dots'],
    ['..', 'only dots'],
  ])('refuses the name %j with 400 and says why', async (name, message) => {
    const res = await post('/api/pads', { name });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(((await res.json()) as { error: string }).error).toContain(message);
  });

  it.each([
    ['not json', '{"name": '],
    ['a number', { name: 42 }],
    ['no name', {}],
    ['an array', [1, 2]],
  ])('refuses a body that is %s with a 400 JSON error', async (_what, body) => {
    const res = await post('/api/pads', body);
    expect(res.status).toBe(400);
    expect(typeof ((await res.json()) as { error: unknown }).error).toBe('string');
  });

  it('answers 409 for a name that exists', async () => {
    expect((await post('/api/pads', { name: 'dup' })).status).toBe(201);
    const res = await post('/api/pads', { name: 'dup' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toContain('already exists');
  });
});

describe('pads by reference', () => {
  it('answers 404 JSON for an unknown pad, in the API and on the sync endpoint', async () => {
    const res = await fetch(`${suite.server.url}/api/pads/nope/export.json`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toBe('no such pad');
    const page = await fetch(`${suite.server.url}/p/nope`);
    expect(page.status).toBe(404);
    const ro = await fetch(`${suite.server.url}/api/pads/r.${'0'.repeat(32)}/export.json`);
    expect(ro.status).toBe(404);
  });

  it('exports both sections and the cycle header as plain JSON', async () => {
    const { padId, curatorKey } = await createPad(suite.server.url, 'export-me');
    const proposed = await connectSynced(suite.server.url, padId, 'proposed');
    const ready = await connectSynced(suite.server.url, padId, 'ready', { params: { key: curatorKey } });
    entriesOf(proposed.doc).push([
      createEntry({
        kind: 'bug',
        title: 'Evacuate fails when source host is down',
        launchpad: 'https://bugs.launchpad.net/nova/+bug/2081234',
        owner: 'carol',
        reviews: ['https://review.opendev.org/c/openstack/nova/+/931122'],
        note: 'needs first review',
        addedBy: 'carol',
        addedAt: 1_700_000_000_000,
        id: 'e1',
      }),
    ]);
    ready.doc.transact(() => {
      metaOf(ready.doc).set('title', 'Nova 2025.1 Epoxy');
      metaOf(ready.doc).set('scrubbedAt', 1_700_000_500_000);
    });
    const body = await waitFor(async () => {
      const b = (await (await fetch(`${suite.server.url}/api/pads/${padId}/export.json`)).json()) as any;
      return b.sections.proposed.length === 1 && b.meta.title && b;
    });
    expect(body).toEqual({
      name: 'export-me',
      sections: {
        proposed: [
          {
            id: 'e1',
            kind: 'bug',
            title: 'Evacuate fails when source host is down',
            launchpad: 'https://bugs.launchpad.net/nova/+bug/2081234',
            owner: 'carol',
            reviews: ['https://review.opendev.org/c/openstack/nova/+/931122'],
            note: 'needs first review',
            addedBy: 'carol',
            addedAt: 1_700_000_000_000,
            status: 'open',
            rank: null,
            promotedFrom: null,
            promotedTo: null,
          },
        ],
        ready: [],
      },
      meta: { title: 'Nova 2025.1 Epoxy', milestones: [], scrubbedAt: 1_700_000_500_000, preamble: [] },
    });
    proposed.provider.destroy();
    ready.provider.destroy();
  });

  it('serves the pad page and the home page', async () => {
    await createPad(suite.server.url, 'page-pad');
    const page = await fetch(`${suite.server.url}/p/page-pad`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<cp-pad-page pad="page-pad">');
    expect(html).toContain('<html lang="en">');
    expect((await fetch(`${suite.server.url}/`)).status).toBe(200);
  });

  it("carries the pad's state in the editor page (decoding to what the sockets serve), never in the mirror", async () => {
    const { padId, readOnlyUrl, curatorKey } = await createPad(suite.server.url, 'page-state');
    const proposed = await connectSynced(suite.server.url, padId, 'proposed');
    const ready = await connectSynced(suite.server.url, padId, 'ready', { params: { key: curatorKey } });
    proposed.doc.transact(() => entriesOf(proposed.doc).push([createEntry({ title: 'a </script><script>alert(1)</script> title', addedBy: 't' })]));
    ready.doc.transact(() => entriesOf(ready.doc).push([createEntry({ title: 'ready one', note: '<!-- x', addedBy: 't' })]));
    const stateOf = (html: string): InitialState | null => {
      const match = new RegExp(`<script type="application/json" id="${INITIAL_STATE_ELEMENT_ID}">([^<]*)</script>`).exec(html);
      return match ? (JSON.parse(match[1]!) as InitialState) : null;
    };
    let page = '';
    await waitFor(async () => {
      page = await (await fetch(`${suite.server.url}/p/${padId}`)).text();
      const state = stateOf(page);
      if (!state) return false;
      const doc = new Y.Doc();
      Y.applyUpdate(doc, Buffer.from(state.proposed, 'base64'));
      return entriesOf(doc).length === 1;
    }, 5000, 'the page to carry the new entry');
    const res = await fetch(`${suite.server.url}/p/${padId}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-encoding')).toBe('gzip'); // (fetch decompresses it)
    const state = stateOf(await res.text())!;
    expect(state.pad).toBe(padId);
    for (const [section, live] of [['proposed', proposed.doc], ['ready', ready.doc]] as const) {
      const doc = new Y.Doc();
      Y.applyUpdate(doc, Buffer.from(state[section], 'base64'));
      expect(sectionToJSON(doc)).toEqual(sectionToJSON(live));
    }
    // the hostile title is in the base64 and, escaped, in the first view: one script element of each kind, no markup
    // from the pad
    expect(page.match(/<script/g)).toHaveLength(2);
    expect(page).not.toContain('<script>alert(1)');
    expect(page).toContain('a &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; title');

    // the first view: both sections as the mirror's markup, inside the editor's element (which replaces it), before
    // the state (so it is parsed and shown first), saying it is not live
    const firstView = /<cp-pad-page pad="page-state"><main class="page mirror first-view">(.*?)<\/cp-pad-page>/s.exec(page)?.[1] ?? '';
    expect(firstView).toContain('Ready to review');
    expect(firstView).toContain('ready one');
    expect(firstView).toContain('Proposed patches');
    expect(firstView).toContain('(not live)');
    // one h1 (the pad's name, as the editor's), the cycle title under it, the sections under that
    expect(firstView.match(/<h1[ >]/g)).toHaveLength(1);
    expect(firstView).toMatch(/^<h1 class="first-view-pad">page-state<\/h1>/);
    expect(firstView).toContain('<header class="mirror-header"><h2>');
    expect(firstView.match(/<li class="entry"/g)).toHaveLength(2);
    expect(page.indexOf('first-view')).toBeLessThan(page.indexOf(INITIAL_STATE_ELEMENT_ID));

    // without JavaScript the editor page leads to the read-only view, which works without it
    expect(page).toContain(`<a href="${new URL(readOnlyUrl).pathname}">read-only view</a>`);
    const plain = await fetch(`${suite.server.url}/p/${padId}`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(stateOf(await plain.text())).toEqual(state);
    const mirror = await (await fetch(readOnlyUrl)).text();
    expect(mirror).toContain('ready one');
    expect(mirror).not.toContain(INITIAL_STATE_ELEMENT_ID);
    expect(stateOf(mirror)).toBeNull();
    proposed.provider.destroy();
    ready.provider.destroy();
  });

  it('a pad too large to carry its state in the page carries no first view either (the editor would start empty)', async () => {
    const { padId } = await createPad(suite.server.url, 'page-too-large');
    const writer = await connectSynced(suite.server.url, padId, 'proposed');
    // 4.5 MB of notes, a message of 9 at a time (a message is at most 1 MiB), within the write budget (2 MiB/s)
    for (let batch = 0; batch < 5; batch++) {
      entriesOf(writer.doc).push(Array.from({ length: 9 }, (_, i) => createEntry({ title: `big ${batch}-${i}`, note: 'n'.repeat(99_000), addedBy: 't' })));
      await sleep(600);
    }
    await waitFor(async () => {
      const pad = (await (await fetch(`${suite.server.url}/api/pads/${padId}/export.json`)).json()) as { sections: { proposed: unknown[] } };
      return pad.sections.proposed.length === 45;
    }, 10_000, 'every entry to be stored');
    const page = await (await fetch(`${suite.server.url}/p/${padId}`)).text();
    expect(page).not.toContain(INITIAL_STATE_ELEMENT_ID);
    expect(page).not.toContain('first-view');
    expect(page).not.toContain('big 0-0');
    // without JavaScript, the page says where to read the pad
    expect(page).toMatch(/<noscript><main class="page"><h1>page-too-large<\/h1><p>Editing this pad needs JavaScript/);
    writer.provider.destroy();
  });

  it('answers unknown routes with a 404 JSON error', async () => {
    const res = await fetch(`${suite.server.url}/api/nothing`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toContain('no route');
  });
});

describe('client assets', () => {
  it('are served compressed where the browser takes it, and revalidated with a 304 while unchanged', async () => {
    const url = `${suite.server.url}/assets/app.js`;
    const plain = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('cache-control')).toBe('no-cache');
    const source = Buffer.from(await plain.arrayBuffer());
    for (const encoding of ['br', 'gzip']) {
      const res = await fetch(url, { headers: { 'accept-encoding': encoding } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-encoding')).toBe(encoding);
      expect(res.headers.get('vary')).toMatch(/accept-encoding/i);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(Number(res.headers.get('content-length'))).toBeLessThan(source.length / 2);
      // fetch decodes the body: the same bundle
      expect(Buffer.from(await res.arrayBuffer()).equals(source)).toBe(true);
      const etag = res.headers.get('etag');
      expect(etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
      const again = await fetch(url, { headers: { 'accept-encoding': encoding, 'if-none-match': etag! } });
      expect(again.status).toBe(304);
      expect(again.headers.get('etag')).toBe(etag);
      expect(await again.text()).toBe('');
    }
    expect((await fetch(`${suite.server.url}/assets/missing.js`)).status).toBe(404);
  });
});
