import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { createEntry, entriesOf, sectionToJSON } from '../../shared/schema.js';
import { createPad } from '../helpers/server.js';
import { serverSuite } from '../helpers/server-suite.js';
import { connectSynced } from '../helpers/clients.js';
import { RawClient } from '../helpers/raw-client.js';
import { sleep, waitFor } from '../helpers/wait.js';

const suite = serverSuite({
  maxMessageBytes: 64 * 1024,
  maxMessagesPerSecond: 300,
  maxConnectionsPerAddress: 40,
  maxDocumentBytes: 256 * 1024,
});
let padId: string;
let honest: Awaited<ReturnType<typeof connectSynced>>;
beforeAll(async () => {
  padId = (await createPad(suite.server.url, 'hostile')).padId;
  honest = await connectSynced(suite.server.url, padId, 'proposed');
  entriesOf(honest.doc).push([createEntry({ id: 'keep', title: 'must survive', addedBy: 'honest' })]);
  await waitFor(() => logLength() === 1);
});
afterAll(async () => {
  honest.provider.destroy();
});

const logLength = () => suite.server.store.readLog({ padId, section: 'proposed' }).length;

/** After an attack: the server still serves an honest client, and the document and its log are unchanged. */
async function stillServing(expectedLog = 1) {
  const fresh = await connectSynced(suite.server.url, padId, 'proposed');
  expect(sectionToJSON(fresh.doc).map((e) => e.title)).toEqual(['must survive']);
  fresh.provider.destroy();
  expect(logLength()).toBe(expectedLog);
}

async function attack(bytes: Uint8Array | string, expectCode: number, reason: RegExp) {
  const client = await RawClient.open(suite.server.url, padId, 'proposed');
  client.ws.send(bytes);
  await waitFor(() => client.closed, 3000, 'the server to close the socket');
  expect(client.closed!.code).toBe(expectCode);
  expect(client.closed!.reason).toMatch(reason);
  await stillServing();
}

describe('malformed messages', () => {
  it.each([
    ['random bytes', Uint8Array.from([0x37, 0xa1, 0x09, 0xee, 0x42]), 1003, /unknown message type/],
    ['a truncated varint', Uint8Array.from([0x00, 0x02, 0xff]), 1007, /malformed/],
    ['an absurd length', Uint8Array.from([0x00, 0x02, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]), 1007, /malformed/],
    ['an unknown message type', Uint8Array.from([0x09]), 1003, /unknown message type 9/],
    ['an unknown sync message type', Uint8Array.from([0x00, 0x07, 0x00]), 1003, /unknown sync message type/],
    ['an empty message', new Uint8Array(0), 1007, /malformed/],
    ['a text frame', 'hello', 1003, /binary/],
  ])('%s: closed with %i, others unaffected', async (_what, bytes, code, reason) => {
    await attack(bytes, code, reason);
  });

  it('a Yjs V2 update sent as V1', async () => {
    const v2 = Y.encodeStateAsUpdateV2(honest.doc);
    await attack(RawClient.syncMessage(2, v2), 1007, /not a Yjs V1 update/);
  });

  it('an update referencing structs the server does not have (it would stay pending)', async () => {
    const other = new Y.Doc();
    entriesOf(other).push([createEntry({ title: 'base', addedBy: 'x' })]);
    const sv = Y.encodeStateVector(other);
    entriesOf(other).push([createEntry({ title: 'depends on base', addedBy: 'x' })]);
    await attack(RawClient.syncMessage(2, Y.encodeStateAsUpdate(other, sv)), 1007, /incomplete/);
  });

  it('an oversized message: 1009', async () => {
    const client = await RawClient.open(suite.server.url, padId, 'proposed');
    client.ws.send(new Uint8Array(65 * 1024));
    await waitFor(() => client.closed);
    expect(client.closed!.code).toBe(1009);
    await stillServing();
  });

  it('property: random messages never crash the server or change the pad', async () => {
    const prefixes = [[], [0], [0, 0], [0, 1], [0, 2], [1], [2], [3]];
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 64 }), async (prefix, tail) => {
        cases++;
        const client = await RawClient.open(suite.server.url, padId, 'proposed');
        client.ws.send(Uint8Array.from([...prefix, ...tail]));
        await sleep(5);
        client.ws.terminate();
      }),
      { numRuns: 200, seed: 424242 },
    );
    expect(cases).toBe(200);
    await stillServing();
  });
});

describe('limits', () => {
  it('a message flood is slowed down, then closed with 1008; others are served meanwhile', async () => {
    const flooder = await RawClient.open(suite.server.url, padId, 'proposed');
    const started = Date.now();
    const timer = setInterval(() => {
      for (let i = 0; i < 200; i++) if (flooder.ws.readyState === WebSocket.OPEN) flooder.ws.send(Uint8Array.from([3]));
    }, 20);
    await waitFor(() => flooder.closed, 15_000, 'the flooder to be closed');
    clearInterval(timer);
    expect(flooder.closed!.code).toBe(1008);
    expect(flooder.closed!.reason).toContain('rate limit');
    expect(Date.now() - started).toBeGreaterThan(3000); // slowed down first, not cut off at once
    await stillServing();
  });

  it('too many connections from one address: 429 at upgrade', async () => {
    const open: RawClient[] = [];
    let refused: Error | null = null;
    for (let i = 0; i < 45 && !refused; i++) {
      try {
        open.push(await RawClient.open(suite.server.url, padId, 'ready'));
      } catch (err) {
        refused = err as Error;
      }
    }
    expect(refused?.message).toContain('429');
    expect(open.length).toBeLessThanOrEqual(40);
    for (const c of open) c.close();
    await waitFor(async () => {
      try {
        (await RawClient.open(suite.server.url, padId, 'ready')).close();
        return true;
      } catch {
        return false;
      }
    }, 5000, 'a connection to be accepted again');
  });

  it('a document that would grow past its limit refuses the write with a message', async () => {
    const other = await createPad(suite.server.url, 'hostile-big');
    const client = await RawClient.open(suite.server.url, other.padId, 'proposed');
    client.sendUpdate(client.forge((d) => entriesOf(d).push([createEntry({ title: 'x', note: 'x'.repeat(60 * 1024), addedBy: 'big' })])));
    await waitFor(() => suite.server.store.readLog({ padId: other.padId, section: 'proposed' }).length === 1);
    for (let i = 0; i < 5; i++) {
      client.sendUpdate(client.forge((d) => entriesOf(d).push([createEntry({ title: 'y', note: 'y'.repeat(60 * 1024), addedBy: 'big' })])));
      await sleep(30);
    }
    await waitFor(() => client.denials().length > 0, 3000, 'refusal');
    expect(client.denials()[0]).toContain('the pad is full');
    expect(suite.server.store.readLog({ padId: other.padId, section: 'proposed' }).length).toBeLessThan(5);
    client.close();
  });

  it('a client that drops mid-sync leaves nothing behind', async () => {
    const ws = new WebSocket(`${suite.server.url.replace('http', 'ws')}/sync/${padId}/proposed`);
    await new Promise((r) => ws.once('open', r));
    ws.send(RawClient.syncMessage(0, Y.encodeStateVector(new Y.Doc())));
    ws.terminate();
    await sleep(100);
    expect([...suite.server.sync.connections].filter((c) => c.document.ref.padId === padId)).toHaveLength(1); // the honest one
    await stillServing();
  });
});
