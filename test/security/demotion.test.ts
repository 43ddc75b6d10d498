/**
 * Signing out and revoking a key take effect on open sockets at once: a curator socket opened with the sign-in
 * cookie, a delegate's key, or a key the delegate made is told it is a contributor now (server notice, type 20),
 * and its next write to `ready` is refused and never stored. Other curators' sockets stay curators.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as decoding from 'lib0/decoding';
import { createEntry, entriesOf, sectionToJSON, type Section } from '../../shared/schema.js';
import type { ServerNotice } from '../../shared/presence.js';
import { createPad } from '../helpers/server.js';
import { serverSuite } from '../helpers/server-suite.js';
import { serverNotices } from '../helpers/clients.js';
import { sleep, waitFor } from '../helpers/wait.js';

const suite = serverSuite();

let padCount = 0;
async function newPad() {
  return createPad(suite.server.url, `demotion-${++padCount}`);
}

const api = (padId: string, route: string, init: RequestInit & { bearer?: string; cookie?: string } = {}) =>
  fetch(`${suite.server.url}/api/pads/${padId}${route}`, {
    ...init,
    headers: {
      'content-type': 'application/json',
      ...(init.bearer ? { authorization: `Bearer ${init.bearer}` } : {}),
      ...(init.cookie ? { cookie: init.cookie } : {}),
    },
  });

async function signIn(padId: string, key: string): Promise<string> {
  const res = await api(padId, '/login', { method: 'POST', body: JSON.stringify({ key }) });
  expect(res.status).toBe(200);
  return res.headers.getSetCookie()[0]!.split(';')[0]!;
}

async function delegate(padId: string, by: string, label: string): Promise<{ id: string; key: string }> {
  const res = await api(padId, '/curators', { method: 'POST', bearer: by, body: JSON.stringify({ label }) });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; key: string };
}

interface Client {
  doc: Y.Doc;
  provider: WebsocketProvider;
  notices: ServerNotice[];
  denials: string[];
}

/** A real y-websocket provider, with a cookie header or a key parameter, recording server notices and refusals. */
async function open(padId: string, section: Section, auth: { cookie?: string; key?: string }): Promise<Client> {
  const doc = new Y.Doc();
  const headers = auth.cookie ? { cookie: auth.cookie } : {};
  class WithHeaders extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers });
    }
  }
  const provider = new WebsocketProvider(`${suite.server.url.replace('http', 'ws')}/sync/${padId}`, section, doc, {
    WebSocketPolyfill: WithHeaders as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    params: auth.key ? { key: auth.key } : {},
  });
  const notices = serverNotices(provider);
  const denials: string[] = [];
  provider.messageHandlers[2] = (_encoder, decoder) => {
    decoding.readVarUint(decoder);
    denials.push(decoding.readVarString(decoder));
  };
  await waitFor(() => provider.synced, 5000, 'provider sync');
  return { doc, provider, notices, denials };
}

const stored = (padId: string, section: Section) => suite.server.store.readLog({ padId, section });

/** Writes an entry; 'stored' if the server logged it, 'refused' if it answered permission denied. */
async function write(padId: string, client: Client, section: Section, title: string): Promise<'stored' | 'refused'> {
  const before = stored(padId, section).length;
  const deniedBefore = client.denials.length;
  entriesOf(client.doc).push([createEntry({ title, addedBy: 'test' })]);
  const outcome = await waitFor(
    () => (stored(padId, section).length > before ? 'stored' : client.denials.length > deniedBefore ? 'refused' : null),
    3000,
    `an answer to "${title}"`,
  );
  if (outcome === 'refused') {
    await sleep(50);
    expect(stored(padId, section).map((u) => u.session)).toHaveLength(before);
  }
  return outcome;
}

const roleNotices = (c: Client) => c.notices.filter((n) => n.type === 'role');
const close = (...clients: Client[]) => clients.forEach((c) => c.provider.destroy());

let pad: Awaited<ReturnType<typeof newPad>>;
beforeAll(async () => {
  pad = await newPad();
});

describe('sign-out demotes the sockets of that sign-in, at once', () => {
  it('a cookie socket on ready: told it is a contributor, its next write refused and not stored; others stay curators', async () => {
    const cookie = await signIn(pad.padId, pad.curatorKey);
    const otherCookie = await signIn(pad.padId, pad.curatorKey); // the same key, signed in elsewhere
    const signedIn = await open(pad.padId, 'ready', { cookie });
    const signedInProposed = await open(pad.padId, 'proposed', { cookie });
    const elsewhere = await open(pad.padId, 'ready', { cookie: otherCookie });
    const byKey = await open(pad.padId, 'ready', { key: pad.curatorKey });
    expect(await write(pad.padId, signedIn, 'ready', 'before sign-out')).toBe('stored');

    const res = await api(pad.padId, '/logout', { method: 'POST', cookie });
    expect(res.status).toBe(200);
    await waitFor(() => roleNotices(signedIn).length > 0, 2000, 'the role notice');
    expect(roleNotices(signedIn)).toEqual([{ type: 'role', role: 'contributor', reason: expect.any(String) }]);
    await waitFor(() => roleNotices(signedInProposed).length > 0, 2000, 'the role notice on proposed');
    expect(roleNotices(signedInProposed)[0]).toMatchObject({ role: 'contributor' });

    expect(await write(pad.padId, signedIn, 'ready', 'after sign-out')).toBe('refused');
    expect(signedIn.denials.at(-1)).toMatch(/only curators/);
    // and nobody saw it
    await sleep(100);
    expect(sectionToJSON(byKey.doc).map((e) => e.title)).not.toContain('after sign-out');
    // a contributor may still write proposed
    expect(await write(pad.padId, signedInProposed, 'proposed', 'proposed after sign-out')).toBe('stored');

    // the same key signed in elsewhere, and by key: still curators, never told otherwise
    expect(await write(pad.padId, elsewhere, 'ready', 'other session still curator')).toBe('stored');
    expect(await write(pad.padId, byKey, 'ready', 'key socket still curator')).toBe('stored');
    expect(roleNotices(elsewhere)).toEqual([]);
    expect(roleNotices(byKey)).toEqual([]);
    close(signedIn, signedInProposed, elsewhere, byKey);
  });

  it('signing out with no cookie, or a made-up one, demotes nobody', async () => {
    const cookie = await signIn(pad.padId, pad.curatorKey);
    const signedIn = await open(pad.padId, 'ready', { cookie });
    const name = cookie.split('=')[0]!;
    expect((await api(pad.padId, '/logout', { method: 'POST' })).status).toBe(200);
    expect((await api(pad.padId, '/logout', { method: 'POST', cookie: `${name}=forged-token` })).status).toBe(200);
    await sleep(100);
    expect(roleNotices(signedIn)).toEqual([]);
    expect(await write(pad.padId, signedIn, 'ready', 'still signed in')).toBe('stored');
    close(signedIn);
  });
});

describe('revoking a key demotes its sockets and those of the keys it made, at once', () => {
  it('delegate and cascade: demoted and refused; the PTL and another delegate stay curators', async () => {
    const p = await newPad();
    const alice = await delegate(p.padId, p.curatorKey, 'alice');
    const carol = await delegate(p.padId, alice.key, 'carol'); // made by alice
    const bob = await delegate(p.padId, p.curatorKey, 'bob');
    const aliceCookie = await signIn(p.padId, alice.key);

    const aliceSock = await open(p.padId, 'ready', { key: alice.key });
    const aliceCookieSock = await open(p.padId, 'ready', { cookie: aliceCookie });
    const carolSock = await open(p.padId, 'ready', { key: carol.key });
    const bobSock = await open(p.padId, 'ready', { key: bob.key });
    const ptlSock = await open(p.padId, 'ready', { key: p.curatorKey });
    for (const [c, who] of [[aliceSock, 'alice'], [aliceCookieSock, 'alice (cookie)'], [carolSock, 'carol'], [bobSock, 'bob']] as const) {
      expect(await write(p.padId, c, 'ready', `${who} before`)).toBe('stored');
    }

    const res = await api(p.padId, `/curators/${alice.id}`, { method: 'DELETE', bearer: p.curatorKey });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { keyIds: string[] }).keyIds.sort()).toEqual([alice.id, carol.id].sort());

    for (const c of [aliceSock, aliceCookieSock, carolSock]) {
      await waitFor(() => roleNotices(c).length > 0, 2000, 'the role notice');
      expect(roleNotices(c)[0]).toMatchObject({ type: 'role', role: 'contributor' });
    }
    for (const [c, who] of [[aliceSock, 'alice'], [aliceCookieSock, 'alice (cookie)'], [carolSock, 'carol']] as const) {
      expect(await write(p.padId, c, 'ready', `${who} after revocation`)).toBe('refused');
    }
    await sleep(100);
    const seen = sectionToJSON(ptlSock.doc).map((e) => e.title);
    expect(seen.filter((t) => t.includes('after revocation'))).toEqual([]);

    expect(await write(p.padId, bobSock, 'ready', 'bob after')).toBe('stored');
    expect(await write(p.padId, ptlSock, 'ready', 'ptl after')).toBe('stored');
    expect(roleNotices(bobSock)).toEqual([]);
    expect(roleNotices(ptlSock)).toEqual([]);

    // the revoked keys open nothing but contributor sockets now
    const again = await open(p.padId, 'ready', { key: carol.key });
    expect(await write(p.padId, again, 'ready', 'carol reconnected')).toBe('refused');
    close(aliceSock, aliceCookieSock, carolSock, bobSock, ptlSock, again);
  });

  it("revocation on one pad demotes nobody on another pad", async () => {
    const p1 = await newPad();
    const p2 = await newPad();
    const d1 = await delegate(p1.padId, p1.curatorKey, 'd1');
    const other = await open(p2.padId, 'ready', { key: p2.curatorKey });
    const res = await api(p1.padId, `/curators/${d1.id}`, { method: 'DELETE', bearer: p1.curatorKey });
    expect(res.status).toBe(200);
    await sleep(100);
    expect(roleNotices(other)).toEqual([]);
    expect(await write(p2.padId, other, 'ready', 'unaffected')).toBe('stored');
    close(other);
  });
});
