import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Awareness } from 'y-protocols/awareness';
import { parsePresence } from '../../../shared/presence.js';
import { ObserveController, observable } from './observe.js';
import type { Section } from '../../../shared/schema.js';

/** Someone else typing in an entry's title or note (their presence `cursor`). */
export interface Editor {
  name: string;
  field: 'title' | 'note';
}

const NOBODY: readonly Editor[] = Object.freeze([]);

/**
 * Who else is typing in which entry of a section, from the others' presence (checked against the schema: peers write
 * it; the server lets only curators say they type in the ready list), by entry id. Its host updates only when that
 * changes, not on every presence change (names, renewals).
 */
export class EditorsController implements ReactiveController {
  private byEntry = new Map<string, readonly Editor[]>();
  private signature = '';

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly awareness: () => Awareness | null | undefined,
    private readonly section: () => Section,
  ) {
    host.addController(this);
    new ObserveController(host, awareness, observable('change'), () => {
      if (this.refresh()) host.requestUpdate();
    });
  }

  hostConnected(): void {
    this.refresh();
  }

  /** The others typing in this entry (the same empty array when nobody is, so entries' properties stay the same). */
  of(id: string): readonly Editor[] {
    return this.byEntry.get(id) ?? NOBODY;
  }

  /** Reads the presence again; true if who edits what changed. */
  private refresh(): boolean {
    const awareness = this.awareness();
    const next = new Map<string, Editor[]>();
    for (const [client, state] of awareness?.getStates() ?? []) {
      if (client === awareness!.clientID) continue;
      const presence = parsePresence(state);
      if (!presence?.cursor || !presence.user || presence.cursor.section !== this.section()) continue;
      const list = next.get(presence.cursor.entry) ?? [];
      list.push({ name: presence.user.name, field: presence.cursor.field });
      next.set(presence.cursor.entry, list);
    }
    const signature = JSON.stringify([...next].sort(([a], [b]) => (a < b ? -1 : 1)));
    if (signature === this.signature) return false;
    this.signature = signature;
    this.byEntry = next;
    return true;
  }
}
