/**
 * The section documents in memory. A document is loaded from storage when first needed (one load however many ask
 * at once) and unloaded (flushed, snapshotted, freed) once nobody has held it for `unloadDelayMs`. Every `open` is a
 * hold, given back with `release`: a connection holds its document while it is open, an import or export while it
 * runs.
 */
import type { Logger } from 'pino';
import type { DocumentRef } from '../storage/store.js';
import type { Storage } from '../storage/storage.js';
import type { FanOut } from '../fanout/fanout.js';
import { SectionDocument, type SectionDocumentOptions } from './section-document.js';
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
  /** How often loaded documents check that their pad still exists (deleted by the admin command line, say). */
  padCheckMs?: number;
  /** How often a document with peers checks the log for commits of other processes it was not told of. */
  catchUpEveryMs?: number;
  /** Told when a pad is found deleted: whatever else is kept of it (guard notices) goes too. */
  onPadGone?: (padId: string) => void;
  /** See {@link SectionDocumentOptions.curatorLive}. */
  curatorLive?: SectionDocumentOptions['curatorLive'];
  /** See {@link SectionDocumentOptions.names}. */
  names?: SectionDocumentOptions['names'];
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
  private readonly loading = new Map<string, Promise<SectionDocument>>();
  private readonly holds = new Map<string, number>();
  private readonly unloadTimers = new Map<string, NodeJS.Timeout>();
  readonly groupCommit: GroupCommit;
  private readonly padCheck: NodeJS.Timeout | null;
  private closed = false;

  constructor(
    private readonly store: Storage,
    private readonly fanout: FanOut,
    private readonly log: Logger,
    private readonly options: RegistryOptions,
  ) {
    this.groupCommit = new GroupCommit(store, options.metrics, (member) => this.padDeleted(member.ref.padId));
    // Messages may have been lost while the fan-out was away: every loaded document catches up from the log, and
    // the loaded pads are checked for deletion now rather than at the next periodic check.
    fanout.onReconnect(() => {
      for (const document of this.documents.values()) void document.reconnected();
      void this.checkPads();
    });
    const every = options.padCheckMs ?? 2000;
    this.padCheck = every > 0 ? setInterval(() => void this.checkPads(), every) : null;
    this.padCheck?.unref();
  }

  /**
   * The live document, loading it if needed, held until {@link release}; rejects with {@link PadGone} if the pad does
   * not exist (or a document of a deleted namesake was loaded: it is dropped, and this pad's loaded instead).
   */
  async open(ref: DocumentRef): Promise<SectionDocument> {
    const key = keyOf(ref);
    this.hold(key);
    try {
      const pad = await this.store.getPad(ref.padId);
      if (!pad) throw new PadGone(ref.padId);
      let document = this.documents.get(key);
      if (document && document.incarnation !== pad.readOnlyNonce) {
        // deleted (and perhaps made again under its name) since it was loaded: the old document is not this pad's
        this.padDeleted(ref.padId);
        document = undefined;
      }
      if (document) return document;
      let load = this.loading.get(key);
      if (!load) {
        load = this.load(ref, pad.readOnlyNonce).finally(() => this.loading.delete(key));
        this.loading.set(key, load);
      }
      document = await load;
      if (document.incarnation !== pad.readOnlyNonce) throw new PadGone(ref.padId);
      return document;
    } catch (err) {
      this.release(ref);
      throw err;
    }
  }

  private async load(ref: DocumentRef, incarnation: string): Promise<SectionDocument> {
    const { onQuarantine } = this.options;
    const document = await SectionDocument.open(
      {
        store: this.store,
        fanout: this.fanout,
        groupCommit: this.groupCommit,
        ref,
        log: this.log,
        snapshotEvery: this.options.snapshotEvery,
        onQuarantine: onQuarantine && ((notice) => onQuarantine(ref, notice)),
        metrics: this.options.metrics,
        maxDocumentBytes: this.options.maxDocumentBytes,
        health: this.options.health,
        catchUpEveryMs: this.options.catchUpEveryMs,
        curatorLive: this.options.curatorLive,
        names: this.options.names,
        onBroken: (reason, _err, broken) =>
          this.discard(ref, reason === 'apply' ? { code: 1011, reason: 'the document was reloaded after a failed write; reconnect to resync' } : undefined, broken),
      },
      incarnation,
    );
    this.documents.set(keyOf(ref), document);
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
      void document.destroy('gone', PAD_DELETED);
    }
  }

  /** Notices pads deleted (or deleted and made again) behind this process's back. */
  private async checkPads(): Promise<void> {
    const pads = new Map<string, string>();
    for (const document of this.documents.values()) pads.set(document.ref.padId, document.incarnation);
    for (const [padId, incarnation] of pads) {
      let current: string | undefined;
      try {
        current = (await this.store.getPad(padId))?.readOnlyNonce;
      } catch {
        return; // storage unreachable: health checks deal with that
      }
      if (current !== incarnation && this.ofPad(padId).some((d) => d.incarnation === incarnation)) this.padDeleted(padId);
    }
  }

  /** The document if it is loaded (nothing is loaded for the asking). */
  peek(ref: DocumentRef): SectionDocument | undefined {
    return this.documents.get(keyOf(ref));
  }

  /** Runs `fn` on the document (loaded for the occasion if needed) and lets it unload afterwards if nobody is on it. */
  async use<T>(ref: DocumentRef, fn: (document: SectionDocument) => T | Promise<T>): Promise<T> {
    const document = await this.open(ref);
    try {
      return await fn(document);
    } finally {
      this.release(ref);
    }
  }

  private hold(key: string): void {
    this.cancelUnload(key);
    this.holds.set(key, (this.holds.get(key) ?? 0) + 1);
  }

  /** Gives back a hold of {@link open}: a document nobody holds is unloaded after `unloadDelayMs`. */
  release(ref: DocumentRef): void {
    const key = keyOf(ref);
    const left = (this.holds.get(key) ?? 1) - 1;
    if (left > 0) {
      this.holds.set(key, left);
      return;
    }
    this.holds.delete(key);
    if (!this.documents.has(key) || this.unloadTimers.has(key) || this.closed) return;
    const timer = setTimeout(() => void this.unload(key), this.options.unloadDelayMs);
    timer.unref();
    this.unloadTimers.set(key, timer);
  }

  private cancelUnload(key: string): void {
    const timer = this.unloadTimers.get(key);
    if (timer) clearTimeout(timer);
    this.unloadTimers.delete(key);
  }

  private async unload(key: string): Promise<void> {
    this.unloadTimers.delete(key);
    const document = this.documents.get(key);
    if (!document || (this.holds.get(key) ?? 0) > 0 || document.peers.size > 0) return;
    this.documents.delete(key);
    await document.destroy();
  }

  /** Unloads every document nobody holds now (operators, benchmarks: the next load comes from storage). */
  async unloadIdle(): Promise<number> {
    let count = 0;
    for (const [key, document] of [...this.documents]) {
      if ((this.holds.get(key) ?? 0) > 0 || document.peers.size > 0) continue;
      this.cancelUnload(key);
      await this.unload(key);
      count++;
    }
    return count;
  }

  /**
   * Drops the in-memory document without saving (storage refused its changes, or an apply failed); peers are closed
   * and resync from what storage has. The next open reloads it from the store.
   */
  discard(ref: DocumentRef, close?: { code: number; reason: string }, document?: SectionDocument): void {
    const key = keyOf(ref);
    const current = this.documents.get(key);
    // `document`: the one that broke. It may be one being unloaded, already replaced by a fresh load of the same
    // section: only it is dropped (the fresh one, its peers and their edits are not).
    const target = document ?? current;
    if (!target) return;
    if (target === current) {
      this.cancelUnload(key);
      this.documents.delete(key);
    }
    void target.destroy('discard', close);
  }

  loaded(): SectionDocument[] {
    return [...this.documents.values()];
  }

  /** Flushes and frees every document (shutdown). */
  async closeAll(): Promise<void> {
    this.closed = true;
    if (this.padCheck) clearInterval(this.padCheck);
    for (const key of [...this.unloadTimers.keys()]) this.cancelUnload(key);
    await Promise.allSettled([...this.loading.values()]);
    const documents = [...this.documents.values()];
    this.documents.clear();
    await Promise.all(documents.map((d) => d.destroy()));
    await this.groupCommit.drain();
  }
}
