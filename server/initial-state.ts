/**
 * The editor page's initial state: both sections' committed state as of the request, for the page to show before
 * its sockets have synced (shared/wire.ts). Only ever put in the editor page, which the pad link's holder reads and
 * whose sockets would send the same; never in the mirror.
 */
import * as Y from 'yjs';
import { raw } from 'hono/html';
import { SECTIONS } from '../shared/schema.js';
import { INITIAL_STATE_ELEMENT_ID, INITIAL_STATE_MAX_BYTES, type InitialState } from '../shared/wire.js';
import { PadGone, type DocumentRegistry } from './sync/document-registry.js';

/** The state vector of an empty document: a diff against it is the whole state. */
const EVERYTHING = Y.encodeStateVector(new Y.Doc());

/** The `<script type="application/json">` element carrying the state, or '' when the pad is too large to inline. */
export async function initialState(registry: DocumentRegistry, padId: string) {
  let states: Uint8Array[];
  try {
    // committed content only, as a socket's sync answer (diffFor flushes first): never an update storage may yet refuse
    states = await Promise.all(SECTIONS.map((section) => registry.use({ padId, section }, (d) => d.diffFor(EVERYTHING))));
  } catch (err) {
    if (err instanceof PadGone) throw err;
    return ''; // storage is failing: the page syncs over its sockets, which say why
  }
  const [proposed, ready] = states;
  if (proposed!.byteLength + ready!.byteLength > INITIAL_STATE_MAX_BYTES) return '';
  const state: InitialState = {
    pad: padId,
    proposed: Buffer.from(proposed!).toString('base64'),
    ready: Buffer.from(ready!).toString('base64'),
  };
  // JSON of base64 strings and a pad name ([A-Za-z0-9._-]): nothing in it can close the element
  return raw(`<script type="application/json" id="${INITIAL_STATE_ELEMENT_ID}">${JSON.stringify(state)}</script>`);
}
