/**
 * The sync wire: y-websocket message types (a varuint before each message's body). Server and page read them from
 * here. (The page reacts to no close code: y-websocket reconnects after any close.)
 */
export const MESSAGE_TYPES = {
  sync: 0,
  awareness: 1,
  /** y-protocols auth: permission denied (varuint 0, then the reason). */
  auth: 2,
  queryAwareness: 3,
  /** Only the server speaks it (server notices, shared/presence.ts); a client sending it is closed. */
  serverNotice: 20,
} as const;

/**
 * The editor page carries both sections' state as the server had it when it answered (base64 Yjs updates in a
 * non-executed `<script type="application/json">` with this id): the page shows the pad before its sockets open, and
 * their sync then only carries what changed since. Omitted for a pad over {@link INITIAL_STATE_MAX_BYTES}.
 */
export const INITIAL_STATE_ELEMENT_ID = 'cp-initial-state';
export const INITIAL_STATE_MAX_BYTES = 4 * 1024 * 1024;

/** The largest request body the HTTP API takes (an import's text, as text or inside JSON). */
export const MAX_REQUEST_BODY_BYTES = 2 * 1024 * 1024;

/**
 * Most entries one import may hold: a release cycle's pad has a few hundred. An import's work (made on a copy of the
 * pad, inspected, applied) holds the process for its length: 5,000 entries held it for over a second each. (The page
 * points pastes longer than its form takes to the import, saying so.)
 */
export const MAX_IMPORT_ENTRIES = 1000;

export interface InitialState {
  /** The pad the state is of (the page checks it against the pad it opens). */
  pad: string;
  proposed: string;
  ready: string;
}
