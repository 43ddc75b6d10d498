/**
 * Cross-site WebSocket hijacking: a page on another origin (another port of the same host included: same-site, so the
 * SameSite=Lax sign-in cookie goes along) must not open a curator socket with the curator's cookie. Explicit
 * credentials (a key in the URL, a Bearer header) are not ambient and are allowed from anywhere; so are bots with
 * no Origin at all.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createEntry, entriesOf } from '../../shared/schema.js';
import { createPad } from '../helpers/server.js';
import { serverSuite } from '../helpers/server-suite.js';
import { RawClient } from '../helpers/raw-client.js';
import { sleep, waitFor } from '../helpers/wait.js';

const suite = serverSuite();

let padId: string;
let curatorKey: string;
let cookie: string;
beforeAll(async () => {
  ({ padId, curatorKey } = await createPad(suite.server.url, 'origin-check'));
  cookie = await signIn(curatorKey);
});

async function signIn(key: string): Promise<string> {
  const res = await fetch(`${suite.server.url}/api/pads/${padId}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key }),
  });
  expect(res.status).toBe(200);
  const set = res.headers.getSetCookie();
  expect(set).toHaveLength(1);
  return set[0]!.split(';')[0]!;
}

const sameOrigin = () => suite.server.url; // http://127.0.0.1:<port>
const FOREIGN = 'http://127.0.0.1:1';
const readyLog = () => suite.server.store.readLog({ padId, section: 'ready' }).length;

/** The upgrade's HTTP status if refused, or 'open'. */
function upgrade(query: string, headers: Record<string, string>): Promise<number | 'open'> {
  const ws = new WebSocket(`${suite.server.url.replace('http', 'ws')}/sync/${padId}/ready${query}`, { headers });
  return new Promise((resolve, reject) => {
    ws.on('error', () => {});
    ws.once('open', () => {
      ws.terminate();
      resolve('open');
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.once('error', (err) => reject(err));
  });
}

/** Opens `ready` with these credentials and writes an entry: true if the write was applied and stored. */
async function writesAsCurator(query: string, headers: Record<string, string>, title: string): Promise<boolean> {
  const client = await RawClient.open(suite.server.url, padId, 'ready', query, headers);
  const before = readyLog();
  client.sendUpdate(client.forge((d) => entriesOf(d).push([createEntry({ title, addedBy: 'origin-test' })])));
  const outcome = await waitFor(() => (readyLog() > before ? 'stored' : client.denials().length > 0 ? 'denied' : null), 3000, 'an answer');
  client.close();
  return outcome === 'stored';
}

describe('the Origin of a sync upgrade', () => {
  it('another port of the same host with the sign-in cookie: refused with 403', async () => {
    expect(await upgrade('', { origin: FOREIGN, cookie })).toBe(403);
    expect(await upgrade('', { origin: 'http://localhost:' + new URL(suite.server.url).port, cookie })).toBe(403);
    expect(await upgrade('', { origin: 'null', cookie })).toBe(403);
    expect(await upgrade('', { origin: 'not a url', cookie })).toBe(403);
    // proposed too (the cookie would make it a curator there as well)
    const ws = new WebSocket(`${suite.server.url.replace('http', 'ws')}/sync/${padId}/proposed`, { headers: { origin: FOREIGN, cookie } });
    ws.on('error', () => {});
    const status = await new Promise<number>((resolve) => ws.once('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(403);
    ws.terminate();
  });

  it('Sec-Fetch-Site: same-site (or cross-site) with the cookie: refused, even with a matching Origin', async () => {
    expect(await upgrade('', { 'sec-fetch-site': 'same-site', cookie })).toBe(403);
    expect(await upgrade('', { 'sec-fetch-site': 'cross-site', origin: sameOrigin(), cookie })).toBe(403);
  });

  it('the same origin with the cookie: a curator (a write to ready is applied)', async () => {
    expect(await writesAsCurator('', { origin: sameOrigin(), cookie, 'sec-fetch-site': 'same-origin' }, 'same-origin cookie')).toBe(true);
  });

  it('no Origin at all (a bot): connects; with the key it is a curator', async () => {
    expect(await upgrade('', {})).toBe('open');
    expect(await writesAsCurator(`?key=${encodeURIComponent(curatorKey)}`, {}, 'bot with key')).toBe(true);
  });

  it('a foreign Origin with explicit credentials (key parameter, Bearer header): allowed, not ambient', async () => {
    expect(await writesAsCurator(`?key=${encodeURIComponent(curatorKey)}`, { origin: FOREIGN }, 'foreign with key')).toBe(true);
    expect(await writesAsCurator('', { origin: FOREIGN, authorization: `Bearer ${curatorKey}` }, 'foreign with bearer')).toBe(true);
  });

  it('a foreign Origin with the cookie and a wrong key: not a curator', async () => {
    const before = readyLog();
    expect(await writesAsCurator('?key=wrong', { origin: FOREIGN, cookie }, 'wrong key + cookie')).toBe(false);
    await sleep(50);
    expect(readyLog()).toBe(before);
  });

  // A page on another port can choose the URL (not headers) of a WebSocket: `?key=` (empty) marks the request as
  // carrying an explicit key, so the Origin check is skipped, and the empty key then falls through to the cookie.
  it('a foreign Origin with the cookie and an empty key parameter: not a curator', async () => {
    const before = readyLog();
    let curator = false;
    try {
      curator = await writesAsCurator('?key=', { origin: FOREIGN, cookie }, 'empty key + cookie');
    } catch (err) {
      expect(String(err)).toContain('403'); // refused at the upgrade: also fine
    }
    expect(curator).toBe(false);
    expect(readyLog()).toBe(before);
  });

  it('a foreign Origin with the cookie and a non-Bearer Authorization header: not a curator', async () => {
    const before = readyLog();
    let curator = false;
    try {
      curator = await writesAsCurator('', { origin: FOREIGN, cookie, authorization: 'Basic Zm9vOmJhcg==' }, 'basic auth + cookie');
    } catch (err) {
      expect(String(err)).toContain('403');
    }
    expect(curator).toBe(false);
    expect(readyLog()).toBe(before);
  });
});
