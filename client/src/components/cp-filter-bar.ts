import { LitElement, css, html } from 'lit';
import { ENTRY_KINDS, isEntryKind } from '../../../shared/schema.js';
import { DEFAULT_STALE_DAYS, NEEDS, NEED_LABELS, NO_FILTER, isNeed, type EntryFilter } from '../../../shared/filter.js';
import { controlStyles } from '../styles.js';
import { TranslationWatchController } from '../controllers/translation-watch.js';

/** Filter the pad by kind, owner and free text; the filter is the person's own (never shared). Emits `cp-filter`. */
export class CpFilterBar extends LitElement {
  static override styles = [
    controlStyles,
    css`
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem 0.6rem;
        align-items: center;
      }
      label {
        display: inline-flex;
        gap: 0.3rem;
        align-items: center;
        max-width: 100%;
      }
      input[name='text'] {
        width: 14rem;
        max-width: 100%;
        min-width: 0;
      }
      input[name='owner'] {
        width: 7rem;
      }
      [hidden] {
        display: none !important;
      }
      input[name='staleDays'] {
        width: 4rem;
      }
    `,
  ];

  static override properties = { need: { state: true }, live: { type: Boolean } };
  /** Whether live status is known (the server fetches it and has sent some): the "Needs" filter shows only then. */
  declare live: boolean;
  /** The chosen need (the stale days' field shows only for "stale"). */
  declare need: string;

  constructor() {
    super();
    this.need = 'any';
    this.live = false;
    new TranslationWatchController(this);
  }

  private emit(): void {
    const form = this.renderRoot.querySelector('form')!;
    const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;
    const kind = value('kind');
    const need = value('need');
    const days = Number.parseInt(value('staleDays'), 10);
    const filter: EntryFilter = {
      kind: isEntryKind(kind) ? kind : 'all',
      owner: value('owner'),
      text: value('text'),
      need: isNeed(need) ? need : 'any',
      staleDays: Number.isFinite(days) && days >= 0 ? days : DEFAULT_STALE_DAYS,
    };
    this.need = filter.need ?? 'any';
    this.dispatchEvent(new CustomEvent<EntryFilter>('cp-filter', { detail: filter, bubbles: true, composed: true }));
  }

  private clear(): void {
    this.renderRoot.querySelector('form')!.reset();
    this.need = 'any';
    this.dispatchEvent(new CustomEvent<EntryFilter>('cp-filter', { detail: NO_FILTER, bubbles: true, composed: true }));
  }

  override render() {
    return html`<form role="search" aria-label="Filter the pad" @input=${this.emit} @submit=${(e: Event) => e.preventDefault()}>
      <label>Filter <input name="text" type="search" autocomplete="off" placeholder="title, note, change number…" /></label>
      <label>Kind
        <select name="kind"><option value="all">all</option>${ENTRY_KINDS.map((k) => html`<option value=${k}>${k}</option>`)}</select></label>
      <label>Owner <input name="owner" type="search" autocomplete="off" /></label>
      <label title="From the live status of the entry's Gerrit changes" ?hidden=${!this.live && this.need === 'any'}>Needs
        <select name="need"><option value="any">anything</option>${NEEDS.map((n) => html`<option value=${n}>${NEED_LABELS[n]}</option>`)}</select></label>
      <label ?hidden=${this.need !== 'stale'}>No update in <input name="staleDays" type="number" min="0" max="3650" value=${DEFAULT_STALE_DAYS} /> days</label>
      <button type="button" @click=${this.clear}>Clear</button>
    </form>`;
  }
}

customElements.define('cp-filter-bar', CpFilterBar);
