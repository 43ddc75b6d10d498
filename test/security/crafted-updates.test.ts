/**
 * Updates no honest client makes, found by an outside attack: each once froze, crashed or bloated the server.
 * - two structs of two clients, each the other's left neighbour (26 bytes): the schema check looped forever and the
 *   process died out of memory; a viewer could send it;
 * - a struct whose neighbour is a later struct of its own client: Yjs threw while applying, and every peer of the
 *   section was disconnected;
 * - a delete set repeating one range 250,000 times: stored byte for byte (45 MB of log for a 300 KB section);
 * - deleting every other character of a long title: a "delete-only" update, never refused for size, that split one
 *   item into 120,000 and grew the section tenfold.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { inspectUpdate } from '../../server/sync/update-inspector.js';
import { createEntry, entriesOf } from '../../shared/schema.js';
import { craftUpdate } from '../helpers/craft-update.js';
import { createPad, removeDir, startTestServer } from '../helpers/server.js';
import { RawClient } from '../helpers/raw-client.js';
import { connectSynced } from '../helpers/clients.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { updateMessage } from '../../server/sync/messages.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('the inspector refuses updates that cannot be integrated', () => {
  it('a cycle of left neighbours across two clients, in linear time', () => {
    const doc = new Y.Doc();
    const cycle = craftUpdate([
      { client: 1001, clock: 0, structs: [{ origin: [1002, 0], any: ['x'] }] },
      { client: 1002, clock: 0, structs: [{ origin: [1001, 0], any: ['y'] }] },
    ]);
    expect(inspectUpdate(doc, cycle, 'proposed')).toMatchObject({ ok: false, reason: 'malformed' });
    expect(inspectUpdate(doc, cycle)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('a struct that is its own neighbour, or whose neighbour is a later struct of its own client', () => {
    const doc = new Y.Doc();
    const C = 987654;
    for (const structs of [
      [{ origin: [C, 0] as [number, number], any: ['self'] }],
      [{ parentKey: 'entries', any: ['x'] }, { origin: [C, 2] as [number, number], any: ['y'] }, { origin: [C, 0] as [number, number], any: ['z'] }],
      [{ parentKey: 'entries', any: ['x'] }, { origin: [C, 0] as [number, number], right: [C, 2] as [number, number], any: ['y'] }, { origin: [C, 0] as [number, number], any: ['z'] }],
    ]) {
      expect(inspectUpdate(doc, craftUpdate([{ client: C, clock: 0, structs }]), 'proposed')).toMatchObject({ ok: false, reason: 'malformed' });
    }
  });

  it('a long cycle through many clients', () => {
    const doc = new Y.Doc();
    const n = 5000;
    const runs = Array.from({ length: n }, (_, i) => ({ client: 10 + i, clock: 0, structs: [{ origin: [10 + ((i + 1) % n), 0] as [number, number], any: [i] }] }));
    expect(inspectUpdate(doc, craftUpdate(runs), 'proposed')).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('still accepts what honest clients send: two clients typing into the same title, merged into one update', () => {
    const a = new Y.Doc();
    entriesOf(a).push([createEntry({ title: 'abc', addedBy: 'a' })]);
    const b = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    const server = new Y.Doc();
    Y.applyUpdate(server, Y.encodeStateAsUpdate(a));
    const sv = Y.encodeStateVector(server);
    (entriesOf(a).get(0).get('title') as Y.Text).insert(1, 'X');
    (entriesOf(b).get(0).get('title') as Y.Text).insert(2, 'Y');
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    (entriesOf(a).get(0).get('title') as Y.Text).insert(3, 'Z'); // after both
    expect(inspectUpdate(server, Y.encodeStateAsUpdate(a, sv), 'proposed')).toMatchObject({ ok: true, changes: true });
  });

  it('counts the items a deletion cuts in two, and refuses more than MAX_DELETE_RANGES ranges', () => {
    const doc = new Y.Doc();
    entriesOf(doc).push([createEntry({ title: 'x'.repeat(1000), addedBy: 't' })]);
    const copy = new Y.Doc();
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
    const sv = Y.encodeStateVector(copy);
    const title = entriesOf(copy).get(0).get('title') as Y.Text;
    copy.transact(() => {
      for (let i = 0; i < 100; i++) title.delete(i + 1, 1); // every other character of the first 200
    });
    const everyOther = Y.encodeStateAsUpdate(copy, sv);
    const inspection = inspectUpdate(doc, everyOther, 'proposed');
    expect(inspection).toMatchObject({ ok: true, grows: false, deletes: true });
    expect((inspection as { splits: number }).splits).toBeGreaterThanOrEqual(100);
    const client = [...doc.store.clients.keys()][0]!;
    const padded = craftUpdate([], [{ client, ranges: Array.from({ length: 30_000 }, () => [1, 1] as [number, number]) }]);
    expect(inspectUpdate(doc, padded, 'proposed')).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

describe('through a real server', () => {
  it('a viewer or contributor sending a reference cycle is closed with 1007; the server keeps answering', async () => {
    const server = await startTestServer();
    cleanups.push(() => removeDir(server.dataDir), () => server.close());
    const { padId, readOnlyUrl } = await createPad(server.url, 'crafted');
    const mirror = new URL(readOnlyUrl).pathname.split('/').pop()!;
    const cycle = craftUpdate([
      { client: 1001, clock: 0, structs: [{ origin: [1002, 0], any: ['x'] }] },
      { client: 1002, clock: 0, structs: [{ origin: [1001, 0], any: ['y'] }] },
    ]);
    for (const ref of [mirror, padId]) {
      const attacker = await RawClient.open(server.url, ref, 'ready');
      attacker.ws.send(updateMessage(cycle));
      await waitFor(() => attacker.closed !== null, 3000, 'closed');
      expect(attacker.closed!.code).toBe(1007);
    }
    const started = performance.now();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('a forward reference disconnects only its sender; honest peers stay connected', async () => {
    const server = await startTestServer();
    cleanups.push(() => removeDir(server.dataDir), () => server.close());
    const { padId } = await createPad(server.url, 'forward');
    const honest = await connectSynced(server.url, padId, 'proposed');
    const closes: number[] = [];
    honest.provider.on('connection-close', (e: { code: number } | null) => closes.push(e?.code ?? 0));
    const attacker = await RawClient.open(server.url, padId, 'proposed');
    const C = 987654;
    attacker.ws.send(
      updateMessage(craftUpdate([{ client: C, clock: 0, structs: [{ parentKey: 'entries', any: ['x'] }, { origin: [C, 2], any: ['y'] }, { origin: [C, 0], any: ['z'] }] }])),
    );
    await waitFor(() => attacker.closed !== null, 3000, 'attacker closed');
    expect(attacker.closed!.code).toBe(1007);
    await sleep(200);
    expect(closes).toEqual([]);
    honest.provider.destroy();
  });

  it('a padded delete set is stored normalised: the log does not grow with the padding', async () => {
    const server = await startTestServer();
    cleanups.push(() => removeDir(server.dataDir), () => server.close());
    const { padId } = await createPad(server.url, 'padded');
    const writer = await connectSynced(server.url, padId, 'proposed');
    entriesOf(writer.doc).push([createEntry({ title: 'abcdefghij', addedBy: 'w' })]);
    await waitFor(() => server.store.readLog({ padId, section: 'proposed' }).length === 1);
    const client = writer.doc.clientID;
    const attacker = await RawClient.open(server.url, padId, 'proposed');
    const padded = craftUpdate([], [{ client, ranges: Array.from({ length: 15_000 }, () => [5, 1] as [number, number]) }]);
    expect(padded.byteLength).toBeGreaterThan(30_000);
    attacker.ws.send(updateMessage(padded));
    await waitFor(() => server.store.readLog({ padId, section: 'proposed' }).length === 2, 3000, 'logged');
    const logged = server.store.readLog({ padId, section: 'proposed' })[1]!;
    expect(logged.data.byteLength).toBeLessThan(64);
    writer.provider.destroy();
  });
});
