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
