/**
 * Names for history: which name a connection session went by. History records each accepted update's session
 * (`contributor:jCtsPnoW`, `curator:<key id>`); a person's display name is the name in their presence, which the
 * server has already checked (server/sync/presence.ts) before it is applied to a section's awareness. Watching each
 * section's awareness, this remembers the last valid name every session showed, per pad, so the history route can
 * say "Alice (contributor:jCts…)".
 *
 * Kept in memory, bounded (least recently named sessions go first): after a restart, or for a session whose update
 * another process accepted, history shows the session alone. A durable, shared record (a small table beside the
 * log) would lift that; the interface stays the same.
 */
import type { Awareness } from 'y-protocols/awareness';
import { parsePresence } from '../shared/presence.js';

/** Sessions remembered per pad, and pads remembered. */
export const NAMES_PER_PAD = 2000;
export const PADS_WITH_NAMES = 1000;

export class SessionNames {
  private readonly pads = new Map<string, Map<string, string>>();

  constructor(
    private readonly perPad = NAMES_PER_PAD,
    private readonly maxPads = PADS_WITH_NAMES,
  ) {}

  record(padId: string, session: string, name: string): void {
    let names = this.pads.get(padId);
    if (names) this.pads.delete(padId);
    else names = new Map();
    this.pads.set(padId, names); // most recent last
    names.delete(session);
    names.set(session, name);
    if (names.size > this.perPad) names.delete(names.keys().next().value!);
    if (this.pads.size > this.maxPads) this.pads.delete(this.pads.keys().next().value!);
  }

  nameOf(padId: string, session: string): string | undefined {
    return this.pads.get(padId)?.get(session);
  }

  /** A deleted pad's names go with it. */
  forget(padId: string): void {
    this.pads.delete(padId);
  }

  /**
   * Watches a section document's presence (the awareness its `Presence` applies checked updates to, with the
   * connection as origin): every name a connection's state shows is remembered under that connection's session.
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

/** The process's record (one server per process; tests starting several servers share it harmlessly: sessions are random). */
export const sessionNames = new SessionNames();

/** History revisions with the name each one's session went by, when known (`name` absent otherwise). */
export function withNames<R extends { session: string }>(padId: string, revisions: readonly R[], names = sessionNames): Array<R & { name?: string }> {
  return revisions.map((r) => {
    const name = names.nameOf(padId, r.session);
    return name === undefined ? r : { ...r, name };
  });
}
