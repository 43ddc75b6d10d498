import { LitElement, css, html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { ENTRY_KINDS, entriesOf, entryToJSON, type EntryKind } from '../../../shared/schema.js';
import { orderedPlacements, type PlacedEntry } from '../../../shared/ordering.js';
import { NO_FILTER, isFiltering, matchesFilter, type EntryFilter } from '../../../shared/filter.js';
import type { Duplicate } from '../../../shared/duplicates.js';
import type { SectionSync } from '../pad-connection.js';
import { YObserverController } from '../controllers/y-observer.js';
import { EventController } from '../controllers/event-controller.js';
import { entryStyles } from './cp-entry.js';
import './cp-entry-form.js';
import { TranslationWatchController } from '../controllers/translation-watch.js';

const HEADINGS: Record<EntryKind, string> = { feature: 'Features', bug: 'Bugs', other: 'Other' };

type ShownEntry = PlacedEntry & { shown: boolean };

/**
 * One section of the pad, grouped into Features / Bugs / Other, in priority order, filtered by the person's filter.
 * Emits `cp-add` / `cp-delete` / `cp-promote` / `cp-move` / `cp-move-to` for the page to carry out.
 */
export class CpSection extends LitElement {
  static override properties = {
    sync: { attribute: false },
    heading: { type: String },
    editable: { type: Boolean },
    promotable: { type: Boolean },
    orderable: { type: Boolean },
    filter: { attribute: false },
    findDuplicates: { attribute: false },
  };
  declare sync: SectionSync | null;
  declare heading: string;
  declare editable: boolean;
  declare promotable: boolean;
  declare orderable: boolean;
  declare filter: EntryFilter;
  declare findDuplicates: ((draft: { launchpad: string; reviews: string[] }) => Duplicate[]) | null;

  private dragging: string | null = null;

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
    ol {
      list-style: none;
      margin: 0;
      padding: 0;
      display: grid;
      gap: 0.4rem;
    }
    li {
      display: flex;
      gap: 0.3rem;
      align-items: stretch;
      /* offscreen entries skip layout and paint until scrolled to */
      content-visibility: auto;
      contain-intrinsic-size: auto 7rem;
    }
    [hidden] {
      display: none !important;
    }
    li > cp-entry {
      flex: 1;
      min-width: 0;
    }
    .handle {
      display: flex;
      align-items: center;
      padding: 0 0.3rem;
      color: #52606d;
      background: transparent;
      border-color: transparent;
      cursor: grab;
      user-select: none;
    }
    .handle:hover {
      border-color: #9aa5b1;
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
  `,
  ];

  constructor() {
    super();
    new TranslationWatchController(this);
    this.sync = null;
    this.heading = '';
    this.editable = false;
    this.promotable = false;
    this.orderable = false;
    this.filter = NO_FILTER;
    this.findDuplicates = null;
    new EventController(this, () => this.sync, ['reset', 'change']);
    new YObserverController(this, () => (this.sync ? entriesOf(this.sync.doc) : null));
  }

  /** A drag starts only from an entry's handle; nothing else in the section is draggable. */
  private onDragStart(event: DragEvent, id: string): void {
    this.dragging = id;
    event.dataTransfer?.setData('application/x-cyclepad-entry', id);
    if (event.dataTransfer) event.dataTransfer.effectAllowed = 'move';
  }

  private onDragEnd = (): void => {
    this.dragging = null;
    for (const li of this.renderRoot.querySelectorAll('li.drop-target')) li.classList.remove('drop-target');
  };

  private onDragOver(event: DragEvent): void {
    // only a drag that began on one of this section's handles is a move (never dragged text or links)
    if (!this.dragging) return;
    event.preventDefault();
    (event.currentTarget as HTMLElement).classList.add('drop-target');
  }

  private onDrop(event: DragEvent, targetId: string): void {
    (event.currentTarget as HTMLElement).classList.remove('drop-target');
    const id = this.dragging;
    this.dragging = null;
    if (!id) return;
    event.preventDefault();
    if (id !== targetId) {
      this.dispatchEvent(new CustomEvent('cp-move-to', { detail: { id, targetId }, bubbles: true, composed: true }));
    }
  }

  /** The handle is a real control: Arrow Up/Down move the entry, as the Up/Down buttons do; focus stays on it. */
  private onHandleKey(event: KeyboardEvent, id: string): void {
    const delta = event.key === 'ArrowUp' ? -1 : event.key === 'ArrowDown' ? 1 : 0;
    if (!delta) return;
    event.preventDefault();
    this.dispatchEvent(new CustomEvent('cp-move', { detail: { id, delta }, bubbles: true, composed: true }));
    void this.updateComplete.then(() => {
      const handle = this.renderRoot.querySelector<HTMLElement>(`li[data-entry="${CSS.escape(id)}"] .handle`);
      handle?.focus();
    });
  }

  /**
   * Every entry of the group is rendered; the filter only hides the others. Clearing a filter is then a matter of
   * attributes, not of building hundreds of entries again.
   */
  private renderGroup(kind: EntryKind, group: ShownEntry[]) {
    const drag = this.orderable && !isFiltering(this.filter);
    const visible = group.filter((e) => e.shown);
    const firstShown = visible[0]?.id;
    const lastShown = visible.at(-1)?.id;
    return html`<h3 ?hidden=${visible.length === 0}>${HEADINGS[kind]}</h3>
      <ol>
        ${repeat(
          group,
          (e) => e.id,
          (e) => html`<li
            ?hidden=${!e.shown}
            data-entry=${e.id}
            @dragover=${drag ? (ev: DragEvent) => this.onDragOver(ev) : null}
            @dragleave=${drag ? (ev: DragEvent) => (ev.currentTarget as HTMLElement).classList.remove('drop-target') : null}
            @drop=${drag ? (ev: DragEvent) => this.onDrop(ev, e.id) : null}
          >
            ${drag
              ? html`<button
                  type="button"
                  class="handle"
                  draggable="true"
                  aria-label="Reorder ${String(e.map.get('title') ?? '') || 'entry'} (drag, or Arrow Up/Down)"
                  title="Drag to reorder, or press Arrow Up/Down"
                  @dragstart=${(ev: DragEvent) => this.onDragStart(ev, e.id)}
                  @dragend=${this.onDragEnd}
                  @keydown=${(ev: KeyboardEvent) => this.onHandleKey(ev, e.id)}
                >⠿</button>`
              : nothing}
            <cp-entry
              data-id=${e.id}
              .entry=${e.map}
              ?editable=${this.editable}
              ?promotable=${this.promotable}
              ?orderable=${this.orderable}
              ?first=${e.id === firstShown}
              ?last=${e.id === lastShown}
            ></cp-entry>
          </li>`,
        )}
      </ol>`;
  }

  override render() {
    // Texts are converted (for matching) only while a filter is on: ordering and grouping need no more.
    const filtering = isFiltering(this.filter);
    const all: ShownEntry[] = (this.sync ? orderedPlacements(this.sync.doc) : []).map((e) => ({
      ...e,
      shown: !filtering || matchesFilter(entryToJSON(e.map)!, this.filter),
    }));
    const shownCount = all.filter((e) => e.shown).length;
    return html`
      <h2>${this.heading}</h2>
      ${this.sync?.lastRefusal ? html`<p class="refusal" role="alert">The server refused a change: ${this.sync.lastRefusal}. The section was reloaded from the server.</p>` : nothing}
      ${filtering ? html`<p class="count" role="status">${shownCount} of ${all.length} entries match the filter</p>` : nothing}
      ${ENTRY_KINDS.map((kind) => {
        const group = all.filter((e) => e.kind === kind);
        return group.length === 0 ? nothing : this.renderGroup(kind, group);
      })}
      ${all.length === 0 ? html`<p class="empty">No entries yet.</p>` : nothing}
      ${this.editable ? html`<cp-entry-form .findDuplicates=${this.findDuplicates}></cp-entry-form>` : nothing}
    `;
  }
}

customElements.define('cp-section', CpSection);
