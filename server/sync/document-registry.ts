/**
 * The section documents in memory. A document is loaded from storage when first needed and unloaded (flushed,
 * snapshotted, freed) once it has had no peers for `unloadDelayMs`.
 */
import type { Logger } from 'pino';
import type { DocumentRef, PadStore } from '../storage/store.js';
import { SectionDocument, type Peer } from './section-document.js';
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
  /** Whether a curator peer's key (and sign-in session) is still live; checked before each of its writes. */
  curatorLive?: (peer: Peer) => boolean;
  /** How often loaded documents check that their pad still exists (deleted by the admin command line, say). */
  padCheckMs?: number;
  /** Told when a pad is found deleted: whatever else is kept of it (guard notices) goes too. */
  onPadGone?: (padId: string) => void;
}

/** Thrown when a document is asked for a pad that does not exist. */
export class PadGone extends Error {
  constructor(padId: string) {
    super(`no such pad: ${padId}`);
    this.name = 'PadGone';
  }
}

/** The close code and reason for sockets of a deleted pad (the client learns it; reconnecting finds no such pad). */
export const PAD_DELETED = { code: 4404, reason: 'this pad was deleted' } as const;

const keyOf = (ref: DocumentRef) => `${ref.padId}\u0000${ref.section}`;

export class DocumentRegistry {
  private readonly documents = new Map<string, SectionDocument>();
  private readonly unloadTimers = new Map<string, NodeJS.Timeout>();
  private readonly groupCommit: GroupCommit;
  private readonly padCheck: NodeJS.Timeout | null;

  constructor(
    private readonly store: PadStore,
    private readonly log: Logger,
    private readonly options: RegistryOptions,
  ) {
    this.groupCommit = new GroupCommit(store, options.metrics, (member) => this.padDeleted(member.ref.padId));
    const every = options.padCheckMs ?? 2000;
    this.padCheck = every > 0 ? setInterval(() => this.checkPads(), every) : null;
    this.padCheck?.unref();
  }

  /** The live document, loading it if needed; throws {@link PadGone} if the pad does not exist. */
  open(ref: DocumentRef): SectionDocument {
    const key = keyOf(ref);
    this.cancelUnload(key);
    let document = this.documents.get(key);
    const pad = this.store.getPad(ref.padId);
    if (document && pad?.readOnlyNonce !== document.incarnation) {
      // deleted (and perhaps made again under its name) since it was loaded: the old document is not this pad's
      this.padDeleted(ref.padId);
      document = undefined;
    }
    if (!pad) throw new PadGone(ref.padId);
    if (!document) {
      const { onQuarantine } = this.options;
      document = new SectionDocument(
        {
          store: this.store,
          groupCommit: this.groupCommit,
          ref,
          log: this.log,
          snapshotEvery: this.options.snapshotEvery,
          onQuarantine: onQuarantine && ((notice) => onQuarantine(ref, notice)),
          metrics: this.options.metrics,
          maxDocumentBytes: this.options.maxDocumentBytes,
          health: this.options.health,
          curatorLive: this.options.curatorLive,
          onBroken: (reason) =>
            this.discard(ref, reason === 'apply' ? { code: 1011, reason: 'the document was reloaded after a failed write; reconnect to resync' } : undefined),
        },
        pad.readOnlyNonce,
      );
      this.documents.set(key, document);
    }
    return document;
  }

  /** The loaded documents of a pad. */
  ofPad(padId: string): SectionDocument[] {
    return [...this.documents.values()].filter((d) => d.ref.padId === padId);
  }

  /**
   * A pad was deleted (here, by the admin command line, or by another process): its documents are dropped without
   * writing anything, and their sockets closed with {@link PAD_DELETED}.
   */
  padDeleted(padId: string): void {
    this.options.onPadGone?.(padId);
    for (const document of this.ofPad(padId)) {
      const key = keyOf(document.ref);
      this.cancelUnload(key);
      this.documents.delete(key);
      document.destroy('gone', PAD_DELETED);
    }
  }

  /** Notices pads deleted (or deleted and made again) behind this process's back. */
  private checkPads(): void {
    const seen = new Map<string, string | undefined>();
    for (const document of [...this.documents.values()]) {
      const padId = document.ref.padId;
      if (!seen.has(padId)) {
        try {
          seen.set(padId, this.store.getPad(padId)?.readOnlyNonce);
        } catch {
          return; // storage unreachable: health checks deal with that
        }
      }
      if (seen.get(padId) !== document.incarnation) this.padDeleted(padId);
    }
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

  /**
   * Drops the in-memory document without saving (storage refused its changes, or an apply failed); peers are closed
   * and resync from what storage has. The next open reloads it from the store.
   */
  discard(ref: DocumentRef, close?: { code: number; reason: string }): void {
    const key = keyOf(ref);
    this.cancelUnload(key);
    const document = this.documents.get(key);
    if (!document) return;
    this.documents.delete(key);
    document.destroy('discard', close);
  }

  loaded(): SectionDocument[] {
    return [...this.documents.values()];
  }

  /** Flushes and frees every document (shutdown). */
  closeAll(): void {
    if (this.padCheck) clearInterval(this.padCheck);
    for (const key of [...this.documents.keys()]) {
      this.cancelUnload(key);
      const document = this.documents.get(key)!;
      this.documents.delete(key);
      document.destroy();
    }
  }
}
