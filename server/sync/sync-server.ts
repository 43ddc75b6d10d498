/**
 * The sync endpoint: `ws://HOST:PORT/sync/<padRef>/<section>`, standard y-websocket protocol.
 * The role is decided here, at upgrade time, and bound to the connection.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Logger } from 'pino';
import { isSection } from '../../shared/schema.js';
import type { PadDirectory } from '../pads.js';
import { bearerToken, type Identifier } from '../auth/identify.js';
import type { DocumentRegistry } from './document-registry.js';
import { Connection } from './connection.js';
import type { GuardOptions } from './rewrite-guard.js';
import { isForeignOrigin } from '../http/security.js';
import { clientAddressOf, trustedProxies, type TrustedProxies } from '../http/client-address.js';
import type { WriteBudgets } from './write-budget.js';
import type { PadEvents } from '../events.js';
import type { OverloadMonitor } from '../overload.js';
import type { GuardNotices } from '../guard-notices.js';
import { PadGone } from './document-registry.js';
import type { CuratorKeys } from '../auth/curator-keys.js';
import type { CuratorSessions } from '../auth/sessions.js';

const SYNC_PATH = /^\/sync\/([^/]+)\/([^/]+)$/;

export interface SyncServerOptions {
  maxMessageBytes: number;
  guard: GuardOptions;
  maxConnectionsPerAddress: number;
  /** TRUST_PROXY: whose X-Forwarded-For is believed when counting connections per address. */
  trustProxy: string;
  maxMessagesPerSecond: number;
  /** Bytes per second one connection may send before it is slowed down. */
  maxBytesPerSecond?: number;
  /** How often a quiet socket is sent a keep-alive (connection.ts, KEEPALIVE_MS by default). */
  keepaliveMs?: number;
}

/** What the sync server listens to and consults besides the pads and the documents. */
export interface SyncServerParts {
  events?: PadEvents;
  overload?: OverloadMonitor;
  notices?: GuardNotices;
  /** Live review status: a socket gets its section's status when it opens. */
  status?: { sendTo(ref: { padId: string; section: string }, connection: Connection): Promise<void> };
  /**
   * Re-checks, every `everyMs`, that curator sockets' keys and sign-ins are still live: a revocation by the admin
   * command line (another process, perhaps without the fan-out) demotes them within that time.
   */
  curatorCheck?: { keys: Pick<CuratorKeys, 'list'>; sessions: Pick<CuratorSessions, 'isLive'>; everyMs: number };
  /** What each client address may still write to the logs (shared with the HTTP write paths). */
  budgets?: WriteBudgets;
}

export class SyncServer {
  private readonly wss: WebSocketServer;
  readonly connections = new Set<Connection>();
  private readonly perAddress = new Map<string, number>();
  private readonly trust: TrustedProxies;
  private readonly curatorTimer: NodeJS.Timeout | null = null;
  private checking = false;

  constructor(
    private readonly pads: PadDirectory,
    private readonly identifier: Identifier,
    private readonly registry: DocumentRegistry,
    private readonly log: Logger,
    private readonly options: SyncServerOptions,
    private readonly parts: SyncServerParts = {},
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes, perMessageDeflate: false });
    this.trust = trustedProxies(options.trustProxy);
    const events = parts.events;
    if (events) {
      events.on('keysRevoked', ({ padId, keyIds }) => {
        const revoked = new Set(keyIds);
        this.demoteWhere((c) => c.padId === padId && c.curatorKeyId !== undefined && revoked.has(c.curatorKeyId), 'the curator key of this connection was revoked');
      });
      events.on('sessionClosed', ({ padId, tokenHash }) => {
        this.demoteWhere((c) => c.padId === padId && c.sessionTokenHash === tokenHash, 'signed out');
      });
      events.on('padDeleted', ({ padId }) => registry.padDeleted(padId));
      // revocations and sign-outs of other processes may have been lost while the fan-out was away
      events.on('missed', () => void this.checkCurators());
    }
    if (parts.curatorCheck) {
      this.curatorTimer = setInterval(() => void this.checkCurators(), parts.curatorCheck.everyMs);
      this.curatorTimer.unref();
    }
  }

  /** Demotes curator sockets whose key was revoked or whose sign-in ended, wherever that happened. */
  private async checkCurators(): Promise<void> {
    const check = this.parts.curatorCheck;
    if (!check || this.checking) return;
    this.checking = true;
    try {
      const byPad = new Map<string, Connection[]>();
      for (const c of this.connections) if (c.role === 'curator') byPad.set(c.padId, [...(byPad.get(c.padId) ?? []), c]);
      for (const [padId, connections] of byPad) {
        const live = new Set((await check.keys.list(padId)).map((k) => k.id));
        for (const c of connections) {
          if (c.curatorKeyId === undefined || !live.has(c.curatorKeyId)) {
            c.demote('contributor', 'the curator key of this connection was revoked');
          } else if (c.sessionTokenHash !== undefined && !(await check.sessions.isLive(c.sessionTokenHash))) {
            c.demote('contributor', 'signed out');
          }
        }
      }
    } catch (err) {
      this.log.debug({ err }, 'curator check failed; retrying later');
    } finally {
      this.checking = false;
    }
  }

  /** Demotes the curator connections `match` selects to contributors, at once (they are told with a server notice). */
  private demoteWhere(match: (c: Connection) => boolean, reason: string): void {
    for (const connection of this.connections) {
      if (connection.role === 'curator' && match(connection)) connection.demote('contributor', reason);
    }
  }

  handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    this.upgrade(req, socket, head).catch((err: unknown) => {
      this.log.error({ err }, 'upgrade failed');
      if (!socket.destroyed) reject(socket, 503, 'storage unavailable: try again shortly', { 'Retry-After': '2' });
    });
  };

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = SYNC_PATH.exec(url.pathname);
    if (!match) return reject(socket, 404, 'no such endpoint');
    let padRef: string;
    try {
      padRef = decodeURIComponent(match[1]!);
    } catch {
      return reject(socket, 400, 'malformed pad reference');
    }
    const section = match[2]!;
    if (!isSection(section)) return reject(socket, 404, 'section must be "proposed" or "ready"');
    // Cross-site WebSocket hijacking: a page of another origin (another port of this host included) must not open a
    // socket with the curator's sign-in cookie attached. A key in the URL or a Bearer header is not ambient: allowed.
    // A cookie is never used for a foreign origin, even one that also sends a key (an empty `?key=` once opened a
    // curator socket with the victim's cookie): a key it sends must prove curatorship by itself.
    const bearer = bearerToken(req.headers.authorization);
    const keyParam = url.searchParams.get('key');
    const explicitKey = Boolean(bearer) || Boolean(keyParam);
    const foreign = isForeignOrigin({ origin: req.headers.origin, host: req.headers.host, secFetchSite: firstHeader(req.headers['sec-fetch-site']) });
    if (foreign && !explicitKey) return reject(socket, 403, 'cross-site WebSocket refused (Origin does not match this server)');
    if (this.parts.overload?.saturated) {
      this.log.warn({ lagMs: Math.round(this.parts.overload.lagMs) }, 'refused a sync connection: server saturated');
      return reject(socket, 503, 'server overloaded: try again in a few seconds', { 'Retry-After': '5' });
    }
    const resolved = await this.pads.resolve(padRef);
    if (!resolved) return reject(socket, 404, 'no such pad');
    const address = clientAddressOf(req, this.trust);
    if ((this.perAddress.get(address) ?? 0) >= this.options.maxConnectionsPerAddress) {
      this.log.warn({ address }, 'refused: too many connections from one address');
      return reject(socket, 429, `too many connections from this address (at most ${this.options.maxConnectionsPerAddress})`);
    }
    // The slot is taken now, not once the socket is open: upgrades racing through the awaits below all passed the
    // check before any of them counted. It is given back when the connection closes, or here if it never opens.
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    let slotHeld = true;
    const releaseSlot = () => {
      if (!slotHeld) return;
      slotHeld = false;
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left > 0) this.perAddress.set(address, left);
      else this.perAddress.delete(address);
    };
    let attached = false;
    try {
      const keyGiven = url.searchParams.has('key') || req.headers.authorization !== undefined;
      const identity = await this.identifier.identify(resolved, {
        bearer,
        keyParam,
        // a key given (even an empty or malformed one) is the only credential considered; a foreign origin gets no cookie
        cookieHeader: keyGiven || foreign ? undefined : req.headers.cookie,
      });
      // A key that does not prove curatorship still connects (as a contributor), so y-websocket does not retry in a
      // loop; every write it is refused says why.
      if (keyGiven && identity.role !== 'curator') identity.refusalHint = 'the curator key given is not valid for this pad';

      const ref = { padId: resolved.pad.id, section };
      let document;
      try {
        // loaded before the upgrade completes, so no message of the client arrives before its document is there
        document = await this.registry.open(ref);
      } catch (err) {
        if (!(err instanceof PadGone)) throw err;
        return reject(socket, 404, 'no such pad');
      }
      if (socket.destroyed) {
        this.registry.release(ref);
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        attached = true;
        const limits = {
          guard: this.options.guard,
          maxMessagesPerSecond: this.options.maxMessagesPerSecond,
          maxBytesPerSecond: this.options.maxBytesPerSecond,
          keepaliveMs: this.options.keepaliveMs,
        };
        const connection = new Connection(ws, document, { ...identity, budget: this.parts.budgets?.for(address) }, this.log, limits, (closed) => {
          releaseSlot();
          this.connections.delete(closed);
          this.registry.release(ref);
          this.log.info({ pad: ref.padId, section, session: closed.session }, 'sync connection closed');
        });
        this.connections.add(connection);
        void this.parts.notices?.sendTo(ref.padId, connection);
        void this.parts.status?.sendTo(ref, connection);
        this.log.info({ pad: ref.padId, section, role: identity.role, session: identity.session }, 'sync connection opened');
      });
      // ws completes an upgrade synchronously here (no extensions, no verifyClient), or destroys the socket
      if (!attached) this.registry.release(ref);
    } finally {
      if (!attached) releaseSlot();
    }
  }

  /**
   * Closes every socket with `code` (1001 going away / 1012 restart: clients reconnect by themselves); a peer that
   * has not answered the closing handshake within {@link CLOSE_GRACE_MS} (busy, starved, gone) is dropped, so
   * shutting down never waits on a client.
   */
  closeAll(code: number, reason: string): void {
    if (this.curatorTimer) clearInterval(this.curatorTimer);
    const connections = [...this.connections];
    for (const connection of connections) connection.close(code, reason);
    this.wss.close();
    setTimeout(() => {
      for (const connection of connections) connection.terminate();
    }, CLOSE_GRACE_MS).unref();
  }
}

/** How long a closing socket's peer has to answer the closing handshake when the server shuts down. */
export const CLOSE_GRACE_MS = 1000;

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function reject(socket: Duplex, status: number, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ error: message });
  const reason =
    { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 503: 'Service Unavailable' }[status] ?? 'Error';
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`,
  );
}
