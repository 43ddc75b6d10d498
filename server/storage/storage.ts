/**
 * The storage seam: everything the server keeps, behind asynchronous interfaces, so that one process on SQLite (the
 * embedded default) and several processes on PostgreSQL run the same server code.
 *
 * - {@link PadRepository}: pads, curator keys, sign-in sessions, guard notices, the server secret, leases.
 * - {@link DocumentLog}: each section document's append-only log of accepted updates, its snapshot, its history index.
 *
 * Rules every implementation keeps (the contract suite in test/contract checks them):
 * - a method that writes has committed when its promise resolves;
 * - sequence numbers of one document follow commit order, without gaps (a per-document counter row updated in the
 *   appending transaction), so a reader catching up with "seq > last" never skips a row;
 * - nothing is written for a pad that does not exist, or that was deleted and made again since the caller loaded it
 *   (its *incarnation*, the pad's `readOnlyNonce`, differs): the write reports the pad gone;
 * - deleting a pad deletes everything of it (keys, sessions, log, snapshots, history index, notices).
 */
import type {
  CuratorKeyLabel,
  CuratorKeyRecord,
  CuratorSessionRecord,
  DocumentRef,
  PadRecord,
  StoredDocument,
  StoredRevision,
  StoredUpdate,
  UpdateRecord,
} from './store.js';
import type { GuardNoticeData } from '../../shared/presence.js';

export type { CuratorKeyLabel, CuratorKeyRecord, CuratorSessionRecord, DocumentRef, PadRecord, StoredDocument, StoredRevision, StoredUpdate, UpdateRecord };

/** One document's queued updates, for {@link DocumentLog.append}. */
/** The name a session (`contributor:…`, `curator:<key id>`) last showed in its presence, and when. */
export interface SessionName {
  session: string;
  name: string;
  at: number;
}

/** Sessions whose names a pad keeps (the most recently named). */
export const SESSION_NAMES_PER_PAD = 2000;

export interface AppendBatch {
  ref: DocumentRef;
  /** The pad's `readOnlyNonce` when the caller loaded the document. */
  incarnation: string;
  updates: UpdateRecord[];
}

/** What became of one batch: the sequence numbers it was given, or the pad was gone and nothing was written. */
export type AppendResult = { firstSeq: number; lastSeq: number } | { gone: true };

export interface DocumentLog {
  /** The latest snapshot and every update after it, in log order. */
  loadDocument(ref: DocumentRef): Promise<StoredDocument>;
  /**
   * Appends the batches of several documents in ONE transaction (all or nothing); each batch's rows get consecutive
   * sequence numbers after the document's last. A batch whose pad is gone writes nothing and reports `{gone}`.
   */
  append(batches: AppendBatch[]): Promise<AppendResult[]>;
  /** The log after `afterSeq`, at most `limit` rows (default: all), in order. */
  readLog(ref: DocumentRef, afterSeq?: number, limit?: number): Promise<StoredUpdate[]>;
  /** The document's last sequence number (0 if none). */
  headSeq(ref: DocumentRef): Promise<number>;
  /** Stores a snapshot as of `seq` (kept only if newer than the stored one); false if the pad is gone. */
  writeSnapshot(ref: DocumentRef, incarnation: string, seq: number, state: Uint8Array): Promise<boolean>;

  /** Indexed revisions, newest first: at most `limit`, with seq < beforeSeq when given. */
  listRevisionSummaries(ref: DocumentRef, limit: number, beforeSeq?: number): Promise<StoredRevision[]>;
  /** The history index's checkpoint: the document state as of the last indexed seq, or null. */
  historyCheckpoint(ref: DocumentRef): Promise<{ seq: number; state: Uint8Array } | null>;
  /** Stores summaries and moves the checkpoint, in one transaction (rows already indexed are ignored). */
  indexRevisions(ref: DocumentRef, rows: StoredRevision[], checkpoint: { seq: number; state: Uint8Array }): Promise<void>;
}

export interface PadRepository {
  /** Creates a pad and its first curator key (the PTL's) atomically; false if the pad exists. */
  createPad(pad: PadRecord, firstCurator: CuratorKeyRecord): Promise<boolean>;
  getPad(id: string): Promise<PadRecord | undefined>;
  findPadByReadOnlyHash(hash: string): Promise<PadRecord | undefined>;
  /** Every pad, oldest first. */
  listPads(): Promise<PadRecord[]>;
  /** Deletes a pad and everything of it in one transaction; false if there was none. */
  deletePad(id: string): Promise<boolean>;

  addCuratorKey(key: CuratorKeyRecord): Promise<void>;
  /** The pad's live curator keys, oldest first. */
  listCuratorKeys(padId: string): Promise<CuratorKeyRecord[]>;
  /** Every key the pad ever had, revoked ones too, by label (history names the key each curator's change was made with). */
  listCuratorKeyLabels(padId: string): Promise<CuratorKeyLabel[]>;
  /** Revokes a live key and every live key made under it (never the PTL key through the cascade); the ids revoked. */
  revokeCuratorKeys(padId: string, id: string): Promise<string[]>;
  /** Replaces the PTL key (delegates stay); the ids revoked. */
  replacePtlKey(padId: string, key: CuratorKeyRecord): Promise<string[]>;
  isCuratorKeyLive(id: string): Promise<boolean>;

  createSession(session: CuratorSessionRecord): Promise<void>;
  /** The session if it exists, has not expired and its curator key is live. */
  findSession(tokenHash: string, now: number): Promise<CuratorSessionRecord | undefined>;
  isSessionLive(tokenHash: string, now: number): Promise<boolean>;
  deleteSession(tokenHash: string): Promise<void>;

  /** The rewrite guard's notices of a pad, oldest first. */
  listGuardNotices(padId: string): Promise<GuardNoticeData[]>;
  /** Stores the pad's notices as given (the caller bounds them). */
  saveGuardNotices(padId: string, notices: GuardNoticeData[]): Promise<void>;
  /**
   * Changes the pad's notices atomically: `change` is given the stored list and returns the new one, or null to leave
   * it (two processes quarantining at once both keep their notice). Returns the list stored, or null if unchanged
   * (or the pad does not exist).
   */
  updateGuardNotices(padId: string, change: (notices: GuardNoticeData[]) => GuardNoticeData[] | null): Promise<GuardNoticeData[] | null>;

  /**
   * Records the name each session went by (history shows it), newest wins; a pad keeps its
   * {@link SESSION_NAMES_PER_PAD} most recently named sessions. Nothing is stored unless the pad exists and is the
   * incarnation named (not deleted and made again under its name since).
   */
  saveSessionNames(padId: string, incarnation: string, names: SessionName[]): Promise<void>;
  /** The names recorded for these sessions of the pad (every one recorded when `sessions` is omitted). */
  listSessionNames(padId: string, sessions?: readonly string[]): Promise<SessionName[]>;

  /**
   * Takes or renews the lease `name` for `holder` for `ttlMs` (snapshots, compaction, polling: one process at a
   * time); true if `holder` holds it now. A lease whose holder stopped renewing it expires.
   */
  tryLease(name: string, holder: string, ttlMs: number): Promise<boolean>;

  /** Cheap query proving the store answers (readiness). */
  ping(): Promise<void>;
  /** A tiny write proving the store takes writes; rejects if it does not. */
  probeWrite(): Promise<void>;
  close(): Promise<void>;
}

/** A pad with every key (revoked ones too) and every sign-in session: what {@link PadCopy} moves between stores. */
export interface PadExport {
  pad: PadRecord;
  /** Every key of the pad, oldest first, with when it was revoked (null while live). */
  keys: Array<CuratorKeyRecord & { revokedAt: number | null }>;
  sessions: CuratorSessionRecord[];
}

/** Reading and writing pads whole, for copying one store into another (`cyclepad migrate`); not used while serving. */
export interface PadCopy {
  /** The pad with all its keys and sessions, read in one transaction; undefined if there is none. */
  exportPad(id: string): Promise<PadExport | undefined>;
  /** Writes the pad, its keys (revoked ones stay revoked) and its sessions in one transaction; false if the pad exists. */
  importPad(data: PadExport): Promise<boolean>;
  /**
   * Writes log rows keeping their sequence numbers (ascending, all after the document's head, which moves to the
   * last), in one transaction; false (nothing written) if the pad is gone or is another incarnation.
   */
  importLog(ref: DocumentRef, incarnation: string, rows: StoredUpdate[]): Promise<boolean>;
}

/**
 * One cached status item (server/status): a Gerrit change or topic, a Launchpad bug, blueprint or person, keyed by
 * `change:N`, `topic:T`, `bug:N`, `blueprint:P/N`, `person:NICK`. One row per item for the whole installation, however
 * many pads link to it.
 */
export interface StatusRow {
  key: string;
  /** The item as JSON (see server/status/cache.ts), or null while never fetched. */
  value: string | null;
  etag: string | null;
  /** When it was last fetched (epoch ms; 0: never). */
  fetchedAt: number;
  /** When the poller should fetch it next. */
  nextCheckAt: number;
  /** Failed fetches in a row (backoff). */
  failures: number;
}

/** The status cache shared by every process (with PostgreSQL); one process polls at a time (a lease). */
export interface StatusCache {
  /** The rows of these keys that exist. */
  readStatus(keys: string[]): Promise<StatusRow[]>;
  /** A pad loaded somewhere links to these: marks them wanted at `now` (unknown keys are added, due at once). */
  wantStatus(keys: string[], now: number): Promise<void>;
  /** Keys due (next check at or before `now`) and wanted since `wantedSince`, soonest first, at most `limit`. */
  dueStatus(now: number, wantedSince: number, limit: number): Promise<string[]>;
  /** Stores fetched rows (their wanted time is kept; new rows are not wanted until a pad wants them). */
  writeStatus(rows: StatusRow[]): Promise<void>;
  /** Deletes rows neither wanted nor fetched since `before`; how many went. */
  forgetStatus(before: number): Promise<number>;
}

export interface Storage extends DocumentLog, PadRepository, PadCopy, StatusCache {
  /** What it is, for logs and /readyz: "sqlite <path>" or "postgres <host>/<db>". */
  readonly description: string;
  /**
   * The server secret the read-only tokens are derived from: SQLite keeps it in a file beside the database (so a
   * copy of the database alone reveals no token); PostgreSQL keeps it in its own table, shared by every process.
   */
  serverSecret(): Promise<Buffer>;
}
