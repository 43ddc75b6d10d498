import { LitElement, css, html, nothing } from 'lit';
import { padNameSchema } from '../../../shared/pad-name.js';
import { controlStyles } from '../styles.js';

interface Created {
  padId: string;
  editUrl: string;
  readOnlyUrl: string;
  curatorKey: string;
}

/** Home: create a tracking pad (and see its curator key, once), or open one by name. */
export class CpHome extends LitElement {
  static override properties = { created: { state: true }, error: { state: true } };
  declare created: Created | null;
  declare error: string;

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        max-width: 44rem;
        margin: 2rem auto;
        padding: 0 1rem;
      }
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: end;
        margin-bottom: 1.5rem;
      }
      input {
        min-width: 16rem;
      }
      .error {
        color: #b42318;
      }
      .created {
        padding: 0.8rem;
        border: 1px solid #9aa5b1;
        border-radius: 6px;
        background: #f5f7fa;
      }
      code {
        word-break: break-all;
        background: #fff;
        padding: 0.1rem 0.3rem;
      }
    `,
  ];

  constructor() {
    super();
    this.created = null;
    this.error = '';
  }

  private async create(event: Event): Promise<void> {
    event.preventDefault();
    const name = ((event.target as HTMLFormElement).elements.namedItem('name') as HTMLInputElement).value.trim();
    const valid = padNameSchema.safeParse(name);
    if (!valid.success) {
      this.error = valid.error.issues[0]?.message ?? 'invalid name';
      return;
    }
    const res = await fetch('/api/pads', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    const body = (await res.json().catch(() => ({}))) as Created & { error?: string };
    if (!res.ok) {
      this.error = body.error ?? `could not create the pad (${res.status})`;
      return;
    }
    this.error = '';
    this.created = body;
  }

  private open(event: Event): void {
    event.preventDefault();
    const name = ((event.target as HTMLFormElement).elements.namedItem('open') as HTMLInputElement).value.trim();
    if (name) location.assign(`/p/${encodeURIComponent(name)}`);
  }

  override render() {
    return html`
      <h1>cyclepad</h1>
      <p>Track a release cycle: contributors propose patches, the PTL curates the ready-to-review list.</p>
      <form @submit=${this.create} aria-label="Create a pad">
        <label>New pad name <input name="name" placeholder="nova-2025.1-tracking" maxlength="50" required /></label>
        <button class="primary" type="submit">Create pad</button>
      </form>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.created
        ? html`<div class="created" role="status">
            <p>Pad <strong>${this.created.padId}</strong> is ready.</p>
            <p>Share this link with contributors: <a href=${this.created.editUrl}>${this.created.editUrl}</a></p>
            <p>Read-only link (safe to share and to translate): <a href=${this.created.readOnlyUrl}>${this.created.readOnlyUrl}</a></p>
            <p>Your curator key, shown only now. Keep it: it signs you in as the PTL.<br /><code class="curator-key">${this.created.curatorKey}</code></p>
          </div>`
        : nothing}
      <form @submit=${this.open} aria-label="Open a pad">
        <label>Open a pad by name <input name="open" maxlength="50" /></label>
        <button type="submit">Open</button>
      </form>
    `;
  }
}

customElements.define('cp-home', CpHome);
