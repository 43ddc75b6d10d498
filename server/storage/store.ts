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
  /** Appends updates in one transaction; returns the last sequence number. */
  appendUpdates(ref: DocumentRef, updates: UpdateRecord[]): number;
  /** Stores a snapshot of the document as of `seq` (replacing older ones). */
  writeSnapshot(ref: DocumentRef, seq: number, state: Uint8Array): void;
  /** Every update of the document in log order (history; replay after a corrupt snapshot). */
  readLog(ref: DocumentRef, afterSeq?: number): StoredUpdate[];

  addCuratorKey(key: CuratorKeyRecord): void;
  listCuratorKeys(padId: string): CuratorKeyRecord[];
  /** True if a key was revoked. */
  revokeCuratorKey(padId: string, id: string): boolean;
  /** Whether a curator key is still live (it may have been revoked by another process, e.g. the admin CLI). */
  isCuratorKeyLive(id: string): boolean;

  /** Every pad, oldest first. */
  listPads(): PadRecord[];
  /** Deletes a pad with its keys, sessions, log and snapshots; false if there was none. */
  deletePad(id: string): boolean;
  /** Folds the write-ahead log into the database file and gives free pages back to the file system. */
  vacuum(): void;

  /** Curator sign-in sessions (browser cookies), stored by hash. */
  createSession(session: CuratorSessionRecord): void;
  /** The session if it exists, has not expired and its curator key is still live. */
  findSession(tokenHash: string, now: number): CuratorSessionRecord | undefined;
  deleteSession(tokenHash: string): void;

  /** Runs `fn` in one storage transaction: everything it writes is committed together, or nothing is. */
  transaction<T>(fn: () => T): T;

  /** Cheap query proving the store answers (readiness). */
  ping(): void;
  /** A tiny write proving the store takes writes (after a failure); throws if it does not. */
  probeWrite(): void;
  close(): void;
}
