/**
 * Names for history: which name a connection session went by. History records each accepted update's session
 * (`contributor:jCtsPnoW`, `curator:<key id>`); a person's display name is the name in their presence, which the
 * server has already checked (server/sync/presence.ts) before it is applied to a section's awareness. Watching each
 * section's awareness, this records the last valid name every session showed, per pad, in storage (kept with the pad,
 * shared by every process, surviving restarts), so the history route can say "Alice (contributor:jCts…)".
 *
 * Only writers' names are stored (history only names sessions that wrote), once they write and when they rename
 * themselves after; so a crowd of sessions that only show a name cannot push writers' names out of the pad's bounded
 * record. Writes are batched: a changed name is written within {@link FLUSH_MS} (the newest per session), so a person
 * renaming themselves five times a second costs one small write a second, and an unchanged name nothing. Names are
 * written for the pad's incarnation only: a pad deleted and made again under its name never gets the old one's.
 */
import type { Logger } from 'pino';
import type { Awareness } from 'y-protocols/awareness';
import type { PresenceState } from '../shared/presence.js';
import type { SessionName, Storage } from './storage/storage.js';

/** Sessions remembered per pad (to skip rewriting an unchanged name), and pads remembered. */
export const NAMES_PER_PAD = 2000;
export const PADS_WITH_NAMES = 1000;
/** How long a changed name waits before it is written (with every other change of that time). */
export const FLUSH_MS = 1000;

interface PadNames {
  incarnation: string;
  /** The last name each session showed, least recently named first. */
  shown: Map<string, string>;
  /** Sessions that wrote to the pad (only their names are stored: history only ever names writers). */
  writers: Set<string>;
}

export class SessionNames {
  /** Per pad, most recently used last (bounded: {@link PADS_WITH_NAMES} pads, {@link NAMES_PER_PAD} sessions each). */
  private readonly pads = new Map<string, PadNames>();
  private pending = new Map<string, { incarnation: string; names: Map<string, SessionName> }>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Pick<Storage, 'saveSessionNames' | 'listSessionNames'>,
    private readonly log?: Pick<Logger, 'warn'>,
    private readonly options: { flushMs?: number; perPad?: number; maxPads?: number } = {},
  ) {}

  private padOf(padId: string, incarnation: string): PadNames {
    let pad = this.pads.get(padId);
    if (pad) this.pads.delete(padId);
    if (!pad || pad.incarnation !== incarnation) pad = { incarnation, shown: new Map(), writers: new Set() };
    this.pads.set(padId, pad);
    if (this.pads.size > (this.options.maxPads ?? PADS_WITH_NAMES)) this.pads.delete(this.pads.keys().next().value!);
    return pad;
  }

  /** A session showed `name` in its presence; stored once the session has written to the pad. */
  record(padId: string, incarnation: string, session: string, name: string, at = Date.now()): void {
    const pad = this.padOf(padId, incarnation);
    if (pad.shown.get(session) === name) return;
    pad.shown.delete(session);
    pad.shown.set(session, name);
    if (pad.shown.size > (this.options.perPad ?? NAMES_PER_PAD)) pad.shown.delete(pad.shown.keys().next().value!);
    if (pad.writers.has(session)) this.queue(padId, incarnation, { session, name, at });
  }

  /**
   * A session's write was accepted: its name (when it showed one) is stored. Naming sessions that never write cannot
   * push the names of those who did out of a pad's bounded record.
   */
  wrote(padId: string, incarnation: string, session: string): void {
    // (called for every accepted update: a known writer costs one lookup)
    const known = this.pads.get(padId);
    if (known?.incarnation === incarnation && known.writers.has(session)) return;
    const pad = this.padOf(padId, incarnation);
    pad.writers.add(session);
    if (pad.writers.size > (this.options.perPad ?? NAMES_PER_PAD)) pad.writers.delete(pad.writers.values().next().value!);
    const name = pad.shown.get(session);
    if (name !== undefined) this.queue(padId, incarnation, { session, name, at: Date.now() });
  }

  private queue(padId: string, incarnation: string, name: SessionName): void {
    let pad = this.pending.get(padId);
    if (!pad || pad.incarnation !== incarnation) this.pending.set(padId, (pad = { incarnation, names: new Map() }));
    pad.names.set(name.session, name);
    this.timer ??= setTimeout(() => void this.flush(), this.options.flushMs ?? FLUSH_MS);
    this.timer.unref?.();
  }

  /** Writes every name waiting (one call per pad); a failed write is logged and its names dropped, never retried in a loop. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = new Map();
    const run = async () => {
      for (const [padId, { incarnation, names }] of batch) {
        try {
          await this.store.saveSessionNames(padId, incarnation, [...names.values()]);
        } catch (err) {
          this.pads.delete(padId); // stored again after the session's next write
          this.log?.warn({ err, padId }, 'could not store session names');
        }
      }
    };
    this.flushing = this.flushing.then(run);
    return this.flushing;
  }

  /** History revisions with the name each one's session went by, when known (`name` absent otherwise). */
  async withNames<R extends { session: string }>(padId: string, revisions: readonly R[]): Promise<Array<R & { name?: string }>> {
    if (this.pending.has(padId)) await this.flush();
    else await this.flushing;
    const sessions = [...new Set(revisions.map((r) => r.session))];
    const names = new Map((sessions.length > 0 ? await this.store.listSessionNames(padId, sessions) : []).map((n) => [n.session, n.name]));
    return revisions.map((r) => {
      const name = names.get(r.session);
      return name === undefined ? r : { ...r, name };
    });
  }

  /** A deleted pad's names go with it (its rows go with the pad in storage). */
  forget(padId: string): void {
    this.pads.delete(padId);
    this.pending.delete(padId);
  }

  /** Writes what is waiting and stops the timer (server shutdown). */
  close(): Promise<void> {
    return this.flush();
  }

  /**
   * Watches a section document's presence (the awareness its `Presence` applies checked updates to, with the
   * connection as origin): every name a connection's state shows is recorded under that connection's session.
   * Returns the function that stops watching.
   */
  watch(padId: string, incarnation: string, awareness: Awareness): () => void {
    const onUpdate = ({ added, updated }: { added: number[]; updated: number[] }, origin: unknown): void => {
      const session = (origin as { session?: unknown } | null | undefined)?.session;
      if (typeof session !== 'string') return;
      const states = awareness.getStates();
      // a state applied with a connection as origin was checked against the presence schema before it was applied
      // (Presence.receive): its name is a valid one, read here without checking it a second time
      const record = (client: number) => {
        const name = (states.get(client) as PresenceState | undefined)?.user?.name;
        if (name) this.record(padId, incarnation, session, name);
      };
      added.forEach(record);
      updated.forEach(record);
    };
    awareness.on('update', onUpdate);
    return () => awareness.off('update', onUpdate);
  }
}
