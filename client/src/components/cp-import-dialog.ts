import { LitElement, css, html, nothing } from 'lit';
import { controlStyles } from '../styles.js';
import { TranslationWatchController } from '../controllers/translation-watch.js';

interface Report {
  created: { proposed: number; ready: number };
  header: string;
}

/** Import an Etherpad text export (`/export/txt`) into the pad: all or nothing, reported back. */
export class CpImportDialog extends LitElement {
  static override properties = { pad: { type: String }, open: { state: true }, result: { state: true }, error: { state: true } };
  declare pad: string;
  declare open: boolean;
  declare result: Report | null;
  declare error: string;

  static override styles = [
    controlStyles,
    css`
      textarea {
        width: 100%;
        min-height: 10rem;
        font: 0.9rem ui-monospace, monospace;
        box-sizing: border-box;
      }
      .error {
        color: #b42318;
      }
      form {
        display: grid;
        gap: 0.4rem;
        margin-top: 0.4rem;
      }
    `,
  ];

  constructor() {
    super();
    new TranslationWatchController(this);
    this.pad = '';
    this.open = false;
    this.result = null;
    this.error = '';
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    const text = ((event.target as HTMLFormElement).elements.namedItem('text') as HTMLTextAreaElement).value;
    const res = await fetch(`/api/pads/${encodeURIComponent(this.pad)}/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
      credentials: 'same-origin',
    });
    const body = (await res.json().catch(() => ({}))) as Report & { error?: string };
    if (!res.ok) {
      this.error = body.error ?? `import failed (${res.status})`;
      this.result = null;
      return;
    }
    this.error = '';
    this.result = body;
    (event.target as HTMLFormElement).reset();
  }

  override render() {
    if (!this.open) return html`<button @click=${() => (this.open = true)}>Import from Etherpad…</button>`;
    return html`<form class="notranslate" translate="no" @submit=${this.submit} aria-label="Import from Etherpad">
      <label for="text">Etherpad text export (File → Export → Plain text)</label>
      <textarea translate="no" class="notranslate" id="text" name="text" required></textarea>
      <div>
        <button class="primary" type="submit">Import</button>
        <button type="button" @click=${() => (this.open = false)}>Close</button>
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.result
        ? html`<p role="status">Imported ${this.result.created.proposed} proposed and ${this.result.created.ready} ready entries${this.result.header === 'note' ? ' (the header lines were kept as a note)' : ''}.</p>`
        : nothing}
    </form>`;
  }
}

customElements.define('cp-import-dialog', CpImportDialog);
