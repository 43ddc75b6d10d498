/**
 * Curator keys: the PTL's (made with the pad) and the delegates'. Keys are random, stored only as SHA-256 hashes,
 * checked in constant time against every live key of the pad.
 */
import type { CuratorKeyRecord, PadStore } from '../storage/store.js';
import { hashSecret, newCuratorKey, newId, secretMatches } from './secrets.js';

export interface IssuedKey {
  record: CuratorKeyRecord;
  /** The key itself: shown once, never stored. */
  key: string;
}

export class CuratorKeys {
  constructor(private readonly store: PadStore) {}

  static issue(padId: string, label: string): IssuedKey {
    const key = newCuratorKey();
    return {
      key,
      record: { id: newId(), padId, label, keyHash: hashSecret(key), createdAt: Date.now() },
    };
  }

  /** The live key record matching `key`, or undefined. Every candidate is compared, match or not. */
  verify(padId: string, key: string | undefined | null): CuratorKeyRecord | undefined {
    if (!key) return undefined;
    let match: CuratorKeyRecord | undefined;
    for (const record of this.store.listCuratorKeys(padId)) {
      if (secretMatches(key, record.keyHash) && !match) match = record;
    }
    return match;
  }

  delegate(padId: string, label: string): IssuedKey {
    const issued = CuratorKeys.issue(padId, label);
    this.store.addCuratorKey(issued.record);
    return issued;
  }

  list(padId: string): CuratorKeyRecord[] {
    return this.store.listCuratorKeys(padId);
  }

  /** Revokes a key; sockets opened with it are demoted at their next write (the document re-checks the key). */
  revoke(padId: string, keyId: string): boolean {
    return this.store.revokeCuratorKey(padId, keyId);
  }
}
