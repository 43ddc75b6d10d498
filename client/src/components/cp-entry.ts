import { LitElement, css, html, nothing } from 'lit';
import * as Y from 'yjs';
import {
  ENTRY_KINDS,
  ENTRY_STATUSES,
  entryToJSON,
  isEntryKind,
  isEntryStatus,
  type EntryData,
  type EntryMap,
} from '../../../shared/schema.js';
import { chipLabel, parseLink, safeHref } from '../../../shared/links.js';
import { YObserverController } from '../controllers/y-observer.js';
import { controlStyles } from '../styles.js';
import './cp-text-field.js';
import { chipStyles, linkChip } from '../link-chip.js';
import { TranslationWatchController } from '../controllers/translation-watch.js';
import { localChange } from '../local-origin.js';

/**
 * One entry: a Launchpad link with title and owner, the Gerrit reviews under it, and a status note.
 * Read view by default; "Edit" opens the fields (text through cp-text-field, strings on change).
 */
export class CpEntry extends LitElement {
  static override properties = {
    entry: { attribute: false },
    editable: { type: Boolean },
    /** Curator actions on a proposed entry: promote to ready. */
    promotable: { type: Boolean },
    /** Curator actions on a ready entry: reorder, status. */
    orderable: { type: Boolean },
    first: { type: Boolean },
    last: { type: Boolean },
    editing: { state: true },
  };
  declare entry: EntryMap | null;
  declare editable: boolean;
  declare promotable: boolean;
  declare orderable: boolean;
  declare first: boolean;
  declare last: boolean;
  declare editing: boolean;

  /**
   * Rendered into the section's shadow root (no shadow root of its own): a pad has hundreds of entries, and a
   * shadow root each was most of a 500-entry pad's first render. The section carries {@link entryStyles}.
   */
  protected override createRenderRoot() {
    return this;
  }

  constructor() {
    super();
    new TranslationWatchController(this, { content: true });
    this.entry = null;
    this.editable = false;
    this.promotable = false;
    this.orderable = false;
    this.first = false;
    this.last = false;
    this.editing = false;
    new YObserverController(this, () => this.entry);
  }

  /** Every change made here is the person's own (undoable by them). */
  private change(fn: (entry: EntryMap) => void): void {
    const entry = this.entry;
    if (entry) localChange(entry.doc, () => fn(entry));
  }

  private set(key: string, value: unknown): void {
    this.change((entry) => entry.set(key, value));
  }

  private reviews(): Y.Array<string> | null {
    const reviews = this.entry?.get('reviews');
    return reviews instanceof Y.Array ? (reviews as Y.Array<string>) : null;
  }

  private addReview(form: HTMLFormElement): void {
    const input = form.elements.namedItem('review') as HTMLInputElement;
    const value = input.value.trim();
    if (!value) return;
    this.change((entry) => {
      let reviews = this.reviews();
      if (!reviews) {
        reviews = new Y.Array<string>();
        entry.set('reviews', reviews);
      }
      reviews.push([value]);
    });
    input.value = '';
  }

  private emit(name: string, detail: Record<string, unknown> = {}): void {
    this.dispatchEvent(new CustomEvent(name, { detail: { id: this.entry?.get('id'), ...detail }, bubbles: true, composed: true }));
  }

  private requestDelete(): void {
    this.emit('cp-delete');
  }

  private renderLink(url: string, text = url) {
    const href = safeHref(url);
    return href ? html`<a href=${href} target="_blank" rel="noopener noreferrer">${text}</a>` : html`<span>${text}</span>`;
  }

  private renderActions(data: EntryData) {
    const name = data.title || 'entry';
    return html`<div class="actions">
      ${this.editable ? html`<button @click=${() => (this.editing = true)} aria-label="Edit ${name}">Edit</button>` : nothing}
      ${this.promotable
        ? html`<button class="primary" @click=${() => this.emit('cp-promote', { remove: false })} aria-label="Promote ${name} to ready" ?disabled=${Boolean(data.promotedTo)}>Promote</button>
            <button @click=${() => this.emit('cp-promote', { remove: true })} aria-label="Promote ${name} to ready and remove it from proposed">Promote &amp; remove</button>`
        : nothing}
      ${this.orderable
        ? html`<button @click=${() => this.emit('cp-move', { delta: -1 })} ?disabled=${this.first} aria-label="Move ${name} up">↑ Up</button>
            <button @click=${() => this.emit('cp-move', { delta: 1 })} ?disabled=${this.last} aria-label="Move ${name} down">↓ Down</button>
            <label class="inline">Status
              <select translate="no" class="notranslate" aria-label="Status of ${name}" .value=${data.status} @change=${(e: Event) => {
                const v = (e.target as HTMLSelectElement).value;
                if (v === 'open') this.change((entry) => entry.delete('status'));
                else if (isEntryStatus(v)) this.set('status', v);
              }}>
                ${ENTRY_STATUSES.map((s) => html`<option value=${s} ?selected=${s === data.status}>${s}</option>`)}
              </select></label>`
        : nothing}
      ${this.editable ? html`<button class="danger" @click=${this.requestDelete} aria-label="Delete ${name}">Delete</button>` : nothing}
    </div>`;
  }

  override render() {
    const data = entryToJSON(this.entry);
    if (!data) return nothing;
    return this.editing && this.editable ? this.renderEditor(data.kind) : this.renderView(data);
  }

  private renderView(data: EntryData) {
    const lp = data.launchpad ? parseLink(data.launchpad) : null;
    const fallback = lp ? chipLabel(lp) : data.launchpad;
    return html`
      <div class="head">
        <span class="title">${data.launchpad ? this.renderLink(data.launchpad, data.title || fallback) : data.title || '(untitled)'}</span>
        ${data.launchpad ? linkChip(data.launchpad) : nothing}
        ${data.owner ? html`<span class="owner">(${data.owner})</span>` : nothing}
        ${data.status !== 'open' ? html`<span class="badge status-${data.status}">${data.status}</span>` : nothing}
        ${data.promotedTo ? html`<span class="badge promoted">promoted to ready</span>` : nothing}
      </div>
      ${data.reviews.length > 0 ? html`<ul class="reviews" aria-label="Reviews">${data.reviews.map((r) => html`<li>${linkChip(r)}</li>`)}</ul>` : nothing}
      ${data.note ? html`<p class="note">${data.note}</p>` : nothing}
      ${this.editable || this.promotable || this.orderable ? this.renderActions(data) : nothing}
    `;
  }

  private renderEditor(kind: string) {
    const entry = this.entry!;
    const title = entry.get('title');
    const note = entry.get('note');
    const reviews = this.reviews()?.toArray() ?? [];
    return html`
      <div class="grid notranslate" translate="no">
        <label>Title <cp-text-field label="Title" .text=${title instanceof Y.Text ? title : null}></cp-text-field></label>
        <label
          >Kind
          <select translate="no" class="notranslate" aria-label="Kind" .value=${kind} @change=${(e: Event) => {
            const v = (e.target as HTMLSelectElement).value;
            if (isEntryKind(v)) this.set('kind', v);
          }}>
            ${ENTRY_KINDS.map((k) => html`<option value=${k} ?selected=${k === kind}>${k}</option>`)}
          </select></label
        >
        <label>Launchpad link <cp-text-field label="Launchpad link" .map=${entry} key="launchpad"></cp-text-field></label>
        <label>Owner <cp-text-field label="Owner" .map=${entry} key="owner"></cp-text-field></label>
      </div>
      <label>Status note <cp-text-field multiline label="Status note" .text=${note instanceof Y.Text ? note : null}></cp-text-field></label>
      <div>
        <span>Reviews</span>
        <ul class="notranslate" translate="no">
          ${reviews.map(
            (r, i) => html`<li>${this.renderLink(r)}
              <button aria-label="Remove review ${r}" @click=${() => this.change(() => this.reviews()?.delete(i, 1))}>Remove</button></li>`,
          )}
        </ul>
        <form class="review-row" @submit=${(e: Event) => {
          e.preventDefault();
          this.addReview(e.target as HTMLFormElement);
        }}>
          <input translate="no" class="notranslate" name="review" aria-label="Add a Gerrit review link or topic" placeholder="https://review.opendev.org/c/openstack/nova/+/…" />
          <button type="submit">Add review</button>
        </form>
      </div>
      <div class="actions"><button class="primary" @click=${() => (this.editing = false)}>Done</button></div>
    `;
  }
}

customElements.define('cp-entry', CpEntry);

/** The entry's look, carried by the shadow root it renders into (its section's). */
export const entryStyles = [
  controlStyles,
  chipStyles,
  css`
      cp-entry {
        display: block;
        padding: 0.5rem 0.6rem;
        border: 1px solid #d9e2ec;
        border-radius: 6px;
        background: #fff;
      }
      cp-entry .head {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        align-items: baseline;
      }
      cp-entry .title {
        font-weight: 600;
      }
      cp-entry .owner {
        color: #52606d;
      }
      cp-entry ul {
        margin: 0.3rem 0 0;
        padding-left: 1.2rem;
      }
      cp-entry ul.reviews {
        list-style: none;
        padding: 0;
        display: flex;
        flex-wrap: wrap;
        gap: 0.3rem;
      }
      cp-entry .badge {
        font-size: 0.8rem;
        padding: 0 0.4rem;
        border-radius: 4px;
        background: #eef0f2;
      }
      cp-entry .status-merged {
        background: #d3f2dd;
        color: #14532d;
      }
      cp-entry .status-abandoned {
        background: #f3e8e8;
        color: #6b2b2b;
        text-decoration: line-through;
      }
      cp-entry .promoted {
        background: #e4ecf7;
        color: #16447d;
      }
      cp-entry label.inline {
        display: inline-flex;
        gap: 0.3rem;
        align-items: center;
      }
      cp-entry .note {
        margin: 0.3rem 0 0;
        color: #3e4c59;
        white-space: pre-wrap;
      }
      cp-entry .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        margin-top: 0.4rem;
      }
      cp-entry .grid {
        display: grid;
        gap: 0.4rem;
        grid-template-columns: 1fr;
      }
      @media (min-width: 640px) {
        .grid {
          grid-template-columns: 1fr 1fr;
        }
      }
      cp-entry .review-row {
        display: flex;
        gap: 0.4rem;
      }
      cp-entry .review-row input {
        flex: 1;
      }
    `,
];
