/**
 * Storage behind a small interface: the embedded default is SQLite; a later stage adds PostgreSQL.
 * Every method that writes is durable when it returns.
 */
import type { Role } from '../../shared/roles.js';
import type { Section } from '../../shared/schema.js';

export interface PadRecord {
  id: string;
  createdAt: number;
  /** SHA-256 (hex) of the read-only token. */
  readOnlyTokenHash: string;
  /** Random nonce the read-only token is derived from (see auth/read-only-token.ts). */
  readOnlyNonce: string;
}

export interface CuratorKeyRecord {
  id: string;
  padId: string;
  label: string;
  /** SHA-256 (hex) of the key; the key itself is never stored. */
  keyHash: string;
  createdAt: number;
  /** The id of the curator key that made this one; null for the PTL key (made with the pad or by `reset-ptl`). */
  createdBy: string | null;
  /** The PTL's key: never revoked through the HTTP API, replaced only by the admin command line. */
  ptl: boolean;
}

/** A key's label, and whether it was revoked. */
export interface CuratorKeyLabel {
  id: string;
  label: string;
  revoked: boolean;
}

export interface CuratorSessionRecord {
  tokenHash: string;
  padId: string;
  keyId: string;
  expiresAt: number;
}

/** One accepted update, with who sent it. */
export interface UpdateRecord {
  data: Uint8Array;
  role: Role | 'system';
  /** The server-assigned session that sent it (never the Yjs clientID, which a client can forge). */
  session: string;
  at: number;
}

export interface StoredUpdate extends UpdateRecord {
  seq: number;
}

export interface StoredDocument {
  snapshot: { seq: number; state: Uint8Array } | null;
  /** Updates after the snapshot, in log order. */
  updates: StoredUpdate[];
}

/** One indexed revision of the history (see history indexing). */
export interface StoredRevision {
  seq: number;
  at: number;
  role: string;
  session: string;
  summary: string /* JSON */;
}

export interface DocumentRef {
  padId: string;
  section: Section;
}

export interface PadStore {
  /** Creates a pad and its first curator key atomically; false if the pad exists. */
  createPad(pad: PadRecord, firstCurator: CuratorKeyRecord): boolean;
  getPad(id: string): PadRecord | undefined;
  findPadByReadOnlyHash(hash: string): PadRecord | undefined;

  loadDocument(ref: DocumentRef): StoredDocument;
  /** Appends updates in one transaction; returns the last sequence number. Throws (and writes nothing) if the pad does not exist. */
  appendUpdates(ref: DocumentRef, updates: UpdateRecord[]): number;
  /** Stores a snapshot of the document as of `seq` (replacing older ones). Throws if the pad does not exist. */
  writeSnapshot(ref: DocumentRef, seq: number, state: Uint8Array): void;
  /** The log after `afterSeq`, at most `limit` rows (default: all), in order. */
  readLog(ref: DocumentRef, afterSeq?: number, limit?: number): StoredUpdate[];

  /** Indexed revisions, newest first: at most `limit`, with seq < beforeSeq when given. */
  listRevisionSummaries(ref: DocumentRef, limit: number, beforeSeq?: number): StoredRevision[];
  /** The history index's checkpoint: the document state as of the last indexed seq, or null. */
  historyCheckpoint(ref: DocumentRef): { seq: number; state: Uint8Array } | null;
  /** Stores summaries and moves the checkpoint, in one transaction (ignores rows already indexed). */
  indexRevisions(ref: DocumentRef, rows: StoredRevision[], checkpoint: { seq: number; state: Uint8Array }): void;

  addCuratorKey(key: CuratorKeyRecord): void;
  /** The pad's live curator keys, oldest first. */
  listCuratorKeys(padId: string): CuratorKeyRecord[];
  /** Every key the pad ever had, revoked ones too, by label (history names the key each curator's change was made with). */
  listCuratorKeyLabels(padId: string): CuratorKeyLabel[];
  /**
   * Revokes a live key of the pad and every live key made under it (transitively), in one transaction; the PTL key
   * is never reached through the cascade. Returns every id revoked ([] if the key was not live).
   */
  revokeCuratorKeys(padId: string, id: string): string[];
  /**
   * Replaces the PTL key in one transaction: the live PTL key(s) are revoked (not the delegates they made), and
   * `key` (stored with `ptl: true, createdBy: null`) becomes the PTL key. Returns the ids revoked.
   */
  replacePtlKey(padId: string, key: CuratorKeyRecord): string[];
  /** Whether a curator key is still live (it may have been revoked by another process, e.g. the admin CLI). */
  isCuratorKeyLive(id: string): boolean;

  /** Every pad, oldest first. */
  listPads(): PadRecord[];
  /** Deletes a pad with its keys, sessions, log, snapshots and history index in one transaction; false if there was none. */
  deletePad(id: string): boolean;
  /** Folds the write-ahead log into the database file and gives free pages back to the file system. */
  vacuum(): void;

  /** Curator sign-in sessions (browser cookies), stored by hash. */
  createSession(session: CuratorSessionRecord): void;
  /** The session if it exists, has not expired and its curator key is still live. */
  findSession(tokenHash: string, now: number): CuratorSessionRecord | undefined;
  /** Whether the session exists, has not expired and its curator key is live. */
  isSessionLive(tokenHash: string, now: number): boolean;
  deleteSession(tokenHash: string): void;

  /** Runs `fn` in one storage transaction: everything it writes is committed together, or nothing is. */
  transaction<T>(fn: () => T): T;

  /** Cheap query proving the store answers (readiness). */
  ping(): void;
  /** A tiny write proving the store takes writes (after a failure); throws if it does not. */
  probeWrite(): void;
  close(): void;
}
