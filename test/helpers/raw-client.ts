/**
 * A raw y-websocket protocol client (ws + y-protocols, no provider): it sends exactly the bytes a test forges and
 * records everything the server answers.
 */
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import * as awarenessProtocol from 'y-protocols/awareness';
import { waitFor } from './wait.js';

export interface Received {
  type: 'step1' | 'step2' | 'update' | 'awareness' | 'denied' | 'other';
  payload: Uint8Array | string;
}

export class RawClient {
  readonly received: Received[] = [];
  closed: { code: number; reason: string } | null = null;
  readonly doc = new Y.Doc();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => this.record(new Uint8Array(data)));
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
    });
  }

  static async open(baseUrl: string, padRef: string, section: string, query = '', headers: Record<string, string> = {}) {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/sync/${padRef}/${section}${query}`, { headers });
    const client = new RawClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    // The server opens with its sync step 1: apply nothing, but learn the state by asking for it.
    await waitFor(() => client.received.some((m) => m.type === 'step1'), 3000, 'server sync step 1');
    client.send(RawClient.syncMessage(syncProtocol.messageYjsSyncStep1, Y.encodeStateVector(client.doc)));
    await waitFor(() => client.received.some((m) => m.type === 'step2'), 3000, 'server sync step 2');
    return client;
  }

  private record(data: Uint8Array): void {
    const decoder = decoding.createDecoder(data);
    const type = decoding.readVarUint(decoder);
    if (type === 0) {
      const sub = decoding.readVarUint(decoder);
      const payload = decoding.readVarUint8Array(decoder);
      const kind = sub === 0 ? 'step1' : sub === 1 ? 'step2' : 'update';
      if (kind !== 'step1') Y.applyUpdate(this.doc, payload, 'server');
      this.received.push({ type: kind, payload });
    } else if (type === 1) {
      this.received.push({ type: 'awareness', payload: decoding.readVarUint8Array(decoder) });
    } else if (type === 2) {
      decoding.readVarUint(decoder);
      this.received.push({ type: 'denied', payload: decoding.readVarString(decoder) });
    } else {
      this.received.push({ type: 'other', payload: data });
    }
  }

  static syncMessage(subType: number, payload: Uint8Array): Uint8Array {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 0);
    encoding.writeVarUint(encoder, subType);
    encoding.writeVarUint8Array(encoder, payload);
    return encoding.toUint8Array(encoder);
  }

  send(message: Uint8Array): void {
    this.ws.send(message);
  }

  sendUpdate(update: Uint8Array): void {
    this.send(RawClient.syncMessage(syncProtocol.messageYjsUpdate, update));
  }

  sendStep2(update: Uint8Array): void {
    this.send(RawClient.syncMessage(syncProtocol.messageYjsSyncStep2, update));
  }

  /** Makes a change on a copy of what the server sent and returns just that change as an update. */
  forge(change: (doc: Y.Doc) => void, clientID?: number): Uint8Array {
    const copy = new Y.Doc();
    if (clientID !== undefined) copy.clientID = clientID;
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(this.doc));
    const before = Y.encodeStateVector(copy);
    change(copy);
    return Y.encodeStateAsUpdate(copy, before);
  }

  sendPresence(state: Record<string, unknown>): void {
    const awareness = new awarenessProtocol.Awareness(new Y.Doc());
    awareness.setLocalState(state);
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, [awareness.clientID]));
    this.send(encoding.toUint8Array(encoder));
    awareness.destroy();
  }

  denials(): string[] {
    return this.received.filter((m) => m.type === 'denied').map((m) => m.payload as string);
  }

  count(type: Received['type']): number {
    return this.received.filter((m) => m.type === type).length;
  }

  close(): void {
    this.ws.close();
  }
}
