import { LitElement, css, html, nothing } from 'lit';
import { ENTRY_KINDS, MAX_LINE_LENGTH, MAX_NOTE_LENGTH, MAX_REVIEWS_PER_ENTRY, isEntryKind, type EntryKind } from '../../../shared/schema.js';
import { entryIdentityKeys, parseEntryPaste, type EntryDraft } from '../../../shared/links.js';
import { MAX_IMPORT_ENTRIES } from '../../../shared/wire.js';
import type { Duplicate } from '../../../shared/duplicates.js';
import type { NewEntryFields } from '../../../shared/pad-actions.js';
import { KIND_HEADINGS, SECTION_HEADINGS, entryLabel } from '../../../shared/labels.js';
import { ContextConsumer } from '@lit/context';
import { padContext } from '../context.js';
import { controlStyles } from '../styles.js';
import { TranslationWatchController } from '../controllers/translation-watch.js';
import { pasteCut, pasteCutMessage } from '../paste-cut.js';

/** Most entries one paste adds (a longer list is an import: the import dialog takes up to {@link MAX_IMPORT_ENTRIES}). */
export const MAX_PASTED_ENTRIES = 100;

/**
 * The "add an entry" form. Pasting Launchpad and Gerrit links into "Paste links" fills the fields (kind from the
 * link, title from the text after it, owner from `(nick)`); the person adjusts them and adds. A paste that holds
 * several entries (an Etherpad list, a line per bug) is listed as such and added in one press, each entry whole.
 * If the same change, topic, bug or blueprint is already on the pad, the form says where before adding. Emits
 * `cp-add` (once per entry).
 */
export class CpEntryForm extends LitElement {
  static override properties = {
    duplicates: { state: true },
    added: { state: true },
    notAdded: { state: true },
    several: { state: true },
  };
  /** A paste holding several entries: they are added together, not merged into the fields. */
  declare several: EntryDraft[];
  /** Which of them are skipped, as things stood when they were pasted (checked again when they are added). */
  private severalSkipped: Array<'on the pad' | 'repeated' | null> = [];
  /**
   * What the last paste put in each field: a later paste replaces it, or clears it when it says nothing of that field
   * (a second paste once kept the first one's bug link, and the duplicate warning that came with it). What the
   * person typed over is theirs, and stays.
   */
  private readonly fromPaste = new Map<string, string>();
  /** What the last press added (said in the form: the new entry may be out of sight, below the fold). */
  declare added: string;
  /** Why the last press added nothing (the section is full), said where the press was. */
  declare notAdded: string;
  private readonly pad = new ContextConsumer(this, { context: padContext });

  /** Where the pad, as it is now, has what drafts name (one finder for as many drafts as are asked about at once). */
  private duplicateFinder(): (draft: { launchpad: string; reviews: readonly string[] }) => Duplicate[] {
    return this.pad.value?.duplicateFinder() ?? (() => []);
  }

  private findDuplicates(draft: { launchpad: string; reviews: readonly string[] }): Duplicate[] {
    return this.duplicateFinder()(draft);
  }
  declare duplicates: Duplicate[];

  static override styles = [
    controlStyles,
    css`
      form {
        display: grid;
        gap: 0.5rem;
        grid-template-columns: minmax(0, 1fr);
        padding: 0.6rem;
        border: 1px solid #9aa5b1;
        border-radius: 6px;
        background: #fff;
      }
      @media (min-width: 640px) {
        form {
          grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
        }
      }
      .added {
        margin: 0;
        color: #14532d;
      }
      .added:empty {
        display: none;
      }
      .buttons {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
      }
      input,
      select,
      textarea {
        width: 100%;
        font: inherit;
        box-sizing: border-box;
      }
      textarea {
        min-height: 2.5rem;
        padding: 0.3rem 0.4rem;
        border: 1px solid #9aa5b1;
        border-radius: 4px;
      }
      .wide {
        grid-column: 1 / -1;
      }
      .duplicates {
        padding: 0.4rem 0.6rem;
        background: #fdf2c4;
        color: #5c4300;
        border-radius: 4px;
      }
      .several {
        padding: 0.4rem 0.6rem;
        background: #e6f0fa;
        color: #1f2933;
        border-radius: 4px;
      }
      .several ul,
      .duplicates ul {
        margin: 0.2rem 0 0;
        padding-left: 1.2rem;
      }
    `,
  ];

  constructor() {
    super();
    this.notAdded = '';
    new TranslationWatchController(this, { content: true });
    this.duplicates = [];
    this.added = '';
    this.several = [];
  }

  private get form(): HTMLFormElement {
    return this.renderRoot.querySelector('form')!;
  }

  private field(name: string): HTMLInputElement | HTMLSelectElement {
    return this.form.elements.namedItem(name) as HTMLInputElement;
  }

  private read(): NewEntryFields {
    const value = (name: string) => this.field(name).value.trim();
    const kind = value('kind');
    return {
      kind: isEntryKind(kind) ? kind : 'other',
      title: value('title'),
      launchpad: value('launchpad'),
      owner: value('owner'),
      // (as many as an entry may list: the server refuses more, as the paste parser keeps no more; submit says so)
      reviews: this.typedReviews().slice(0, MAX_REVIEWS_PER_ENTRY),
      note: value('note'),
    };
  }

  private typedReviews(): string[] {
    return this.field('reviews').value.trim().split(/\s+/).filter(Boolean);
  }

  /** A paste into one of the fields that its limit cuts is said (the browser keeps what fits, silently). */
  private onFieldPaste(event: ClipboardEvent): void {
    const cut = pasteCut(event);
    const name = (event.target as HTMLInputElement).name;
    if (cut) this.added = pasteCutMessage(cut, FIELD_WORDS[name] ?? 'the field');
  }

  /**
   * Fills the fields from what was pasted. A field the paste says nothing about keeps what the person typed, and
   * loses what the previous paste put there. A paste of several entries fills nothing: it is listed, to add whole.
   */
  private onPaste(event: Event): void {
    const drafts = parseEntryPaste((event.target as HTMLTextAreaElement).value);
    this.added = '';
    this.several = drafts.length > 1 ? drafts : [];
    // (not for a paste longer than the form takes: it is not added here, and asking the pad of thousands froze the page)
    this.severalSkipped = this.several.length <= MAX_PASTED_ENTRIES ? this.skipped(this.several) : [];
    const draft = drafts.length === 1 ? drafts[0]! : null;
    const fill = (name: string, value: string) => {
      const field = this.field(name);
      if (value && (name !== 'note' || !field.value || field.value === this.fromPaste.get(name))) {
        field.value = value;
        this.fromPaste.set(name, value);
      } else if (this.fromPaste.has(name) && field.value === this.fromPaste.get(name)) {
        field.value = '';
        this.fromPaste.delete(name);
      }
    };
    if (draft) this.field('kind').value = draft.kind satisfies EntryKind;
    fill('launchpad', draft?.launchpad ?? '');
    fill('title', draft?.title ?? '');
    fill('owner', draft?.owner ?? '');
    fill('reviews', draft?.reviews.join(' ') ?? '');
    fill('note', draft?.rest ?? '');
    const leftOut = drafts.reduce((n, d) => n + (d.reviewsLeftOut ?? 0), 0);
    if (leftOut > 0) {
      this.added = `${leftOut} review link${leftOut === 1 ? '' : 's'} of the paste ${leftOut === 1 ? 'was' : 'were'} left out: an entry lists at most ${MAX_REVIEWS_PER_ENTRY} reviews.`;
    }
    this.checkDuplicates();
  }

  private checkDuplicates(): void {
    const entry = this.read();
    this.duplicates = this.findDuplicates({ launchpad: entry.launchpad, reviews: entry.reviews });
  }

  private submit(event: Event): void {
    event.preventDefault();
    if (this.several.length > 1) return this.addSeveral();
    const entry = this.read();
    if (!entry.title && !entry.launchpad && entry.reviews.length === 0) return;
    if (!this.roomFor(1)) return;
    const dropped = this.typedReviews().length - entry.reviews.length;
    const duplicates = this.findDuplicates({ launchpad: entry.launchpad, reviews: entry.reviews });
    // The first press shows where the item already is; pressing "Add anyway" adds it.
    const confirmed = (event as SubmitEvent).submitter?.dataset.confirm === 'yes';
    if (duplicates.length > 0 && !confirmed) {
      this.duplicates = duplicates;
      return;
    }
    // (cancelled by the page when the entry cannot be added: the section is full; the page says so)
    if (!this.dispatchEvent(new CustomEvent<NewEntryFields>('cp-add', { detail: entry, bubbles: true, composed: true, cancelable: true }))) return;
    this.cleared();
    this.added = `Added “${entryLabel(entry)}” under ${KIND_HEADINGS[entry.kind]}${
      dropped > 0 ? `, with its first ${MAX_REVIEWS_PER_ENTRY} reviews: an entry lists at most ${MAX_REVIEWS_PER_ENTRY}, so ${dropped} were left out` : ''}.`;
    // ready for the next one: focus back in "Paste links" (the form stays open until closed)
    this.focusFirst();
  }

  /**
   * Why each of several pasted entries would be skipped: the pad has it, or the paste has it earlier (the same bug or
   * change); null: to add. The pad is read once, before any is added: what the paste adds is among what it has seen.
   */
  private skipped(drafts: EntryDraft[]): Array<'on the pad' | 'repeated' | null> {
    const seen = new Set<string>();
    const onPad = this.duplicateFinder();
    return drafts.map((d) => {
      const keys = entryIdentityKeys(d);
      const repeated = keys.some((k) => seen.has(k));
      for (const k of keys) seen.add(k);
      if (repeated) return 'repeated';
      if (onPad(d).length > 0) return 'on the pad';
      return null;
    });
  }

  /**
   * Adds every entry of a paste that held several, each as a change of its own; those already on the pad, or repeated
   * in the paste, are skipped and counted apart. What the person typed in the fields stays (only the paste goes).
   */
  private addSeveral(): void {
    if (this.several.length > MAX_PASTED_ENTRIES) return;
    const outcome = this.skipped(this.several);
    const adding = this.several.filter((d, i) => outcome[i] === null && (d.title || d.launchpad || d.reviews.length > 0));
    // all or none, as an import: the section must have room for every entry the paste adds
    if (!this.roomFor(adding.length)) return;
    let added = 0;
    let refused = 0;
    for (const d of adding) {
      const entry: NewEntryFields = { kind: d.kind, title: d.title, launchpad: d.launchpad, owner: d.owner, reviews: d.reviews, note: d.rest };
      // the page cancels an add it cannot make (the section filled meanwhile)
      if (refused > 0 || !this.dispatchEvent(new CustomEvent<NewEntryFields>('cp-add', { detail: entry, bubbles: true, composed: true, cancelable: true }))) refused++;
      else added++;
    }
    if (refused > 0) {
      // nothing cleared: the paste stays, to add the rest once there is room
      this.added = `Added ${added === 1 ? '1 entry' : `${added} entries`}; ${refused} not added: the section is full.`;
      return;
    }
    (this.form.elements.namedItem('paste') as HTMLTextAreaElement).value = '';
    this.several = [];
    this.severalSkipped = [];
    const onPad = outcome.filter((o) => o === 'on the pad').length;
    const repeated = outcome.filter((o) => o === 'repeated').length;
    const skipped = [onPad > 0 ? `${onPad} already on the pad` : '', repeated > 0 ? `${repeated} repeated in the paste` : ''].filter(Boolean);
    this.added = `Added ${added === 1 ? '1 entry' : `${added} entries`}${
      skipped.length > 0 ? `; ${skipped.join(' and ')} ${onPad + repeated === 1 ? 'was' : 'were'} skipped` : ''}.`;
    this.focusFirst();
  }

  /**
   * Asks the page whether the section has room for `count` more entries; if not, says why in the form (where the
   * press was: a toast over the page's foot covered the form's own buttons) and nothing is added.
   */
  private roomFor(count: number): boolean {
    const ask = new CustomEvent<RoomCheck>('cp-room', { detail: { count, refusal: '' }, bubbles: true, composed: true, cancelable: true });
    if (this.dispatchEvent(ask)) {
      this.notAdded = '';
      return true;
    }
    this.added = '';
    this.notAdded = `Nothing added: ${ask.detail.refusal}.`;
    return false;
  }

  /** Empties the form after an add. */
  private cleared(): void {
    this.form.reset();
    this.fromPaste.clear();
    this.several = [];
    this.duplicates = [];
  }


  /** Puts focus in the first field ("Paste links"). */
  focusFirst(): void {
    this.renderRoot.querySelector<HTMLTextAreaElement>('textarea[name="paste"]')?.focus();
  }

  private close(): void {
    this.dispatchEvent(new CustomEvent('cp-form-close', { bubbles: true, composed: true }));
  }

  private onKey(event: KeyboardEvent): void {
    if (event.key === 'Escape') {
      event.preventDefault();
      this.close();
    }
  }

  override render() {
    return html`<form class="notranslate" translate="no" @submit=${this.submit} @change=${this.checkDuplicates} @keydown=${this.onKey} @paste=${this.onFieldPaste} aria-label="Add an entry">
      <label class="wide">Paste links
        <textarea translate="no" class="notranslate" name="paste" @input=${this.onPaste} placeholder="https://bugs.launchpad.net/nova/+bug/2081234 Evacuate fails when source host is down (carol) https://review.opendev.org/c/openstack/nova/+/931122"></textarea></label>
      <label>Kind
        <select translate="no" class="notranslate" name="kind">${ENTRY_KINDS.map((k) => html`<option value=${k}>${k}</option>`)}</select></label>
      <label>Title <input translate="no" class="notranslate" name="title" autocomplete="off" maxlength=${MAX_LINE_LENGTH} /></label>
      <label>Launchpad link <input translate="no" class="notranslate" name="launchpad" autocomplete="off" maxlength=${MAX_LINE_LENGTH} placeholder="https://bugs.launchpad.net/nova/+bug/…" @input=${this.checkDuplicates} /></label>
      <label>Owner <input translate="no" class="notranslate" name="owner" autocomplete="off" maxlength=${MAX_LINE_LENGTH} placeholder="launchpad nick" /></label>
      <label class="wide">Gerrit reviews (space-separated) <input translate="no" class="notranslate" name="reviews" autocomplete="off" @input=${this.checkDuplicates} /></label>
      <label class="wide">Status note <input translate="no" class="notranslate" name="note" autocomplete="off" maxlength=${MAX_NOTE_LENGTH} placeholder="needs second +2" /></label>
      ${this.several.length > MAX_PASTED_ENTRIES
        ? html`<div class="several wide" role="status">
            This paste holds ${this.several.length} entries: the form adds at most ${MAX_PASTED_ENTRIES} at once. Use “Import from Etherpad…”
            for more (up to ${MAX_IMPORT_ENTRIES.toLocaleString('en')} at once).
          </div>`
        : this.several.length > 1
          ? html`<div class="several wide" role="status">
              This paste holds ${this.several.length} entries, added whole with “Add ${this.several.length} entries”:
              <ul>
                ${this.several.map(
                  (d, i) => html`<li>${entryLabel({ title: d.title, launchpad: d.launchpad, reviews: d.reviews, note: d.rest })}${d.owner ? ` (${d.owner})` : ''}${
                    this.severalSkipped[i] ? html` <strong>${this.severalSkipped[i] === 'repeated' ? 'repeated in the paste' : 'already on the pad'}: skipped</strong>` : nothing}</li>`,
                )}
              </ul>
            </div>`
          : nothing}
      ${this.duplicates.length > 0 && this.several.length <= 1
        ? html`<div class="duplicates wide" role="alert">
            Already on the pad:
            <ul>
              ${this.duplicates.map(
                (d) => html`<li>${d.entry.title || d.entry.launchpad || d.key} (${d.entry.owner || 'no owner'}) in <strong>${SECTION_HEADINGS[d.section]}</strong> (same ${d.key.split(':')[0]})</li>`,
              )}
            </ul>
          </div>`
        : nothing}
      <p class="wide added" role="status">${this.added}</p>
      <p class="wide error not-added" role="alert" ?hidden=${!this.notAdded}>${this.notAdded}</p>
      <div class="wide buttons">
        ${this.several.length > MAX_PASTED_ENTRIES
          ? nothing
          : this.several.length > 1
          ? html`<button class="primary" type="submit">Add ${this.several.length} entries</button>`
          : this.duplicates.length > 0
            ? html`<button class="primary" type="submit" data-confirm="yes">Add anyway</button>`
            : html`<button class="primary" type="submit">Add entry</button>`}
        <button type="button" @click=${this.close}>Close</button>
      </div>
    </form>`;
  }
}

customElements.define('cp-entry-form', CpEntryForm);

/** What the form's messages call its fields. */
const FIELD_WORDS: Record<string, string> = { title: 'the title', launchpad: 'the Launchpad link', owner: 'the owner', note: 'the status note' };

/** `cp-room`: may the section take `count` more entries? The page cancels it, with the reason, if not. */
export interface RoomCheck {
  count: number;
  refusal: string;
}
