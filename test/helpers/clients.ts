import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import WebSocket from 'ws';
import type { Section } from '../../shared/schema.js';
import { waitFor } from './wait.js';

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
