import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir } from '../storage/files.js';

/** A curator key: 192 random bits, URL-safe. */
export function newCuratorKey(): string {
  return randomBytes(24).toString('base64url');
}

/** A short random identifier (key ids, session ids): not a secret. */
export function newId(bytes = 9): string {
  return randomBytes(bytes).toString('base64url');
}

/** SHA-256, hex. Keys and tokens are high-entropy random values, so a fast hash is enough at rest. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Compares a presented secret with a stored hash in constant time. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/**
 * The server's own secret, kept in the data directory (mode 0600) apart from the database: read-only tokens are
 * derived from it, so a copy of the database alone reveals no token.
 */
export function loadServerSecret(dataDir: string): Buffer {
  ensurePrivateDir(dataDir);
  const file = path.join(dataDir, 'server-secret');
  if (!existsSync(file)) {
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  const secret = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  if (secret.length < 32) throw new Error(`${file} is damaged: expected 64 hex digits`);
  return secret;
}

/** The pad's read-only token: 128 bits, HMAC of a random per-pad nonce; 32 hex digits. */
export function readOnlyToken(serverSecret: Buffer, nonce: string): string {
  return createHmac('sha256', serverSecret).update(`read-only:${nonce}`).digest('hex').slice(0, 32);
}

/**
 * The name of a pad's sign-in cookie: an HMAC of the pad id with the server secret, so the name (which the browser
 * sends and a response's Set-Cookie shows) never reveals the pad, i.e. its edit link. 96 bits, hex.
 */
export function sessionCookieName(serverSecret: Buffer, padId: string): string {
  return `cp_s_${createHmac('sha256', serverSecret).update(`session-cookie:${padId}`).digest('hex').slice(0, 24)}`;
}
