import { LitElement, css, html, nothing } from 'lit';
import * as Y from 'yjs';
import {
  ENTRY_KINDS,
  ENTRY_STATUSES,
  entryToJSON,
  isEntryKind,
  MAX_REVIEWS_PER_ENTRY,
  shownReviews,
  type EntryData,
  type EntryMap,
} from '../../../shared/schema.js';
import { linkAsText, safeHref } from '../../../shared/links.js';
import { entryLabel } from '../../../shared/labels.js';
import { ObserveController, deep } from '../controllers/observe.js';
import { controlStyles } from '../styles.js';
import './cp-text-field.js';
import { chipLink, chipOf, chipStatus, chipStyles, reviewItem, statusBadge } from '../link-chip.js';
import type { PadStatus } from '../../../shared/status.js';
import { doneOutcome } from '../../../shared/scrub.js';
import { TranslationWatchController } from '../controllers/translation-watch.js';
import { localChange } from '../local-origin.js';
import type { Editor } from '../controllers/editors-controller.js';
import { CURSOR_EVENT, cursorIn, type Cursor } from '../controllers/cursor-controller.js';

interface MenuAction {
  label: string;
  run: () => void;
  disabled?: boolean;
  danger?: boolean;
  /** A status item: a radio item, checked when it is the entry's status. */
  checked?: boolean;
  /** The keyboard shortcut doing the same, shown beside the label. */
  hint?: string;
}

/**
 * One entry of the list: a Launchpad link with title and owner, the Gerrit reviews, and a status note, in one or two
 * lines. Its actions (edit, promote, move, status, delete) are in a "⋯" menu (the WAI-ARIA menu button pattern);
 * "Edit" opens the fields (text through cp-text-field, strings as the person types).
 */
export class CpEntry extends LitElement {
  static override properties = {
    entry: { attribute: false },
    editable: { attribute: false },
    /** Curator actions on a proposed entry: promote to ready. */
    promotable: { attribute: false },
    /** Curator actions on a ready entry: reorder, status. */
    orderable: { attribute: false },
    first: { attribute: false },
    last: { attribute: false },
    /** The pad's live review status (a new object whenever it changes), null when none is known. */
    status: { attribute: false },
    /** In the ready list: an open entry whose changes are all done is marked for the scrub. */
    ready: { attribute: false },
    /** The others typing in this entry's title or note now (from their presence). */
    editors: { attribute: false },
    /** The section is not live: what is typed stays in the page until it is (said in an open editor). */
    offline: { attribute: false },
    /** A proposed entry the ready list has a copy of (as the ready list says: not the entry's own `promotedTo`). */
    promoted: { attribute: false },
    editing: { state: true },
    menuOpen: { state: true },
  };
  declare entry: EntryMap | null;
  declare editable: boolean;
  declare promotable: boolean;
  declare orderable: boolean;
  declare first: boolean;
  declare last: boolean;
  declare status: PadStatus | null;
  declare ready: boolean;
  declare editors: readonly Editor[];
  declare offline: boolean;
  declare promoted: boolean;
  declare editing: boolean;
  /**
   * The entry's name when its editor opened, for the editor's heading: not followed as the title is typed (every
   * keystroke would lay the heading out again, on the edit keystroke's 16 ms budget).
   */
  private editingLabel = '';
  declare menuOpen: boolean;

  /**
   * Rendered into the section's shadow root (no shadow root of its own): a pad has hundreds of entries, and a
   * shadow root each was most of a 500-entry pad's first render. The section carries {@link entryStyles}.
   */
  protected override createRenderRoot() {
    return this;
  }

  constructor() {
    super();
    // marked translate="no" by the section's template; its renders are the page's own
    new TranslationWatchController(this);
    this.entry = null;
    this.editable = false;
    this.promotable = false;
    this.orderable = false;
    this.first = false;
    this.last = false;
    this.status = null;
    this.ready = false;
    this.editors = [];
    this.offline = false;
    this.promoted = false;
    this.editing = false;
    this.menuOpen = false;
    new ObserveController(this, () => this.entry, deep);
    // Where the person is typing, for the others (CursorController): said on their first keystroke in a title or
    // note, not when focus lands there (opening the editor puts focus in the title, and the others were told
    // "Bob is also typing (title)" of someone about to edit the note); unsaid when focus goes elsewhere.
    this.addEventListener('input', (event) => {
      const cursor = cursorIn(this, this.ready ? 'ready' : 'proposed', event.composedPath());
      if (cursor && cursor.field !== this.typingIn) {
        this.typingIn = cursor.field;
        this.sayCursor(cursor);
      }
    });
    this.addEventListener('focusin', (event) => {
      const now = cursorIn(this, this.ready ? 'ready' : 'proposed', event.composedPath());
      if (this.typingIn && now?.field !== this.typingIn) this.sayCursor(null);
    });
    this.addEventListener('focusout', (event) => {
      const to = event.relatedTarget;
      if (this.typingIn && !(to instanceof Node && this.contains(to))) this.sayCursor(null);
    });
    // Escape leaves the editor, as it closes the menu and every form of the page (what was typed is saved already)
    this.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || !this.editing || event.defaultPrevented) return;
      event.preventDefault();
      this.closeEditor();
    });
  }

  /** The field the others were told this person types in (null: nothing said). */
  private typingIn: Cursor['field'] | null = null;

  private sayCursor(cursor: Cursor | null): void {
    if (!cursor) this.typingIn = null;
    this.dispatchEvent(new CustomEvent(CURSOR_EVENT, { detail: { entry: this.dataset.id ?? '', cursor }, bubbles: true, composed: true }));
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

  private renderLink(url: string, text = linkAsText(url)) {
    const href = safeHref(url);
    return href ? html`<a href=${href} target="_blank" rel="noopener noreferrer">${text}</a>` : html`<span>${text}</span>`;
  }

  /** The entry's name in labels (shared/labels.ts: the same everywhere an entry is named). */
  private name(data: EntryData): string {
    return entryLabel(data);
  }

  /** The actions this person has on this entry, in menu order (empty: no menu at all). */
  private actions(data: EntryData): MenuAction[] {
    const out: MenuAction[] = [];
    if (this.editable) out.push({ label: 'Edit', run: () => void this.openEditor() });
    if (this.promotable) {
      out.push({ label: 'Promote to ready', disabled: this.promoted, run: () => this.emit('cp-promote', { remove: false }) });
      out.push({ label: 'Promote & remove from proposed', run: () => this.emit('cp-promote', { remove: true }) });
    }
    if (this.orderable) {
      out.push({ label: 'Move to top', disabled: this.first, run: () => this.emit('cp-move', { delta: -1_000_000 }) });
      out.push({ label: 'Move up', hint: 'Alt+↑', disabled: this.first, run: () => this.emit('cp-move', { delta: -1 }) });
      out.push({ label: 'Move down', hint: 'Alt+↓', disabled: this.last, run: () => this.emit('cp-move', { delta: 1 }) });
      for (const status of ENTRY_STATUSES) {
        out.push({
          label: status === 'open' ? 'Status: open' : `Status: ${status}`,
          checked: data.status === status,
          run: () => (status === 'open' ? this.change((entry) => entry.delete('status')) : this.set('status', status)),
        });
      }
    }
    if (this.editable) out.push({ label: 'Delete', danger: true, run: () => this.emit('cp-delete') });
    return out;
  }

  /** The menu button of this entry (where focus returns after the menu or the editor closes). */
  focusMenuButton(): void {
    this.querySelector<HTMLButtonElement>('button.more')?.focus();
  }

  private toggleMenu = (): void => {
    if (this.menuOpen) this.closeMenu(true);
    else void this.openMenu();
  };

  private async openMenu(focus: 'first' | 'last' = 'first'): Promise<void> {
    this.menuOpen = true;
    await this.updateComplete;
    const items = this.menuItems();
    (focus === 'first' ? items[0] : items.at(-1))?.focus();
  }

  private closeMenu(returnFocus: boolean): void {
    if (!this.menuOpen) return;
    this.menuOpen = false;
    if (returnFocus) void this.updateComplete.then(() => this.focusMenuButton());
  }

  private menuItems(): HTMLButtonElement[] {
    return [...this.querySelectorAll<HTMLButtonElement>('.menu [role^="menuitem"]:not([aria-disabled="true"])')];
  }

  private onMenuButtonKey(event: KeyboardEvent): void {
    if (event.altKey) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      void this.openMenu(event.key === 'ArrowDown' ? 'first' : 'last');
    }
  }

  /** Menu keys: arrows move (wrapping), Home/End, Escape closes and returns focus to the button; Tab closes. */
  private onMenuKey(event: KeyboardEvent): void {
    const items = this.menuItems();
    const at = items.indexOf(event.target as HTMLButtonElement);
    const go = (i: number) => {
      event.preventDefault();
      items[(i + items.length) % items.length]?.focus();
    };
    if (event.key === 'ArrowDown') go(at + 1);
    else if (event.key === 'ArrowUp') go(at - 1);
    else if (event.key === 'Home') go(0);
    else if (event.key === 'End') go(items.length - 1);
    else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      this.closeMenu(true);
    } else if (event.key === 'Tab') this.closeMenu(false);
  }

  /** A click or focus anywhere outside the entry's menu closes it. */
  private onMenuFocusOut(event: FocusEvent): void {
    const to = event.relatedTarget as Node | null;
    if (!to || !this.contains(to)) this.closeMenu(false);
  }

  private runAction(action: MenuAction): void {
    if (action.disabled) return;
    this.menuOpen = false;
    // the action decides where focus goes (the editor's first field, the moved entry); by default, back to the button
    this.dataset.focus = 'menu';
    action.run();
    void this.updateComplete.then(() => {
      if (this.dataset.focus === 'menu' && this.isConnected) this.focusMenuButton();
      delete this.dataset.focus;
    });
  }

  private renderMenuButton(name: string, actions: MenuAction[]) {
    return html`<div class="menu-wrap" @focusout=${this.onMenuFocusOut}><button type="button" class="more" aria-haspopup="menu" aria-expanded=${
      this.menuOpen ? 'true' : 'false'} aria-label="Actions for ${name}" @click=${this.toggleMenu} @keydown=${this.onMenuButtonKey}>⋯</button>${
      this.menuOpen ? this.renderMenu(name, actions) : nothing}</div>`;
  }

  private renderMenu(name: string, actions: MenuAction[]) {
    return html`<div class="menu" role="menu" aria-label="Actions for ${name}" @keydown=${this.onMenuKey}>
      ${actions.map(
        (a) => html`<button
          type="button"
          tabindex="-1"
          role=${a.checked === undefined ? 'menuitem' : 'menuitemradio'}
          aria-checked=${a.checked === undefined ? nothing : a.checked ? 'true' : 'false'}
          aria-disabled=${a.disabled ? 'true' : nothing}
          class=${a.danger ? 'danger' : ''}
          @click=${() => this.runAction(a)}
        >${a.checked === undefined ? nothing : html`<span class="check" aria-hidden="true">${a.checked ? '●' : ''}</span>`}${a.label}${a.hint ? html`<kbd aria-hidden="true">${a.hint}</kbd>` : nothing}</button>`,
      )}
    </div>`;
  }

  private async openEditor(): Promise<void> {
    const data = entryToJSON(this.entry);
    this.editingLabel = data ? entryLabel(data) : '';
    this.editing = true;
    this.dataset.focus = 'editor';
    await this.updateComplete;
    const field = this.querySelector('cp-text-field') as (HTMLElement & { updateComplete?: Promise<unknown> }) | null;
    await field?.updateComplete;
    (field?.shadowRoot?.querySelector('input, textarea') as HTMLElement | null)?.focus();
  }

  private closeEditor(): void {
    this.editing = false;
    void this.updateComplete.then(() => this.focusMenuButton());
  }

  /** The connection coming and going changes only an open editor: a 500-entry list is not rendered again for it. */
  protected override shouldUpdate(changed: Map<PropertyKey, unknown>): boolean {
    return this.editing || changed.size !== 1 || !changed.has('offline');
  }

  override willUpdate(): void {
    this.classList.toggle('editing', this.editing && this.editable);
    this.classList.toggle('menu-open', this.menuOpen);
  }

  override render() {
    const data = entryToJSON(this.entry);
    if (!data) return nothing;
    return this.editing && this.editable ? this.renderEditor(data) : this.renderView(data);
  }

  /**
   * One or two lines: the title (a link to Launchpad), the Launchpad chip (only beside a title: an untitled entry
   * shows its link once), owner and badges; then the reviews' chips and the note. Actions sit in the "⋯" menu.
   */
  /**
   * One template for the entry, nesting as few as it can (the empty note and review list are hidden, not left out):
   * a 500-entry pad's first render is mostly creating these, and every nested template is one more instance to
   * clone, walk and insert.
   */
  private renderView(data: EntryData) {
    const actions = this.editable || this.promotable || this.orderable ? this.actions(data) : [];
    const lp = data.launchpad ? chipOf(data.launchpad) : null;
    const chip = data.title && lp ? lp : null;
    const name = this.name(data);
    const text = data.launchpad ? name : data.title || '(untitled)';
    const status = this.status;
    const lpStatus = lp ? chipStatus(lp, status) : null;
    const done = this.ready && data.status === 'open' ? doneOutcome(data, status) : null;
    const reviews = shownReviews(data.reviews);
    return html`<div class="head"><span class="title">${
      lp?.href ? html`<a href=${lp.href} target="_blank" rel="noopener noreferrer">${text}</a>` : text}</span>${chip?.href ? chipLink(chip, lpStatus) : statusBadge(lpStatus)}${data.owner ? html`<span class="owner">(${data.owner})</span>` : nothing}${
      data.status !== 'open' ? html`<span class="badge status-${data.status}">${data.status}</span>` : nothing}${
      this.promoted ? html`<span class="badge promoted">promoted to ready</span>` : nothing}${
      done ? html`<span class="badge done" title="Every change of this entry is ${done}: the scrub suggests marking it">all changes ${done}</span>` : nothing}${
      this.editors.length > 0 ? html`<span class="badge editors">✎ ${editorNames(this.editors)} editing</span>` : nothing}</div><div class="sub" ?hidden=${data.reviews.length === 0 && !data.note}><ul class=${
      data.reviews.length > 0 ? 'reviews' : ''} aria-label="Reviews" ?hidden=${data.reviews.length === 0}>${reviews.shown.map((r) => reviewItem(r, status))}${
      reviews.more > 0 ? html`<li class="more">and ${reviews.more} more reviews</li>` : nothing}</ul><p class=${
      data.note ? 'note' : ''} ?hidden=${!data.note}>${data.note}</p></div>${
      // after the entry's links in the tab order (its grid cell puts it beside them)
      actions.length > 0 ? this.renderMenuButton(name, actions) : nothing}`;
  }

  private renderEditor(data: EntryData) {
    const { kind } = data;
    const entry = this.entry!;
    const title = entry.get('title');
    const note = entry.get('note');
    const { shown, more } = shownReviews(this.reviews()?.toArray() ?? []);
    return html`
      <h4 class="editing-heading">Editing “<span translate="no" class="notranslate">${this.editingLabel}</span>”</h4>
      ${this.editors.length > 0
        ? html`<p class="also-editing" role="status">✎ ${editorNames(this.editors)} ${this.editors.some((e) => e.name !== this.editors[0]!.name) ? 'are' : 'is'} also typing in this entry (${
            [...new Set(this.editors.map((e) => (e.field === 'note' ? 'status note' : 'title')))].join(' and ')}): what you both type is merged.</p>`
        : nothing}
      ${this.offline
        ? html`<p class="offline-note" role="status">Offline: what you type is kept in this page and sent when the connection is back.</p>`
        : nothing}
      <div class="grid notranslate" translate="no">
        <label>Title <cp-text-field label="Title" data-field="title" .text=${title instanceof Y.Text ? title : null}></cp-text-field></label>
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
      <label>Status note <cp-text-field multiline label="Status note" data-field="note" .text=${note instanceof Y.Text ? note : null}></cp-text-field></label>
      <div>
        <span>Reviews</span>
        <ul class="notranslate" translate="no">
          ${shown.map(
            (r, i) => html`<li class="review-link">${this.renderLink(r)}
              <button aria-label="Remove review ${r}" @click=${() => this.change(() => this.reviews()?.delete(i, 1))}>Remove</button></li>`,
          )}
          ${more > 0
            ? html`<li>and ${more} more reviews, not shown
                <button @click=${() => this.change(() => this.reviews()?.delete(shown.length, more))}>Remove them</button></li>`
            : nothing}
        </ul>
        ${shown.length + more >= MAX_REVIEWS_PER_ENTRY
          ? html`<p class="review-row">An entry lists at most ${MAX_REVIEWS_PER_ENTRY} reviews: remove one to add another.</p>`
          : html`<form class="review-row" @submit=${(e: Event) => {
              e.preventDefault();
              this.addReview(e.target as HTMLFormElement);
            }}>
              <input translate="no" class="notranslate" name="review" aria-label="Add a Gerrit review link or topic" placeholder="https://review.opendev.org/c/openstack/nova/+/…" />
              <button type="submit">Add review</button>
            </form>`}
      </div>
      <div class="actions"><button class="primary" @click=${this.closeEditor}>Done</button></div>
    `;
  }
}

customElements.define('cp-entry', CpEntry);

/** "Alice", "Alice and Bob", "Alice, Bob and 2 others": the people typing in an entry, each named once. */
function editorNames(editors: readonly Editor[]): string {
  const names = [...new Set(editors.map((e) => e.name))];
  if (names.length <= 2) return names.join(' and ');
  return `${names.slice(0, 2).join(', ')} and ${names.length - 2} other${names.length > 3 ? 's' : ''}`;
}

/** The entry's look, carried by the shadow root it renders into (its section's). */
export const entryStyles = [
  controlStyles,
  chipStyles,
  css`
    cp-entry {
      display: grid;
      grid-template-columns: minmax(0, 1fr) auto;
      column-gap: 0.4rem;
      padding: 0.3rem 0.4rem 0.3rem 0.6rem;
      border-bottom: 1px solid #d9e2ec;
      background: #fff;
      overflow-wrap: anywhere;
      min-width: 0;
    }
    cp-entry > * {
      min-width: 0;
    }
    cp-entry .head,
    cp-entry .sub {
      grid-column: 1;
      display: flex;
      flex-wrap: wrap;
      gap: 0 0.4rem;
      align-items: baseline;
    }
    cp-entry .menu-wrap {
      grid-column: 2;
      grid-row: 1 / span 2;
      position: relative;
      align-self: start;
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
      display: contents;
    }
    cp-entry ul.reviews > li {
      display: inline;
      min-width: 0;
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
    cp-entry .done {
      background: #fff4d6;
      color: #5c3d00;
      border: 1px solid #b7791f;
    }
    cp-entry .editors,
    cp-entry .also-editing {
      background: #fdf2d0;
      color: #5c3d00;
    }
    cp-entry .editing-heading {
      margin: 0 0 0.3rem;
      font-size: 0.95rem;
      overflow-wrap: anywhere;
    }
    /* what an open editor is told: someone else typing in it, the connection gone */
    cp-entry .also-editing,
    cp-entry .offline-note {
      margin: 0 0 0.4rem;
      padding: 0.2rem 0.4rem;
      border-radius: 4px;
    }
    cp-entry .offline-note {
      background: #fde8e8;
      color: #7a1d1d;
    }
    cp-entry .promoted {
      background: #e4ecf7;
      color: #16447d;
    }
    cp-entry .note {
      margin: 0;
      color: #3e4c59;
      white-space: pre-wrap;
    }
    cp-entry button.more {
      /* selecting entries to copy them takes their text, not the menu's "⋯" */
      user-select: none;
      padding: 0 0.5rem;
      line-height: 1.4;
      border-color: transparent;
      background: transparent;
      color: #3e4c59;
      font-weight: 700;
    }
    /* a finger is wider than a pointer: on touch screens the menu button (and the drag handle) is a 44 px target */
    @media (pointer: coarse) {
      cp-entry button.more {
        min-width: 44px;
        min-height: 44px;
      }
    }
    cp-entry button.more:hover,
    cp-entry button.more[aria-expanded='true'] {
      border-color: #7b8794;
      background: #f5f7fa;
    }
    cp-entry .menu {
      position: absolute;
      right: 0;
      top: 100%;
      z-index: 5;
      display: flex;
      flex-direction: column;
      min-width: 13rem;
      max-width: calc(100vw - 2rem);
      padding: 0.25rem 0;
      background: #fff;
      border: 1px solid #7b8794;
      border-radius: 6px;
      box-shadow: 0 4px 14px rgb(0 0 0 / 18%);
    }
    cp-entry .menu button {
      display: flex;
      gap: 0.4rem;
      align-items: baseline;
      text-align: left;
      border: 0;
      border-radius: 0;
      background: transparent;
      padding: 0.3rem 0.8rem;
      white-space: nowrap;
    }
    cp-entry .menu button:hover,
    cp-entry .menu button:focus {
      background: #e4ecf7;
    }
    cp-entry .menu button[aria-disabled='true'] {
      color: #616e7c;
      cursor: default;
      background: transparent;
    }
    cp-entry .menu .check {
      display: inline-block;
      width: 0.8rem;
    }
    cp-entry .menu kbd {
      margin-left: auto;
      padding-left: 1rem;
      font: inherit;
      font-size: 0.8rem;
      color: #52606d;
    }
    cp-entry .menu button.danger {
      color: #b42318;
    }
    cp-entry .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 0.4rem;
      margin-top: 0.4rem;
    }
    /* the editor: one column of fields, as wide as the entry and never wider */
    cp-entry.editing {
      display: block;
      padding: 0.6rem;
      background: #f8fafc;
    }
    cp-entry .grid {
      display: grid;
      gap: 0.4rem;
      grid-template-columns: minmax(0, 1fr);
    }
    @media (min-width: 640px) {
      cp-entry .grid {
        grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
      }
    }
    cp-entry .review-row {
      display: flex;
      flex-wrap: wrap;
      gap: 0.4rem;
    }
    cp-entry .review-row input {
      flex: 1 1 12rem;
      min-width: 0;
    }
    /* the link takes what room there is (wrapping anywhere), its Remove button keeps to the card's right edge */
    cp-entry li.review-link {
      display: flex;
      gap: 0.4rem;
      align-items: baseline;
      justify-content: space-between;
      min-width: 0;
    }
    cp-entry li.review-link > a,
    cp-entry li.review-link > span {
      min-width: 0;
      overflow-wrap: anywhere;
    }
    cp-entry li.review-link button {
      flex: none;
      white-space: nowrap;
    }
  `,
];
