/**
 * A pad's live connection in the browser: one Y.Doc and y-websocket provider per section.
 *
 * When the server refuses a write (y-protocols auth message), that document can never sync cleanly again: Yjs applies
 * one client's structs in clock order, so every later update of this clientID would wait on the refused one. The
 * section is therefore reset: its document and provider are discarded and a fresh Y.Doc (new clientID) is synced
 * from the server. The refused state is gone with the old document, so nothing re-sends it on reconnect; the
 * BroadcastChannel between tabs is off so no other tab can hand it back either.
 */
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import type { Awareness } from 'y-protocols/awareness';
import * as decoding from 'lib0/decoding';
import { sectionToJSON, type EntryData, type Section } from '../../shared/schema.js';
import { entryLabel } from '../../shared/labels.js';
import { rewrittenEntries } from '../../shared/rewrites.js';
import type { GuardNoticeData, ServerNotice } from '../../shared/presence.js';
import { INITIAL_STATE_ELEMENT_ID, MESSAGE_TYPES, type InitialState } from '../../shared/wire.js';
import { fromBase64 } from 'lib0/buffer';
import { StatusStore } from './status-store.js';

export type ConnectionState = 'connecting' | 'live' | 'offline';

/** A single local change rewriting text in this many entries or more is held back for the person to confirm. */
export const HOLD_REWRITES = 3;

export class SectionSync extends EventTarget {
  doc!: Y.Doc;
  provider!: WebsocketProvider;
  state: ConnectionState = 'connecting';
  /** Set when the server refused a write; shown to the person. */
  lastRefusal: string | null = null;
  /**
   * After a refused write, once the section is synced again: the entries this page held otherwise than the server
   * does (its unsent edits, gone with the reset, or changes others made meanwhile), for the person to retype.
   */
  lostEdits: LostEdit[] = [];
  /** Entries rewritten by a local change held back for confirmation (0: nothing held). */
  heldRewrites = 0;
  /** The last server notice of each type this section's socket received (only the server speaks this type). */
  lastNotice: { guard?: GuardNoticeData[] } = {};
  /** Whether this section was ever live (a page still connecting for the first time has lost nothing). */
  wasLive = false;
  /**
   * Changes made here while the section was not live (offline, or a change held back): they exist only in this page
   * until the connection is back and has sent them, so leaving the page now would lose them.
   */
  unsent = 0;

  constructor(
    private readonly baseUrl: string,
    readonly padRef: string,
    readonly section: Section,
    private readonly params: Record<string, string> = {},
    initial: Uint8Array | null = null,
  ) {
    super();
    this.open(initial);
  }

  /** `initial`: the section's state as the page carried it (shown at once; the sync brings what changed since). */
  private open(initial: Uint8Array | null = null): void {
    this.doc = new Y.Doc();
    if (initial) {
      Y.applyUpdate(this.doc, initial, INITIAL_STATE_ELEMENT_ID);
      performance.mark(`cyclepad:initial:${this.section}`);
    }
    this.provider = new WebsocketProvider(`${this.baseUrl}/sync/${encodeURIComponent(this.padRef)}`, this.section, this.doc, {
      disableBc: true,
      params: this.params,
    });
    this.doc.on('afterTransaction', this.checkOutgoing);
    this.doc.on('update', this.countUnsent);
    this.provider.messageHandlers[MESSAGE_TYPES.auth] = (_encoder, decoder) => {
      // permission denied: varuint 0, then the reason
      if (decoding.readVarUint(decoder) === 0) this.refused(decoding.readVarString(decoder));
    };
    this.provider.messageHandlers[MESSAGE_TYPES.serverNotice] = (_encoder, decoder) => {
      let notice: ServerNotice;
      try {
        notice = JSON.parse(decoding.readVarString(decoder)) as ServerNotice;
      } catch {
        return;
      }
      if (notice.type === 'guard' && Array.isArray(notice.notices)) this.lastNotice = { ...this.lastNotice, guard: notice.notices };
      if (notice.type === 'role') this.lastNotice = {};
      this.dispatchEvent(new CustomEvent<ServerNotice>('notice', { detail: notice }));
      this.changed();
    };
    this.provider.on('status', ({ status }: { status: string }) => {
      performance.mark(`cyclepad:${status}:${this.section}`);
      if (status === 'connected') this.forgetDeparted();
      this.state = status === 'connected' ? (this.provider.synced ? 'live' : 'connecting') : status === 'connecting' ? 'connecting' : 'offline';
      if (this.state === 'live') this.wasLive = true;
      this.changed();
      if (this.state === 'live') this.sentUnsent();
    });
    this.provider.on('sync', (synced: boolean) => {
      if (synced) performance.mark(`cyclepad:synced:${this.section}`);
      if (synced && this.provider.wsconnected) this.state = 'live';
      if (this.state === 'live') this.wasLive = true;
      this.changed();
      if (this.state === 'live') this.sentUnsent();
    });
  }

  /** A change of this page's own (not the server's, not another tab's) while not live: counted until sent. */
  private countUnsent = (_update: Uint8Array, origin: unknown, _doc: Y.Doc, transaction: Y.Transaction): void => {
    if (!transaction.local || origin === this.provider || this.state === 'live') return;
    this.unsent++;
    this.changed();
  };

  /**
   * Live again: what was made meanwhile went out in this sync (the answer to the server's sync step 1, which comes
   * first). Counted as sent once the socket has handed every byte on.
   */
  private sentUnsent = (): void => {
    if (this.unsent === 0 || this.state !== 'live') return;
    if ((this.provider.ws?.bufferedAmount ?? 0) > 0) {
      setTimeout(this.sentUnsent, 50);
      return;
    }
    this.unsent = 0;
    this.changed();
  };

  /**
   * When its socket closes, the provider removes everyone else's presence but keeps their clocks; the server's
   * snapshot on reconnecting carries the same clocks, which y-protocols then ignores as already seen, so the people
   * here stayed invisible until their next renewal (15 s). Forgetting the clocks of those no longer shown lets the
   * snapshot show them again at once.
   */
  private forgetDeparted(): void {
    const awareness = this.provider.awareness;
    for (const client of [...awareness.meta.keys()]) {
      if (client !== awareness.clientID && !awareness.states.has(client)) awareness.meta.delete(client);
    }
  }

  /**
   * The outgoing check: a local change that rewrites text in many entries at once (typing never does) is held back.
   * This runs before the document's `update` event, so taking the section offline here means the change is not
   * sent, now or by a later sync, until the person says so.
   */
  private checkOutgoing = (transaction: Y.Transaction): void => {
    if (!transaction.local || transaction.origin === this.provider) return;
    const rewritten = rewrittenEntries(transaction).size;
    if (rewritten < HOLD_REWRITES && this.heldRewrites === 0) return;
    this.heldRewrites = Math.max(this.heldRewrites, rewritten);
    this.provider.disconnect();
    this.state = 'offline';
    this.changed();
  };

  /** Sends the held change (and anything made since): reconnecting syncs it. */
  sendHeld(): void {
    this.heldRewrites = 0;
    this.provider.connect();
    this.changed();
  }

  /** Drops the held change: the section is taken fresh from the server. */
  discardHeld(): void {
    this.heldRewrites = 0;
    this.reset();
  }

  private refused(reason: string): void {
    this.lastRefusal = reason;
    // what the page shows now, unsent edits included: compared with the server's copy once it is back
    const held = sectionToJSON(this.doc);
    this.dispatchEvent(new Event('refused'));
    // Leave the message handler before tearing the provider down.
    queueMicrotask(() => {
      this.reset();
      const provider = this.provider;
      const compare = (synced: boolean) => {
        if (!synced || provider !== this.provider) return;
        provider.off('sync', compare);
        this.lostEdits = lostEdits(held, sectionToJSON(this.doc));
        this.changed();
      };
      provider.on('sync', compare);
    });
  }

  /** The person has read what the refusal said (and copied what they wanted). */
  dismissRefusal(): void {
    this.lastRefusal = null;
    this.lostEdits = [];
    this.changed();
  }

  /** Discards the document and takes a fresh one from the server. */
  reset(): void {
    const presence = this.provider.awareness.getLocalState();
    this.provider.destroy();
    this.doc.destroy();
    this.state = 'connecting';
    // what was not sent went with the discarded document
    this.unsent = 0;
    this.open();
    if (presence) this.provider.awareness.setLocalState(presence);
    this.dispatchEvent(new Event('reset'));
    this.changed();
  }

  get awareness(): Awareness {
    return this.provider.awareness;
  }

  private changed(): void {
    this.dispatchEvent(new Event('change'));
  }

  destroy(): void {
    this.provider.destroy();
    this.doc.destroy();
  }
}

/** An entry as this page held it, where the server's copy differs: the fields that differ, with the page's text. */
export interface LostEdit {
  id: string;
  label: string;
  /** Not on the server at all (added here, or removed there meanwhile). */
  missing: boolean;
  fields: Array<{ field: string; text: string }>;
}

const LOST_FIELDS = ['title', 'launchpad', 'owner', 'note', 'reviews', 'kind', 'status'] as const;

/** What `held` has that `server` does not, entry by entry (by id), field by field. */
export function lostEdits(held: readonly EntryData[], server: readonly EntryData[]): LostEdit[] {
  const byId = new Map(server.map((e) => [e.id, e]));
  const out: LostEdit[] = [];
  for (const entry of held) {
    const now = byId.get(entry.id);
    const text = (e: EntryData, f: (typeof LOST_FIELDS)[number]) => (f === 'reviews' ? e.reviews.join('\n') : String(e[f]));
    const fields = LOST_FIELDS.filter((f) => !now || text(entry, f) !== text(now, f))
      .map((f) => ({ field: f, text: text(entry, f) }))
      .filter((f) => !(now === undefined && f.text === ''));
    if (fields.length > 0) out.push({ id: entry.id, label: entryLabel(entry), missing: !now, fields });
  }
  return out;
}

/** How long a connection is down before the page says so (a reconnect within it goes unremarked). */
export const LOST_AFTER_MS = 1500;

/** Both sections of a pad. Presence travels with the `proposed` section only (viewers send none at all). */
export class PadConnection extends EventTarget {
  readonly proposed: SectionSync;
  readonly ready: SectionSync;
  /**
   * The connection to the server was lost (for {@link LOST_AFTER_MS} or more) after the page had been live: edits
   * made meanwhile are kept in the page and sent when it is back. (Not a change held back by the rewrite guard,
   * which the page asks about on its own.)
   */
  lost = false;
  private lostTimer: ReturnType<typeof setTimeout> | null = null;
  /** Live review status: the `status` notices of both sections' sockets, merged per item. */
  readonly status = new StatusStore();

  constructor(padRef: string, options: { baseUrl?: string; sendPresence: boolean }) {
    super();
    const baseUrl = options.baseUrl ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
    const initial = takeInitialState(padRef);
    this.proposed = new SectionSync(baseUrl, padRef, 'proposed', {}, initial?.proposed);
    this.ready = new SectionSync(baseUrl, padRef, 'ready', {}, initial?.ready);
    this.ready.awareness.setLocalState(null);
    if (!options.sendPresence) this.proposed.awareness.setLocalState(null);
    for (const s of [this.proposed, this.ready]) {
      s.addEventListener('change', () => {
        this.watchLoss();
        this.dispatchEvent(new Event('change'));
      });
      s.addEventListener('refused', () => this.dispatchEvent(new Event('refused')));
      s.addEventListener('notice', (e) => {
        const notice = (e as CustomEvent<ServerNotice>).detail;
        if (notice.type === 'role') this.dispatchEvent(new CustomEvent('role', { detail: notice }));
        if (notice.type === 'status') this.status.merge(notice.status);
      });
      s.addEventListener('reset', () => {
        if (s === this.ready) this.ready.awareness.setLocalState(null);
        this.dispatchEvent(new Event('change'));
      });
    }
    addEventListener('offline', this.wentOffline);
    addEventListener('online', this.cameOnline);
  }

  /**
   * The browser says the network is gone: the sockets are closed at once, so the page says "offline" and counts
   * what is typed meanwhile as unsent. Left alone, a socket on a dead network stayed "live" until y-websocket gave
   * up on hearing nothing (30 s), while edits went nowhere.
   */
  private readonly wentOffline = (): void => {
    for (const s of this.sections()) if (s.heldRewrites === 0) s.provider.disconnect();
  };

  /** The network is back: the sockets closed for it connect again (a held change stays offline until decided). */
  private readonly cameOnline = (): void => {
    for (const s of this.sections()) if (s.heldRewrites === 0 && !s.provider.shouldConnect) s.provider.connect();
  };

  private sections(): SectionSync[] {
    return [this.proposed, this.ready];
  }

  private watchLoss(): void {
    const down = this.sections().some((s) => s.wasLive && s.state !== 'live' && s.heldRewrites === 0);
    if (down) {
      this.lostTimer ??= setTimeout(() => {
        this.lostTimer = null;
        this.lost = true;
        this.dispatchEvent(new Event('change'));
      }, LOST_AFTER_MS);
      return;
    }
    if (this.lostTimer) clearTimeout(this.lostTimer);
    this.lostTimer = null;
    this.lost = false;
  }

  /** Changes that exist only in this page (made while a section was not live), not yet sent to the server. */
  get unsent(): number {
    return this.proposed.unsent + this.ready.unsent;
  }

  /** The rewrite guard's notices for curators, as the server last sent them on either section. */
  get guardNotices(): GuardNoticeData[] {
    return this.proposed.lastNotice.guard ?? this.ready.lastNotice.guard ?? [];
  }

  section(name: Section): SectionSync {
    return name === 'proposed' ? this.proposed : this.ready;
  }

  /** The worse of the two sections' states. */
  get state(): ConnectionState {
    const states = [this.proposed.state, this.ready.state];
    if (states.includes('offline')) return 'offline';
    if (states.includes('connecting')) return 'connecting';
    return 'live';
  }

  /** Reconnects every section (after signing in or out: the role is decided when a socket opens). */
  reconnect(): void {
    for (const s of this.sections()) {
      if (s.heldRewrites > 0) continue; // a held change stays offline until the person decides
      s.provider.disconnect();
      s.provider.connect();
    }
  }

  destroy(): void {
    removeEventListener('offline', this.wentOffline);
    removeEventListener('online', this.cameOnline);
    if (this.lostTimer) clearTimeout(this.lostTimer);
    this.proposed.destroy();
    this.ready.destroy();
  }
}

/** `Uint8Array.fromBase64` where the browser has it (Chromium 140+, Firefox 133+, Safari 18.2+). */
const nativeFromBase64 = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;

/**
 * Decodes the page's base64 state natively where the browser can: lib0's fallback copies it byte by byte in script,
 * which took 22–62 ms for a 500-entry pad's state during the page's first render (it runs once, so never optimised).
 */
function decodeBase64(s: string): Uint8Array {
  return nativeFromBase64 ? nativeFromBase64.call(Uint8Array, s) : fromBase64(s);
}

/**
 * The sections' state the editor page carries (shared/wire.ts), taken once: a later connection (or a section reset
 * after a refused write) syncs from the server alone. Null when the page has none for this pad or it does not decode.
 */
function takeInitialState(padRef: string): { proposed: Uint8Array; ready: Uint8Array } | null {
  const element = typeof document === 'undefined' ? null : document.getElementById(INITIAL_STATE_ELEMENT_ID);
  if (!element) return null;
  element.remove();
  try {
    const state = JSON.parse(element.textContent ?? '') as InitialState;
    if (state.pad !== padRef || typeof state.proposed !== 'string' || typeof state.ready !== 'string') return null;
    return { proposed: decodeBase64(state.proposed), ready: decodeBase64(state.ready) };
  } catch {
    return null;
  }
}
