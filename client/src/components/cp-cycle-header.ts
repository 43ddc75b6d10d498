import { LitElement, css, html, nothing } from 'lit';
import * as Y from 'yjs';
import { metaOf, metaToJSON } from '../../../shared/schema.js';
import { isoDay } from '../../../shared/labels.js';
import { ObserveController, deep, events } from '../controllers/observe.js';
import { ContextConsumer } from '@lit/context';
import { padContext } from '../context.js';
import { controlStyles } from '../styles.js';
import './cp-text-field.js';
import { TranslationWatchController } from '../controllers/translation-watch.js';
import { localChange } from '../local-origin.js';

/**
 * The cycle header, from the `ready` document's `meta`: cycle title, milestones and review days, and the
 * "scrubbed on" stamp. Curators edit it; everyone else reads it.
 */
export class CpCycleHeader extends LitElement {
  static override properties = { editable: { type: Boolean } };
  private readonly pad = new ContextConsumer(this, { context: padContext, subscribe: true });

  /** The `ready` document (which holds `meta`), replaced after a reset. */
  private get doc(): Y.Doc | null {
    return this.pad.value?.connection.ready.doc ?? null;
  }
  declare editable: boolean;

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        margin-bottom: 0.8rem;
        overflow-wrap: anywhere;
      }
      .glance {
        display: flex;
        flex-wrap: wrap;
        gap: 0.2rem 1rem;
        align-items: baseline;
      }
      h2 {
        margin: 0;
        font-size: 1.2rem;
      }
      ul {
        display: flex;
        flex-wrap: wrap;
        gap: 0.2rem 1rem;
        list-style: none;
        padding: 0;
        margin: 0;
      }
      .scrubbed {
        margin: 0;
        color: #3e4c59;
      }
      summary {
        cursor: pointer;
        color: #1a5fb4;
        width: max-content;
        max-width: 100%;
      }
      .fields {
        display: grid;
        gap: 0.5rem;
        padding: 0.5rem 0.6rem;
        margin-top: 0.3rem;
        border: 1px solid #9aa5b1;
        border-radius: 6px;
        background: #fff;
      }
      .fields p {
        margin: 0;
      }
      .remove {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
      }
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        align-items: end;
      }
      input {
        max-width: 100%;
      }
    `,
  ];

  constructor() {
    super();
    new TranslationWatchController(this, { content: true });
    this.editable = false;
    new ObserveController(this, () => (this.doc ? metaOf(this.doc) : null), deep);
    new ObserveController(this, () => this.pad.value?.connection.ready, events('reset'));
  }

  private milestones(): Y.Array<Y.Map<string>> {
    const meta = metaOf(this.doc!);
    let list = meta.get('milestones');
    if (!(list instanceof Y.Array)) {
      list = new Y.Array<Y.Map<string>>();
      meta.set('milestones', list);
    }
    return list as Y.Array<Y.Map<string>>;
  }

  private addMilestone(event: Event): void {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const label = (form.elements.namedItem('label') as HTMLInputElement).value.trim();
    const date = (form.elements.namedItem('date') as HTMLInputElement).value;
    if (!label || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return;
    localChange(this.doc, () => {
      const list = this.milestones();
      // a milestone already there (by its name) is moved to the new date, not added twice
      const same = metaToJSON(this.doc!).milestones.findIndex((m) => m.label.trim().toLowerCase() === label.toLowerCase());
      if (same >= 0) list.delete(same, 1);
      const items = metaToJSON(this.doc!).milestones;
      const at = items.findIndex((m) => m.date > date);
      list.insert(at < 0 ? list.length : at, [new Y.Map(Object.entries({ label, date }))]);
    });
    form.reset();
  }

  /**
   * The cycle at a glance (title, milestones, scrubbed stamp) in a line or two; the editing controls fold away
   * behind "Edit cycle header" (a disclosure, closed until a curator opens it), so the list starts high on the page.
   */
  /** Escape folds the header's editor and puts focus on its summary, as it closes every panel of the page. */
  private onEditKey = (event: KeyboardEvent): void => {
    const details = event.currentTarget as HTMLDetailsElement;
    if (event.key !== 'Escape' || event.defaultPrevented || !details.open) return;
    event.preventDefault();
    details.open = false;
    details.querySelector('summary')?.focus();
  };

  override render() {
    if (!this.doc) return nothing;
    const meta = metaToJSON(this.doc);
    const scrubbed = isoDay(meta.scrubbedAt);
    return html`
      <div class="glance">
        <h2 class="cycle-title">${meta.title || 'Release cycle'}</h2>
        ${meta.milestones.length > 0
          ? html`<ul class="milestones" aria-label="Milestones and review days">
              ${meta.milestones.map((m) => html`<li>${m.label}: <time datetime=${m.date}>${m.date}</time></li>`)}
            </ul>`
          : nothing}
        <p class="scrubbed">${scrubbed ? html`Ready list scrubbed on <time datetime=${scrubbed}>${scrubbed}</time>` : 'Ready list not scrubbed yet'}</p>
      </div>
      ${this.editable
        ? html`<details class="edit" @keydown=${this.onEditKey}>
            <summary>Edit cycle header</summary>
            <div class="fields">
              <label>Cycle title
                <cp-text-field label="Cycle title" placeholder="Nova 2025.1 Epoxy" .map=${metaOf(this.doc)} key="title"></cp-text-field></label>
              ${meta.milestones.length > 0
                ? html`<div class="remove" role="group" aria-label="Remove a milestone">
                    ${meta.milestones.map(
                      (m, i) => html`<button aria-label="Remove milestone ${m.label} (${m.date})" @click=${() => localChange(this.doc, () => this.milestones().delete(i, 1))}>${m.label} (${m.date}) ×</button>`,
                    )}
                  </div>`
                : nothing}
              <form class="notranslate" translate="no" @submit=${this.addMilestone} aria-label="Add a milestone">
                <label>Milestone or review day <input translate="no" class="notranslate" name="label" required placeholder="Feature freeze" /></label>
                <label>Date <input translate="no" class="notranslate" name="date" type="date" required /></label>
                <button type="submit">Add or move milestone</button>
              </form>
              <p><button @click=${() => localChange(this.doc, () => metaOf(this.doc!).set('scrubbedAt', Date.now()))}>Mark list scrubbed</button></p>
            </div>
          </details>`
        : nothing}
    `;
  }
}

customElements.define('cp-cycle-header', CpCycleHeader);
