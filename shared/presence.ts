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
 * separators, every character Unicode says renders as nothing (Default_Ignorable_Code_Point: the combining grapheme
 * joiner, variation selectors, the Hangul fillers) and the blank braille pattern (U+2800).
 */
export const NAME_FORBIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800]/u;
const NAME_FORBIDDEN_ALL = new RegExp(NAME_FORBIDDEN.source, 'gu');
/** A stack of combining marks taller than any script writes (they spill over the names around it). */
const MARK_STACK = /\p{M}{5,}/u;
const MARK_STACK_ALL = new RegExp(MARK_STACK.source, 'gu');
/**
 * A name may neither look like what history shows beside it (`contributor:…`) nor claim a role or the server's
 * voice (curator, PTL, server, system, admin, or the page's "(translating)"): tested on its {@link skeleton}, so
 * full-width letters, Cyrillic or Greek lookalikes and other colons do not get past.
 */
export const NAME_SESSION_LIKE = /\b(?:curator|contributor|viewer|system):/;
/** A role's name as a word of its own: between anything but letters ("Nova_PTL", "PTL2" and, split at its capitals, "CuratorBot" too). */
const NAME_ROLE_WORDS = /(?<![a-z])(?:curators?|contributor|viewer|ptl|server|system|admin|administrator|translating)(?![a-z])/;
/** The PTL key's own label, as a word: no delegate key may be labelled so. */
const PTL_WORD = /(?<![a-z])ptl(?![a-z])/;
const ROLE_WORDS_TYPED = /\b(?:curators?|contributor|viewer|ptl|server|system|admin|administrator|translating)\b:?/giu;

/**
 * Letters of other scripts drawn like Latin ones (Cyrillic, Greek, small capitals, Cherokee, Lisu), and characters
 * drawn like a colon (after NFKC). Not Unicode's whole confusables list: the letters of the words a name may not hold.
 */
const LOOKALIKES: Readonly<Record<string, string>> = (() => {
  const table: Record<string, string> = {
    а: 'a', в: 'b', с: 'c', ԁ: 'd', е: 'e', һ: 'h', і: 'i', ј: 'j', к: 'k', ӏ: 'l', м: 'm', н: 'h', о: 'o', р: 'p',
    ѕ: 's', т: 't', и: 'n', у: 'y', х: 'x', ү: 'y', ԛ: 'q', ԝ: 'w', ɑ: 'a', ı: 'i', ɩ: 'i',
    α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', γ: 'y',
    '\uA789': ':', '\u02F8': ':', '\u2236': ':', '\u05C3': ':', '\u1804': ':', '\u205A': ':', '\u0589': ':', '\u0703': ':', '\u0704': ':',
  };
  // small capitals
  const small = 'ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘǫʀꜱᴛᴜᴠᴡ ʏᴢ'; // (no small capital x)
  [...small].forEach((c, i) => c !== ' ' && (table[c] = String.fromCharCode(97 + i)));
  // Cherokee and Lisu capitals drawn as Latin ones (and Cherokee's lower case, which toLowerCase() gives)
  const drawnAs: Record<string, string> = {
    Ꭺ: 'a', Ᏼ: 'b', Ꮯ: 'c', Ꭰ: 'd', Ꭼ: 'e', Ꮐ: 'g', Ꮋ: 'h', Ꭵ: 'i', Ꭻ: 'j', Ꮶ: 'k', Ꮮ: 'l', Ꮇ: 'm', Ꮲ: 'p', Ꮪ: 's',
    Ꭲ: 't', Ꮩ: 'v', Ꮃ: 'w', Ꮓ: 'z', ꓮ: 'a', ꓐ: 'b', ꓚ: 'c', ꓓ: 'd', ꓰ: 'e', ꓝ: 'f', ꓖ: 'g', ꓧ: 'h', ꓲ: 'i', ꓙ: 'j',
    ꓗ: 'k', ꓡ: 'l', ꓟ: 'm', ꓠ: 'n', ꓳ: 'o', ꓑ: 'p', ꓣ: 'r', ꓢ: 's', ꓔ: 't', ꓴ: 'u', ꓦ: 'v', ꓪ: 'w', ꓫ: 'x', ꓬ: 'y', ꓜ: 'z',
  };
  for (const [c, latin] of Object.entries(drawnAs)) table[c] = table[c.toLowerCase()] = latin;
  return table;
})();

/** Squared, circled and regional-indicator Latin letters that NFKC leaves as they are (🅿, 🆃, 🇵…): their letter. */
function enclosedLetter(c: string): string | undefined {
  const cp = c.codePointAt(0)!;
  for (const start of [0x1f130, 0x1f150, 0x1f170, 0x1f1e6]) if (cp >= start && cp < start + 26) return String.fromCharCode(97 + cp - start);
  return undefined;
}

/**
 * A name reduced to what it looks like: split between a small and a capital letter ("CuratorBot"), NFKC, marks
 * dropped, lower case, lookalike letters, enclosed letters and colons made Latin.
 */
export function skeleton(name: string): string {
  return name
    .replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^ -~]/gu, (c) => LOOKALIKES[c] ?? enclosedLetter(c) ?? c);
}

/** Whether a delegate key's label would read as the PTL's (whose key is labelled "PTL"). */
export function claimsPtl(label: string): boolean {
  return PTL_WORD.test(skeleton(label));
}

/** What {@link isValidName} asks, in the words of a refusal. */
export const NAME_RULE =
  'name must be 1-40 characters, without control, format, invisible or blank characters, stacks of accents, edge spaces, "role:" or a role\'s name (curator, PTL, server, system, admin)';

/**
 * The zero-width joiner and non-joiner where a script's writing needs them (Persian "علی‌رضا", Sinhala "ශ්‍රී", the
 * Indic conjuncts): between two characters of one of those scripts, where they change how the name is drawn.
 * Anywhere else they only hide a difference ("Ali\u200Dce"), and are refused with every format character.
 */
const JOINING_SCRIPTS = '\\p{Script=Arabic}\\p{Script=Syriac}\\p{Script=Devanagari}\\p{Script=Bengali}\\p{Script=Gurmukhi}\\p{Script=Gujarati}\\p{Script=Oriya}\\p{Script=Tamil}\\p{Script=Telugu}\\p{Script=Kannada}\\p{Script=Malayalam}\\p{Script=Sinhala}';
const SCRIPT_JOINER = new RegExp(`(?<=[${JOINING_SCRIPTS}])[\\u200C\\u200D](?=[${JOINING_SCRIPTS}])`, 'gu');
const SCRIPT_JOINER_AT = new RegExp(SCRIPT_JOINER.source, 'uy');

/** `text` without the characters a name may not carry (a joiner its script needs stays). */
function dropForbidden(text: string): string {
  return text.replace(NAME_FORBIDDEN_ALL, (c: string, at: number) => {
    SCRIPT_JOINER_AT.lastIndex = at;
    return SCRIPT_JOINER_AT.test(text) ? c : '';
  });
}

/** Whether `text` is free of what a shown name may not carry (forbidden characters, mark stacks, edge spaces). */
export function isCleanText(text: string, maxLength: number): boolean {
  const checked = text.replace(SCRIPT_JOINER, '');
  return text.length >= 1 && text.length <= maxLength && text === text.trim() && !NAME_FORBIDDEN.test(checked) && !MARK_STACK.test(text);
}

/**
 * Names already judged (a person's name comes with every presence change they make: its Unicode normalisation and
 * lookalike table each time were about a third of checking a presence message). Bounded: emptied when full.
 */
const judgedNames = new Map<string, boolean>();
const JUDGED_NAMES_MAX = 2000;

/** Whether a display name is one presence takes: clean, 1–40 characters, not session-like, claiming no role. */
export function isValidName(name: string): boolean {
  let valid = judgedNames.get(name);
  if (valid === undefined) {
    const looks = isCleanText(name, MAX_NAME_LENGTH) ? skeleton(name) : null;
    valid = looks !== null && !NAME_SESSION_LIKE.test(looks) && !NAME_ROLE_WORDS.test(looks);
    if (judgedNames.size >= JUDGED_NAMES_MAX) judgedNames.clear();
    if (name.length <= 4 * MAX_NAME_LENGTH) judgedNames.set(name, valid);
  }
  return valid;
}

/** A name as a person typed it, made presentable: what {@link isValidName} refuses dropped, at most {@link MAX_NAME_LENGTH}; '' if nothing is left. */
export function cleanName(name: string): string {
  const kept = dropForbidden(name)
    .replace(MARK_STACK_ALL, (m) => m.slice(0, 2))
    .replace(ROLE_WORDS_TYPED, ' ')
    .replace(/\(\s*\)|\[\s*\]/g, '')
    .replace(/\s{2,}/g, ' ');
  // (cutting at 40 code units may leave half a surrogate pair: dropped like any lone surrogate)
  const cut = dropForbidden(kept.trim().slice(0, MAX_NAME_LENGTH)).trim();
  return isValidName(cut) ? cut : '';
}

/** The longest entry id a presence `cursor` may name (where the person is typing). */
export const PRESENCE_CURSOR_ENTRY_MAX = 64;

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
  /** Where the person is typing: an entry's title or note, in a section (the server lets only curators say `ready`). */
  cursor: z.optional(
    z.strictObject({
      section: z.enum(['proposed', 'ready']),
      entry: z.string().check(z.maxLength(PRESENCE_CURSOR_ENTRY_MAX)),
      field: z.enum(['title', 'note']),
    }),
  ),
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
