import { LitElement, css, html, nothing } from 'lit';
import { controlStyles, toolbarPanelStyles } from '../styles.js';
import { TranslationWatchController } from '../controllers/translation-watch.js';
import { Task, TaskStatus } from '@lit/task';
import type { ImportReport as Report } from '../../../shared/api.js';
import { SECTION_HEADINGS } from '../../../shared/labels.js';
import { ApiFailure, api, messageOf, padPath } from '../api.js';
import { userName } from '../user.js';
import { MAX_REQUEST_BODY_BYTES } from '../../../shared/wire.js';
import { DisclosureController } from '../controllers/disclosure-controller.js';

/** What of the text is imported: all of it, its cycle header only (replacing the pad's), or its proposed entries only. */
type ImportPart = 'all' | 'header' | 'proposed';

/**
 * Import an Etherpad text export (`/export/txt`), or a pad's JSON export, into the pad: all or nothing, reported back (entries the pad already
 * has are skipped, and named). On success the form closes and focus returns to the button that opened it.
 */
/** What the server takes (shared/wire.ts), less room for the JSON the file's text is sent in. */
const MAX_IMPORT_FILE_BYTES = MAX_REQUEST_BODY_BYTES - 4096;

export class CpImportDialog extends LitElement {
  static override properties = { pad: { type: String }, result: { state: true } };
  declare pad: string;
  declare result: Report | null;

  /** The import request (run by the form): its pending and error states show in the form. */
  private readonly importing = new Task(this, {
    autoRun: false,
    task: ([pad, text, part]: readonly [string, string, ImportPart]) =>
      api<Report>(`${padPath(pad)}/import`, {
        body: {
          text,
          name: userName(),
          ...(part === 'header' ? { replaceHeader: true, headerOnly: true } : part === 'proposed' ? { proposedOnly: true } : {}),
        },
      }),
  });
  /** The text last imported (asked again to replace the pad's cycle header with its header). */
  private lastText = '';

  static override styles = [
    controlStyles,
    toolbarPanelStyles,
    css`
      textarea {
        width: 100%;
        min-height: 10rem;
        font: 0.9rem ui-monospace, monospace;
        box-sizing: border-box;
      }
      ul.skipped {
        margin: 0.2rem 0 0;
        max-height: 8rem;
        overflow: auto;
      }
      form {
        display: grid;
        gap: 0.4rem;
        margin-top: 0.4rem;
      }
    `,
  ];

  /** Open and close, focus in and back, Escape. */
  private readonly disclosure = new DisclosureController(this, 'textarea', { reflect: true });

  constructor() {
    super();
    new TranslationWatchController(this);
    this.pad = '';
    this.result = null;
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    // (the event's target is cleared once dispatch ends: keep the form before awaiting anything)
    const form = event.currentTarget as HTMLFormElement;
    const text = (form.elements.namedItem('text') as HTMLTextAreaElement).value;
    this.lastText = text;
    await this.run('all');
  }

  private async run(part: 'all' | 'proposed'): Promise<void> {
    await this.importing.run([this.pad, this.lastText, part]);
    // a failure stays in the form, which says why
    this.result = this.importing.status === TaskStatus.COMPLETE ? (this.importing.value ?? null) : null;
    if (this.result) {
      this.disclosure.close();
      return;
    }
    // and focus goes to it (the way on from it, if there is one): on a phone it was below the screen, and the
    // press on Import seemed to do nothing
    await this.updateComplete;
    const reason = this.renderRoot.querySelector<HTMLElement>('.import-refused button') ?? this.renderRoot.querySelector<HTMLElement>('.import-refused');
    reason?.focus();
  }

  /**
   * The pad kept its own cycle header: a curator may take the import's instead (the same text again, its header
   * only: an entry of the import deleted since must not come back).
   */
  private async replaceHeader(): Promise<void> {
    await this.importing.run([this.pad, this.lastText, 'header']).catch(() => undefined);
    this.result = this.importing.status === TaskStatus.COMPLETE ? (this.importing.value ?? null) : this.result;
    if (this.importing.status === TaskStatus.ERROR) this.replaceError = messageOf(this.importing.error);
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('.dismiss')?.focus();
  }

  private replaceError = '';
  private fileError = '';

  /** The chosen file's text goes into the text field (shown before importing); a file that is not UTF-8 is refused. */
  private async readFile(event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    const area = this.renderRoot.querySelector<HTMLTextAreaElement>('textarea[name="text"]');
    this.fileError = '';
    if (!file || !area) return;
    // what the box held came from somewhere else: a file that cannot be taken leaves it empty, never importable by mistake
    area.value = '';
    if (file.size === 0) this.fileError = `“${file.name}” is empty.`;
    else if (file.size > MAX_IMPORT_FILE_BYTES) this.fileError = `“${file.name}” is larger than the 2 MiB an import may be: import it in parts.`;
    else {
      try {
        area.value = new TextDecoder('utf-8', { fatal: true }).decode(await file.arrayBuffer());
      } catch {
        this.fileError = `“${file.name}” is not UTF-8 text: export the pad again as plain text.`;
      }
    }
    this.requestUpdate();
  }

  private show(): void {
    this.replaceError = '';
    this.fileError = '';
    this.result = null;
    this.disclosure.show();
  }

  private describe(r: Report) {
    const skipped = r.skipped ?? [];
    const header =
      r.header === 'note' ? ' (the header lines were kept as a note)'
      : r.header === 'meta' ? ' and the cycle header'
      : '';
    const created =
      r.header === 'meta' && r.created.proposed + r.created.ready === 0
        ? "Replaced the pad's cycle header with the import's."
        : `Imported ${r.created.proposed} proposed and ${r.created.ready} ready entries${header}.`;
    const kept = r.header === 'kept' && r.headerKept
      ? html` The pad's own cycle header was kept${r.headerKept.title ? html` (the import's is “<span class="notranslate" translate="no">${r.headerKept.title}</span>”)` : nothing}.
          ${r.headerKept.replaceable ? html`<button class="replace" @click=${this.replaceHeader}>Use the import's header instead</button>` : nothing}`
      : nothing;
    const failed = this.replaceError ? html` <span class="error" role="alert">${this.replaceError}</span>` : nothing;
    const dismiss = html`<button class="dismiss" @click=${() => (this.result = null)}>Dismiss</button>`;
    if (skipped.length === 0) return html`${created}${kept}${failed} ${dismiss}`;
    // (the report sits in the toolbar: the list of what was skipped stays folded until asked for)
    return html`${created}${kept}${failed}
      <details><summary>Skipped ${skipped.length} already on the pad</summary>
        <ul class="skipped">
          ${skipped.map((s) => html`<li><span class="notranslate" translate="no">${s.title || s.key}</span> (in ${SECTION_HEADINGS[s.existing]})</li>`)}
        </ul></details>
      ${dismiss}`;
  }

  override render() {
    const opener = this.disclosure.opener('Import from Etherpad…', this.show);
    if (!this.disclosure.open) {
      return html`${opener}<div class="report" role="status">${this.result ? this.describe(this.result) : nothing}</div>`;
    }
    return html`${opener}<form class="panel notranslate" translate="no" @submit=${this.submit} @keydown=${this.disclosure.onKeydown} aria-label="Import from Etherpad">
      <label for="text">Etherpad text export (File → Export → Plain text), or a pad's JSON export</label>
      <textarea translate="no" class="notranslate" id="text" name="text" required></textarea>
      <label>Or take it from the downloaded file <input translate="no" class="notranslate" type="file" name="file" accept=".txt,text/plain,.json,application/json" @change=${this.readFile} /></label>
      ${this.fileError ? html`<p class="error" role="alert">${this.fileError}</p>` : nothing}
      <div>
        <button class="primary" type="submit">Import</button>
        <button type="button" @click=${this.disclosure.close}>Close</button>
      </div>
      ${this.importing.render({
        pending: () => html`<p role="status">Importing…</p>`,
        error: (err) => html`<div class="import-refused" tabindex="-1"><p class="error" role="alert">${messageOf(err)}</p>${
          err instanceof ApiFailure && err.code === 'ready-needs-curator'
            ? html`<button type="button" @click=${() => void this.run('proposed')}>Import only its proposed patches</button>`
            : nothing}</div>`,
      })}
    </form>`;
  }
}

customElements.define('cp-import-dialog', CpImportDialog);
