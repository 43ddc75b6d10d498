/**
 * Decides who a request speaks for on a pad: a viewer (read-only mirror), a curator (a live curator key in
 * `Authorization: Bearer`, the `key` URL parameter, or a sign-in cookie), or else a contributor.
 */
import { parse as parseCookie } from 'hono/utils/cookie';
import type { Role } from '../../shared/roles.js';
import type { ResolvedPad } from '../pads.js';
import type { CuratorKeys } from './curator-keys.js';
import { newId } from './secrets.js';
import { sessionCookieName, type CuratorSessions } from './sessions.js';

export interface Credentials {
  bearer?: string | null;
  keyParam?: string | null;
  cookieHeader?: string | null;
}

export interface Identity {
  role: Role;
  /** Recorded with every accepted update: `curator:<keyId>`, `contributor:<random>` or `viewer:<random>`. */
  session: string;
  curatorKeyId?: string;
  /** Added to refusal messages (e.g. a key was given but is not valid for this pad). */
  refusalHint?: string;
}

export class Identifier {
  constructor(
    private readonly keys: CuratorKeys,
    private readonly sessions: CuratorSessions,
  ) {}

  /** The curator key id the credentials prove for this pad, or undefined. */
  curatorKeyId(padId: string, credentials: Credentials): string | undefined {
    const key = credentials.bearer ?? credentials.keyParam;
    if (key) return this.keys.verify(padId, key)?.id;
    const cookies = credentials.cookieHeader ? parseCookie(credentials.cookieHeader) : {};
    return this.sessions.verify(padId, cookies[sessionCookieName(padId)]);
  }

  identify(resolved: ResolvedPad, credentials: Credentials): Identity {
    if (resolved.readOnly) return { role: 'viewer', session: `viewer:${newId(6)}` };
    const keyId = this.curatorKeyId(resolved.pad.id, credentials);
    if (keyId) return { role: 'curator', session: `curator:${keyId}`, curatorKeyId: keyId };
    return { role: 'contributor', session: `contributor:${newId(6)}` };
  }
}

export function bearerToken(header: string | null | undefined): string | null {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match ? match[1]! : null;
}
