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

/** One entry of an awareness update: client id, clock, and the state's JSON text. */
interface PresenceEntry {
  client: number;
  clock: number;
  json: string;
}

/** Decodes an awareness update's entries; throws on malformed input (the connection closes it with 1007). */
export function decodePresence(update: Uint8Array): PresenceEntry[] {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  if (count > PRESENCE_LIMITS.maxClientsPerConnection * 4) throw new Error('too many presence entries in one message');
  const entries: PresenceEntry[] = [];
  for (let i = 0; i < count; i++) {
    entries.push({ client: decoding.readVarUint(decoder), clock: decoding.readVarUint(decoder), json: decoding.readVarString(decoder) });
  }
  if (decoding.hasContent(decoder)) throw new Error('trailing bytes after the presence entries');
  return entries;
}

/** Why a presence message was dropped, or null if it was applied. */
export type PresenceVerdict = null | 'rate' | 'schema' | 'size' | 'foreign' | 'too-many';

const REMOTE_PRESENCE = Symbol('remote presence');

export class Presence {
  readonly awareness: awarenessProtocol.Awareness;
  /** The client ids each peer introduced… */
  private readonly owners = new Map<PresencePeer, Set<number>>();
  /** …and the peer that introduced each id: it stays that peer's while it is connected, whatever its state. */
  private readonly ownerOf = new Map<number, PresencePeer>();
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
  }

  /** A peer's awareness update: checked whole, applied whole or dropped whole. */
  receive(peer: PresencePeer, update: Uint8Array): PresenceVerdict {
    if (peer.role === 'viewer') return 'foreign';
    let bucket = this.buckets.get(peer);
    if (!bucket) this.buckets.set(peer, (bucket = new TokenBucket(PRESENCE_LIMITS.burst, PRESENCE_LIMITS.perSecond)));
    if (!bucket.take()) return 'rate';
    const entries = decodePresence(update);
    const own = this.owners.get(peer) ?? new Set<number>();
    const states = this.awareness.getStates();
    let added = 0;
    for (const { client, json } of entries) {
      if (client === this.awareness.clientID) return 'foreign';
      if (!own.has(client)) {
        // someone else's id (even one whose state is null or timed out), or a live state nobody here introduced
        const owner = this.ownerOf.get(client);
        if ((owner !== undefined && owner !== peer) || states.has(client)) return 'foreign';
        added++;
      }
      if (json.length > PRESENCE_LIMITS.maxStateBytes || Buffer.byteLength(json, 'utf8') > PRESENCE_LIMITS.maxStateBytes) return 'size';
      let value: unknown;
      try {
        value = JSON.parse(json);
      } catch {
        return 'schema';
      }
      if (value !== null && parsePresence(value) === null) return 'schema';
    }
    if (own.size + added > PRESENCE_LIMITS.maxClientsPerConnection) return 'too-many';
    if (added > 0 && states.size + added > PRESENCE_LIMITS.maxClientsPerDocument) return 'too-many';
    for (const { client } of entries) {
      own.add(client);
      this.ownerOf.set(client, peer);
    }
    this.owners.set(peer, own);
    awarenessProtocol.applyAwarenessUpdate(this.awareness, update, peer);
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
    for (const id of own ?? []) if (this.ownerOf.get(id) === peer) this.ownerOf.delete(id);
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
    this.awareness.destroy();
  }
}
