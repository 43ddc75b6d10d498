/**
 * Curator sign-in for browsers: a key is exchanged for a random session token held in an HttpOnly cookie scoped to
 * the pad (its name comes from `PadDirectory.sessionCookieName`, which does not reveal the pad). Only the token's
 * hash is stored; a session dies with its key.
 */
import type { Storage } from '../storage/storage.js';
import { hashSecret, newCuratorKey } from './secrets.js';

export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;

export class CuratorSessions {
  constructor(private readonly store: Pick<Storage, 'createSession' | 'findSession' | 'isSessionLive' | 'deleteSession'>) {}

  /** Returns the new session's token (for the cookie). */
  async open(padId: string, keyId: string): Promise<string> {
    const token = newCuratorKey();
    await this.store.createSession({ tokenHash: hashSecret(token), padId, keyId, expiresAt: Date.now() + SESSION_TTL_MS });
    return token;
  }

  /** The curator key id behind a live session of this pad, with the token's hash, or undefined. */
  async verify(padId: string, token: string | undefined): Promise<{ keyId: string; tokenHash: string } | undefined> {
    if (!token) return undefined;
    const session = await this.store.findSession(hashSecret(token), Date.now());
    return session && session.padId === padId ? { keyId: session.keyId, tokenHash: session.tokenHash } : undefined;
  }

  /** Whether the session (by token hash) is still live: not signed out, not expired, its key not revoked. */
  isLive(tokenHash: string): Promise<boolean> {
    return this.store.isSessionLive(tokenHash, Date.now());
  }

  /** Ends the session; returns the token's hash (what sockets opened with it know it by), or undefined. */
  async close(token: string | undefined): Promise<string | undefined> {
    if (!token) return undefined;
    const tokenHash = hashSecret(token);
    await this.store.deleteSession(tokenHash);
    return tokenHash;
  }
}
