import { LitElement, css, html, nothing } from 'lit';
import { Task, TaskStatus } from '@lit/task';
import { controlStyles, toolbarPanelStyles } from '../styles.js';
import { TranslationWatchController } from '../controllers/translation-watch.js';
import type { ImportReport } from '../../../shared/api.js';
import { SECTION_HEADINGS } from '../../../shared/labels.js';
import { api, messageOf, padPath } from '../api.js';
import { userName } from '../user.js';
import { DisclosureController } from '../controllers/disclosure-controller.js';

/** What `POST …/import-gerrit` answers (server/status/import-gerrit.ts). */
interface GerritImportReport extends ImportReport {
  query: string;
  matched: number;
  skippedChanges: number[];
  truncated: boolean;
}

/**
 * "Add from Gerrit": a Gerrit query (e.g. `project:openstack/nova status:open label:Review-Priority>=1`) becomes one
 * proposed entry per change, grouped by topic or by the bug / blueprint its commit message names; changes already on
 * the pad are skipped. The server asks its configured Gerrit (the browser never does) and reports what it did.
 */
export class CpGerritImportDialog extends LitElement {
  static override properties = { pad: { type: String }, result: { state: true } };
  declare pad: string;
  declare result: GerritImportReport | null;

  private readonly importing = new Task(this, {
    autoRun: false,
    task: ([pad, query]: readonly [string, string]) => api<GerritImportReport>(`${padPath(pad)}/import-gerrit`, { body: { query, name: userName() } }),
  });

  static override styles = [
    controlStyles,
    toolbarPanelStyles,
    css`
      form {
        display: grid;
        gap: 0.4rem;
        margin-top: 0.4rem;
      }
      input[name='query'] {
        width: 100%;
        box-sizing: border-box;
        font: 0.9rem ui-monospace, monospace;
      }
      ul {
        margin: 0.2rem 0 0;
        max-height: 8rem;
        overflow: auto;
      }
    `,
  ];

  /** Open and close, focus in and back, Escape. */
  private readonly disclosure = new DisclosureController(this, 'input', { reflect: true });

  constructor() {
    super();
    new TranslationWatchController(this);
    this.pad = '';
    this.result = null;
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const query = (form.elements.namedItem('query') as HTMLInputElement).value;
    await this.importing.run([this.pad, query]);
    this.result = this.importing.status === TaskStatus.COMPLETE ? (this.importing.value ?? null) : null;
    if (this.result) this.disclosure.close();
  }

  private show(): void {
    this.result = null;
    this.disclosure.show();
  }

  private describe(r: GerritImportReport) {
    const created = r.created.proposed + r.created.ready;
    const head = `The query matched ${r.matched} ${r.matched === 1 ? 'change' : 'changes'}${r.truncated ? ' (more than one import reads: only the first were read)' : ''}: added ${created} proposed ${created === 1 ? 'entry' : 'entries'}.`;
    const skipped = r.skippedChanges.length;
    // what was not added, and why: changes already linked, and groups whose bug, blueprint or topic the pad has
    // (the report sits in the toolbar: the lists of what was not added stay folded until asked for)
    return html`${head}${skipped > 0
      ? html`<details><summary>Skipped ${skipped} ${skipped === 1 ? 'change' : 'changes'} already on the pad</summary>${r.skippedChanges.join(', ')}</details>`
      : nothing}${
      r.skipped.length > 0
        ? html`<details><summary>Not added: ${r.skipped.length} whose bug, blueprint or topic the pad already has</summary><ul>${r.skipped.map(
            (s) => html`<li><span class="notranslate" translate="no">${s.title || s.key}</span> (in ${SECTION_HEADINGS[s.existing]})</li>`,
          )}</ul></details>`
        : nothing} <button class="dismiss" @click=${() => (this.result = null)}>Dismiss</button>`;
  }

  override render() {
    const opener = this.disclosure.opener('Add from Gerrit…', this.show);
    if (!this.disclosure.open) {
      return html`${opener}<div class="report" role="status">${this.result ? this.describe(this.result) : nothing}</div>`;
    }
    return html`${opener}<form class="panel notranslate" translate="no" @submit=${this.submit} @keydown=${this.disclosure.onKeydown} aria-label="Add from Gerrit">
      <label for="query">Gerrit query: one proposed entry per change (grouped by topic, bug or blueprint), skipping what the pad has</label>
      <input id="query" name="query" required autocomplete="off" placeholder="project:openstack/nova status:open label:Review-Priority&gt;=1" />
      <div>
        <button class="primary" type="submit">Add</button>
        <button type="button" @click=${this.disclosure.close}>Close</button>
      </div>
      ${this.importing.render({
        pending: () => html`<p role="status">Asking Gerrit…</p>`,
        error: (err) => html`<p class="error" role="alert">${messageOf(err)}</p>`,
      })}
    </form>`;
  }
}

customElements.define('cp-gerrit-import-dialog', CpGerritImportDialog);
