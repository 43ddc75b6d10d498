/**
 * One section of one pad, live: its Y.Doc, its presence (awareness), the connections on it, and the commit queue.
 *
 * Durability rule: an update is appended to the store's log and committed before any other peer sees it.
 * Updates are applied to the in-memory document as they arrive; what they changed is queued and committed in one
 * transaction per event-loop turn, with every other document's (a {@link GroupCommit}), then broadcast. A peer
 * asking for the state (sync step 1) first forces the queue to disk, so no answer ever carries uncommitted content.
 */
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { Logger } from 'pino';
import type { DocumentRef, PadStore, UpdateRecord } from '../storage/store.js';
import { canWriteSection, type Role } from '../../shared/roles.js';
import { entriesOf, metaOf } from '../../shared/schema.js';
import { inspectUpdate } from './update-inspector.js';
import { rewrittenEntries } from '../../shared/rewrites.js';
import type { GuardNotice } from './rewrite-guard.js';
import type { SyncMetrics } from '../metrics.js';
import type { StorageHealth } from '../storage/health.js';
import { awarenessMessage, updateMessage } from './messages.js';
import type { CommitMember, GroupCommit } from './group-commit.js';

/** What the document needs of a connection. */
export interface Peer {
  readonly role: Role;
  readonly session: string;
  /** The curator key the peer authenticated with, if any. */
  readonly curatorKeyId?: string | undefined;
  demote(role: Role, hint: string): void;
  send(message: Uint8Array): void;
  /** Tells the peer a write was refused (y-protocols auth message). */
  refuse(reason: string): void;
  close(code: number, reason: string): void;
  /** Awareness client ids this peer added or removed (so its presence can be removed when it leaves). */
  ownPresence(added: number[], removed: number[]): void;
  /** Set once the rewrite guard quarantined this peer: its writes are refused from then on. */
  readonly quarantine: GuardNotice | null;
  /** Records entries the peer rewrote in one transaction; returns a notice if that quarantined it. */
  recordRewrites(ids: Set<string>, section: string, at: number): GuardNotice | null;
}

/** Who authored a server-side change (import, restore): recorded like a peer's. */
export interface Author {
  readonly role: Role | 'system';
  readonly session: string;
}

export type UpdateOutcome = 'applied' | 'no-change' | 'refused' | 'rejected';

export interface SectionDocumentOptions {
  store: PadStore;
  /** Commits queued updates, this document's with every other document's of the same turn. */
  groupCommit: GroupCommit;
  ref: DocumentRef;
  log: Logger;
  /** Write a snapshot after this many logged updates. */
  snapshotEvery: number;
  /** Told when the rewrite guard quarantines a peer. */
  onQuarantine?: (notice: GuardNotice) => void;
  metrics?: SyncMetrics;
  /** Writes that would grow the document past this many bytes (approximately) are refused. */
  maxDocumentBytes?: number;
  /** Whether storage takes writes; when it does not, writes are refused instead of kept in memory only. */
  health?: StorageHealth;
  /** Told when a commit fails: the document must be dropped (what it holds in memory is not stored). */
  onStorageFailure?: (err: unknown) => void;
}

/**
 * Presence is fanned out in batches: changes within this many milliseconds go out as one message to every peer.
 * With a thousand people on a pad, presence renewals would otherwise be a message per person per peer.
 */
export const PRESENCE_BATCH_MS = 50;

export interface Pending {
  record: UpdateRecord;
  origin: unknown;
}

export class SectionDocument implements CommitMember {
  readonly doc: Y.Doc;
  readonly awareness: awarenessProtocol.Awareness;
  readonly peers = new Set<Peer>();
  readonly ref: DocumentRef;
  private readonly store: PadStore;
  private readonly log: Logger;
  private readonly snapshotEvery: number;
  private pending: Pending[] = [];
  private readonly groupCommit: GroupCommit;
  private lastSeq = 0;
  private snapshotSeq = 0;
  private snapshotScheduled = false;
  private destroyed = false;
  private transactionAt = 0;
  private readonly presencePending = new Set<number>();
  private presenceTimer: NodeJS.Timeout | null = null;
  private readonly onQuarantine: ((notice: GuardNotice) => void) | undefined;
  private readonly metrics: SyncMetrics | undefined;
  private readonly maxBytes: number;
  private readonly health: StorageHealth | undefined;
  private readonly onStorageFailure: ((err: unknown) => void) | undefined;
  /** Approximate size: the loaded state plus every update logged since. */
  private bytes = 0;

  constructor(options: SectionDocumentOptions) {
    this.ref = options.ref;
    this.store = options.store;
    this.groupCommit = options.groupCommit;
    this.log = options.log;
    this.snapshotEvery = options.snapshotEvery;
    this.onQuarantine = options.onQuarantine;
    this.metrics = options.metrics;
    this.maxBytes = options.maxDocumentBytes ?? Number.POSITIVE_INFINITY;
    this.health = options.health;
    this.onStorageFailure = options.onStorageFailure;
    this.doc = new Y.Doc({ gc: true });
    // Type the schema's roots, so code reading the live document sees a Y.Array and a Y.Map, not untyped roots.
    entriesOf(this.doc);
    metaOf(this.doc);
    this.awareness = new awarenessProtocol.Awareness(this.doc);
    // The server has no presence of its own.
    this.awareness.setLocalState(null);
    this.load();
    this.doc.on('afterTransaction', this.onTransaction);
    this.awareness.on('update', this.onAwarenessUpdate);
  }

  /** Feeds the rewrite guard with what each peer's transaction rewrote. */
  private onTransaction = (transaction: Y.Transaction): void => {
    // One clock reading per transaction: the guard's window and the log row's time must agree exactly.
    this.transactionAt = Date.now();
    const peer = transaction.origin as Peer;
    if (!this.peers.has(peer)) return;
    const notice = peer.recordRewrites(rewrittenEntries(transaction), this.section, this.transactionAt);
    if (notice) {
      this.log.warn({ doc: this.ref, session: peer.session, entries: notice.entries.length }, 'connection quarantined: mass rewrite');
      this.onQuarantine?.(notice);
    }
  };

  get section() {
    return this.ref.section;
  }

  /** Replays the stored snapshot and the log after it. A snapshot that cannot be applied is skipped, the whole log replayed. */
  private load(): void {
    const stored = this.store.loadDocument(this.ref);
    let updates = stored.updates;
    if (stored.snapshot) {
      try {
        Y.applyUpdate(this.doc, stored.snapshot.state);
        this.snapshotSeq = this.lastSeq = stored.snapshot.seq;
        this.bytes = stored.snapshot.state.byteLength;
      } catch (err) {
        this.log.error({ err, doc: this.ref }, 'snapshot is corrupt; replaying the whole log');
        updates = this.store.readLog(this.ref, 0);
      }
    }
    for (const u of updates) {
      Y.applyUpdate(this.doc, u.data);
      this.lastSeq = u.seq;
      // approximate, as it grows: what was loaded plus every update logged since (encoding the state to measure it
      // took as long as loading it)
      this.bytes += u.data.byteLength;
    }
  }

  /** An update from a peer (sync step 2 or update message). */
  receiveUpdate(peer: Peer, update: Uint8Array): UpdateOutcome {
    const [outcome, reason] = this.decide(peer, update);
    this.metrics?.update(outcome, reason);
    return outcome;
  }

  private decide(peer: Peer, update: Uint8Array): [UpdateOutcome, string] {
    const inspection = inspectUpdate(this.doc, update);
    if (!inspection.ok) {
      this.log.warn({ doc: this.ref, session: peer.session, reason: inspection.detail }, 'update rejected');
      peer.close(1007, `${inspection.reason} update: ${inspection.detail}`);
      return ['rejected', inspection.reason];
    }
    if (!inspection.changes) return ['no-change', ''];
    if (this.health?.failure) {
      // Not a refusal (the client would drop its edits): the socket closes and the client retries with them later.
      peer.close(1013, `storage unavailable, nothing was stored; retrying later (${this.health.failure})`.slice(0, 120));
      return ['refused', 'storage'];
    }
    if (peer.quarantine) {
      peer.refuse(
        `quarantined: this connection rewrote the text of ${peer.quarantine.entries.length} entries at once, as a page translator does; reload the page with translation off`,
      );
      return ['refused', 'quarantine'];
    }
    if (peer.curatorKeyId && peer.role === 'curator' && !this.store.isCuratorKeyLive(peer.curatorKeyId)) {
      // revoked (through the API, the admin command line, another server process): no longer a curator, from now on
      peer.demote('contributor', 'the curator key of this connection was revoked');
    }
    if (!canWriteSection(peer.role, this.section)) {
      const reason = peer.role === 'viewer'
        ? 'read-only link: this connection cannot change the pad'
        : `only curators can change the "${this.section}" section`;
      this.log.info({ doc: this.ref, session: peer.session, role: peer.role }, 'write refused');
      peer.refuse(reason);
      return ['refused', `role:${peer.role}`];
    }
    if (this.bytes + update.byteLength > this.maxBytes) {
      peer.refuse(`the pad is full: this section may hold at most ${Math.round(this.maxBytes / 1024 / 1024)} MiB`);
      return ['refused', 'document-size'];
    }
    // What is logged and broadcast: the peer's own bytes when all of it is new, else the part the document lacks.
    // Not Yjs' re-encoding of the transaction: after Yjs merges a typist's string into one item, re-encoding slices
    // (and flattens) that whole string on every update, which made a burst of 6,000 edits quadratic. (A copy: the
    // message's bytes may be a view into a larger socket buffer.)
    const data = inspection.fresh ? update.slice() : Y.diffUpdate(update, Y.encodeStateVector(this.doc));
    Y.applyUpdate(this.doc, update, peer);
    this.queue(data, peer);
    return ['applied', ''];
  }

  /** Makes a server-side change (import, restore) on behalf of `author`; durable and broadcast like a peer's. */
  change(author: Author, fn: (doc: Y.Doc) => void): void {
    const onUpdate = (update: Uint8Array) => this.queue(update, author);
    this.doc.on('update', onUpdate);
    try {
      this.doc.transact(() => fn(this.doc), author);
    } finally {
      this.doc.off('update', onUpdate);
    }
  }

  /** Queues a change for the next group commit; once committed it is broadcast to every peer but its author. */
  private queue(update: Uint8Array, author: Author): void {
    this.bytes += update.byteLength;
    this.pending.push({ record: { data: update, role: author.role, session: author.session, at: this.transactionAt }, origin: author });
    this.groupCommit.schedule(this);
  }

  get queued(): number {
    return this.pending.length;
  }

  /** Commits the queued updates now, then broadcasts each to every peer but its sender. */
  flush(): void {
    this.groupCommit.commitNow(this);
  }

  /**
   * Appends the queued updates to the log; returns them for {@link broadcast}. Runs inside the caller's storage
   * transaction (the group commit's, an import's), and the caller broadcasts only after it committed.
   */
  commit(): Pending[] {
    if (this.pending.length === 0) return [];
    const batch = this.pending;
    this.pending = [];
    this.lastSeq = this.store.appendUpdates(this.ref, batch.map((p) => p.record));
    return batch;
  }

  /** The transaction holding the queued updates failed: the document holds what storage does not, and is dropped. */
  commitFailed(err: unknown): void {
    this.log.error({ err, doc: this.ref }, 'commit failed: dropping the unsaved document');
    this.health?.fail(err);
    this.onStorageFailure?.(err);
  }

  /**
   * Sends committed updates to the peers. Several updates from one turn go out merged, encoded once: a peer gets one
   * message instead of one per update (a burst of typing or a script's batch). A peer that sent some of them gets
   * the others one by one, never its own back.
   */
  broadcast(batch: Pending[]): void {
    if (batch.length > 1) {
      const origins = new Set(batch.map((p) => p.origin));
      const merged = updateMessage(Y.mergeUpdates(batch.map((p) => p.record.data)));
      for (const peer of this.peers) {
        if (!origins.has(peer)) peer.send(merged);
        else for (const { record, origin } of batch) if (origin !== peer) peer.send(updateMessage(record.data));
      }
    } else {
      for (const { record, origin } of batch) {
        const message = updateMessage(record.data);
        for (const peer of this.peers) if (peer !== origin) peer.send(message);
      }
    }
    if (this.lastSeq - this.snapshotSeq >= this.snapshotEvery) this.scheduleSnapshot();
  }

  private scheduleSnapshot(): void {
    if (this.snapshotScheduled) return;
    this.snapshotScheduled = true;
    setImmediate(() => {
      this.snapshotScheduled = false;
      if (!this.destroyed) this.trySnapshot();
    });
  }

  /** A snapshot only shortens loading: if storage cannot take it, the log still has everything. */
  private trySnapshot(): void {
    try {
      this.snapshot();
    } catch (err) {
      this.log.error({ err, doc: this.ref }, 'snapshot failed (the log still has every update)');
    }
  }

  /** Writes the current state as a snapshot of the log up to `lastSeq` (the queue is flushed first). */
  snapshot(): void {
    this.flush();
    if (this.lastSeq === this.snapshotSeq) return;
    this.store.writeSnapshot(this.ref, this.lastSeq, Y.encodeStateAsUpdate(this.doc));
    this.snapshotSeq = this.lastSeq;
  }

  /** The state a peer is missing, given its state vector; always committed content. */
  diffFor(stateVector: Uint8Array): Uint8Array {
    this.flush();
    return Y.encodeStateAsUpdate(this.doc, stateVector);
  }

  stateVector(): Uint8Array {
    return Y.encodeStateVector(this.doc);
  }

  private onAwarenessUpdate = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    const changed = added.concat(updated, removed);
    if (changed.length === 0) return;
    if (this.peers.has(origin as Peer)) (origin as Peer).ownPresence(added, removed);
    for (const id of changed) this.presencePending.add(id);
    this.presenceTimer ??= setTimeout(this.flushPresence, PRESENCE_BATCH_MS);
  };

  /** Sends the batched presence changes, encoded once, to every peer (a sender gets its own state back: a no-op). */
  private flushPresence = (): void => {
    this.presenceTimer = null;
    if (this.destroyed || this.presencePending.size === 0) return;
    const message = awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...this.presencePending]));
    this.presencePending.clear();
    for (const peer of this.peers) peer.send(message);
  };

  presenceMessage(): Uint8Array | null {
    const clients = [...this.awareness.getStates().keys()];
    if (clients.length === 0) return null;
    return awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients));
  }

  /**
   * Frees the document. By default it is flushed and snapshotted first; `discard` drops what is in memory and not
   * in storage (after storage refused it), closing every peer so they resync from what storage has.
   */
  destroy(mode: 'keep' | 'discard' = 'keep'): void {
    if (this.destroyed) return;
    if (mode === 'keep') this.trySnapshot();
    else {
      this.pending = [];
      for (const peer of [...this.peers]) peer.close(1013, 'storage failure: nothing was stored; reconnect to resync');
    }
    this.destroyed = true;
    this.groupCommit.forget(this);
    if (this.presenceTimer) clearTimeout(this.presenceTimer);
    this.awareness.destroy();
    this.doc.destroy();
  }
}
