/**
 * Class 3: everything reachable with a mirror reference (`r.<token>`) must reveal nothing of the pad's name (which is
 * its edit link): bodies, headers (a cookie name derived from the pad id once leaked it in Set-Cookie), error
 * messages, WebSocket messages and close reasons. This walks every route and every message type with a mirror
 * reference and looks for the name in every encoding it could take.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import { createEntry, entriesOf } from '../../shared/schema.js';
import { createPad, removeDir, startTestServer } from '../helpers/server.js';
import { connectSynced } from '../helpers/clients.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { awarenessMessage, syncStep1Message, syncStep2Message, updateMessage } from '../../server/sync/messages.js';

const NAME = 'Nova-Secret.Pad_2025';

/** Every form the name could leak in. */
const forms = (name: string) => [
  name,
  name.toLowerCase(),
  encodeURIComponent(name),
  Buffer.from(name).toString('hex'),
  Buffer.from(name).toString('hex').toUpperCase(),
  Buffer.from(name).toString('base64'),
  Buffer.from(name).toString('base64url'),
  // a distinctive part, in case of truncation or other encodings of the whole
  'Secret.Pad',
  Buffer.from('Secret.Pad').toString('hex'),
];

const leaks = (text: string) => forms(NAME).filter((f) => text.includes(f));

let server: Awaited<ReturnType<typeof startTestServer>>;
let pad: Awaited<ReturnType<typeof createPad>>;
let mirror: string;

beforeAll(async () => {
  server = await startTestServer();
  pad = await createPad(server.url, NAME);
  mirror = new URL(pad.readOnlyUrl).pathname.split('/').pop()!;
  // content that does not mention the name, in both sections, and a cycle header
  const curator = await connectSynced(server.url, pad.padId, 'ready', { params: { key: pad.curatorKey } });
  entriesOf(curator.doc).push([createEntry({ title: 'Ready entry', addedBy: 'ptl', reviews: ['https://review.opendev.org/c/openstack/nova/+/1'], rank: 'a0' })]);
  const contributor = await connectSynced(server.url, pad.padId, 'proposed');
  entriesOf(contributor.doc).push([createEntry({ title: 'Proposed entry', addedBy: 'x', note: 'needs review' })]);
  await waitFor(() => server.store.readLog({ padId: pad.padId, section: 'ready' }).length > 0 && server.store.readLog({ padId: pad.padId, section: 'proposed' }).length > 0);
  // a signed-in curator's cookie, as a browser that also has the mirror open would carry it
  curator.provider.destroy();
  contributor.provider.destroy();
});

afterAll(async () => {
  await server.close();
  removeDir(server.dataDir);
});

describe('a mirror reference reveals nothing of the pad name', () => {
  it('on every HTTP route and method, in status line, headers and body', async () => {
    const login = await fetch(`${server.url}/api/pads/${pad.padId}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: pad.curatorKey }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect(cookie).toMatch(/=/);
    const api = `/api/pads/${mirror}`;
    const routes: Array<[string, string, string?]> = [
      ['GET', `/p/${mirror}`],
      ['GET', `${api}/export.json`],
      ['GET', `${api}/export.txt`],
      ['GET', `${api}/export.md`],
      ['GET', `${api}/session`],
      ['POST', `${api}/login`, JSON.stringify({ key: pad.curatorKey })],
      ['POST', `${api}/login`, JSON.stringify({ key: 'wrong' })],
      ['POST', `${api}/logout`],
      ['GET', `${api}/curators`],
      ['POST', `${api}/curators`, JSON.stringify({ label: 'x' })],
      ['DELETE', `${api}/curators/abc`],
      ['POST', `${api}/import`, '* https://bugs.launchpad.net/nova/+bug/1 [x] (y)'],
      ['GET', `${api}/history?section=proposed`],
      ['GET', `${api}/history/1?section=proposed`],
      ['POST', `${api}/restore`, JSON.stringify({ section: 'proposed', seq: 1 })],
      ['GET', `${api}/guard`],
      ['DELETE', `${api}/guard/abc`],
      ['GET', `${api}/status.json`],
      ['GET', `${api}/nope`],
      ['PUT', `${api}/export.json`],
      ['GET', `/sync/${mirror}/proposed`],
    ];
    let checked = 0;
    for (const [method, path, body] of routes) {
      for (const withCookie of [false, true]) {
        const res = await fetch(`${server.url}${path}`, {
          method,
          headers: { 'content-type': 'application/json', ...(withCookie ? { cookie } : {}), ...(body ? {} : {}) },
          body,
        });
        const text = await res.text();
        const headers = [...res.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n');
        expect(leaks(`${res.status} ${res.statusText}\n${headers}\n${text}`), `${method} ${path} (cookie: ${withCookie})`).toEqual([]);
        expect(res.headers.get('set-cookie'), `${method} ${path} sets no cookie`).toBeNull();
        checked++;
      }
    }
    expect(checked).toBe(routes.length * 2);
    // the mirror page does show the pad's content, so the walk above looked at real answers
    const page = await (await fetch(`${server.url}/p/${mirror}`)).text();
    expect(page).toContain('Ready entry');
  });

  it('on both sync sockets, whatever the viewer sends: every message and close reason', async () => {
    for (const section of ['proposed', 'ready']) {
      const received: Buffer[] = [];
      const closes: string[] = [];
      const open = () =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(`${server.url.replace('http', 'ws')}/sync/${mirror}/${section}`);
          ws.on('message', (data) => received.push(Buffer.from(data as Buffer)));
          ws.on('close', (code, reason) => closes.push(`${code} ${reason.toString()}`));
          ws.on('open', () => resolve(ws));
          ws.on('error', reject);
          ws.on('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
        });
      // every message type a client can send, each on a fresh socket (some close it)
      const doc = new Y.Doc();
      entriesOf(doc).push([createEntry({ title: 'viewer write', addedBy: 'v' })]);
      const update = Y.encodeStateAsUpdate(doc);
      const awareness = new awarenessProtocol.Awareness(new Y.Doc());
      awareness.setLocalState({ user: { name: 'viewer' } });
      const messages: Uint8Array[] = [
        syncStep1Message(new Uint8Array([0])),
        syncStep2Message(update),
        updateMessage(update),
        awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(awareness, [awareness.clientID])),
        (() => {
          const e = encoding.createEncoder();
          encoding.writeVarUint(e, 3);
          return encoding.toUint8Array(e);
        })(),
        (() => {
          const e = encoding.createEncoder();
          encoding.writeVarUint(e, 2);
          encoding.writeVarUint(e, 0);
          encoding.writeVarString(e, 'hello');
          return encoding.toUint8Array(e);
        })(),
        new Uint8Array([20, 2, 123, 125]),
        new Uint8Array([99]),
        new Uint8Array([0, 2, 5, 1, 2]),
      ];
      for (const message of messages) {
        const ws = await open();
        ws.send(message);
        await sleep(100);
        ws.close();
        await sleep(20);
      }
      expect(received.length).toBeGreaterThan(messages.length); // each socket got at least the server's step 1
      for (const m of received) expect(leaks(m.toString('latin1')), `a ${section} message`).toEqual([]);
      for (const c of closes) expect(leaks(c), `close reason ${c}`).toEqual([]);
      expect(closes.some((c) => c.startsWith('1003') || c.startsWith('1007'))).toBe(true);
    }
  });
});
