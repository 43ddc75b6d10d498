import { LitElement, css, html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { ENTRY_KINDS, entriesOf, entryPromotedFrom, entryToJSON, type EntryData, type EntryKind, type EntryMap, type Section } from '../../../shared/schema.js';
import { KIND_HEADINGS, SECTION_HEADINGS, entryLabel } from '../../../shared/labels.js';
import { orderedPlacements, type PlacedEntry } from '../../../shared/ordering.js';
import { NO_FILTER, isFiltering, matchesFilter, type EntryFilter } from '../../../shared/filter.js';
import type { SectionSync } from '../pad-connection.js';
import { ObserveController, deep, events, type Subscribe } from '../controllers/observe.js';
import { ContextConsumer } from '@lit/context';
import { padContext } from '../context.js';
import { entryStyles } from './cp-entry.js';
import './cp-entry-form.js';
import { TranslationWatchController } from '../controllers/translation-watch.js';
import { EditorsController } from '../controllers/editors-controller.js';
import { promotedIds } from '../../../shared/pad-actions.js';
import * as Y from 'yjs';

const NONE_PROMOTED: ReadonlySet<string> = new Set();

type ShownEntry = PlacedEntry & { shown: boolean };

/**
 * One section of the pad, grouped into Features / Bugs / Other, in priority order, filtered by the person's filter.
 * Emits `cp-add` / `cp-delete` / `cp-promote` / `cp-move` / `cp-move-to` for the page to carry out.
 */
export class CpSection extends LitElement {
  static override properties = {
    section: { type: String },
    editable: { type: Boolean },
    /** Why the person cannot change this section (shown under its heading), or '' to say nothing. */
    readOnlyNote: { attribute: false },
    promotable: { type: Boolean },
    orderable: { type: Boolean },
    filter: { attribute: false },
    adding: { state: true },
  };
  /** Which section this is (its sync comes from the page's connection, through context). */
  declare section: Section;
  declare editable: boolean;
  declare readOnlyNote: string;
  declare promotable: boolean;
  declare orderable: boolean;
  declare filter: EntryFilter;
  /** The "add an entry" form is open (it sits behind the "Add entry" button at the top of the section). */
  declare adding: boolean;

  /**
   * The form was opened once: from then on it is kept (hidden while closed), so closing it keeps what was typed or
   * pasted for the next opening. (It used to be thrown away by Close, a filled-in entry with it.)
   */
  private formMade = false;
  private dragging: string | null = null;
  /** The kind of the entry being dragged (it may be dropped only among its kind). */
  private draggingKind: string | null = null;

  static override styles = [
    ...entryStyles,
    css`
    :host {
      display: block;
    }
    h2 {
      margin: 0 0 0.4rem;
      font-size: 1.2rem;
    }
    h3 {
      margin: 0.8rem 0 0.3rem;
      font-size: 1rem;
      color: #3e4c59;
    }
    h2:focus {
      outline: none;
    }
    h2:focus-visible {
      outline: 2px solid #1a5fb4;
    }
    .top {
      display: flex;
      flex-wrap: wrap;
      gap: 0.4rem 0.8rem;
      align-items: baseline;
      justify-content: space-between;
      margin-bottom: 0.4rem;
    }
    .top h2 {
      margin: 0;
    }
    .read-only-note {
      margin: 0 0 0.5rem;
      color: #52606d;
      font-size: 0.9rem;
    }
    cp-entry-form {
      display: block;
      margin-bottom: 0.6rem;
    }
    cp-entry-form[hidden] {
      display: none;
    }
    ol {
      list-style: none;
      margin: 0;
      padding: 0;
      border: 1px solid #d9e2ec;
      border-bottom: 0;
      border-radius: 6px;
      background: #fff;
      min-width: 0;
    }
    li {
      display: flex;
      align-items: stretch;
      min-width: 0;
    }
    li > cp-entry {
      /*
       * Offscreen entries skip layout and paint until scrolled to. Their size until then is a one-line-and-a-bit
       * entry's (the compact layout's usual height), and once rendered, their own ("auto" remembers it): a wrong
       * guess here showed as blank gaps between entries until they were scrolled past.
       */
      content-visibility: auto;
      contain-intrinsic-block-size: auto 3.2rem;
    }
    li:first-child > cp-entry {
      border-top-left-radius: 6px;
      border-top-right-radius: 6px;
    }
    /* an open menu (or a focused chip's details) is drawn over the entries below: no paint containment (it would clip the menu) while open */
    li > cp-entry.menu-open,
    li > cp-entry:has(a.chip:focus-visible) {
      content-visibility: visible;
      position: relative;
      z-index: 3;
    }
    [hidden] {
      display: none !important;
    }
    li > cp-entry {
      flex: 1;
    }
    .handle {
      user-select: none;
      display: flex;
      align-items: center;
      padding: 0 0.3rem;
      border-radius: 0;
      border-bottom: 1px solid #d9e2ec;
      color: #52606d;
      background: transparent;
      border-color: transparent;
      cursor: grab;
      user-select: none;
    }
    .handle:hover {
      background: #e4ecf7;
    }
    li.drop-target {
      outline: 2px dashed #1a5fb4;
      border-radius: 6px;
    }
    .empty,
    .count {
      color: #52606d;
    }
    .refusal {
      padding: 0.4rem 0.6rem;
      background: #fde0dd;
      color: #7a1a12;
      border-radius: 4px;
    }
    .refusal p {
      margin: 0 0 0.3rem;
    }
    .refusal ul {
      margin: 0.2rem 0;
      padding-left: 1.2rem;
    }
    .refusal li,
    .refusal strong,
    .refusal label {
      display: block;
    }
    .refusal label {
      margin: 0.2rem 0 0.4rem;
    }
    .refusal textarea {
      display: block;
      width: 100%;
      box-sizing: border-box;
      resize: vertical;
      font: inherit;
    }
  `,
  ];

  constructor() {
    super();
    new TranslationWatchController(this);
    this.section = 'proposed';
    this.editable = false;
    this.readOnlyNote = '';
    this.promotable = false;
    this.orderable = false;
    this.filter = NO_FILTER;
    this.adding = false;
    for (const type of ['cp-move', 'cp-delete', 'cp-promote']) this.addEventListener(type, this.onEntryAction);
    new ObserveController(this, () => this.sync, events('reset', 'change'));
    new ObserveController(this, () => (this.sync ? entriesOf(this.sync.doc) : null), this.changesShown);
    new ObserveController(this, () => this.pad.value?.connection.status, events('change'));
    // the proposed list shows which of its entries the ready list has: rendered again only when that set changes
    new ObserveController(
      this,
      () => (this.section === 'proposed' && this.pad.value ? entriesOf(this.pad.value.connection.ready.doc) : null),
      deep,
      () => {
        const before = this.promotedCache?.ids;
        this.promotedCache = null;
        const now = this.promoted();
        if (!before || before.size !== now.size || [...now].some((id) => !before.has(id))) this.requestUpdate();
      },
    );
  }

  /**
   * Changes in the entries that change what the section renders: all but text typed in an entry's title or note,
   * which the entry renders itself, while no filter is on (a match may change) and no drag handle names the entries.
   * Rendering a 500-entry section again for each keystroke in a title was about a third of the keystroke's time.
   */
  private changesShown: Subscribe<Y.Array<Y.Map<unknown>>> = (target, onChange) => {
    const handler = (changes: Array<Y.YEvent<Y.AbstractType<unknown>>>) => {
      // the entries changed: their plain data is made again when next asked for
      for (const change of changes) {
        let type: Y.AbstractType<unknown> | null = change.target;
        while (type && type.parent !== target) type = type.parent;
        if (type) this.plain.delete(type);
      }
      if (this.orderable || isFiltering(this.filter) || !changes.every((e) => e instanceof Y.YTextEvent)) onChange();
    };
    target.observeDeep(handler);
    return () => target.unobserveDeep(handler);
  };

  /**
   * Each entry's plain data (entryToJSON), kept until the entry changes: a filter keystroke matches every entry, and
   * converting all 500 again for each one was a good part of its time.
   */
  private readonly plain = new WeakMap<object, EntryData>();
  private plainOf(entry: EntryMap): EntryData {
    let data = this.plain.get(entry);
    if (!data) this.plain.set(entry, (data = entryToJSON(entry)!));
    return data;
  }

  private readonly pad = new ContextConsumer(this, { context: padContext, subscribe: true });
  /** The proposed entries the ready list has a copy of, and of which document (see {@link promoted}). */
  private promotedCache: { doc: Y.Doc; ids: Set<string> } | null = null;

  /**
   * The proposed entries the ready list has a copy of: only the ready list says so (its copies' `promotedFrom`,
   * promotedIds), never a proposed entry's own `promotedTo`, which any contributor can write.
   */
  private promoted(): ReadonlySet<string> {
    const ready = this.section === 'proposed' ? this.pad.value?.connection.ready.doc : undefined;
    if (!ready) return NONE_PROMOTED;
    if (this.promotedCache?.doc !== ready) {
      const entries = entriesOf(ready).toArray().map((m) => ({ promotedFrom: entryPromotedFrom(m) }));
      this.promotedCache = { doc: ready, ids: promotedIds(entries) };
    }
    return this.promotedCache.ids;
  }

  /** Who else is typing in which of the entries (presence travels with the proposed section's socket). */
  private readonly editors = new EditorsController(this, () => this.pad.value?.connection.proposed.awareness, () => this.section);

  private get sync(): SectionSync | null {
    return this.pad.value?.connection.section(this.section) ?? null;
  }

  /** A drag starts only from an entry's handle; nothing else in the section is draggable. */
  /** The entry an event on its <li> (or inside it) is about. */
  private static entryId(event: Event): string {
    return (event.currentTarget as HTMLElement).closest('li')?.dataset.entry ?? '';
  }

  private onDragStart = (event: DragEvent): void => {
    const id = CpSection.entryId(event);
    this.dragging = id;
    this.draggingKind = (event.currentTarget as HTMLElement).closest('li')?.dataset.kind ?? null;
    event.dataTransfer?.setData('application/x-cyclepad-entry', id);
    if (event.dataTransfer) event.dataTransfer.effectAllowed = 'move';
  };

  private onDragLeave = (event: DragEvent): void => {
    (event.currentTarget as HTMLElement).classList.remove('drop-target');
  };

  private onDragEnd = (): void => {
    this.dragging = null;
    for (const li of this.renderRoot.querySelectorAll('li.drop-target')) li.classList.remove('drop-target');
  };

  private onDragOver = (event: DragEvent): void => {
    // only a drag that began on one of this section's handles is a move (never dragged text or links), and only
    // onto an entry of its own kind (the list is ordered within each kind): elsewhere the pointer says "no drop"
    if (!this.dragging || (event.currentTarget as HTMLElement).dataset.kind !== this.draggingKind) return;
    event.preventDefault();
    (event.currentTarget as HTMLElement).classList.add('drop-target');
  };

  private onDrop = (event: DragEvent): void => {
    const targetId = CpSection.entryId(event);
    (event.currentTarget as HTMLElement).classList.remove('drop-target');
    const id = this.dragging;
    this.dragging = null;
    if (!id) return;
    event.preventDefault();
    if (id !== targetId) {
      this.dispatchEvent(new CustomEvent('cp-move-to', { detail: { id, targetId }, bubbles: true, composed: true }));
    }
  };

  /**
   * Alt+↑ / Alt+↓ on any part of a ready entry (its handle, its menu button, a link) moves it, as the menu's
   * "Move up/down" do; focus stays where it was, on the moved entry.
   */
  private onEntryKey = (event: KeyboardEvent): void => {
    const id = CpSection.entryId(event);
    if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const delta = event.key === 'ArrowUp' ? -1 : event.key === 'ArrowDown' ? 1 : 0;
    if (!delta) return;
    if (!this.orderable) {
      // a reader of the ready list pressing the documented keys is told why nothing moves (it used to be silence)
      event.preventDefault();
      this.dispatchEvent(new CustomEvent('cp-move-refused', { bubbles: true, composed: true }));
      return;
    }
    const from = event.composedPath()[0] as HTMLElement;
    if (from.closest?.('cp-entry.editing')) return; // the editor's fields keep their keys
    event.preventDefault();
    const which = from.classList?.contains('handle') ? 'handle' : 'menu';
    this.dispatchEvent(new CustomEvent('cp-move', { detail: { id, delta }, bubbles: true, composed: true }));
    this.focusEntry(id, which);
  };

  /**
   * After the section renders the change: focus an entry's handle or menu button (a moved entry, or the neighbour of
   * one removed), or, with no entry left, the section's heading. Focus is never left on a removed element.
   */
  private focusEntry(id: string | null, which: 'handle' | 'menu' = 'menu'): void {
    void this.updateComplete.then(() => {
      const root = this.renderRoot;
      const li = id ? root.querySelector<HTMLElement>(`li[data-entry="${CSS.escape(id)}"]`) : null;
      const target =
        (which === 'handle' ? li?.querySelector<HTMLElement>('.handle') : null) ??
        li?.querySelector<HTMLElement>('button.more') ??
        li?.querySelector<HTMLElement>('a[href]') ??
        root.querySelector<HTMLElement>('h2');
      target?.focus();
    });
  }

  /** Where focus is in this section's entries (the entry, and its handle or menu button), or null. */
  focusPlace(): { id: string; which: 'handle' | 'menu' } | null {
    const active = this.renderRoot instanceof ShadowRoot ? this.renderRoot.activeElement : null;
    const id = active?.closest('li')?.getAttribute('data-entry');
    return id ? { id, which: active?.classList.contains('handle') ? 'handle' : 'menu' } : null;
  }

  /**
   * After a change the section did not make (an undo, say) renders: focus goes back to `place` if the render took it
   * away (an entry moved back is taken out of the list and put in again, which drops focus).
   */
  keepFocus(place: { id: string; which: 'handle' | 'menu' }): void {
    void this.updateComplete.then(() => {
      const active = this.renderRoot instanceof ShadowRoot ? this.renderRoot.activeElement : null;
      if (!active) this.focusEntry(place.id, place.which);
    });
  }

  /** The entry shown after `id` in this section (else the one before): where focus goes when `id` leaves. */
  private neighbourOf(id: string): string | null {
    const shown = [...this.renderRoot.querySelectorAll<HTMLElement>('li[data-entry]:not([hidden])')].map((li) => li.dataset.entry!);
    const at = shown.indexOf(id);
    if (at < 0) return null;
    return shown[at + 1] ?? shown[at - 1] ?? null;
  }

  /** Entry actions that move or remove an entry: focus follows it, or goes to its neighbour. */
  private onEntryAction = (event: Event): void => {
    const detail = (event as CustomEvent<{ id?: string; remove?: boolean }>).detail;
    const id = detail?.id;
    if (typeof id !== 'string') return;
    if (event.type === 'cp-move') {
      if (!(event.composedPath()[0] instanceof CpSection)) this.focusEntry(id);
    } else if (event.type === 'cp-delete' || (event.type === 'cp-promote' && detail.remove)) {
      const active = this.renderRoot instanceof ShadowRoot ? this.renderRoot.activeElement : null;
      // only when the action came from the keyboard or a click in this entry (focus is inside it)
      if (!active || active.closest('li')?.getAttribute('data-entry') === id) this.focusEntry(this.neighbourOf(id));
    }
  };

  private async openForm(): Promise<void> {
    this.formMade = true;
    this.adding = true;
    await this.updateComplete;
    const form = this.renderRoot.querySelector('cp-entry-form') as (HTMLElement & { updateComplete?: Promise<unknown>; focusFirst?: () => void }) | null;
    await form?.updateComplete;
    form?.focusFirst?.();
  }

  private async closeForm(): Promise<void> {
    this.adding = false;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('button.add')?.focus();
  }

  /**
   * Every entry of the group is rendered; the filter only hides the others. Clearing a filter is then a matter of
   * attributes, not of building hundreds of entries again.
   */
  private renderGroup(kind: EntryKind, group: ShownEntry[]) {
    const offline = (this.sync?.state ?? 'live') !== 'live';
    const promoted = this.promoted();
    const drag = this.orderable && !isFiltering(this.filter);
    const visible = group.filter((e) => e.shown);
    const firstShown = visible[0]?.id;
    const lastShown = visible.at(-1)?.id;
    return html`<h3 ?hidden=${visible.length === 0}>${KIND_HEADINGS[kind]}</h3>
      <ol>
        ${repeat(
          group,
          (e) => e.id,
          // (properties, not attributes, and no whitespace between tags: this runs for every entry on load)
          (e) => html`<li ?hidden=${!e.shown} data-entry=${e.id} data-kind=${kind} @dragover=${drag ? this.onDragOver : null} @dragleave=${
            drag ? this.onDragLeave : null} @drop=${drag ? this.onDrop : null} @keydown=${this.section === 'ready' ? this.onEntryKey : null}>${
            drag
              ? html`<button type="button" class="handle" draggable="true" aria-label="Reorder ${entryLabel(this.plainOf(e.map))} (drag, or Alt+Arrow Up/Down)" title="Drag to reorder, or press Alt+Arrow Up/Down" @dragstart=${this.onDragStart} @dragend=${this.onDragEnd}>⠿</button>`
              : nothing}<cp-entry translate="no" class="notranslate" data-id=${e.id} .entry=${e.map} .editable=${this.editable} .promotable=${
            this.promotable} .orderable=${this.orderable} .status=${this.pad.value?.connection.status.status ?? null} .ready=${this.section === 'ready'} .first=${e.id === firstShown} .last=${e.id === lastShown} .editors=${this.editors.of(e.id)} .offline=${offline} .promoted=${promoted.has(e.id)}></cp-entry></li>`,
        )}
      </ol>`;
  }

  /**
   * A refused write: what the server said, and what the page held otherwise than the server now does (its unsent
   * edits went with the reload), each field's text ready to copy, until the person dismisses it.
   */
  private renderRefusal(sync: SectionSync) {
    const lost = sync.lostEdits;
    return html`<div class="refusal">
      <p role="alert">The server refused a change: ${sync.lastRefusal?.replace(/^refused:\s*/, '')}. The section was reloaded from the server.</p>
      ${lost.length > 0
        ? html`<p>This page had ${lost.length === 1 ? 'this entry' : `these ${lost.length} entries`} otherwise than the server has them now (what it had not sent went with the reload: copy what you want to keep):</p>
            <ul class="notranslate" translate="no">
              ${lost.map(
                (l) => html`<li><strong>${l.label}</strong>${l.missing ? ' (not on the server)' : ''}
                  ${l.fields.map(
                    (f) => html`<label>${LOST_FIELD_LABELS[f.field] ?? f.field}
                      <textarea readonly rows=${Math.min(4, Math.max(2, f.text.split('\n').length))} .value=${f.text}></textarea></label>`,
                  )}</li>`,
              )}
            </ul>`
        : nothing}
      <button @click=${() => sync.dismissRefusal()}>Dismiss</button>
    </div>`;
  }

  override render() {
    // Texts are converted (for matching) only while a filter is on: ordering and grouping need no more.
    const filtering = isFiltering(this.filter);
    const status = this.pad.value?.connection.status.status ?? null;
    const now = Date.now();
    const all: ShownEntry[] = (this.sync ? orderedPlacements(this.sync.doc) : []).map((e) => ({
      ...e,
      shown: !filtering || matchesFilter(this.plainOf(e.map), this.filter, status, now),
    }));
    const shownCount = all.filter((e) => e.shown).length;
    return html`
      <div class="top">
        <h2 id="heading" tabindex="-1">${SECTION_HEADINGS[this.section]}</h2>
        ${this.editable && !this.adding
          ? html`<button class="add primary" aria-label="Add entry to ${SECTION_HEADINGS[this.section]}" @click=${this.openForm}>Add entry</button>`
          : nothing}
      </div>
      ${!this.editable && this.readOnlyNote ? html`<p class="read-only-note">${this.readOnlyNote}</p>` : nothing}
      ${this.editable && this.formMade
        ? html`<cp-entry-form ?hidden=${!this.adding} @cp-form-close=${this.closeForm}></cp-entry-form>`
        : nothing}
      ${this.sync?.lastRefusal ? this.renderRefusal(this.sync) : nothing}
      ${filtering ? html`<p class="count" role="status">${shownCount} of ${all.length} entries match the filter</p>` : nothing}
      ${ENTRY_KINDS.map((kind) => {
        const group = all.filter((e) => e.kind === kind);
        return group.length === 0 ? nothing : this.renderGroup(kind, group);
      })}
      ${all.length === 0 ? html`<p class="empty">No entries yet.</p>` : nothing}
    `;
  }
}

customElements.define('cp-section', CpSection);

/** What the refusal's list calls each field. */
const LOST_FIELD_LABELS: Record<string, string> = {
  title: 'Title',
  launchpad: 'Launchpad link',
  owner: 'Owner',
  note: 'Status note',
  reviews: 'Reviews',
  kind: 'Kind',
  status: 'Status',
};
