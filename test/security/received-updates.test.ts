/**
 * Updates are checked and applied when the turn's commit takes them, not as each message arrives (one Yjs transaction
 * for a run of them: section-document.ts, applyReceived). What happens between their arrival and that moment must not
 * open a door: a socket closed in the same turn, a turn of nothing but refused updates, a server-side change reading
 * the section in the same turn. (Found by an outside review of that change.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import * as Y from 'yjs';
import pino from 'pino';
import { createEntry, entriesOf, sectionToJSON } from '../../shared/schema.js';
import { createPad, removeDir, startTestServer } from '../helpers/server.js';
import { Connection } from '../../server/sync/connection.js';
import { updateMessage } from '../../server/sync/messages.js';
import { importPad } from '../../server/pad-import.js';
import type { Peer } from '../../server/sync/section-document.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Enough of a ws socket for a Connection: the test emits its messages, several in one turn if it likes. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  binaryType = 'nodebuffer';
  paused = false;
  closes: number[] = [];
  send() {}
  pause() {
    this.paused = true;
  }
  resume() {
    this.paused = false;
  }
  close(code: number) {
    this.closes.push(code);
    this.readyState = 3;
  }
  terminate() {
    this.readyState = 3;
  }
  ping() {}
  message(bytes: Uint8Array) {
    this.emit('message', Buffer.from(bytes), true);
  }
}

/** A fresh pad's proposed section, and real connections to it over fake sockets (the guard: more than 3 entries). */
async function section(name: string) {
  const server = await startTestServer();
  cleanups.push(() => removeDir(server.dataDir), () => server.close());
  const { padId } = await createPad(server.url, name);
  const ref = { padId, section: 'proposed' as const };
  const document = await server.registry.open(ref);
  cleanups.push(() => server.registry.release(ref));
  const connect = (role: 'viewer' | 'contributor', session: string) => {
    const socket = new FakeSocket();
    const connection = new Connection(socket as never, document, { role, session }, pino({ level: 'silent' }), { guard: { maxEntries: 3, windowMs: 60_000 }, maxMessagesPerSecond: 2000 }, () => undefined);
    cleanups.push(() => connection.terminate());
    return { socket, connection };
  };
  return { server, padId, document, connect };
}

const entryUpdate = (title: string, launchpad = '') => {
  const doc = new Y.Doc();
  entriesOf(doc).push([createEntry({ title, launchpad, addedBy: 'w' })]);
  return Y.encodeStateAsUpdate(doc);
};

describe('updates received in one turn', () => {
  it('a turn of refused updates long enough to pause the other sockets resumes them (no commit follows to do it)', async () => {
    const { document, connect } = await section('refused-turn');
    const viewer = connect('viewer', 'viewer:v');
    const reader = connect('contributor', 'contributor:r');
    // one turn: 256 updates from a read-only link (each will be refused), then the contributor asks for presence
    for (let i = 0; i < 256; i++) viewer.socket.message(updateMessage(entryUpdate(`v${i}`)));
    reader.socket.message(Uint8Array.of(3));
    expect(reader.socket.paused).toBe(true);
    await document.flush();
    await new Promise((resolve) => setImmediate(resolve));
    expect(sectionToJSON(document.doc)).toHaveLength(0);
    expect(reader.socket.paused).toBe(false);
  });

  it('a rewrite burst whose socket closes in the same turn is still watched by the guard: quarantined, the rest refused', async () => {
    const { document, connect } = await section('closed-rewriter');
    const seed = new Y.Doc();
    entriesOf(seed).push(Array.from({ length: 6 }, (_, i) => createEntry({ title: `title ${i}`, addedBy: 'w' })));
    const writer = connect('contributor', 'contributor:t');
    writer.socket.message(updateMessage(Y.encodeStateAsUpdate(seed)));
    await document.flush();
    // one turn: six titles rewritten (as a page translator does, one update each), then a text frame, which closes
    // the socket
    for (let i = 0; i < 6; i++) {
      const before = Y.encodeStateVector(seed);
      const title = entriesOf(seed).get(i).get('title') as Y.Text;
      title.delete(0, title.length);
      title.insert(0, `titre ${i}`);
      writer.socket.message(updateMessage(Y.encodeStateAsUpdate(seed, before)));
    }
    writer.socket.emit('message', Buffer.from('x'), false);
    expect(writer.socket.closes).toEqual([1003]);
    await document.flush();
    // more than 3 entries rewritten: the fourth quarantines the connection, and what follows is refused
    expect(writer.connection.quarantine).not.toBeNull();
    expect(sectionToJSON(document.doc).filter((e) => e.title.startsWith('titre'))).toHaveLength(4);
  });

  it('a failure checking one peer\'s update closes that peer only; the others\' updates of the turn are applied and stored', async () => {
    const { server, document } = await section('check-fails');
    const peer = (session: string, role: 'viewer' | 'contributor', refuse: () => void, closes: number[]) =>
      ({ role, session, quarantine: null, demote() {}, send() {}, refuse, close: (code: number) => closes.push(code), recordRewrites: () => null }) as unknown as Peer;
    const faultyCloses: number[] = [];
    const faulty = peer('viewer:faulty', 'viewer', () => {
      throw new Error('socket gone wrong');
    }, faultyCloses);
    const writerCloses: number[] = [];
    const writer = peer('contributor:w', 'contributor', () => undefined, writerCloses);
    // one turn: the faulty viewer's update (its refusal throws), then a contributor's
    document.receiveUpdate(faulty, entryUpdate('refused'));
    document.receiveUpdate(writer, entryUpdate('kept'));
    await document.flush();
    expect(faultyCloses).toEqual([1011]);
    expect(writerCloses).toEqual([]);
    expect(document.isDestroyed).toBe(false);
    expect(sectionToJSON(document.doc).map((e) => e.title)).toEqual(['kept']);
    expect(server.store.readLog({ padId: document.ref.padId, section: 'proposed' }).map((r) => r.session)).toEqual(['contributor:w']);
  });

  it('an import in the same turn as a person adding the same entry skips it (it reads the section with what was received)', async () => {
    const { server, padId, document, connect } = await section('import-same-turn');
    const writer = connect('contributor', 'contributor:w');
    const bug = 'https://bugs.launchpad.net/nova/+bug/2000001';
    writer.socket.message(updateMessage(entryUpdate('Evacuate fails', bug)));
    const report = await importPad(
      server.registry,
      padId,
      { meta: { title: '', milestones: [], preamble: [] }, sections: { proposed: [{ kind: 'bug', title: 'Evacuate fails', launchpad: bug, owner: '', reviews: [], note: '', status: 'open' }], ready: [] } },
      { role: 'contributor', session: 'import:i', curator: false },
    );
    expect(report.created.proposed).toBe(0);
    expect(report.skipped).toHaveLength(1);
    await document.flush();
    expect(sectionToJSON(document.doc).map((e) => e.title)).toEqual(['Evacuate fails']);
  });
});
