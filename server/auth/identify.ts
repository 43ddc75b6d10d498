/**
 * Decides who a request speaks for on a pad: a viewer (read-only mirror), a curator (a live curator key in
 * `Authorization: Bearer`, the `key` URL parameter, or a sign-in cookie), or else a contributor.
 */
import { parse as parseCookie } from 'hono/utils/cookie';
import type { Role } from '../../shared/roles.js';
import type { PadDirectory, ResolvedPad } from '../pads.js';
import type { CuratorKeys } from './curator-keys.js';
import { newId } from './secrets.js';
import type { CuratorSessions } from './sessions.js';

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
  /** When the curator was identified by the sign-in cookie: the session's token hash (signing out ends it). */
  sessionTokenHash?: string;
  /** Added to refusal messages (e.g. a key was given but is not valid for this pad). */
  refusalHint?: string;
}

export class Identifier {
  constructor(
    private readonly keys: CuratorKeys,
    private readonly sessions: CuratorSessions,
    private readonly pads: Pick<PadDirectory, 'sessionCookieName'>,
  ) {}

  /** The curator key the credentials prove for this pad (and the session, if by cookie), or undefined. */
  async curator(padId: string, credentials: Credentials): Promise<{ keyId: string; sessionTokenHash?: string } | undefined> {
    const key = credentials.bearer ?? credentials.keyParam;
    if (key) {
      const record = await this.keys.verify(padId, key);
      return record && { keyId: record.id };
    }
    const cookies = credentials.cookieHeader ? parseCookie(credentials.cookieHeader) : {};
    const session = await this.sessions.verify(padId, cookies[this.pads.sessionCookieName(padId)]);
    return session && { keyId: session.keyId, sessionTokenHash: session.tokenHash };
  }

  /** The curator key id the credentials prove for this pad, or undefined. */
  async curatorKeyId(padId: string, credentials: Credentials): Promise<string | undefined> {
    return (await this.curator(padId, credentials))?.keyId;
  }

  async identify(resolved: ResolvedPad, credentials: Credentials): Promise<Identity> {
    if (resolved.readOnly) return { role: 'viewer', session: `viewer:${newId(6)}` };
    const curator = await this.curator(resolved.pad.id, credentials);
    if (curator) {
      const identity: Identity = { role: 'curator', session: `curator:${curator.keyId}`, curatorKeyId: curator.keyId };
      if (curator.sessionTokenHash) identity.sessionTokenHash = curator.sessionTokenHash;
      return identity;
    }
    return { role: 'contributor', session: `contributor:${newId(6)}` };
  }
}

export function bearerToken(header: string | null | undefined): string | null {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match ? match[1]! : null;
}
