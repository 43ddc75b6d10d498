/**
 * One section of one pad, live: its Y.Doc, its presence, the connections on it, and the commit queue.
 *
 * Every write goes one way, a peer's update and a server-side change (import, restore) alike:
 * inspect (well-formed, complete, within the schema) → admit (storage, quarantine, role, size: admission.ts) →
 * apply → log (one transaction per event-loop turn across documents, a {@link GroupCommit}) → broadcast.
 * Durability rule: an update is committed before any other peer sees it; a peer asking for the state (sync step 1)
 * first forces the queue to disk, so no answer ever carries uncommitted content. If anything fails between apply
 * and log, the document is dropped and reloaded from the store: nothing stays applied in memory without being logged.
 */
import * as Y from 'yjs';
import type { Logger } from 'pino';
import type { DocumentRef, UpdateRecord } from '../storage/store.js';
import type { DocumentLog, PadRepository } from '../storage/storage.js';
import type { FanOut } from '../fanout/fanout.js';
import { BroadcastPacer } from './broadcast-pacer.js';
import { LogFollower } from './log-follower.js';
import type { Role } from '../../shared/roles.js';
import { entriesOf, metaOf, metaToJSON, sectionToJSON } from '../../shared/schema.js';
import { SERVER_NOTICE_MESSAGE, type ServerNotice } from '../../shared/presence.js';
import { inspectUpdate, type Inspection } from './update-inspector.js';
import { rewrittenEntries } from '../../shared/rewrites.js';
import type { GuardNotice } from './rewrite-guard.js';
import type { SyncMetrics } from '../metrics.js';
import type { StorageHealth } from '../storage/health.js';
import { serverNoticeMessage, syncStep2Message, updateMessage } from './messages.js';
import type { CommitMember, GroupCommit } from './group-commit.js';
import { Presence, type PresencePeer } from './presence.js';
import { SizeMeter } from './size-meter.js';
import { admit, WriteRefused, type Writer } from './admission.js';
import type { SessionNames } from '../session-names.js';

/** What the document needs of a connection. */
export interface Peer extends Writer, PresencePeer {
  readonly role: Role;
  readonly session: string;
  /** The curator key the peer authenticated with, if any. */
  readonly curatorKeyId?: string | undefined;
  /** The sign-in session (token hash) the peer authenticated with, if it came with the cookie. */
  readonly sessionTokenHash?: string | undefined;
  demote(role: Role, hint: string): void;
  send(message: Uint8Array): void;
  /** Tells the peer a write was refused (y-protocols auth message). */
  refuse(reason: string): void;
  close(code: number, reason: string): void;
  readonly quarantine: GuardNotice | null;
  /** Records entries the peer rewrote in one transaction; returns a notice if that quarantined it. */
  recordRewrites(ids: Set<string>, section: string, at: number): GuardNotice | null;
  /** Called once the document committed and broadcast a turn's updates (a paused reader may read again). */
  drained?(): void;
}

/** Who authored a server-side change (import, restore): recorded like a peer's. */
export type Author = Writer;

export type UpdateOutcome = 'applied' | 'no-change' | 'refused' | 'rejected';

export interface SectionDocumentOptions {
  store: DocumentLog & Pick<PadRepository, 'tryLease'>;
  /** Other processes serving this document hear of its commits (and presence) through this; it hears of theirs. */
  fanout: FanOut;
  /** How often a document with peers checks the log for commits it was not told of (fan-out loses messages). */
  catchUpEveryMs?: number;
  /**
   * Where storage answers synchronously (SQLite): whether a curator peer's key and sign-in are still live, checked
   * before each of its writes (a revocation by the admin command line, another process, holds at the next write).
   * Elsewhere revocations arrive through the fan-out, and the sync server re-checks curator sockets periodically.
   */
  curatorLive?: ((peer: Peer) => boolean) | undefined;
  /** Where the names sessions show in their presence are recorded (history names people by them). */
  names?: SessionNames | undefined;
  /** Commits queued updates, this document's with every other document's of the same turn. */
  groupCommit: GroupCommit;
  ref: DocumentRef;
  log: Logger;
  /** Write a snapshot after this many logged updates. */
  snapshotEvery: number;
  /** Told when the rewrite guard quarantines a peer. */
  onQuarantine?: (notice: GuardNotice) => void;
  metrics?: SyncMetrics;
  /** Writes that would grow the document past this many bytes are refused. */
  maxDocumentBytes?: number;
  /** Whether storage takes writes; when it does not, writes are refused instead of kept in memory only. */
  health?: StorageHealth;
  /** The document can no longer be trusted to match the store (a commit or an apply failed): drop it. */
  onBroken?: (reason: 'storage' | 'apply', err: unknown, document: SectionDocument) => void;
}

/** The origin of updates read from the log (committed by another process). */
export const REMOTE = Symbol('remote');
/** The origin of a transaction applying several peers' updates at once (none of them deletes anything). */
const RECEIVED = Symbol('received');

export interface Pending {
  record: UpdateRecord;
  origin: unknown;
}

/** What a deletion cutting one item in two adds to the encoded state, about (an item header with its neighbours). */
export const SPLIT_BYTES = 20;
/** An empty Yjs V1 update (merging with it makes Yjs normalise the other). */
const EMPTY_UPDATE = new Uint8Array([0, 0]);

/** What a section shows (its entries and its cycle header), as text to compare. */
const shownContent = (doc: Y.Doc): string => JSON.stringify([sectionToJSON(doc), metaToJSON(doc)]);

/** How long the last sync answer is kept for others asking the same while the document does not change. */
export const ANSWER_KEPT_MS = 10_000;

/** A sync answer: the state a state vector (`key`, its bytes) is missing, and its message once one was made. */
interface Answer {
  key: string;
  diff: Uint8Array;
  message: Uint8Array | null;
}

/**
 * At most this many updates are merged into one broadcast message: a flood queued in one turn goes out in bounded
 * merges. Merging costs about 10-20 µs an update whether 16 or 512 are merged; each message costs a socket write per
 * peer, so a pad of hundreds of authors (50-100 updates a flush) should go out in one.
 */
export const MAX_MERGE = 256;
/** ...and at most this many bytes of them (updates may be up to a message's size each: 256 of 1 MiB were a 256 MiB merge). */
export const MAX_MERGE_BYTES = 1024 * 1024;
/**
 * A snapshot is written once {@link SectionDocumentOptions.snapshotEvery} rows were logged since the last one and
 * they hold at least 1/SNAPSHOT_LOG_SHARE of the document's size: writing one encodes the whole document, so on a
 * large pad of small edits a snapshot every 500 rows cost more than the edits (a 600-author pad encoded its
 * state every 0.7 s). Loading replays at most that share of the size beyond the snapshot, and at most
 * {@link SNAPSHOT_MAX_INTERVALS} intervals of rows.
 */
export const SNAPSHOT_LOG_SHARE = 4;
/** ...or once this many times `snapshotEvery` rows were logged since the last one, whatever their bytes. */
export const SNAPSHOT_MAX_INTERVALS = 16;
/** A turn that queued this many updates for a document pauses its writers until they are committed. */
export const MAX_QUEUED_PER_TURN = 256;

/** A server-side change checked against one state of a document ({@link SectionDocument.prepare}). */
export interface ServerChange {
  readonly document: SectionDocument;
  readonly version: number;
  readonly author: Author;
  readonly update: Uint8Array;
  readonly changes: boolean;
  readonly deletes: boolean;
  /** The document's size with the change applied (an upper bound when it only adds, else measured). */
  readonly projectedSize: number;
}

export class SectionDocument implements CommitMember {
  /** The live document; outside this class it is read through {@link doc}. */
  private readonly ydoc: Y.Doc;
  readonly presence: Presence;
  readonly peers = new Set<Peer>();
  readonly ref: DocumentRef;
  /** The pad's identity when this document was loaded: a pad deleted and made again under its name is another pad. */
  readonly incarnation: string;
  private readonly store: SectionDocumentOptions['store'];
  /** Its place in the log shared with the other processes (log-follower.ts). */
  private readonly follower: LogFollower;
  /** This process (the holder of snapshot leases). */
  private readonly processId: string;
  private readonly log: Logger;
  private readonly snapshotEvery: number;
  private pending: Pending[] = [];
  /** Updates received from peers, not yet checked and applied ({@link receiveUpdate}). */
  private inbox: Array<{ peer: Peer; update: Uint8Array }> = [];
  /**
   * Every peer that sent this document an update: the rewrite guard looks at their transactions whether or not they
   * are still connected (a rewrite burst followed, in the same turn, by something that closes the socket would
   * otherwise be applied unwatched).
   */
  private readonly writers = new WeakSet<Peer>();
  private readonly groupCommit: GroupCommit;
  private snapshotSeq = 0;
  /** Bytes of the rows logged since the last snapshot (this process's commits and other processes'). */
  private loggedSinceSnapshot = 0;
  /** No snapshot is tried before this row: another process held the lease, and it waits another interval. */
  private snapshotNotBefore = 0;
  /** Set once a commit of this document failed: it is being dropped, and nothing more is committed from it. */
  private commitError: unknown = null;
  private snapshotScheduled = false;
  private destroyed = false;
  private transactionAt = 0;
  private readonly onQuarantine: ((notice: GuardNotice) => void) | undefined;
  private readonly metrics: SyncMetrics | undefined;
  readonly health: StorageHealth | undefined;
  private readonly onBroken: SectionDocumentOptions['onBroken'];
  private readonly curatorLive: SectionDocumentOptions['curatorLive'];
  private readonly stopNaming: () => void;
  private readonly names: SessionNames | undefined;
  /** The last sync answer ({@link syncAnswerFor}), dropped as soon as the document changes. */
  private answer: Answer | null = null;
  private answerTimer: NodeJS.Timeout | null = null;
  readonly size!: SizeMeter;
  /** Bumped by every transaction: a prepared server-side change applies only to the document it was checked on. */
  private version = 0;
  /** Peers paused because this turn's queue is long; resumed once it is committed. */
  private readonly pausedPeers = new Set<Peer>();

  /**
   * Loads a document: subscribes to its fan-out channel first, then loads the snapshot and the log, then applies what
   * was committed in between, so no commit of another process is missed.
   */
  static async open(options: SectionDocumentOptions, incarnation: string): Promise<SectionDocument> {
    const document = new SectionDocument(options, incarnation);
    try {
      // without the fan-out (a broker away) the document still opens: it catches up by polling, and subscribes
      // again when the broker is back
      await document.follower.subscribe();
      const loaded = await document.load();
      (document as { size: SizeMeter }).size = new SizeMeter(document.ydoc, options.maxDocumentBytes ?? Number.POSITIVE_INFINITY, loaded);
      await document.follower.now('load');
    } catch (err) {
      void document.destroy('gone');
      throw err;
    }
    document.ydoc.on('beforeTransaction', document.beforeTransaction);
    document.ydoc.on('afterTransaction', document.onTransaction);
    document.follower.startPolling(options.catchUpEveryMs ?? 2000);
    return document;
  }

  private constructor(options: SectionDocumentOptions, incarnation: string) {
    this.ref = options.ref;
    this.incarnation = incarnation;
    this.store = options.store;
    this.follower = new LogFollower({
      ref: options.ref,
      store: options.store,
      fanout: options.fanout,
      log: options.log,
      metrics: options.metrics,
      applyRemote: (rows) => this.applyRemote(rows),
      applyRemotePresence: (update) => this.presence.applyRemote(update),
      hasPeers: () => this.peers.size > 0,
    });
    this.processId = options.fanout.processId;
    this.groupCommit = options.groupCommit;
    this.log = options.log;
    this.snapshotEvery = options.snapshotEvery;
    this.onQuarantine = options.onQuarantine;
    this.metrics = options.metrics;
    this.health = options.health;
    this.onBroken = options.onBroken;
    this.curatorLive = options.curatorLive;
    this.ydoc = new Y.Doc({ gc: true });
    // Type the schema's roots, so code reading the live document sees a Y.Array and a Y.Map, not untyped roots.
    entriesOf(this.ydoc);
    metaOf(this.ydoc);
    // presence checked here goes to the other processes, when there are any (encoded for them only then)
    const publish = options.fanout.crossProcess ? (update: Uint8Array) => this.follower.publishPresence(update) : undefined;
    this.presence = new Presence(this.ydoc, () => this.peers, publish);
    // history names people by the (checked) presence name their session showed
    this.names = options.names;
    this.stopNaming = options.names?.watch(this.ref.padId, this.incarnation, this.presence.awareness) ?? (() => undefined);
  }

  /**
   * The live document, with every update received so far checked and applied: code that reads it to decide
   * something (an import skipping entries the pad has, a restore) sees them, in the order they came.
   */
  get doc(): Y.Doc {
    this.applyReceived();
    return this.ydoc;
  }

  /**
   * Applies rows another process committed, in one transaction (Yjs computes the document's state vector twice per
   * transaction: a row each made that O(clients) per row). They go to this process's peers with the next paced
   * broadcast, merged with everything else it carries. (Sent one by one, three processes with 200 authors on a pad
   * spent half their time in socket writes: a message per row per peer.)
   */
  private applyRemote(rows: Uint8Array[]): void {
    let bytes = 0;
    this.ydoc.transact((transaction) => {
      for (const data of rows) {
        Y.applyUpdate(this.ydoc, data, REMOTE);
        bytes += data.byteLength;
      }
      // what the rows deleted (anything they deleted that was not deleted already)
      this.size.grew(bytes, transaction.deleteSet.clients.size > 0);
    }, REMOTE);
    this.loggedSinceSnapshot += bytes;
    this.outbox.add(rows.map((data) => ({ data, origin: null })));
    // (the lease holder snapshots other processes' rows too, not only after commits of its own; asked once the
    // follower has moved its position past these rows, which it does when this returns)
    queueMicrotask(() => {
      if (!this.destroyed && this.snapshotDue()) this.scheduleSnapshot();
    });
  }

  /** The fan-out came back (messages may have been lost meanwhile): subscribe if needed and catch up. */
  reconnected(): Promise<void> {
    return this.follower.reconnected();
  }

  /** Resolves once the document has every row logged so far (restores compute against the log). */
  catchUpNow(): Promise<void> {
    return this.follower.now();
  }

  /** One clock reading per transaction: the guard's window and the time of the log rows it holds agree exactly. */
  private beforeTransaction = (): void => {
    this.transactionAt = Date.now();
  };

  /** Feeds the rewrite guard with what each peer's transaction rewrote. */
  private onTransaction = (transaction: Y.Transaction): void => {
    this.version++;
    // any transaction (a peer's update, another process's, a restore) may change what an answer holds
    this.forgetAnswer();
    const peer = transaction.origin as Peer;
    if (!this.writers.has(peer)) return;
    const notice = peer.recordRewrites(rewrittenEntries(transaction), this.section, this.transactionAt);
    if (notice) {
      this.log.warn({ doc: this.ref, session: peer.session, entries: notice.entries.length }, 'connection quarantined: mass rewrite');
      this.onQuarantine?.(notice);
    }
  };

  get section() {
    return this.ref.section;
  }

  /**
   * Replays the stored snapshot and the log after it; returns the bytes loaded (an upper bound of the size).
   * A snapshot that cannot be applied is skipped, the whole log replayed.
   */
  private async load(): Promise<number> {
    const stored = await this.store.loadDocument(this.ref);
    let updates = stored.updates;
    let bytes = 0;
    if (stored.snapshot) {
      try {
        Y.applyUpdate(this.ydoc, stored.snapshot.state);
        this.snapshotSeq = stored.snapshot.seq;
        this.follower.loadedUpTo(stored.snapshot.seq);
        bytes = stored.snapshot.state.byteLength;
      } catch (err) {
        this.log.error({ err, doc: this.ref }, 'snapshot is corrupt; replaying the whole log');
        updates = await this.store.readLog(this.ref, 0);
        this.snapshotSeq = 0;
        this.follower.loadedUpTo(0);
      }
    }
    // one transaction for the whole log (Yjs computes the state vector twice per transaction: O(clients) per row)
    let logged = 0;
    this.ydoc.transact(() => {
      for (const u of updates) {
        if (u.seq !== this.follower.seq + 1) break; // the rest is read by the catch-up that follows
        Y.applyUpdate(this.ydoc, u.data);
        this.follower.loadedUpTo(u.seq);
        logged += u.data.byteLength;
      }
    });
    this.loggedSinceSnapshot = logged;
    return bytes + logged;
  }

  /**
   * An update from a peer (sync step 2 or update message): checked and applied, in the order received, when the
   * group commit takes this turn's updates ({@link takePending}), or before anything reads the document for a
   * change of its own ({@link prepare}, {@link submit}).
   */
  receiveUpdate(peer: Peer, update: Uint8Array): void {
    if (this.destroyed) return;
    this.writers.add(peer);
    this.inbox.push({ peer, update });
    this.groupCommit.schedule(this);
  }

  /**
   * Checks and applies the updates received since the last time. Yjs computes the document's state vector twice per
   * transaction, and walks it once more: O(clients) per transaction, 75-100 µs an update on a pad with 600-1,000
   * authors, most of an update's cost. So a run of updates that delete nothing is applied in one transaction; an
   * update that deletes has a transaction of its own, its author the origin (the rewrite guard tells who rewrote
   * what by the transaction's deletions, {@link onTransaction}).
   */
  private applyReceived(): void {
    if (this.inbox.length === 0) return;
    const inbox = this.inbox;
    this.inbox = [];
    let i = 0;
    let carried: Inspection | null = null;
    try {
      while (i < inbox.length && !this.destroyed) {
        const first = inbox[i]!;
        const inspection: Inspection = carried ?? inspectUpdate(this.ydoc, first.update, this.section);
        carried = null;
        i++;
        if (!inspection.ok || !inspection.changes || inspection.deletes) {
          this.decide(first.peer, first.update, inspection);
          continue;
        }
        this.ydoc.transact(() => {
          this.decide(first.peer, first.update, inspection);
          for (; i < inbox.length && !this.destroyed; i++) {
            const next = inbox[i]!;
            const looked = inspectUpdate(this.ydoc, next.update, this.section);
            if (looked.ok && looked.changes && looked.deletes) {
              carried = looked; // (applied next, in a transaction of its own: nothing changes the document meanwhile)
              return;
            }
            this.decide(next.peer, next.update, looked);
          }
        }, RECEIVED);
      }
    } catch {
      // an update failed after Yjs applied it (accept): the document is being dropped and reloaded from the store,
      // and its peers told to resync; what else was received goes with it (their clients send it again)
    }
    // (every update refused or changing nothing: no commit follows to resume the writers paused on the queue)
    if (this.pending.length === 0) this.resumePaused();
  }

  private decide(peer: Peer, update: Uint8Array, inspection: Inspection): void {
    let result: [UpdateOutcome, string];
    try {
      result = this.outcome(peer, update, inspection);
    } catch (err) {
      // applied but not queued (accept): the document is being dropped, and with it the rest of the turn
      if (this.destroyed) throw err;
      // anything else failed before the update was applied: its sender resyncs; the others' updates go on
      this.log.warn({ err, doc: this.ref, session: peer.session }, 'checking an update failed: closing its socket');
      peer.close(1011, 'the server could not take this update; reconnect to resync');
      result = ['rejected', 'error'];
    }
    this.metrics?.update(result[0], result[1]);
  }

  private outcome(peer: Peer, update: Uint8Array, inspection: Inspection): [UpdateOutcome, string] {
    if (!inspection.ok && inspection.reason !== 'schema' && inspection.reason !== 'limit') {
      this.log.warn({ doc: this.ref, session: peer.session, reason: inspection.detail }, 'update rejected');
      peer.close(1007, `${inspection.reason} update: ${inspection.detail}`);
      return ['rejected', inspection.reason];
    }
    if (!inspection.ok) {
      const what = inspection.reason === 'limit' ? 'past a limit' : 'outside the schema';
      this.log.warn({ doc: this.ref, session: peer.session, reason: inspection.detail }, `write refused: ${what}`);
      peer.refuse(inspection.reason === 'limit' ? `refused: ${inspection.detail}; nothing was changed` : `refused: ${inspection.detail}`);
      return ['refused', inspection.reason];
    }
    if (!inspection.changes) return ['no-change', ''];
    if (peer.role === 'curator' && this.curatorLive && !this.curatorLive(peer)) {
      peer.demote('contributor', 'the curator key of this connection was revoked, or its sign-in ended');
    }
    // a deletion that cuts items in two grows the encoded state (an item per cut): counted like content
    const refusal = admit(this, peer, {
      bytes: update.byteLength + inspection.splits * SPLIT_BYTES,
      grows: inspection.grows || inspection.splits > 0,
    });
    if (refusal) {
      if (refusal.kind === 'storage') {
        // Not a refusal (the client would drop its edits): the socket closes and the client retries with them later.
        peer.close(1013, refusal.message);
      } else {
        if (refusal.kind === 'role') this.log.info({ doc: this.ref, session: peer.session, role: peer.role }, 'write refused');
        peer.refuse(refusal.message);
      }
      return ['refused', refusal.kind === 'role' ? `role:${peer.role}` : refusal.kind === 'size' ? 'document-size' : refusal.kind];
    }
    // What is logged and broadcast: the peer's own bytes when all of it is new, else the part the document lacks.
    // Not Yjs' re-encoding of the transaction: after Yjs merges a typist's string into one item, re-encoding slices
    // (and flattens) that whole string on every update, which made a burst of 6,000 edits quadratic. (A copy: the
    // message's bytes may be a view into a larger socket buffer.)
    // With deletions it is normalised (merged, sorted delete ranges): a delete set repeating one range 250,000 times
    // once padded the log with 600 KB per update.
    const own = inspection.fresh ? update.slice() : Y.diffUpdate(update, Y.encodeStateVector(this.ydoc));
    const data = inspection.deletes ? Y.mergeUpdates([own, EMPTY_UPDATE]) : own;
    this.accept(peer, update, data, inspection.deletes);
    this.names?.wrote(this.ref.padId, this.incarnation, peer.session);
    return ['applied', ''];
  }

  /**
   * A server-side change (an import): made on one copy of the document (the live one is untouched until it is
   * admitted), then checked as any write is (schema, role, size, storage); throws {@link WriteRefused}. Apply it
   * with {@link apply} in the same turn. `fn` changes the copy as it would the document.
   *
   * One copy, one inspection: an import of 5,000 entries used to copy the whole document three times and inspect
   * its update twice, stalling the process for seconds on a large pad.
   */
  prepare(author: Author, fn: (doc: Y.Doc) => void): ServerChange {
    // checked against the document with every update received before it (applied in the order they came)
    this.applyReceived();
    const { copy, bytes } = this.copy();
    try {
      const before = Y.encodeStateVector(copy);
      copy.transact(() => fn(copy));
      const update = Y.encodeStateAsUpdate(copy, before);
      return this.admitChange(author, update, (deletes) => (deletes ? Y.encodeStateAsUpdate(copy).byteLength : bytes + update.byteLength));
    } finally {
      copy.destroy();
    }
  }

  /** Applies and queues a prepared change (it is logged with the next commit); false if it changed nothing. */
  apply(change: ServerChange): boolean {
    if (change.document !== this || change.version !== this.version) {
      throw new Error('a server-side change was applied to a document that changed since it was checked');
    }
    if (!change.changes) return false;
    this.accept(change.author, change.update, change.update, change.deletes);
    this.size.known(change.projectedSize);
    return true;
  }

  /**
   * Checks (as {@link prepare} does), applies and queues a server-side change given as an update: a restore's undo.
   * False, and no revision, if it would change nothing the section shows (its entries, its cycle header): an undo of
   * changes that were undone already changes only the document's internals. One copy of the document answers that
   * and, for a change that deletes, measures the size it leaves (a restore that deletes a flood brings the size down
   * at once, so the next writes are not refused on a stale bound).
   */
  submit(author: Author, update: Uint8Array): boolean {
    this.applyReceived();
    const { copy, bytes } = this.copy();
    try {
      const before = shownContent(copy);
      Y.applyUpdate(copy, update);
      if (shownContent(copy) === before) return false;
      return this.apply(this.admitChange(author, update, (deletes) => (deletes ? Y.encodeStateAsUpdate(copy).byteLength : bytes + update.byteLength)));
    } finally {
      copy.destroy();
    }
  }

  /** A copy of the document, and the size of its encoded state (exact: it was just encoded). */
  private copy(): { copy: Y.Doc; bytes: number } {
    const state = Y.encodeStateAsUpdate(this.ydoc);
    const copy = new Y.Doc({ gc: true });
    Y.applyUpdate(copy, state);
    return { copy, bytes: state.byteLength };
  }

  private admitChange(author: Author, update: Uint8Array, projected: (deletes: boolean) => number): ServerChange {
    const inspection = inspectUpdate(this.ydoc, update, this.section);
    if (!inspection.ok) {
      throw inspection.reason === 'limit'
        ? new WriteRefused('limit', `${inspection.detail}; nothing was changed`)
        : new WriteRefused('schema', `the change does not fit the pad's schema: ${inspection.detail}`);
    }
    const base = { document: this, version: this.version, author, update };
    if (!inspection.changes) return { ...base, changes: false, deletes: false, projectedSize: this.size.bytes };
    // what only adds is bounded by the size before it plus its bytes; what deletes is measured
    const projectedSize = projected(inspection.deletes);
    const refusal = admit(this, author, { bytes: update.byteLength, grows: inspection.grows, projectedSize });
    if (refusal) throw refusal;
    return { ...base, changes: true, deletes: inspection.deletes, projectedSize };
  }

  /** Applies an admitted update and queues `data` (what of it is new) for the next commit. */
  private accept(author: Author, update: Uint8Array, data: Uint8Array, deletes: boolean): void {
    try {
      Y.applyUpdate(this.ydoc, update, author);
      this.queue(data, author, deletes);
    } catch (err) {
      // Applied (perhaps in part) but not queued: the document no longer matches what will be logged.
      this.log.error({ err, doc: this.ref, session: author.session }, 'applying an update failed: reloading the document from the store');
      this.onBroken?.('apply', err, this);
      throw err;
    }
  }

  /** Queues a change for the next group commit; once committed it goes to the peers (see {@link send}). */
  private queue(update: Uint8Array, author: Author, deletes: boolean): void {
    this.size.grew(update.byteLength, deletes);
    this.pending.push({ record: { data: update, role: author.role, session: author.session, at: this.transactionAt }, origin: author });
    this.groupCommit.schedule(this);
  }

  /** Updates received or queued, not yet committed. */
  get queued(): number {
    return this.inbox.length + this.pending.length;
  }

  /** True when this turn queued so many updates that writers should wait for the commit (back-pressure). */
  get backlogged(): boolean {
    return this.queued >= MAX_QUEUED_PER_TURN;
  }

  /** Writers paused on a long queue read again: it is committed, or nothing of it was left to commit. */
  private resumePaused(): void {
    if (this.pausedPeers.size === 0) return;
    const paused = [...this.pausedPeers];
    this.pausedPeers.clear();
    for (const peer of paused) peer.drained?.();
  }

  /** `peer` stopped reading until this document's queue is committed. */
  pauseUntilCommitted(peer: Peer): void {
    this.pausedPeers.add(peer);
  }

  /**
   * Resolves once every update queued so far is committed and broadcast, in a turn in which everything applied to
   * the document is committed, so what the caller reads from the document before its next `await` is committed
   * content only; rejects if a commit failed. (The group commit's flush alone ends in an earlier microtask: an update
   * applied between it and the caller's continuation would be read with it, stored or not.)
   */
  async flush(): Promise<void> {
    do {
      await this.groupCommit.flush(this);
      if (this.commitError !== null) throw this.commitError;
    } while (!this.groupCommit.settled(this) && !this.destroyed);
  }

  /** Hands the queued updates to the group commit (what was received applied first). */
  takePending(): Pending[] {
    this.applyReceived();
    const batch = this.pending;
    this.pending = [];
    return batch;
  }

  /** The group commit stored `batch` as rows `firstSeq..lastSeq`: broadcast here, tell the other processes. */
  committed(batch: Pending[], seqs: { firstSeq: number; lastSeq: number }): void {
    if (this.destroyed) return;
    // Never throws: the group commit tells every document of the commit in turn, and one throwing would leave the
    // others' peers without what was stored. Should telling this one's peers fail, they are closed (and resync).
    try {
      // tell the other processes first (they apply what the message carries, or read the log), then this one's peers
      this.follower.committed(batch.map((p) => p.record), seqs);
      this.broadcast(batch);
    } catch (err) {
      this.dropPeers(err, 'telling peers of a commit failed');
    }
  }

  /** Something stored could not be sent: the peers are closed, so that they reconnect and resync from storage. */
  private dropPeers(err: unknown, what: string): void {
    this.log.error({ err, doc: this.ref }, `${what}: closing the peers, which resync`);
    for (const peer of [...this.peers]) peer.close(1011, 'the server could not send an update; reconnect to resync');
  }

  /** The transaction holding the queued updates failed: the document holds what storage does not, and is dropped. */
  commitFailed(err: unknown): void {
    this.commitError = err;
    this.log.error({ err, doc: this.ref }, 'commit failed: dropping the unsaved document');
    this.health?.fail(err);
    this.onBroken?.('storage', err, this);
  }

  /** This process's commits and other processes' rows, on their way to the peers (broadcast-pacer.ts). */
  private readonly outbox = new BroadcastPacer<{ data: Uint8Array; origin: unknown }>((items) => this.send(items));

  /** Committed updates go out now, or with the next paced broadcast; writers paused on a long queue resume. */
  broadcast(batch: Pending[]): void {
    // committed just now: out at once unless the pad is sending more than its pace
    this.outbox.add(batch.map((p) => ({ data: p.record.data, origin: p.origin })), true);
    this.resumePaused();
    for (const p of batch) this.loggedSinceSnapshot += p.record.data.byteLength;
    if (this.snapshotDue()) this.scheduleSnapshot();
  }

  private snapshotDue(): boolean {
    const rows = this.follower.seq - this.snapshotSeq;
    if (rows < this.snapshotEvery || this.follower.seq < this.snapshotNotBefore) return false;
    // (the size is an upper bound, exact only at a snapshot or when measured: after a mass deletion it stays at the
    // old size, and small edits would then wait for a quarter of a size the section no longer has)
    return this.loggedSinceSnapshot * SNAPSHOT_LOG_SHARE >= this.size.bytes || rows >= SNAPSHOT_MAX_INTERVALS * this.snapshotEvery;
  }

  /**
   * One flush: the updates merged, at most {@link MAX_MERGE} to a message, each message to every peer (its authors
   * included, as y-websocket's server does: a client applying its own update back changes nothing, while leaving
   * it out cost each author a message per other update); a lone update skips its author.
   */
  private send(items: Array<{ data: Uint8Array; origin: unknown }>): void {
    if (this.destroyed) return;
    try {
      for (let start = 0; start < items.length; ) {
        // at most MAX_MERGE updates and MAX_MERGE_BYTES to a merge (one larger update goes alone)
        let end = start + 1;
        for (let bytes = items[start]!.data.byteLength; end < items.length && end - start < MAX_MERGE; end++) {
          bytes += items[end]!.data.byteLength;
          if (bytes > MAX_MERGE_BYTES) break;
        }
        const chunk = items.slice(start, end);
        start = end;
        const only = chunk.length === 1 ? chunk[0]! : null;
        const message = updateMessage(only ? only.data : Y.mergeUpdates(chunk.map((i) => i.data)));
        for (const peer of this.peers) if (peer !== only?.origin) peer.send(message);
      }
    } catch (err) {
      // (a timer's callback: thrown, it would end the process)
      this.dropPeers(err, 'broadcasting committed updates failed');
    }
  }

  /** Sends a server notice (a message type only the server speaks) to the peers `to` selects. */
  notify(notice: ServerNotice, to: (peer: Peer) => boolean): void {
    const message = serverNoticeMessage(notice);
    for (const peer of this.peers) if (to(peer)) peer.send(message);
  }

  /** One snapshot at a time: commits made while one is written (or its lease asked for) do not start another. */
  private scheduleSnapshot(): void {
    if (this.snapshotScheduled) return;
    this.snapshotScheduled = true;
    setImmediate(() => {
      if (this.destroyed) this.snapshotScheduled = false;
      else void this.trySnapshot().finally(() => (this.snapshotScheduled = false));
    });
  }

  /** A snapshot only shortens loading: if storage cannot take it, the log still has everything. */
  private async trySnapshot(): Promise<void> {
    try {
      await this.snapshot();
    } catch (err) {
      this.log.error({ err, doc: this.ref }, 'snapshot failed (the log still has every update)');
    }
  }

  /**
   * Writes the current state as a snapshot of the log up to {@link contiguousSeq} (the queue committed first). The
   * state holds every row up to it, and perhaps rows after it that were applied before the ones it waits for (other
   * processes' rows, applied again on load: harmless); never an update that is not stored.
   * One process at a time per document (a lease; a process that loses the race skips: nothing is harmed).
   */
  async snapshot(): Promise<void> {
    // (after a failed commit the document is being dropped: no lease to ask for)
    if (this.destroyed || this.commitError !== null || (this.follower.seq === this.snapshotSeq && this.groupCommit.settled(this))) return;
    const lease = `snapshot:${this.ref.padId}:${this.ref.section}`;
    if (!(await this.store.tryLease(lease, this.processId, 30_000))) {
      // another process writes them: ask again after another interval, not at every commit
      this.snapshotNotBefore = this.follower.seq + this.snapshotEvery;
      return;
    }
    // Encoded in the turn the queue was found committed: an update applied while the lease was asked for is in the
    // snapshot only once it is stored (one whose commit then failed was written into it, and came back on reload):
    // the flush comes after the lease, and the encoding in the turn it ends in.
    await this.flush();
    const seq = this.follower.seq;
    if (seq === this.snapshotSeq || this.destroyed) return;
    const state = Y.encodeStateAsUpdate(this.ydoc);
    // (encoded just now: the size is known exactly)
    this.size.known(state.byteLength);
    const logged = this.loggedSinceSnapshot;
    // never for a pad deleted (or deleted and made again) since this document was loaded
    if (await this.store.writeSnapshot(this.ref, this.incarnation, seq, state)) {
      this.snapshotSeq = seq;
      // (rows committed while it was written count towards the next)
      this.loggedSinceSnapshot = Math.max(0, this.loggedSinceSnapshot - logged);
    } else this.log.info({ doc: this.ref }, 'no snapshot: the pad was deleted');
  }

  /** The state a peer is missing, given its state vector; always committed content. */
  async diffFor(stateVector: Uint8Array): Promise<Uint8Array> {
    await this.flush();
    return this.answerTo(stateVector).diff;
  }

  /**
   * The sync step 2 message answering a peer's sync step 1 (committed content only). Everyone asking with the same
   * state vector while the document is unchanged gets the same bytes, encoded once: a 4-byte request must not cost
   * an encoding of the whole document (and a copy of it per socket) each time it is sent.
   */
  async syncAnswerFor(stateVector: Uint8Array): Promise<Uint8Array> {
    await this.flush();
    const answer = this.answerTo(stateVector);
    return (answer.message ??= syncStep2Message(answer.diff));
  }

  /** The last answer, until the document changes or {@link ANSWER_KEPT_MS} pass (memory is not held for idle pads). */
  private answerTo(stateVector: Uint8Array): Answer {
    const key = Buffer.from(stateVector.buffer, stateVector.byteOffset, stateVector.byteLength).toString('latin1');
    if (this.answer?.key === key) {
      this.metrics?.syncAnswer?.('shared');
      return this.answer;
    }
    this.forgetAnswer();
    this.answer = { key, diff: Y.encodeStateAsUpdate(this.ydoc, stateVector), message: null };
    this.answerTimer = setTimeout(this.forgetAnswer, ANSWER_KEPT_MS);
    this.answerTimer.unref();
    this.metrics?.syncAnswer?.('encoded');
    return this.answer;
  }

  private readonly forgetAnswer = (): void => {
    if (!this.answer) return;
    this.answer = null;
    if (this.answerTimer) clearTimeout(this.answerTimer);
    this.answerTimer = null;
  };

  stateVector(): Uint8Array {
    return Y.encodeStateVector(this.ydoc);
  }

  /**
   * Frees the document. `keep` flushes and snapshots it first; `discard` drops what is in memory and not in storage
   * (storage refused it, or an apply failed), `gone` drops a deleted pad's document and writes nothing; both close
   * every peer with `code` and `reason` (they resync from what storage has, or learn the pad is gone).
   */
  async destroy(requested: 'keep' | 'discard' | 'gone' = 'keep', close?: { code: number; reason: string }): Promise<void> {
    if (this.destroyed) return;
    let mode = requested;
    if (mode === 'keep') {
      // what is queued or in a commit is stored (and told to the other processes) whether or not a snapshot follows
      // (another process may hold the snapshot lease)
      try {
        await this.flush();
        await this.trySnapshot();
      } catch {
        // its commit failed: what it held is not stored, and the document goes as a discarded one does (its peers
        // resync); no snapshot is asked for
        mode = 'discard';
      }
    }
    if (this.destroyed) return;
    if (mode !== 'keep') {
      this.pending = [];
      this.inbox = [];
      const { code, reason } = close ?? { code: 1013, reason: 'storage failure: nothing was stored; reconnect to resync' };
      for (const peer of [...this.peers]) peer.close(code, reason);
    }
    this.destroyed = true;
    this.outbox.close();
    this.follower.close();
    this.groupCommit.forget(this);
    this.stopNaming();
    this.presence.destroy();
    this.forgetAnswer();
    this.ydoc.destroy();
  }

  get isDestroyed(): boolean {
    return this.destroyed;
  }
}

export { SERVER_NOTICE_MESSAGE };
