/**
 * Curator sign-in for browsers: a key is exchanged for a random session token held in an HttpOnly cookie scoped to
 * the pad. Only the token's hash is stored; a session dies with its key.
 */
import type { PadStore } from '../storage/store.js';
import { hashSecret, newCuratorKey } from './secrets.js';

export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;

export const sessionCookieName = (padId: string): string => `cp_curator_${Buffer.from(padId).toString('hex')}`;

export class CuratorSessions {
  constructor(private readonly store: PadStore) {}

  /** Returns the new session's token (for the cookie). */
  open(padId: string, keyId: string): string {
    const token = newCuratorKey();
    this.store.createSession({ tokenHash: hashSecret(token), padId, keyId, expiresAt: Date.now() + SESSION_TTL_MS });
    return token;
  }

  /** The curator key id behind a live session of this pad, or undefined. */
  verify(padId: string, token: string | undefined): string | undefined {
    if (!token) return undefined;
    const session = this.store.findSession(hashSecret(token), Date.now());
    return session && session.padId === padId ? session.keyId : undefined;
  }

  close(token: string | undefined): void {
    if (token) this.store.deleteSession(hashSecret(token));
  }
}
