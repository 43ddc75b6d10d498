/** Helpers for reading what other servers send: everything is untrusted, of any type, any length. */

/** Removes control characters (C0, DEL, C1; bidi overrides too) and clamps to `max` code units. */
export function cleanText(value: unknown, max = 300): string {
  if (typeof value !== 'string') return '';
  let out = '';
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
      out += c === 0x09 || c === 0x0a ? ' ' : '';
      continue;
    }
    out += ch;
    if (out.length >= max) break;
  }
  return out.trim();
}

/** The text or null when empty / not a string. */
export function optionalText(value: unknown, max = 200): string | null {
  const text = cleanText(value, max);
  return text === '' ? null : text;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A thrown error for a body that is not what the API documents. */
export class MalformedResponse extends Error {
  constructor(what: string) {
    super(`malformed response: ${what}`);
    this.name = 'MalformedResponse';
  }
}
