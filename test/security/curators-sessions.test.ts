/**
 * Curator sign-in sessions and the sign-in limiter, over real HTTP: failures count per (pad, address) and never
 * refuse a correct key; signing out ends the session everywhere (the sync server hears it); the cookie's name does
 * not reveal the pad, and the read-only mirror's reference can neither sign in nor out nor leak the pad's name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { createPad, removeDir, startTestServer, tempDataDir } from '../helpers/server.js';
import { SqliteStorage } from '../../server/storage/sqlite-storage.js';
import { SqliteStore } from '../../server/storage/sqlite-store.js';
import { PadDirectory } from '../../server/pads.js';
import { CuratorKeys } from '../../server/auth/curator-keys.js';
import { CuratorSessions } from '../../server/auth/sessions.js';
import { Identifier } from '../../server/auth/identify.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
  removeDir(server.dataDir);
});

const post = (ref: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/api/pads/${ref}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.url, ...headers },
    body: JSON.stringify(body),
  });
const login = (ref: string, key: string) => post(ref, 'login', { key });
/** `name=value` of the response's Set-Cookie. */
const cookieOf = (res: Response) => res.headers.get('set-cookie')!.split(';')[0]!;

describe('sign-in limiter', () => {
  it("failures on one pad do not lock sign-in on another pad from the same address", async () => {
    const a = await createPad(server.url, 'limit-a');
    const b = await createPad(server.url, 'limit-b');
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await login(a.padId, `wrong-${i}`)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
    // pad B: a wrong key is an ordinary 401, a right key signs in
    expect((await login(b.padId, 'wrong-on-b')).status).toBe(401);
    expect((await login(b.padId, b.curatorKey)).status).toBe(200);
  });

  it('a correct key signs in even after 20 failures on the same pad from the same address', async () => {
    const { padId, curatorKey } = await createPad(server.url, 'limit-same');
    for (let i = 0; i < 20; i++) await login(padId, `wrong-${i}`);
    const limited = await login(padId, 'still-wrong');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited.headers.get('set-cookie')).toBeNull();
    const ok = await login(padId, curatorKey);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('set-cookie')).toMatch(/HttpOnly/i);
  });
});

describe('sign-out', () => {
  it('emits sessionClosed with the session token hash, and the cookie no longer authenticates', async () => {
    const { padId, curatorKey } = await createPad(server.url, 'signout');
    const cookie = cookieOf(await login(padId, curatorKey));
    const token = cookie.slice(cookie.indexOf('=') + 1);
    const asCookie = (path: string) => fetch(`${server.url}/api/pads/${padId}/${path}`, { headers: { cookie } });
    expect((await asCookie('curators')).status).toBe(200);
    expect(((await (await asCookie('session')).json()) as { role: string }).role).toBe('curator');

    const closed: { padId: string; tokenHash: string }[] = [];
    const listener = (e: { padId: string; tokenHash: string }) => closed.push(e);
    server.events.on('sessionClosed', listener);
    try {
      const out = await post(padId, 'logout', {}, { cookie });
      expect(out.status).toBe(200);
    } finally {
      server.events.off('sessionClosed', listener);
    }
    const tokenHash = createHash('sha256').update(token).digest('hex');
    expect(closed).toEqual([{ padId, tokenHash }]);
    expect(server.store.isSessionLive(tokenHash, Date.now())).toBe(false);
    expect((await asCookie('curators')).status).toBe(401);
    expect(((await (await asCookie('session')).json()) as { role: string }).role).toBe('contributor');
  });

  it('a socket can tell which session it holds: the identity carries the session token hash, only for the cookie', async () => {
    const dataDir = tempDataDir();
    const store = new SqliteStore(dataDir);
    try {
      const storage = new SqliteStorage(store, dataDir);
      const pads = new PadDirectory(storage, randomBytes(32));
      const keys = new CuratorKeys(storage);
      const sessions = new CuratorSessions(storage);
      const identifier = new Identifier(keys, sessions, pads);
      const created = (await pads.create('ident'))!;
      const resolved = (await pads.resolve('ident'))!;
      const token = await sessions.open('ident', (await keys.list('ident'))[0]!.id);
      const tokenHash = createHash('sha256').update(token).digest('hex');
      const byCookie = await identifier.identify(resolved, { cookieHeader: `${pads.sessionCookieName('ident')}=${token}` });
      expect(byCookie).toMatchObject({ role: 'curator', sessionTokenHash: tokenHash });
      expect((await identifier.identify(resolved, { bearer: created.curatorKey })).sessionTokenHash).toBeUndefined();
      expect(store.isSessionLive(tokenHash, Date.now())).toBe(true);
      expect(store.isSessionLive(tokenHash, Date.now() + 31 * 24 * 3600 * 1000)).toBe(false); // expired
      await sessions.close(token);
      expect(store.isSessionLive(tokenHash, Date.now())).toBe(false);
      // a session dies with its key
      const other = await sessions.open('ident', (await keys.list('ident'))[0]!.id);
      const otherHash = createHash('sha256').update(other).digest('hex');
      await keys.resetPtl('ident');
      expect(store.isSessionLive(otherHash, Date.now())).toBe(false);
    } finally {
      store.close();
      removeDir(dataDir);
    }
  });
});

describe('the session cookie and the read-only mirror', () => {
  const NAME = 'Nova-Secret.Tracking_2025';
  const forms = (name: string) => {
    const b = Buffer.from(name);
    return [
      name,
      name.toLowerCase(),
      b.toString('hex'),
      b.toString('hex').toUpperCase(),
      b.toString('base64').replace(/=+$/, ''),
      b.toString('base64url'),
      encodeURIComponent(name),
      encodeURIComponent(encodeURIComponent(name)),
    ];
  };
  const leaks = (text: string) => forms(NAME).filter((f) => text.includes(f) || text.toLowerCase().includes(f.toLowerCase()));
  const everything = async (res: Response) => `${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${await res.text()}`;

  it("the cookie's name does not reveal the pad, in any encoding", async () => {
    const { padId, curatorKey } = await createPad(server.url, NAME);
    const res = await login(padId, curatorKey);
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie')!;
    expect(leaks(setCookie)).toEqual([]);
    const out = await post(padId, 'logout', {}, { cookie: cookieOf(res) });
    expect(leaks(out.headers.get('set-cookie') ?? '')).toEqual([]);
  });

  it('through r.<token>, login, logout and session answer 403 JSON with no Set-Cookie and nothing naming the pad', async () => {
    const pad = await createPad(server.url, `${NAME}-ro`);
    const ro = pad.readOnlyUrl.split('/').pop()!;
    expect(ro).toMatch(/^r\.[0-9a-f]{32}$/);
    // a real session cookie for the pad, sent along as a browser would
    const cookie = cookieOf(await login(pad.padId, pad.curatorKey));
    const responses = {
      login: await login(ro, pad.curatorKey),
      loginWithCookie: await post(ro, 'login', { key: pad.curatorKey }, { cookie }),
      logout: await post(ro, 'logout', {}, { cookie }),
      session: await fetch(`${server.url}/api/pads/${ro}/session`, { headers: { cookie } }),
    };
    for (const [what, res] of Object.entries(responses)) {
      expect(res.status, what).toBe(403);
      expect(res.headers.get('content-type'), what).toContain('application/json');
      expect(res.headers.get('set-cookie'), what).toBeNull();
      const text = await everything(res);
      expect(leaks(text), `${what}: ${text}`).toEqual([]);
    }
    // the mirror's logout ended nothing: the session still works on the edit link
    expect((await fetch(`${server.url}/api/pads/${pad.padId}/curators`, { headers: { cookie } })).status).toBe(200);
  });
});
