import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import WebSocket from 'ws';
import type { Section } from '../../shared/schema.js';
import { waitFor } from './wait.js';
import * as decoding from 'lib0/decoding';
import { SERVER_NOTICE_MESSAGE, type ServerNotice } from '../../shared/presence.js';

/** A real y-websocket provider in Node, as a bot or script would use it. */
export function connect(
  baseUrl: string,
  padRef: string,
  section: Section,
  options: { doc?: Y.Doc; params?: Record<string, string> } = {},
) {
  const doc = options.doc ?? new Y.Doc();
  const provider = new WebsocketProvider(`${baseUrl.replace(/^http/, 'ws')}/sync/${padRef}`, section, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    params: options.params ?? {},
  });
  return { doc, provider };
}

export async function connectSynced(...args: Parameters<typeof connect>) {
  const client = connect(...args);
  await waitFor(() => client.provider.synced, 5000, 'provider sync');
  return client;
}

/** Collects the server notices (the message type only the server speaks) a provider receives. */
export function serverNotices(provider: WebsocketProvider): ServerNotice[] {
  const seen: ServerNotice[] = [];
  provider.messageHandlers[SERVER_NOTICE_MESSAGE] = (_encoder, decoder) => {
    seen.push(JSON.parse(decoding.readVarString(decoder)) as ServerNotice);
  };
  return seen;
}
