/**
 * One WebSocket on one section document. Its role is decided at upgrade time and bound to it (a revoked curator
 * key demotes it on the spot). Every message is hostile until decoded: a message that cannot be decoded closes the
 * socket with 1007 and a reason; the document never sees it.
 */
import type { WebSocket, RawData } from 'ws';
import * as decoding from 'lib0/decoding';
import type { Logger } from 'pino';
import type { Role } from '../../shared/roles.js';
import type { Peer, SectionDocument } from './section-document.js';
import { RewriteWindow, type GuardNotice, type GuardOptions } from './rewrite-guard.js';
import { MessageRate } from './message-rate.js';
import { newId } from '../auth/secrets.js';
import type { ServerNotice } from '../../shared/presence.js';
import type { WriteBudget } from './write-budget.js';
import { MessageType, SyncType, awarenessMessage, permissionDeniedMessage, serverNoticeMessage, syncStep1Message } from './messages.js';

export interface ConnectionIdentity {
  role: Role;
  /** Server-assigned session name recorded with every accepted update. */
  session: string;
  /** The curator key this connection authenticated with, if any. */
  curatorKeyId?: string;
  /** The sign-in session (token hash) it authenticated with, when it came with the cookie. */
  sessionTokenHash?: string;
  refusalHint?: string;
  /** What its client address may still write to the logs (shared by all that address's connections). */
  budget?: WriteBudget | undefined;
}

/**
 * A socket that was sent nothing during one of these periods is sent an empty presence update at its end, so a
 * client hears something at least every twice this (20 s). y-websocket closes and reopens a socket that has received
 * no message for 30 s (the protocol's pings never reach a browser's script): a quiet pad's `ready` socket, which
 * carries no presence, and a mirror's sockets went offline and back every 33 s, and the page's badge said "offline"
 * meanwhile.
 */
export const KEEPALIVE_MS = 10_000;

/** An awareness update with no states: y-websocket counts it as a message and applies nothing. */
const KEEPALIVE_MESSAGE = awarenessMessage(Uint8Array.of(0));

/**
 * A reader that does not read: over {@link SLOW_CONSUMER_BYTES} of unsent messages that did not shrink for
 * {@link SLOW_CONSUMER_MS} (a slow phone downloading a large pad drains its buffer, and is kept), or over
 * {@link MAX_BUFFERED_BYTES} at once (twice the largest section), the socket is dropped (the client reconnects
 * and resyncs: cheaper for everyone than a server holding megabytes per stalled reader).
 */
export const SLOW_CONSUMER_BYTES = 4 * 1024 * 1024;
export const SLOW_CONSUMER_MS = 10_000;
export const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
/** How often a sync request waiting for its socket to drain looks again. */
const ANSWER_RETRY_MS = 250;

export class Connection implements Peer {
  role: Role;
  readonly session: string;
  readonly curatorKeyId: string | undefined;
  readonly sessionTokenHash: string | undefined;
  readonly budget: WriteBudget | undefined;
  private refusalHint: string | undefined;
  private alive = true;
  /** Whether anything was sent in the current keep-alive period ({@link KEEPALIVE_MS}). */
  private sentSinceTick = true;
  /** Since when the socket's send buffer has been over {@link SLOW_CONSUMER_BYTES} without shrinking (0: it is not)… */
  private slowSince = 0;
  /** …and how full it was then. */
  private slowBuffered = 0;
  /** Reading paused until the document commits its queue (back-pressure). */
  private waitingForCommit = false;
  private readonly pingTimer: NodeJS.Timeout;
  private closed = false;
  quarantine: GuardNotice | null = null;
  readonly padId: string;
  private readonly rewrites: RewriteWindow;
  private readonly rate: MessageRate;
  private paused = false;
  /** A sync step 1 is being answered; `nextStep1`: the latest one that came in meanwhile, answered after it. */
  private answering = false;
  private nextStep1: Uint8Array | null = null;

  constructor(
    private readonly socket: WebSocket,
    readonly document: SectionDocument,
    identity: ConnectionIdentity,
    private readonly log: Logger,
    limits: { guard: GuardOptions; maxMessagesPerSecond: number; maxBytesPerSecond?: number; keepaliveMs?: number },
    private readonly onClose: (connection: Connection) => void,
  ) {
    this.padId = document.ref.padId;
    this.rewrites = new RewriteWindow(limits.guard);
    this.rate = new MessageRate(limits.maxMessagesPerSecond, 5, limits.maxBytesPerSecond);
    this.role = identity.role;
    this.session = identity.session;
    this.curatorKeyId = identity.curatorKeyId;
    this.sessionTokenHash = identity.sessionTokenHash;
    this.budget = identity.budget;
    this.refusalHint = identity.refusalHint;
    socket.binaryType = 'nodebuffer';
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    socket.on('close', () => this.dispose());
    socket.on('error', (err) => this.log.debug({ err, session: this.session }, 'socket error'));
    socket.on('pong', () => {
      this.alive = true;
    });
    // one timer per connection: the keep-alive message when the socket has been quiet, and the protocol ping: a peer
    // that answered none since the last one is gone. Every period, so a person whose network went away stops showing
    // as present (and "✎ editing") within about two periods (20 s), not the minute a 30 s ping took.
    const keepaliveMs = limits.keepaliveMs ?? KEEPALIVE_MS;
    this.pingTimer = setInterval(() => {
      if (!this.sentSinceTick) this.send(KEEPALIVE_MESSAGE);
      this.sentSinceTick = false;
      if (!this.alive) return this.socket.terminate();
      this.alive = false;
      this.socket.ping();
    }, keepaliveMs);
    this.pingTimer.unref();

    document.peers.add(this);
    this.send(syncStep1Message(document.stateVector()));
    const presence = document.presence.snapshotFor(this);
    if (presence) this.send(presence);
  }

  send(message: Uint8Array): void {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return;
    const buffered = this.socket.bufferedAmount;
    if (buffered > SLOW_CONSUMER_BYTES) {
      const now = Date.now();
      if (this.slowSince === 0 || buffered < this.slowBuffered) {
        // over the mark, or draining since: (re)start the clock from here
        this.slowSince = now;
        this.slowBuffered = buffered;
      }
      if (buffered > MAX_BUFFERED_BYTES || now - this.slowSince > SLOW_CONSUMER_MS) {
        this.log.warn({ session: this.session, buffered }, 'dropped: the client does not read what it is sent');
        this.terminate();
        return;
      }
    } else this.slowSince = 0;
    this.sentSinceTick = true;
    this.socket.send(message, { binary: true });
  }

  /**
   * Drops the socket without a closing handshake: a reader that does not read would never finish one, and at shutdown
   * a peer that has had its chance to answer is not waited for.
   */
  terminate(): void {
    this.socket.terminate();
    this.dispose();
  }

  /** A message only the server speaks: guard notices for curators, a changed role. */
  notify(notice: ServerNotice): void {
    this.send(serverNoticeMessage(notice));
  }

  refuse(reason: string): void {
    this.send(permissionDeniedMessage(this.refusalHint ? `${reason} (${this.refusalHint})` : reason));
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.socket.close(code, reason);
    this.dispose();
  }

  recordRewrites(ids: Set<string>, section: string, now: number): GuardNotice | null {
    if (this.quarantine) return null;
    const over = this.rewrites.record(ids, now);
    if (!over) return null;
    this.quarantine = { id: newId(), section, session: this.session, role: this.role, at: now, from: over.from, to: now, entries: over.entries };
    return this.quarantine;
  }

  /**
   * Demotes the connection (its curator key was revoked, its sign-in ended): writes it may no longer make are refused
   * from now on, and the page is told at once, so it can ask for its role again.
   */
  demote(role: Role, hint: string): void {
    if (this.role === role) return;
    this.role = role;
    this.refusalHint = hint;
    this.notify({ type: 'role', role, reason: hint });
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    const rate = this.rate.record(Date.now(), Array.isArray(data) ? data.reduce((n, b) => n + b.byteLength, 0) : data.byteLength);
    if (rate.verdict === 'close') {
      this.log.warn({ session: this.session }, 'closed: message rate limit');
      this.close(1008, 'message rate limit exceeded');
      return;
    }
    if (rate.verdict === 'slow' && !this.paused) {
      // stop reading this socket until the window ends: the sender is slowed down by TCP back-pressure
      this.paused = true;
      this.socket.pause();
      setTimeout(() => {
        this.paused = false;
        if (!this.closed && !this.waitingForCommit) this.socket.resume();
      }, rate.resumeIn).unref();
    }
    if (!isBinary || !(data instanceof Buffer)) {
      this.close(1003, 'binary y-websocket messages only');
      return;
    }
    try {
      this.handle(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    } catch (err) {
      this.log.warn({ err: (err as Error).message, session: this.session }, 'undecodable message');
      this.close(1007, 'malformed message');
      return;
    }
    if (this.document.backlogged && !this.waitingForCommit && !this.closed) {
      // this turn queued a lot for the document: read no more from this socket until it is committed and sent
      this.waitingForCommit = true;
      this.socket.pause();
      this.document.pauseUntilCommitted(this);
    }
  }

  drained(): void {
    if (!this.waitingForCommit) return;
    this.waitingForCommit = false;
    if (!this.closed && !this.paused) this.socket.resume();
  }

  private handle(message: Uint8Array): void {
    const decoder = decoding.createDecoder(message);
    const type = decoding.readVarUint(decoder);
    switch (type) {
      case MessageType.sync:
        return this.handleSync(decoder);
      case MessageType.awareness:
        return this.handleAwareness(decoding.readVarUint8Array(decoder));
      case MessageType.queryAwareness: {
        const presence = this.document.presence.snapshotFor(this);
        if (presence) this.send(presence);
        return;
      }
      case MessageType.auth:
        return; // clients have nothing to say here
      default:
        this.close(1003, `unknown message type ${type}`);
    }
  }

  private handleSync(decoder: decoding.Decoder): void {
    const syncType = decoding.readVarUint(decoder);
    const body = decoding.readVarUint8Array(decoder);
    switch (syncType) {
      case SyncType.step1:
        // one answer at a time per socket: requests arriving meanwhile are one request, the latest
        this.nextStep1 = body.slice();
        if (!this.answering) this.answerNext();
        return;
      case SyncType.step2:
      case SyncType.update:
        this.document.receiveUpdate(this, body);
        return;
      default:
        this.close(1003, `unknown sync message type ${syncType}`);
    }
  }

  /**
   * Answers the latest sync step 1, once what is queued is committed (no answer carries uncommitted content) and once
   * the socket has sent most of what it was given: a reader that does not read is not sent the document again and
   * again (it is dropped by {@link send} or the ping), and a 4-byte request never costs more than one answer in flight.
   */
  private answerNext(): void {
    const stateVector = this.nextStep1;
    if (!stateVector || this.closed) {
      this.answering = false;
      return;
    }
    this.answering = true;
    if (this.socket.bufferedAmount > SLOW_CONSUMER_BYTES) {
      setTimeout(() => this.answerNext(), ANSWER_RETRY_MS).unref();
      return;
    }
    this.nextStep1 = null;
    this.document.syncAnswerFor(stateVector).then(
      (answer) => {
        this.send(answer);
        this.answerNext();
      },
      (err: unknown) => {
        this.log.warn({ err, session: this.session }, 'could not answer a sync step 1');
        // said as it is: storage away (try again later), or the server failing to encode the pad (a bug to report)
        if (this.document.health?.failure) this.close(1013, 'storage unavailable: reconnect to resync');
        else this.close(1011, 'the server could not send the pad: reconnect to resync');
      },
    );
  }

  private handleAwareness(update: Uint8Array): void {
    const verdict = this.document.presence.receive(this, update);
    if (verdict) this.log.debug({ session: this.session, verdict }, 'presence dropped');
  }

  private dispose(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pingTimer);
    this.document.peers.delete(this);
    this.document.presence.leave(this);
    this.onClose(this);
  }
}
