/**
 * Names for history: which name a connection session went by. History records each accepted update's session
 * (`contributor:jCtsPnoW`, `curator:<key id>`); a person's display name is the name in their presence, which the
 * server has already checked (server/sync/presence.ts) before it is applied to a section's awareness. Watching each
 * section's awareness, this records the last valid name every session showed, per pad, in storage (kept with the pad,
 * shared by every process, surviving restarts), so the history route can say "Alice (contributor:jCts…)".
 *
 * Writes are batched: a changed name is written within {@link FLUSH_MS} (the newest per session), so a person
 * renaming themselves five times a second costs one small write a second, and an unchanged name nothing. What this
 * process last wrote is remembered (bounded) only to skip writing it again.
 */
import type { Logger } from 'pino';
import type { Awareness } from 'y-protocols/awareness';
import { parsePresence } from '../shared/presence.js';
import type { SessionName, Storage } from './storage/storage.js';

/** Sessions remembered per pad (to skip rewriting an unchanged name), and pads remembered. */
export const NAMES_PER_PAD = 2000;
export const PADS_WITH_NAMES = 1000;
/** How long a changed name waits before it is written (with every other change of that time). */
export const FLUSH_MS = 1000;

export class SessionNames {
  /** The last name recorded per session, per pad, least recently named first (a write filter, not the record). */
  private readonly known = new Map<string, Map<string, string>>();
  private pending = new Map<string, Map<string, SessionName>>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Pick<Storage, 'saveSessionNames' | 'listSessionNames'>,
    private readonly log?: Pick<Logger, 'warn'>,
    private readonly options: { flushMs?: number; perPad?: number; maxPads?: number } = {},
  ) {}

  record(padId: string, session: string, name: string, at = Date.now()): void {
    let names = this.known.get(padId);
    if (names?.get(session) === name) return;
    if (names) this.known.delete(padId);
    else names = new Map();
    this.known.set(padId, names); // most recent last
    names.delete(session);
    names.set(session, name);
    if (names.size > (this.options.perPad ?? NAMES_PER_PAD)) names.delete(names.keys().next().value!);
    if (this.known.size > (this.options.maxPads ?? PADS_WITH_NAMES)) this.known.delete(this.known.keys().next().value!);

    let pad = this.pending.get(padId);
    if (!pad) this.pending.set(padId, (pad = new Map()));
    pad.set(session, { session, name, at });
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
      for (const [padId, names] of batch) {
        try {
          await this.store.saveSessionNames(padId, [...names.values()]);
        } catch (err) {
          this.known.delete(padId); // written again when next shown
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
    this.known.delete(padId);
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
  watch(padId: string, awareness: Awareness): () => void {
    const onUpdate = ({ added, updated }: { added: number[]; updated: number[] }, origin: unknown): void => {
      const session = (origin as { session?: unknown } | null | undefined)?.session;
      if (typeof session !== 'string') return;
      const states = awareness.getStates();
      for (const client of [...added, ...updated]) {
        const name = parsePresence(states.get(client))?.user?.name;
        if (name) this.record(padId, session, name);
      }
    };
    awareness.on('update', onUpdate);
    return () => awareness.off('update', onUpdate);
  }
}
