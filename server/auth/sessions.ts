/**
 * Curator sign-in for browsers: a key is exchanged for a random session token held in an HttpOnly cookie scoped to
 * the pad (its name comes from `PadDirectory.sessionCookieName`, which does not reveal the pad). Only the token's
 * hash is stored; a session dies with its key.
 */
import type { PadStore } from '../storage/store.js';
import { hashSecret, newCuratorKey } from './secrets.js';

export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;

export class CuratorSessions {
  constructor(private readonly store: PadStore) {}

  /** Returns the new session's token (for the cookie). */
  open(padId: string, keyId: string): string {
    const token = newCuratorKey();
    this.store.createSession({ tokenHash: hashSecret(token), padId, keyId, expiresAt: Date.now() + SESSION_TTL_MS });
    return token;
  }

  /** The curator key id behind a live session of this pad, with the token's hash, or undefined. */
  verify(padId: string, token: string | undefined): { keyId: string; tokenHash: string } | undefined {
    if (!token) return undefined;
    const session = this.store.findSession(hashSecret(token), Date.now());
    return session && session.padId === padId ? { keyId: session.keyId, tokenHash: session.tokenHash } : undefined;
  }

  /** Whether the session (by token hash) is still live: not signed out, not expired, its key not revoked. */
  isLive(tokenHash: string): boolean {
    return this.store.isSessionLive(tokenHash, Date.now());
  }

  /** Ends the session; returns the token's hash (what sockets opened with it know it by), or undefined. */
  close(token: string | undefined): string | undefined {
    if (!token) return undefined;
    const tokenHash = hashSecret(token);
    this.store.deleteSession(tokenHash);
    return tokenHash;
  }
}
