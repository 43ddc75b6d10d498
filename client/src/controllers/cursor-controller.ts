import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Awareness } from 'y-protocols/awareness';
import { PRESENCE_CURSOR_ENTRY_MAX } from '../../../shared/presence.js';
import type { Section } from '../../../shared/schema.js';

export type Cursor = { section: Section; entry: string; field: 'title' | 'note' };

/** Sent by an entry (`entry`, its id) when the person types in its title or note (`cursor`), or leaves them (null). */
export const CURSOR_EVENT = 'cp-cursor';
export type CursorEvent = CustomEvent<{ entry: string; cursor: Cursor | null }>;

/**
 * The entry field an event's path goes through, if it is the title or note (`data-field` on its field) of `entry`,
 * an entry of `section`.
 */
export function cursorIn(entry: HTMLElement, section: Section, path: EventTarget[]): Cursor | null {
  for (const node of path) {
    if (node === entry) return null;
    if (!(node instanceof HTMLElement) || node.localName !== 'cp-text-field') continue;
    const field = node.dataset.field;
    const id = entry.dataset.id ?? '';
    // (an id presence cannot carry is not told: the whole presence state would be refused)
    return (field === 'title' || field === 'note') && id && id.length <= PRESENCE_CURSOR_ENTRY_MAX ? { section, entry: id, field } : null;
  }
  return null;
}

/**
 * Tells the others where the person is typing: from their first keystroke in an entry's title or note until focus
 * leaves it, the person's presence carries `cursor` (the section, the entry and the field), so their pages can say so
 * on that entry. Two people typing in one title at once had their words merged into text neither typed, with nothing
 * to warn them.
 *
 * The entries say where the person types ({@link CURSOR_EVENT}): the page cannot see focus itself, since a focus event
 * whose target and related target are in one section stops at the section (focus moving from one field to another
 * there is never heard above it).
 */
export class CursorController implements ReactiveController {
  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly awareness: () => Awareness | null | undefined,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.host.addEventListener(CURSOR_EVENT, this.onCursor);
  }

  hostDisconnected(): void {
    this.host.removeEventListener(CURSOR_EVENT, this.onCursor);
  }

  private readonly onCursor = (event: Event): void => {
    const { entry, cursor } = (event as CursorEvent).detail;
    const awareness = this.awareness();
    const state = awareness?.getLocalState();
    if (!awareness || !state) return; // a page that sends no presence (or not yet)
    const now = state.cursor as Cursor | undefined;
    // an entry left says null: only if it is the one presence names (focus may already be in another)
    if (!cursor && now && entry !== now.entry) return;
    if (now?.section === cursor?.section && now?.entry === cursor?.entry && now?.field === cursor?.field) return;
    const { cursor: _gone, ...rest } = state;
    awareness.setLocalState(cursor ? { ...rest, cursor } : rest);
  };
}
