/**
 * The load generator: real `ws` clients speaking the y-websocket protocol (Hocuspocus' framing for Hocuspocus),
 * writers making real Yjs updates. Each edit inserts a marker `<<writer:seq:sentMs>>` into a Y.Text; receivers find
 * markers in the raw bytes they receive (every server passes the inserted strings through, merged or not), so a
 * thousand receivers cost the generator little and never decode Yjs.
 */
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { isRelay, type ServerKind } from './servers.js';
import { createEntry, entriesOf, MAX_LINE_LENGTH } from '../shared/schema.js';

export interface Target {
  kind: ServerKind;
  /** ws:// base, e.g. ws://127.0.0.1:1234 */
  base: string;
}

const now = () => performance.timeOrigin + performance.now();

function frame(target: Target, room: string, write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  if (target.kind === 'hocuspocus') encoding.writeVarString(e, room);
  write(e);
  return encoding.toUint8Array(e);
}

function url(target: Target, room: string): string {
  switch (target.kind) {
    case 'cyclepad':
    case 'cyclepad-pg':
    case 'cyclepad-cluster':
      return `${target.base}/sync/${room}/proposed`;
    case 'hocuspocus':
      return target.base;
    default:
      return `${target.base}/${room}`;
  }
}

/** Latency samples (ms) and delivery counts, shared by a scenario's receivers. */
export class Recorder {
  latencies: number[] = [];
  delivered = 0;
  recording = true;
}

export class BenchClient {
  readonly ws: WebSocket;
  ready: Promise<void>;
  private readonly seen = new Set<string>();
  /** Edits received from each writer (for "has everything" checks). */
  readonly receivedFrom = new Map<string, number>();
  /** When the latest new edit arrived (ms, performance.now()). */
  lastReceivedAt = 0;
  private doc: Y.Doc | null = null;
  private seq = 0;
  private awarenessClock = 0;
  private readonly clientId = Math.floor(Math.random() * 2 ** 31);

  constructor(
    private readonly target: Target,
    readonly room: string,
    private readonly recorder: Recorder,
    readonly writerId: string | null = null,
    /** An author that only writes: what it is sent is not looked at (the load generator stays cheap). */
    private readonly writeOnly = false,
  ) {
    this.ws = new WebSocket(url(target, room), { perMessageDeflate: false });
    this.ws.binaryType = 'nodebuffer';
    this.ready = new Promise((resolve, reject) => {
      this.ws.once('error', reject);
      this.ws.once('open', () => {
        if (isRelay(target.kind)) return resolve();
        if (target.kind === 'hocuspocus') {
          this.ws.send(frame(target, room, (e) => {
            encoding.writeVarUint(e, 2); // auth
            encoding.writeVarUint(e, 0); // token
            encoding.writeVarString(e, '');
          }));
        }
        this.ws.send(frame(target, room, (e) => {
          encoding.writeVarUint(e, 0);
          encoding.writeVarUint(e, 0); // sync step 1, empty state vector
          encoding.writeVarUint8Array(e, Y.encodeStateVector(new Y.Doc()));
        }));
        this.onSyncStep2 = resolve;
      });
    });
    this.ws.on('message', (data: Buffer) => this.onMessage(data));
    if (writerId) {
      this.doc = new Y.Doc();
      this.doc.on('update', (update: Uint8Array) => {
        if (this.ws.readyState !== WebSocket.OPEN) return;
        this.ws.send(frame(this.target, this.room, (e) => {
          encoding.writeVarUint(e, 0);
          encoding.writeVarUint(e, 2); // update
          encoding.writeVarUint8Array(e, update);
        }));
      });
    }
  }

  private onSyncStep2: (() => void) | null = null;
  /** Resolves once the first full sync (sync step 2) arrived, with its size. */
  syncedBytes = 0;

  private onMessage(data: Buffer): void {
    if (this.onSyncStep2) {
      // skip the document name Hocuspocus puts first
      let at = 0;
      if (this.target.kind === 'hocuspocus') at = 1 + data[0]!;
      if ((data[at] === 0 || data[at] === 4) && data[at + 1] === 1) {
        this.syncedBytes = data.length;
        const done = this.onSyncStep2;
        this.onSyncStep2 = null;
        done();
      }
    }
    if (this.writeOnly) return;
    let i = data.indexOf('<<');
    while (i >= 0) {
      const end = data.indexOf('>>', i + 2);
      if (end < 0) break;
      const marker = data.toString('latin1', i + 2, end);
      const [writer, , sent] = marker.split(':');
      if (writer && writer !== this.writerId && !this.seen.has(marker)) {
        this.seen.add(marker);
        this.receivedFrom.set(writer, (this.receivedFrom.get(writer) ?? 0) + 1);
        this.lastReceivedAt = performance.now();
        if (this.recorder.recording) {
          this.recorder.latencies.push(now() - Number(sent));
          this.recorder.delivered++;
        }
      }
      i = data.indexOf('<<', end + 2);
    }
  }

  /**
   * The writer's text: the title of an entry of its own (a new one when it is full), in the pad's schema (cyclepad
   * refuses anything else; the other servers get the same document shape).
   */
  private text(): Y.Text {
    const entries = entriesOf(this.doc!);
    // a new entry once the title is nearly as long as a title may be (MAX_LINE_LENGTH): cyclepad refuses longer ones
    if (entries.length === 0 || (entries.get(entries.length - 1).get('title') as Y.Text).length > MAX_LINE_LENGTH - 100) {
      entries.push([createEntry({ title: '', addedBy: this.writerId! })]);
    }
    return entries.get(entries.length - 1).get('title') as Y.Text;
  }

  /** One edit: a marker appended to the writer's text. */
  edit(): void {
    const text = this.text();
    text.insert(text.length, `<<${this.writerId}:${this.seq++}:${now().toFixed(3)}>> `);
  }

  /** Types `chars` (no marker: an author of the Etherpad load model, not measured). */
  type(chars: string): void {
    const text = this.text();
    text.insert(text.length, chars);
  }

  /** A presence update (awareness), as a client moving its cursor sends. */
  presence(): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    // (cyclepad's presence schema: a cursor names its section too; without it every state was refused as malformed,
    // and cyclepad relayed no presence while the servers compared with it did)
    const state = JSON.stringify({ user: { name: `bench-${this.clientId % 100000}`, colour: '#336699' }, cursor: { section: 'proposed', entry: `e${this.awarenessClock}`, field: 'title' } });
    const update = encoding.createEncoder();
    encoding.writeVarUint(update, 1);
    encoding.writeVarUint(update, this.clientId);
    encoding.writeVarUint(update, ++this.awarenessClock);
    encoding.writeVarString(update, state);
    this.ws.send(frame(this.target, this.room, (e) => {
      encoding.writeVarUint(e, 1);
      encoding.writeVarUint8Array(e, encoding.toUint8Array(update));
    }));
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Opens `n` clients in batches (so the accept queue is not flooded) and waits for all to be ready. */
export async function openClients(make: (i: number) => BenchClient, n: number, batch = 50): Promise<BenchClient[]> {
  const clients: BenchClient[] = [];
  for (let i = 0; i < n; i += batch) {
    const group = Array.from({ length: Math.min(batch, n - i) }, (_, j) => make(i + j));
    await Promise.all(group.map((c) => c.ready));
    clients.push(...group);
  }
  return clients;
}
