/**
 * The Etherpad load model's authors, in a worker thread of their own: hundreds of sockets read and written there
 * would otherwise delay the probe's event loop, and the probe would measure the load generator, not the server.
 * Each author speaks WebSocket over a raw TCP socket and throws away what the server sends without parsing it.
 *
 * workerData: { bases: string[] (ws:// of each process), room, count, everyMs }. Posts 'ready' once every author's
 * socket is open (or { error }); on 'start' the authors start typing; on 'stop' they close and the worker ends.
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { createEntry, entriesOf } from '../shared/schema.js';

/** A masked client frame (RFC 6455 §5.2) carrying one binary message. */
function wsFrame(payload: Uint8Array): Buffer {
  const mask = randomBytes(4);
  const len = payload.length;
  const header = len < 126 ? Buffer.from([0x82, 0x80 | len]) : len < 65536 ? Buffer.from([0x82, 0x80 | 126, len >> 8, len & 0xff]) : null;
  if (!header) throw new Error('author frames stay small');
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = payload[i]! ^ mask[i & 3]!;
  return Buffer.concat([header, mask, body]);
}

function updateMessage(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, 2);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

/** An author: its own entry, 4 characters appended every `everyMs`; reads nothing it is sent. */
class Author {
  private readonly socket: net.Socket;
  private readonly doc = new Y.Doc();
  private timer: NodeJS.Timeout | null = null;
  readonly ready: Promise<void>;
  private open = false;

  constructor(wsBase: string, room: string) {
    const url = new URL(`${wsBase}/sync/${room}/proposed`);
    this.socket = net.connect(Number(url.port), url.hostname);
    this.socket.setNoDelay(true);
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.once('connect', () => {
        this.socket.write(
          `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
      let head = '';
      const onData = (chunk: Buffer) => {
        head += chunk.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        this.socket.off('data', onData);
        if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(head.split('\r\n')[0]));
        this.open = true;
        // everything after the handshake is read and dropped, unparsed
        this.socket.on('data', () => undefined);
        resolve();
      };
      this.socket.on('data', onData);
    });
    this.socket.on('error', () => undefined);
    this.doc.on('update', (update: Uint8Array) => {
      if (this.open && !this.socket.destroyed) this.socket.write(wsFrame(updateMessage(update)));
    });
  }

  start(everyMs: number): void {
    entriesOf(this.doc).push([createEntry({ title: '', addedBy: 'author' })]);
    const title = entriesOf(this.doc).get(0).get('title') as Y.Text;
    this.timer = setTimeout(() => {
      this.timer = setInterval(() => title.insert(title.length, 'abcd'), everyMs);
    }, Math.random() * everyMs);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.socket.destroy();
    this.doc.destroy();
  }
}

const { bases, room, count, everyMs } = workerData as { bases: string[]; room: string; count: number; everyMs: number };
const authors: Author[] = [];
try {
  for (let i = 0; i < count; i += 50) {
    const batch = Array.from({ length: Math.min(50, count - i) }, (_, j) => new Author(bases[(i + j) % bases.length]!, room));
    authors.push(...batch);
    await Promise.all(batch.map((a) => a.ready));
  }
  parentPort!.postMessage('ready');
} catch (err) {
  parentPort!.postMessage({ error: String(err) });
}
parentPort!.on('message', (message: string) => {
  if (message === 'start') for (const a of authors) a.start(everyMs);
  if (message === 'stop') {
    for (const a of authors) a.close();
    parentPort!.close();
  }
});
