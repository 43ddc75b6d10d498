/**
 * The section documents in memory. A document is loaded from storage when first needed and unloaded (flushed,
 * snapshotted, freed) once it has had no peers for `unloadDelayMs`.
 */
import type { Logger } from 'pino';
import type { DocumentRef, PadStore } from '../storage/store.js';
import { SectionDocument } from './section-document.js';
import { GroupCommit } from './group-commit.js';
import type { GuardNotice } from './rewrite-guard.js';
import type { SyncMetrics } from '../metrics.js';
import type { StorageHealth } from '../storage/health.js';

export interface RegistryOptions {
  unloadDelayMs: number;
  snapshotEvery: number;
  /** Told when a document's rewrite guard quarantines a connection. */
  onQuarantine?: (ref: DocumentRef, notice: GuardNotice) => void;
  metrics?: SyncMetrics;
  maxDocumentBytes?: number;
  health?: StorageHealth;
  /** The server's own presence state for a document, set when it loads. */
  serverPresence?: (ref: DocumentRef) => Record<string, unknown> | null;
}

const keyOf = (ref: DocumentRef) => `${ref.padId}\u0000${ref.section}`;

export class DocumentRegistry {
  private readonly documents = new Map<string, SectionDocument>();
  private readonly unloadTimers = new Map<string, NodeJS.Timeout>();
  private readonly groupCommit: GroupCommit;

  constructor(
    private readonly store: PadStore,
    private readonly log: Logger,
    private readonly options: RegistryOptions,
  ) {
    this.groupCommit = new GroupCommit(store, options.metrics);
  }

  /** The live document, loading it if needed. */
  open(ref: DocumentRef): SectionDocument {
    const key = keyOf(ref);
    this.cancelUnload(key);
    let document = this.documents.get(key);
    if (!document) {
      const { onQuarantine, serverPresence } = this.options;
      document = new SectionDocument({
        store: this.store,
        groupCommit: this.groupCommit,
        ref,
        log: this.log,
        snapshotEvery: this.options.snapshotEvery,
        onQuarantine: onQuarantine && ((notice) => onQuarantine(ref, notice)),
        metrics: this.options.metrics,
        maxDocumentBytes: this.options.maxDocumentBytes,
        health: this.options.health,
        onStorageFailure: () => this.discard(ref),
      });
      const presence = serverPresence?.(ref);
      if (presence) document.awareness.setLocalState(presence);
      this.documents.set(key, document);
    }
    return document;
  }

  /** The document if it is loaded (nothing is loaded for the asking). */
  peek(ref: DocumentRef): SectionDocument | undefined {
    return this.documents.get(keyOf(ref));
  }

  /** Runs `fn` on the document (loaded for the occasion if needed) and lets it unload afterwards if nobody is on it. */
  use<T>(ref: DocumentRef, fn: (document: SectionDocument) => T): T {
    const document = this.open(ref);
    try {
      return fn(document);
    } finally {
      this.release(ref);
    }
  }

  /** Called when a peer leaves: schedules the unload of a document nobody is on. */
  release(ref: DocumentRef): void {
    const key = keyOf(ref);
    const document = this.documents.get(key);
    if (!document || document.peers.size > 0 || this.unloadTimers.has(key)) return;
    const timer = setTimeout(() => this.unload(key), this.options.unloadDelayMs);
    timer.unref();
    this.unloadTimers.set(key, timer);
  }

  private cancelUnload(key: string): void {
    const timer = this.unloadTimers.get(key);
    if (timer) clearTimeout(timer);
    this.unloadTimers.delete(key);
  }

  private unload(key: string): void {
    this.unloadTimers.delete(key);
    const document = this.documents.get(key);
    if (!document || document.peers.size > 0) return;
    this.documents.delete(key);
    document.destroy();
  }

  /** Unloads every document with no peers now (operators, benchmarks: the next load comes from disk). */
  unloadIdle(): number {
    let count = 0;
    for (const [key, document] of this.documents) {
      if (document.peers.size > 0) continue;
      this.cancelUnload(key);
      this.unload(key);
      count++;
    }
    return count;
  }

  /** Drops the in-memory document without saving (storage refused its changes); peers are closed and resync. */
  discard(ref: DocumentRef): void {
    const key = keyOf(ref);
    this.cancelUnload(key);
    const document = this.documents.get(key);
    if (!document) return;
    this.documents.delete(key);
    document.destroy('discard');
  }

  loaded(): SectionDocument[] {
    return [...this.documents.values()];
  }

  /** Flushes and frees every document (shutdown). */
  closeAll(): void {
    for (const key of [...this.documents.keys()]) {
      this.cancelUnload(key);
      const document = this.documents.get(key)!;
      this.documents.delete(key);
      document.destroy();
    }
  }
}
