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
 * Characters a display name never carries: control and format characters (a NUL cannot even be stored in
 * PostgreSQL; zero-width characters make "Ali\u200Bce" look like "Alice"; bidirectional marks, overrides and isolates
 * could reorder what is shown beside a name), lone surrogates, private-use characters, line and paragraph
 * separators, and the letters that render blank (U+2800, U+3164, U+115F, U+1160, U+FFA0).
 */
export const NAME_FORBIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}\u2800\u3164\u115F\u1160\uFFA0]/u;
const NAME_FORBIDDEN_ALL = new RegExp(NAME_FORBIDDEN.source, 'gu');
/** What history shows beside a name (`contributor:…`): a name may not look like one. */
export const NAME_SESSION_LIKE = /\b(?:curator|contributor|viewer|system):/i;
const NAME_SESSION_LIKE_ALL = new RegExp(NAME_SESSION_LIKE.source, 'gi');

/** What {@link isValidName} asks, in the words of a refusal. */
export const NAME_RULE = 'name must be 1-40 characters, without control, format or blank characters, edge spaces, or "role:"';

/** Whether a display name is one presence takes: 1–40 characters, none forbidden, no edge spaces, not session-like. */
export function isValidName(name: string): boolean {
  return (
    name.length >= 1 && name.length <= MAX_NAME_LENGTH && name === name.trim() && !NAME_FORBIDDEN.test(name) && !NAME_SESSION_LIKE.test(name)
  );
}

/** A name as a person typed it, made presentable: what {@link isValidName} refuses dropped, at most {@link MAX_NAME_LENGTH}. */
export function cleanName(name: string): string {
  const kept = name.replace(NAME_FORBIDDEN_ALL, '').replace(NAME_SESSION_LIKE_ALL, (m) => `${m.slice(0, -1)} `);
  // (cutting at 40 code units may leave half a surrogate pair: dropped like any lone surrogate)
  return kept.trim().slice(0, MAX_NAME_LENGTH).replace(NAME_FORBIDDEN_ALL, '').trim();
}

// zod/mini: the page bundles this schema too, and the full zod would be most of the bundle.
const presenceUser = z.strictObject({
  name: z.string().check(
    z.refine(isValidName, NAME_RULE),
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
