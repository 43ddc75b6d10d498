/**
 * One WebSocket on one section document. Its role is decided at upgrade time and bound to it (a revoked curator
 * key demotes it on the spot). Every message is hostile until decoded: a message that cannot be decoded closes the
 * socket with 1007 and a reason; the document never sees it.
 */
import type { WebSocket, RawData } from 'ws';
import * as decoding from 'lib0/decoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { Logger } from 'pino';
import { canSendPresence, type Role } from '../../shared/roles.js';
import type { Peer, SectionDocument } from './section-document.js';
import { RewriteWindow, type GuardNotice, type GuardOptions } from './rewrite-guard.js';
import { MessageRate } from './message-rate.js';
import { newId } from '../auth/secrets.js';
import {
  MessageType,
  SyncType,
  permissionDeniedMessage,
  presenceClientIds,
  syncStep1Message,
  syncStep2Message,
} from './messages.js';

export interface ConnectionIdentity {
  role: Role;
  /** Server-assigned session name recorded with every accepted update. */
  session: string;
  /** The curator key this connection authenticated with, if any. */
  curatorKeyId?: string;
  refusalHint?: string;
}

const PING_INTERVAL_MS = 30_000;

export class Connection implements Peer {
  role: Role;
  readonly session: string;
  readonly curatorKeyId: string | undefined;
  private refusalHint: string | undefined;
  /** Awareness client ids this connection has announced, removed when it closes. */
  private readonly presenceIds = new Set<number>();
  private alive = true;
  private readonly pingTimer: NodeJS.Timeout;
  private closed = false;
  quarantine: GuardNotice | null = null;
  private readonly rewrites: RewriteWindow;
  private readonly rate: MessageRate;
  private paused = false;

  constructor(
    private readonly socket: WebSocket,
    readonly document: SectionDocument,
    identity: ConnectionIdentity,
    private readonly log: Logger,
    limits: { guard: GuardOptions; maxMessagesPerSecond: number },
    private readonly onClose: (connection: Connection) => void,
  ) {
    this.rewrites = new RewriteWindow(limits.guard);
    this.rate = new MessageRate(limits.maxMessagesPerSecond);
    this.role = identity.role;
    this.session = identity.session;
    this.curatorKeyId = identity.curatorKeyId;
    this.refusalHint = identity.refusalHint;
    socket.binaryType = 'nodebuffer';
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    socket.on('close', () => this.dispose());
    socket.on('error', (err) => this.log.debug({ err, session: this.session }, 'socket error'));
    socket.on('pong', () => {
      this.alive = true;
    });
    this.pingTimer = setInterval(() => {
      if (!this.alive) return this.socket.terminate();
      this.alive = false;
      this.socket.ping();
    }, PING_INTERVAL_MS);
    this.pingTimer.unref();

    document.peers.add(this);
    this.send(syncStep1Message(document.stateVector()));
    const presence = document.presenceMessage();
    if (presence) this.send(presence);
  }

  send(message: Uint8Array): void {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(message, { binary: true });
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

  /** Demotes the connection (its curator key was revoked): writes it may no longer make are refused from now on. */
  demote(role: Role, hint: string): void {
    this.role = role;
    this.refusalHint = hint;
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    const rate = this.rate.record(Date.now());
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
        if (!this.closed) this.socket.resume();
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
    }
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
        const presence = this.document.presenceMessage();
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
        this.send(syncStep2Message(this.document.diffFor(body)));
        return;
      case SyncType.step2:
      case SyncType.update:
        this.document.receiveUpdate(this, body);
        return;
      default:
        this.close(1003, `unknown sync message type ${syncType}`);
    }
  }

  private handleAwareness(update: Uint8Array): void {
    if (!canSendPresence(this.role)) return; // read-only links send no presence; dropped silently
    // A connection speaks only for presence it introduced: no overwriting someone else's name or colour.
    const states = this.document.awareness.getStates();
    if (presenceClientIds(update).some((id) => states.has(id) && !this.presenceIds.has(id))) {
      this.log.info({ session: this.session }, 'presence for another client dropped');
      return;
    }
    awarenessProtocol.applyAwarenessUpdate(this.document.awareness, update, this);
  }

  ownPresence(added: number[], removed: number[]): void {
    for (const id of added) this.presenceIds.add(id);
    for (const id of removed) this.presenceIds.delete(id);
  }

  private dispose(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pingTimer);
    this.document.peers.delete(this);
    if (this.presenceIds.size > 0) {
      awarenessProtocol.removeAwarenessStates(this.document.awareness, [...this.presenceIds], null);
    }
    this.onClose(this);
  }
}
