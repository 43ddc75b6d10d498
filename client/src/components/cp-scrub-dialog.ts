import { LitElement, css, html, nothing } from 'lit';
import { ContextConsumer } from '@lit/context';
import { controlStyles, toolbarPanelStyles } from '../styles.js';
import { TranslationWatchController } from '../controllers/translation-watch.js';
import { ObserveController, deep, events } from '../controllers/observe.js';
import { padContext } from '../context.js';
import { localChange } from '../local-origin.js';
import { entriesOf, sectionToJSON } from '../../../shared/schema.js';
import { applyScrub, scrubSuggestions, type ScrubAction, type ScrubSuggestion } from '../../../shared/scrub.js';
import { DisclosureController } from '../controllers/disclosure-controller.js';

/**
 * The scrub (curators): the ready entries still open whose changes have all merged or been abandoned, as a list of
 * suggestions (mark merged / abandoned, remove, or leave), accepted in one action that also stamps the list
 * "scrubbed on" (meta.scrubbedAt). Accepting with no suggestion still stamps it: the list was looked at.
 */
export class CpScrubDialog extends LitElement {
  static override properties = { result: { state: true } };
  declare result: string | null;

  private readonly pad = new ContextConsumer(this, { context: padContext, subscribe: true });

  static override styles = [
    controlStyles,
    toolbarPanelStyles,
    css`
      /* as wide with a count as without ("Scrub…", "Scrub (12)…"): the toolbar does not move when one appears */
      .opener {
        min-width: 7.5em;
      }
      form {
        display: grid;
        gap: 0.4rem;
        margin-top: 0.4rem;
      }
      ul {
        margin: 0;
        padding-left: 1.2rem;
        max-height: 16rem;
        overflow: auto;
      }
      li {
        display: flex;
        flex-wrap: wrap;
        gap: 0.2rem 0.5rem;
        align-items: baseline;
        margin-bottom: 0.2rem;
      }
      .title {
        font-weight: 600;
        overflow-wrap: anywhere;
      }
    `,
  ];

  /**
   * Open and close, focus in and back, Escape. Focus goes to the dialog's heading, not to a button: the Enter that
   * opened it, pressed again, must not stamp the list.
   */
  private readonly disclosure = new DisclosureController(this, 'form h3', { reflect: true });

  constructor() {
    super();
    new TranslationWatchController(this);
    this.result = null;
    new ObserveController(this, () => this.pad.value?.connection.status, events('change'));
    new ObserveController(this, () => this.pad.value?.connection.ready, events('reset', 'change'));
    new ObserveController(this, () => (this.pad.value ? entriesOf(this.pad.value.connection.ready.doc) : null), deep);
  }

  private suggestions(): ScrubSuggestion[] {
    const c = this.pad.value?.connection;
    return c ? scrubSuggestions(sectionToJSON(c.ready.doc), c.status.status) : [];
  }

  /** Whether the page has heard any live status for the pad's links (the server sends none before it has some). */
  private statusKnown(): boolean {
    return Boolean(this.pad.value?.connection.status.live);
  }

  private show(): void {
    this.result = null;
    this.disclosure.show();
  }

  private accept(event: Event): void {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const doc = this.pad.value?.connection.ready.doc;
    if (!doc) return;
    const actions: Array<{ id: string; action: ScrubAction }> = [];
    for (const s of this.suggestions()) {
      const value = (form.elements.namedItem(`s-${s.id}`) as HTMLSelectElement | null)?.value;
      if (value === 'merged' || value === 'abandoned' || value === 'remove') actions.push({ id: s.id, action: value });
    }
    localChange(doc, () => doc.transact(() => applyScrub(doc, actions)));
    const marked = actions.filter((a) => a.action !== 'remove').length;
    const removed = actions.length - marked;
    this.result = `Scrubbed: ${marked} marked, ${removed} removed.`;
    this.disclosure.close();
  }

  override render() {
    const suggestions = this.suggestions();
    const opener = this.disclosure.opener(`Scrub${suggestions.length > 0 ? ` (${suggestions.length})` : ''}…`, this.show);
    if (!this.disclosure.open) return html`${opener}<span class="report" role="status">${this.result ?? nothing}</span>`;
    return html`${opener}<form class="panel" aria-label="Scrub the ready list" @submit=${this.accept} @keydown=${this.disclosure.onKeydown}>
      <h3 tabindex="-1">Scrub the ready list</h3>
      ${this.statusKnown()
        ? nothing
        : html`<p class="unknown">${this.pad.value?.connection.status.off
            ? 'This server does not fetch live review status'
            : 'The live review status is not available (Gerrit and Launchpad have not answered the server)'}, so no entry is suggested from it${suggestions.length > 0 ? '; entries already marked are listed' : ''}.</p>`}
      ${suggestions.length === 0
        ? html`<p>No ready entry is marked merged or abandoned${this.statusKnown() ? ', or has all its changes merged or abandoned' : ''}.</p>`
        : html`<p>These ready entries are done:</p>
            <ul>
              ${suggestions.map(
                (s) => html`<li>
                  <span class="title notranslate" translate="no">${s.title}</span>
                  ${s.marked
                    ? html`<label>marked ${s.outcome}:
                        <select name="s-${s.id}">
                          <option value="remove">remove</option>
                          <option value="leave">leave as is</option>
                        </select></label>`
                    : html`<label>all changes ${s.outcome}:
                        <select name="s-${s.id}">
                          <option value=${s.outcome}>mark ${s.outcome}</option>
                          <option value="remove">remove</option>
                          <option value="leave">leave as is</option>
                        </select></label>`}
                </li>`,
              )}
            </ul>`}
      <div>
        <button class="primary" type="submit">${suggestions.length > 0 ? 'Accept and stamp scrubbed' : 'Stamp scrubbed'}</button>
        <button type="button" @click=${this.disclosure.close}>Close</button>
      </div>
    </form>`;
  }
}

customElements.define('cp-scrub-dialog', CpScrubDialog);
