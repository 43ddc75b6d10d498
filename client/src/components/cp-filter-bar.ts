import { LitElement, css, html } from 'lit';
import { ENTRY_KINDS, isEntryKind } from '../../../shared/schema.js';
import { NO_FILTER, type EntryFilter } from '../../../shared/filter.js';
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
    `,
  ];

  constructor() {
    super();
    new TranslationWatchController(this);
  }

  private emit(): void {
    const form = this.renderRoot.querySelector('form')!;
    const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;
    const kind = value('kind');
    const filter: EntryFilter = { kind: isEntryKind(kind) ? kind : 'all', owner: value('owner'), text: value('text') };
    this.dispatchEvent(new CustomEvent<EntryFilter>('cp-filter', { detail: filter, bubbles: true, composed: true }));
  }

  private clear(): void {
    this.renderRoot.querySelector('form')!.reset();
    this.dispatchEvent(new CustomEvent<EntryFilter>('cp-filter', { detail: NO_FILTER, bubbles: true, composed: true }));
  }

  override render() {
    return html`<form role="search" aria-label="Filter the pad" @input=${this.emit} @submit=${(e: Event) => e.preventDefault()}>
      <label>Filter <input name="text" type="search" autocomplete="off" placeholder="title, note, change number…" /></label>
      <label>Kind
        <select name="kind"><option value="all">all</option>${ENTRY_KINDS.map((k) => html`<option value=${k}>${k}</option>`)}</select></label>
      <label>Owner <input name="owner" type="search" autocomplete="off" /></label>
      <button type="button" @click=${this.clear}>Clear</button>
    </form>`;
  }
}

customElements.define('cp-filter-bar', CpFilterBar);
