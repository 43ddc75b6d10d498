/**
 * Presence (y-protocols awareness) is written by peers, so it is untrusted data: the server checks every state against
 * this schema and these limits before anyone else sees it, and the page checks again before showing it. Nothing a
 * person acts on (guard notices, roles, who is a curator) ever travels as presence: that comes from the server on
 * its own message type ({@link ServerNotice}).
 */
import * as z from 'zod/mini';
import type { StatusNotice } from './status.js';
import { MESSAGE_TYPES } from './wire.js';

export const PRESENCE_LIMITS = {
  /** Largest JSON text of one presence state. */
  maxStateBytes: 512,
  /** Presence client ids one connection may speak for (a page uses one; a reset section brings a second). */
  maxClientsPerConnection: 2,
  /** Presence states one section document holds at most. */
  maxClientsPerDocument: 1000,
  /** Presence messages one connection may send: a burst of this many… */
  burst: 20,
  /** …then this many per second. */
  perSecond: 5,
} as const;

export const MAX_NAME_LENGTH = 40;

/**
 * Characters a display name never carries: control characters (a NUL cannot even be stored in PostgreSQL) and the
 * bidirectional overrides and isolates, which would let a name reorder what is shown beside it ("Alice (contributor:…)").
 */
export const NAME_FORBIDDEN = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;
const NAME_FORBIDDEN_ALL = new RegExp(NAME_FORBIDDEN.source, 'gu');

/** A name as a person typed it, made presentable: forbidden characters dropped, trimmed, at most {@link MAX_NAME_LENGTH}. */
export function cleanName(name: string): string {
  return name.replace(NAME_FORBIDDEN_ALL, '').trim().slice(0, MAX_NAME_LENGTH).trim();
}

// zod/mini: the page bundles this schema too, and the full zod would be most of the bundle.
const presenceUser = z.strictObject({
  name: z.string().check(
    z.minLength(1),
    z.maxLength(MAX_NAME_LENGTH),
    z.refine((name: string) => !NAME_FORBIDDEN.test(name), 'name must not contain control or bidirectional override characters'),
  ),
  colour: z.optional(z.string().check(z.regex(/^#[0-9a-fA-F]{6}$/))),
  translating: z.optional(z.boolean()),
});

/** A presence state: everything optional (a fresh client announces `{}`), nothing else allowed. */
export const presenceState = z.strictObject({
  user: z.optional(presenceUser),
  cursor: z.optional(z.strictObject({ entry: z.string().check(z.maxLength(64)), field: z.enum(['title', 'note']) })),
});

export type PresenceState = z.infer<typeof presenceState>;

/** The presence state if it is one, else null (the page shows nothing for a state that is not). */
export function parsePresence(value: unknown): PresenceState | null {
  const result = presenceState.safeParse(value);
  return result.success ? result.data : null;
}

/**
 * Messages only the server sends, on a y-websocket message type of their own: a client sending this type is closed,
 * and the server never relays anything on it, so no peer can put words in the server's mouth.
 */
export const SERVER_NOTICE_MESSAGE = MESSAGE_TYPES.serverNotice;

export interface GuardNoticeData {
  id: string;
  section: string;
  session: string;
  role: string;
  /** When the connection was quarantined. */
  at: number;
  /** The burst's time window, for "revert this session's changes in this window". */
  from: number;
  to: number;
  entries: string[];
}

export type ServerNotice =
  /** For curators: the rewrite guard's current notices on this pad (the whole list, replacing the last). */
  | { type: 'guard'; notices: GuardNoticeData[] }
  /** This connection's role changed (a key revoked, a sign-out): the page asks for its role again. */
  | { type: 'role'; role: 'viewer' | 'contributor' | 'curator'; reason: string }
  /**
   * For every peer (viewers too): live review status (shared/status.ts), the section's whole status on connect, then
   * the items that changed; the page merges each into what it holds.
   */
  | StatusNotice;
