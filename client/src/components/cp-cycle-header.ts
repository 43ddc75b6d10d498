import { LitElement, css, html, nothing } from 'lit';
import * as Y from 'yjs';
import { metaOf, metaToJSON } from '../../../shared/schema.js';
import { YObserverController } from '../controllers/y-observer.js';
import { controlStyles } from '../styles.js';
import './cp-text-field.js';
import { TranslationWatchController } from '../controllers/translation-watch.js';
import { localChange } from '../local-origin.js';

/**
 * The cycle header, from the `ready` document's `meta`: cycle title, milestones and review days, and the
 * "scrubbed on" stamp. Curators edit it; everyone else reads it.
 */
export class CpCycleHeader extends LitElement {
  static override properties = { doc: { attribute: false }, editable: { type: Boolean } };
  declare doc: Y.Doc | null;
  declare editable: boolean;

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        margin-bottom: 1rem;
      }
      h2 {
        margin: 0;
        font-size: 1.3rem;
      }
      ul {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem 1rem;
        list-style: none;
        padding: 0;
        margin: 0.4rem 0;
      }
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        align-items: end;
        margin: 0.4rem 0;
      }
      .scrubbed {
        color: #3e4c59;
      }
    `,
  ];

  constructor() {
    super();
    new TranslationWatchController(this, { content: true });
    this.doc = null;
    this.editable = false;
    new YObserverController(this, () => (this.doc ? metaOf(this.doc) : null));
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
      const items = metaToJSON(this.doc!).milestones;
      const at = items.findIndex((m) => m.date > date);
      list.insert(at < 0 ? list.length : at, [new Y.Map(Object.entries({ label, date }))]);
    });
    form.reset();
  }

  override render() {
    if (!this.doc) return nothing;
    const meta = metaToJSON(this.doc);
    const scrubbed = meta.scrubbedAt ? new Date(meta.scrubbedAt).toISOString().slice(0, 10) : null;
    return html`
      <h2 class="cycle-title">${meta.title || 'Release cycle'}</h2>
      ${this.editable
        ? html`<label>Cycle title
            <cp-text-field label="Cycle title" placeholder="Nova 2025.1 Epoxy" .map=${metaOf(this.doc)} key="title"></cp-text-field></label>`
        : nothing}
      <ul aria-label="Milestones and review days">
        ${meta.milestones.map(
          (m, i) => html`<li>${m.label}: <time datetime=${m.date}>${m.date}</time>
            ${this.editable ? html`<button aria-label="Remove milestone ${m.label}" @click=${() => localChange(this.doc, () => this.milestones().delete(i, 1))}>×</button>` : nothing}</li>`,
        )}
      </ul>
      ${this.editable
        ? html`<form class="notranslate" translate="no" @submit=${this.addMilestone} aria-label="Add a milestone">
            <label>Milestone or review day <input translate="no" class="notranslate" name="label" required placeholder="Feature freeze" /></label>
            <label>Date <input translate="no" class="notranslate" name="date" type="date" required /></label>
            <button type="submit">Add milestone</button>
          </form>`
        : nothing}
      <p class="scrubbed">
        ${scrubbed ? html`Ready list scrubbed on <time datetime=${scrubbed}>${scrubbed}</time>` : 'Ready list not scrubbed yet'}
        ${this.editable ? html`<button @click=${() => localChange(this.doc, () => metaOf(this.doc!).set('scrubbedAt', Date.now()))}>Mark list scrubbed</button>` : nothing}
      </p>
    `;
  }
}

customElements.define('cp-cycle-header', CpCycleHeader);
