/**
 * A section document's place in its log, shared with every other process serving it: which rows it has, telling the
 * others what this process committed, and reading what they committed.
 *
 * - Every row up to {@link seq} is in the document; rows beyond it that are in the document too (this process's own
 *   commits, and fanned-out rows that arrived before one they follow) are remembered, so reading them back applies
 *   and broadcasts nothing twice.
 * - The fan-out is a wake-up, not the record: a commit message carries its rows when they are small, and they are
 *   applied at once, even when a row before them has not arrived yet (Yjs holds an update whose dependencies are
 *   missing until they come, and so does every peer). A gap, in this process's own sequence numbers or before a
 *   fanned-out commit, is read from the log only if it is still open after {@link GAP_GRACE_MS}: with several
 *   processes committing to one document, every commit of each leaves a gap that the others' messages, already on
 *   their way, fill a moment later (reading the log for each cost a query per commit and process). The fan-out
 *   coming back, a message too large to carry its rows, and a poll after a silence (while the document has peers)
 *   read the log too.
 * - A single process (in-process fan-out) publishes nothing: there is nobody to tell.
 */
import type { Logger } from 'pino';
import type { DocumentRef } from '../storage/store.js';
import type { DocumentLog } from '../storage/storage.js';
import { channels, type FanOut, type FanOutSubscription } from '../fanout/fanout.js';
import type { CatchUpReason, SyncMetrics } from '../metrics.js';

/** Commits up to this many bytes travel in their fan-out message (the others are read from the log). */
export const INLINE_COMMIT_BYTES = 64 * 1024;

/**
 * How long a gap may stay open before the log is read to fill it. The rows of a gap were committed before the ones
 * after it, and their message is normally on its way: a gap still open this long was lost by the fan-out.
 */
export const GAP_GRACE_MS = 200;

/** What travels on a document's fan-out channel. */
type DocumentMessage =
  /** A process committed rows up to `seq`; small commits carry them (`first`..`seq`, base64). */
  | { t: 'commit'; from: string; seq: number; first?: number; rows?: Array<{ data: string; at: number }> }
  /** A checked presence update (base64) of a peer of process `from`. */
  | { t: 'presence'; from: string; update: string };

export interface FollowerOptions {
  ref: DocumentRef;
  store: Pick<DocumentLog, 'readLog'>;
  fanout: FanOut;
  log: Logger;
  metrics?: SyncMetrics | undefined;
  /** Applies rows other processes committed (in order, as one batch) and sends them to this process's peers. */
  applyRemote(rows: Uint8Array[]): void;
  /** Shows presence another process checked. */
  applyRemotePresence(update: Uint8Array): void;
  /** Whether the document has peers here (it polls the log only then). */
  hasPeers(): boolean;
}

export class LogFollower {
  private subscription: FanOutSubscription | null = null;
  private subscribing: Promise<boolean> | null = null;
  private contiguousSeq = 0;
  /** When this process last heard anything telling it where the log stands (a commit message, its own commit). */
  private lastHeard = 0;
  /** Rows beyond {@link contiguousSeq} that the document has (committed here, or fanned out before a row they follow). */
  private readonly ahead = new Set<number>();
  /** The first row of the open gap that the grace timer waits for, and the timer. */
  private gap: { waitingFor: number; timer: NodeJS.Timeout } | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  /** Why the coalesced catch-up is wanted (the metrics count catch-ups by reason). */
  private againReason: CatchUpReason = 'poll';
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: FollowerOptions) {}

  /** Every row up to this sequence number is in the document. */
  get seq(): number {
    return this.contiguousSeq;
  }

  /** The document was loaded up to `seq` (snapshot and log). */
  loadedUpTo(seq: number): void {
    this.contiguousSeq = Math.max(this.contiguousSeq, seq);
    for (const s of this.ahead) if (s <= this.contiguousSeq) this.ahead.delete(s);
    this.advance();
  }

  /** Rows `first..last` are in the document: the position moves past every row it now has in a row. */
  private have(first: number, last: number): void {
    for (let s = Math.max(first, this.contiguousSeq + 1); s <= last; s++) this.ahead.add(s);
    this.advance();
  }

  private advance(): void {
    while (this.ahead.delete(this.contiguousSeq + 1)) this.contiguousSeq++;
    if (this.ahead.size === 0) {
      if (this.gap) clearTimeout(this.gap.timer);
      this.gap = null;
    } else if (!this.gap || this.gap.waitingFor <= this.contiguousSeq) this.awaitGap();
  }

  /** A row is missing before rows the document has: read the log if it is still missing after the grace. */
  private awaitGap(): void {
    if (this.gap) clearTimeout(this.gap.timer);
    if (this.closed) return;
    const waitingFor = this.contiguousSeq + 1;
    const timer = setTimeout(() => {
      this.gap = null;
      if (this.contiguousSeq < waitingFor) this.request('gap');
      else if (this.ahead.size > 0) this.awaitGap(); // that gap filled, a later one is open
    }, GAP_GRACE_MS);
    timer.unref();
    this.gap = { waitingFor, timer };
  }

  /**
   * Subscribes to the document's channel, if not yet; false if the fan-out cannot take it now (then the poll tries
   * again: a document opened while the fan-out reconnects is not left off it).
   */
  subscribe(): Promise<boolean> {
    if (this.subscription || this.closed) return Promise.resolve(true);
    this.subscribing ??= this.trySubscribe().finally(() => (this.subscribing = null));
    return this.subscribing;
  }

  private async trySubscribe(): Promise<boolean> {
    const { fanout, ref, log } = this.options;
    try {
      this.subscription = await fanout.subscribe(channels.document(ref.padId, ref.section), this.onMessage);
      if (this.closed) void this.subscription.unsubscribe().catch(() => undefined);
      return true;
    } catch (err) {
      log.warn({ err, doc: ref }, 'fan-out unavailable: catching up from the log by polling until it is back');
      return false;
    }
  }

  /**
   * Polls the log while the document has peers and nothing about the log has been heard for `everyMs` (the fan-out
   * may have lost the last message before a silence). While commits are heard of, every one carries its sequence
   * number, so a lost message shows as a gap at the next one and is read then: polling too would only read rows the
   * fan-out is about to deliver.
   */
  startPolling(everyMs: number): void {
    if (everyMs <= 0) return;
    this.timer = setInterval(() => {
      if (!this.subscription) {
        // not on the fan-out (it was down when the document opened): try again, and read what was missed meanwhile;
        // until then the poll below is the only way this document hears of other processes' commits
        void this.subscribe().then((ok) => ok && !this.closed && this.request('reconnect'));
      }
      if (this.options.hasPeers() && Date.now() - this.lastHeard >= everyMs) this.request('poll');
    }, everyMs);
    this.timer.unref();
  }

  /** The fan-out came back (messages may have been lost meanwhile): subscribe if needed and catch up. */
  async reconnected(): Promise<void> {
    await this.subscribe();
    this.request('reconnect');
  }

  /** This process committed rows `firstSeq..lastSeq` (already broadcast here): tell the others. */
  committed(rows: Array<{ data: Uint8Array; at: number }>, seqs: { firstSeq: number; lastSeq: number }): void {
    this.lastHeard = Date.now(); // (a commit's seqs show any gap before them)
    // rows other processes committed before ours are a gap until their message arrives (or the log is read)
    this.have(seqs.firstSeq, seqs.lastSeq);
    if (!this.options.fanout.crossProcess) return;
    const bytes = rows.reduce((n, r) => n + r.data.byteLength, 0);
    this.publish({
      t: 'commit',
      from: this.options.fanout.processId,
      seq: seqs.lastSeq,
      ...(bytes <= INLINE_COMMIT_BYTES
        ? { first: seqs.firstSeq, rows: rows.map((r) => ({ data: Buffer.from(r.data).toString('base64'), at: r.at })) }
        : {}),
    });
  }

  /** A checked presence change of this process's peers, for the others. */
  publishPresence(update: Uint8Array): void {
    if (!this.options.fanout.crossProcess) return;
    this.publish({ t: 'presence', from: this.options.fanout.processId, update: Buffer.from(update).toString('base64') });
  }

  /** Reads what was committed after {@link seq} (by any process) and applies it; coalesced. */
  request(reason: CatchUpReason): void {
    if (this.running) {
      this.again = true;
      this.againReason = reason;
      return;
    }
    this.running = this.catchUp(reason)
      .catch((err: unknown) => this.options.log.warn({ err, doc: this.options.ref }, 'catching up from the log failed; retrying later'))
      .finally(() => {
        this.running = null;
        if (this.again && !this.closed) {
          this.again = false;
          this.request(this.againReason);
        }
      });
  }

  /** Resolves once the document has every row logged so far. */
  async now(reason: CatchUpReason = 'poll'): Promise<void> {
    while (this.running) await this.running;
    await this.catchUp(reason);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.gap) clearTimeout(this.gap.timer);
    void this.subscription?.unsubscribe().catch(() => undefined);
  }

  private onMessage = (raw: string): void => {
    if (this.closed) return;
    let message: DocumentMessage;
    try {
      message = JSON.parse(raw) as DocumentMessage;
    } catch {
      return;
    }
    if (message.from === this.options.fanout.processId) return;
    if (message.t === 'commit') this.lastHeard = Date.now();
    if (message.t === 'commit' && message.seq > this.contiguousSeq) {
      if (message.rows && this.applyInline(message)) return;
      this.request('fanout');
    } else if (message.t === 'presence') this.options.applyRemotePresence(Buffer.from(message.update, 'base64'));
  };

  private publish(message: DocumentMessage): void {
    const { fanout, ref, log } = this.options;
    fanout.publish(channels.document(ref.padId, ref.section), JSON.stringify(message)).catch((err: unknown) => {
      // a wake-up only: the others catch up from the log by themselves
      log.debug({ err, doc: ref }, 'fan-out publish failed');
    });
  }

  /**
   * Applies the rows a commit message carried that the document does not have yet (whether or not every row before
   * them has arrived); false if they do not fit (then the log is read).
   */
  private applyInline(message: { first?: number; seq: number; rows?: Array<{ data: string; at: number }> }): boolean {
    const rows = message.rows!;
    const first = message.first;
    if (!Number.isSafeInteger(first) || first! < 1 || rows.length !== message.seq - first! + 1) return false;
    const now = Date.now();
    const lags: number[] = [];
    const fresh: Uint8Array[] = [];
    rows.forEach((row, i) => {
      const seq = first! + i;
      if (seq <= this.contiguousSeq || this.ahead.has(seq)) return; // in the document already
      fresh.push(new Uint8Array(Buffer.from(row.data, 'base64')));
      lags.push(Math.max(0, now - row.at) / 1000);
    });
    if (fresh.length > 0) {
      try {
        this.options.applyRemote(fresh);
      } catch (err) {
        this.options.log.warn({ err, doc: this.options.ref }, 'a fanned-out commit did not apply; reading the log instead');
        return false;
      }
      this.options.metrics?.caughtUp?.('fanout', fresh.length, lags);
    }
    this.have(first!, message.seq);
    return true;
  }

  /** Applies every logged row after {@link seq}; rows of other processes are broadcast to this one's peers. */
  private async catchUp(reason: CatchUpReason): Promise<void> {
    for (;;) {
      const rows = await this.options.store.readLog(this.options.ref, this.contiguousSeq, 1000);
      if (this.closed || rows.length === 0) return;
      const lags: number[] = [];
      const fresh: Uint8Array[] = [];
      const now = Date.now();
      const from = this.contiguousSeq;
      let seq = from;
      for (const row of rows) {
        if (row.seq <= seq) continue; // applied meanwhile (a fanned-out commit)
        if (row.seq !== seq + 1) break; // cannot happen with a gapless log; read again
        seq = row.seq;
        if (this.ahead.has(row.seq)) continue; // committed here, or fanned out, and broadcast already
        lags.push(Math.max(0, now - row.at) / 1000);
        fresh.push(row.data);
      }
      // one transaction for the page; the position moves only once it applied
      if (fresh.length > 0) this.options.applyRemote(fresh);
      this.have(from + 1, seq);
      if (fresh.length > 0) this.options.metrics?.caughtUp?.(reason, fresh.length, lags);
      if (rows.length < 1000) return;
    }
  }
}
