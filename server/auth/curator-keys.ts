/**
 * Curator keys: the PTL's (made with the pad, replaced only by the admin command line) and the delegates'. Each
 * delegate key records the key that made it, so the keys of a pad form a tree under the PTL key: the PTL may revoke
 * any delegate, a delegate only the keys made under it, and revoking a key revokes everything made under it.
 * Keys are random, stored only as SHA-256 hashes, checked in constant time against every live key of the pad.
 */
import type { CuratorKeyRecord } from '../storage/store.js';
import type { Storage } from '../storage/storage.js';
import { hashSecret, newCuratorKey, newId, secretMatches } from './secrets.js';

export interface IssuedKey {
  record: CuratorKeyRecord;
  /** The key itself: shown once, never stored. */
  key: string;
}

/** Why a curator may not revoke a key (or null: it may). */
export type RevokeRefusal = 'not-found' | 'ptl' | 'not-yours' | null;

export class CuratorKeys {
  constructor(private readonly store: Pick<Storage, 'listCuratorKeys' | 'addCuratorKey' | 'revokeCuratorKeys' | 'replacePtlKey'>) {}

  /** A new key record: the PTL key when `createdBy` is null and `ptl` is set, else a delegate of `createdBy`. */
  static issue(padId: string, label: string, createdBy: string | null = null, ptl = false): IssuedKey {
    const key = newCuratorKey();
    return {
      key,
      record: { id: newId(), padId, label, keyHash: hashSecret(key), createdAt: Date.now(), createdBy, ptl },
    };
  }

  /** The live key record matching `key`, or undefined. Every candidate is compared, match or not. */
  async verify(padId: string, key: string | undefined | null): Promise<CuratorKeyRecord | undefined> {
    if (!key) return undefined;
    let match: CuratorKeyRecord | undefined;
    for (const record of await this.store.listCuratorKeys(padId)) {
      if (secretMatches(key, record.keyHash) && !match) match = record;
    }
    return match;
  }

  /** A delegate's key, made by the live key `createdBy`. */
  async delegate(padId: string, label: string, createdBy: string): Promise<IssuedKey> {
    const issued = CuratorKeys.issue(padId, label, createdBy);
    await this.store.addCuratorKey(issued.record);
    return issued;
  }

  list(padId: string): Promise<CuratorKeyRecord[]> {
    return this.store.listCuratorKeys(padId);
  }

  /**
   * Whether the live key `actorId` may revoke `targetId`: never the PTL key; the PTL key may revoke any delegate;
   * a delegate may revoke itself and the keys made under it (transitively), nothing else.
   */
  async revokeRefusal(padId: string, actorId: string, targetId: string): Promise<RevokeRefusal> {
    const live = new Map((await this.store.listCuratorKeys(padId)).map((k) => [k.id, k]));
    const target = live.get(targetId);
    const actor = live.get(actorId);
    if (!target || !actor) return 'not-found';
    if (target.ptl) return 'ptl';
    if (actor.ptl) return null;
    // Walk up from the target through its makers. A revoked maker revoked its whole subtree with it, so every live
    // key's chain of makers is live; `seen` only guards against a corrupt cycle.
    const seen = new Set<string>();
    for (let k: typeof target | undefined = target; k && !seen.has(k.id); k = k.createdBy ? live.get(k.createdBy) : undefined) {
      if (k.id === actorId) return null;
      seen.add(k.id);
    }
    return 'not-yours';
  }

  /**
   * Revokes a key and every key made under it, in one transaction; returns every id revoked. Sockets opened with
   * them are demoted (the sync server hears `keysRevoked`; the document also re-checks the key at the next write).
   */
  revoke(padId: string, keyId: string): Promise<string[]> {
    return this.store.revokeCuratorKeys(padId, keyId);
  }

  /** Replaces the PTL key (admin command line only): the old one is revoked, the delegates stay. */
  async resetPtl(padId: string): Promise<{ issued: IssuedKey; revoked: string[] }> {
    const issued = CuratorKeys.issue(padId, 'PTL', null, true);
    const revoked = await this.store.replacePtlKey(padId, issued.record);
    return { issued, revoked };
  }
}
