/**
 * A section document's presence (awareness): hostile input, checked before anyone sees it.
 * - every state must match the presence schema (shared/presence.ts) and be at most `maxStateBytes` of JSON;
 * - a connection speaks only for the client ids it introduced, at most `maxClientsPerConnection` of them;
 * - a document holds at most `maxClientsPerDocument` states;
 * - a connection sends at most `burst` presence messages, then `perSecond`; the rest are dropped;
 * - viewers (the read-only mirror) send none and receive none: they show no presence.
 * Accepted changes are fanned out in batches (one message per {@link PRESENCE_BATCH_MS}) to every peer but viewers
 * (and but the peer a batch came from, when it all came from one).
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { PRESENCE_LIMITS, parsePresence } from '../../shared/presence.js';
import { awarenessMessage } from './messages.js';
import { TokenBucket } from './token-bucket.js';

/**
 * Presence is fanned out in batches: changes within this many milliseconds go out as one message to every peer.
 * With a thousand people on a pad, presence renewals would otherwise be a message per person per peer.
 */
export const PRESENCE_BATCH_MS = 50;

/** What presence needs of a connection. */
export interface PresencePeer {
  readonly role: string;
  send(message: Uint8Array): void;
}

/** One entry of an awareness update: client id, clock, and the state's JSON text as bytes (decoded only if needed). */
interface PresenceEntry {
  client: number;
  clock: number;
  state: Uint8Array;
}

/** Decodes an awareness update's entries; throws on malformed input (the connection closes it with 1007). */
export function decodePresence(update: Uint8Array): PresenceEntry[] {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  // (an entry takes at least three bytes: a count past the message's length is not an awareness update)
  if (count > update.byteLength) throw new Error('more presence entries than the message could hold');
  const entries: PresenceEntry[] = [];
  for (let i = 0; i < count; i++) {
    entries.push({ client: decoding.readVarUint(decoder), clock: decoding.readVarUint(decoder), state: decoding.readVarUint8Array(decoder) });
  }
  if (decoding.hasContent(decoder)) throw new Error('trailing bytes after the presence entries');
  return entries;
}

/** The entries as an awareness update of their own. */
function encodePresence(entries: PresenceEntry[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const e of entries) {
    encoding.writeVarUint(encoder, e.client);
    encoding.writeVarUint(encoder, e.clock);
    encoding.writeVarUint8Array(encoder, e.state);
  }
  return encoding.toUint8Array(encoder);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

const CLEARED = new TextEncoder().encode('null');
/** A presence entry whose state is `null` (someone's presence cleared). */
function isCleared(state: Uint8Array): boolean {
  return state.byteLength === CLEARED.byteLength && state.every((b, i) => b === CLEARED[i]);
}

/**
 * Why a presence message was dropped, or null if it was applied. `echo`: it spoke only for others (y-websocket sends
 * back every presence change it hears), which is skipped without a word or a token of the peer's rate.
 */
export type PresenceVerdict = null | 'viewer' | 'echo' | 'rate' | 'schema' | 'size' | 'role' | 'too-many';

const REMOTE_PRESENCE = Symbol('remote presence');

/** The largest presence clock taken (a page's clock grows by one a change: 2^31 is decades of them). */
export const MAX_PRESENCE_CLOCK = 2 ** 31;
/** How long the ids of peers that left are remembered (their removal's clock, who may bring them back). */
export const FORGET_AFTER_MS = 60_000;

export class Presence {
  readonly awareness: awarenessProtocol.Awareness;
  /** The client ids each peer introduced… */
  private readonly owners = new Map<PresencePeer, Set<number>>();
  /** …and the peer that introduced each id: it stays that peer's while it is connected, whatever its state. */
  private readonly ownerOf = new Map<number, PresencePeer>();
  /**
   * What is added to the clocks of an id introduced again (its person reconnecting): the server counted its removal
   * as a newer clock than the person's own, and everyone would ignore the person's state until their clock passed it.
   */
  private readonly clockOffset = new Map<number, number>();
  /**
   * Peers numbered in the order they first spoke: a peer that spoke before an id was removed (a page echoing what it
   * heard) never introduces it again, nor takes it from one that spoke later (its person, reconnecting).
   */
  private readonly serials = new WeakMap<PresencePeer, number>();
  /** The id each peer spoke for first: a page's own (y-websocket sends its own state first when it connects). */
  private readonly firstIds = new WeakMap<PresencePeer, number>();
  private lastSerial = 0;
  /** Ids whose peer left: the serial reached then, and when (forgotten after {@link FORGET_AFTER_MS}). */
  private readonly departed = new Map<number, { serial: number; at: number }>();
  /** Ids held by a peer that introduced them again (not their first): a peer that spoke later may take them. */
  private readonly reintroduced = new Set<number>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly buckets = new Map<PresencePeer, TokenBucket>();
  /** Client ids whose presence changed since the last flush, each with the origin of its latest change. */
  private readonly pending = new Map<number, unknown>();
  private timer: NodeJS.Timeout | null = null;
  private destroyed = false;

  constructor(
    doc: Y.Doc,
    private readonly peers: () => Iterable<PresencePeer>,
    /** Told of every change made here (a peer's checked update, a peer leaving), for the other processes. */
    private readonly onLocalChange?: (update: Uint8Array) => void,
  ) {
    this.awareness = new awarenessProtocol.Awareness(doc);
    // The server has no presence of its own (its word travels as server notices, never as presence).
    this.awareness.setLocalState(null);
    this.awareness.on('update', this.onUpdate);
    this.sweeper = setInterval(this.forgetDeparted, FORGET_AFTER_MS);
    this.sweeper.unref();
  }

  private serialOf(peer: PresencePeer): number {
    let serial = this.serials.get(peer);
    if (serial === undefined) this.serials.set(peer, (serial = ++this.lastSerial));
    return serial;
  }

  /**
   * Whether `peer` may speak for `client`, which it does not hold: an id nobody holds and nobody here has a state
   * for, unless it was removed before `peer` first spoke (an echo of a departed person's last state arriving after
   * their removal would hide them, back on a new socket, for as long as the echoing page stayed); or an id another
   * peer introduced again, which a peer that spoke later takes (its person, reconnecting after someone took it).
   */
  private mayIntroduce(peer: PresencePeer, client: number): boolean {
    const its = this.firstIds.get(peer) === client;
    const holder = this.ownerOf.get(client);
    if (holder) return its && this.reintroduced.has(client) && this.serialOf(peer) > this.serialOf(holder);
    if (this.awareness.getStates().has(client)) return false;
    const gone = this.departed.get(client);
    // (its own id: the same person's new socket may have spoken before the old one was found gone)
    return !gone || its || this.serialOf(peer) > gone.serial;
  }

  /** Bookkeeping of ids gone for a while (their clocks: the awareness keeps them forever otherwise). */
  private forgetDeparted = (): void => {
    const before = Date.now() - FORGET_AFTER_MS;
    for (const [client, gone] of this.departed) {
      if (gone.at > before) continue;
      this.departed.delete(client);
      if (!this.ownerOf.has(client) && !this.awareness.getStates().has(client)) this.awareness.meta.delete(client);
    }
  };

  /**
   * A peer's awareness update. Entries for client ids the peer does not speak for are skipped: y-websocket sends back
   * every presence change it hears, others' included, so a page among nine people or more sent whole batches of them
   * back (which used to close its socket, over and over). What is left is checked whole, applied whole or dropped
   * whole.
   */
  receive(peer: PresencePeer, update: Uint8Array): PresenceVerdict {
    if (peer.role === 'viewer') return 'viewer';
    const entries = decodePresence(update);
    const own = this.owners.get(peer) ?? new Set<number>();
    const states = this.awareness.getStates();
    // The peer's own ids, and ids nobody has (no connected peer, no state here) that it introduces, or introduces
    // again, with a state. Not a cleared state of an id nobody has: that is an echo of someone leaving, and taking the
    // id with it kept that person, back on a new socket, from being shown to anyone while the echoing page stayed.
    this.serialOf(peer);
    if (!this.firstIds.has(peer) && entries.length > 0) this.firstIds.set(peer, entries[0]!.client);
    const mine = entries.filter(
      (e) => e.client !== this.awareness.clientID && (own.has(e.client) || (!isCleared(e.state) && this.mayIntroduce(peer, e.client))),
    );
    if (mine.length === 0) return 'echo';
    // clocks count changes from 0: one past 2^31 is no person's (and near 2^53 adding 1 changes nothing: stuck)
    if (mine.some((e) => e.clock > MAX_PRESENCE_CLOCK)) return 'schema';
    let bucket = this.buckets.get(peer);
    if (!bucket) this.buckets.set(peer, (bucket = new TokenBucket(PRESENCE_LIMITS.burst, PRESENCE_LIMITS.perSecond)));
    if (!bucket.take()) return 'rate';
    let added = 0;
    for (const { client, state } of mine) {
      if (!own.has(client)) added++;
      if (state.byteLength > PRESENCE_LIMITS.maxStateBytes) return 'size';
      let value: unknown;
      try {
        value = JSON.parse(utf8.decode(state));
      } catch {
        return 'schema';
      }
      if (value === null) continue;
      const presence = parsePresence(value);
      if (presence === null) return 'schema';
      // typing in a ready entry is said only by those who can write the ready list
      if (presence.cursor?.section === 'ready' && peer.role !== 'curator') return 'role';
    }
    if (own.size + added > PRESENCE_LIMITS.maxClientsPerConnection) return 'too-many';
    if (added > 0 && states.size + added > PRESENCE_LIMITS.maxClientsPerDocument) return 'too-many';
    let rewritten = mine.length !== entries.length;
    for (const entry of mine) {
      const { client } = entry;
      if (!own.has(client)) {
        const holder = this.ownerOf.get(client);
        if (holder) this.owners.get(holder)?.delete(client);
        if (holder || this.awareness.meta.has(client)) this.reintroduced.add(client);
        else this.reintroduced.delete(client);
        this.departed.delete(client);
        own.add(client);
        this.ownerOf.set(client, peer);
        // introduced again: its clock must pass the one its removal was given here, or nobody shows it
        const known = this.awareness.meta.get(client)?.clock;
        if (known !== undefined && entry.clock + (this.clockOffset.get(client) ?? 0) <= known) this.clockOffset.set(client, known + 1 - entry.clock);
      }
      const offset = this.clockOffset.get(client);
      if (offset) {
        entry.clock += offset;
        rewritten = true;
      }
    }
    this.owners.set(peer, own);
    awarenessProtocol.applyAwarenessUpdate(this.awareness, rewritten ? encodePresence(mine) : update, peer);
    return null;
  }

  /** Everyone's presence, for a peer that just connected or asked (none for viewers). */
  snapshotFor(peer: PresencePeer): Uint8Array | null {
    if (peer.role === 'viewer') return null;
    const clients = [...this.awareness.getStates().keys()];
    if (clients.length === 0) return null;
    return awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients));
  }

  /** A peer left: its presence goes with it. */
  leave(peer: PresencePeer): void {
    const own = this.owners.get(peer);
    this.owners.delete(peer);
    this.buckets.delete(peer);
    for (const id of own ?? []) {
      if (this.ownerOf.get(id) !== peer) continue;
      this.ownerOf.delete(id);
      this.clockOffset.delete(id);
      this.reintroduced.delete(id);
      this.departed.set(id, { serial: this.lastSerial, at: Date.now() });
    }
    if (own && own.size > 0 && !this.destroyed) awarenessProtocol.removeAwarenessStates(this.awareness, [...own], null);
  }

  /** Presence of peers of another process, as that process checked it: shown here, never sent back. */
  applyRemote(update: Uint8Array): void {
    if (this.destroyed) return;
    try {
      awarenessProtocol.applyAwarenessUpdate(this.awareness, update, REMOTE_PRESENCE);
    } catch {
      // a malformed message on the fan-out channel changes nothing
    }
  }

  private onUpdate = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown): void => {
    const changed = added.concat(updated, removed);
    if (changed.length === 0) return;
    // what the other processes need: changes checked here. Not theirs shown here (REMOTE_PRESENCE), nor a state timing
    // out here (each process times states out itself: publishing it would remove, on the process whose peer owns it,
    // a state whose renewal only this process missed)
    if (origin !== REMOTE_PRESENCE && origin !== 'timeout' && this.onLocalChange) {
      this.onLocalChange(awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed));
    }
    for (const id of changed) this.pending.set(id, origin);
    this.timer ??= setTimeout(this.flush, PRESENCE_BATCH_MS);
  };

  /**
   * Sends the batched presence changes, encoded once, to every peer but viewers. A batch whose every change came
   * from one peer is not sent back to that peer (it has those states already: echoing them was a message per
   * presence change for nothing); a batch mixing several origins goes to all (a sender's own state is a no-op there).
   */
  private flush = (): void => {
    this.timer = null;
    if (this.destroyed || this.pending.size === 0) return;
    const origins = this.pending.values();
    let skip: unknown = origins.next().value;
    for (const o of origins) {
      if (o !== skip) {
        skip = undefined;
        break;
      }
    }
    const clients = [...this.pending.keys()];
    this.pending.clear();
    let message: Uint8Array | null = null;
    for (const peer of this.peers()) {
      if (peer.role === 'viewer' || peer === skip) continue;
      message ??= awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients));
      peer.send(message);
    }
  };

  destroy(): void {
    this.destroyed = true;
    if (this.timer) clearTimeout(this.timer);
    clearInterval(this.sweeper);
    this.awareness.destroy();
  }
}
