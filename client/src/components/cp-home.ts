import { LitElement, css, html, nothing } from 'lit';
import { padNameSchema } from '../../../shared/pad-name.js';
import { controlStyles } from '../styles.js';
import type { CreatedPad as Created } from '../../../shared/api.js';
import { CopyController } from '../controllers/copy-controller.js';
import { api, messageOf, padPath } from '../api.js';

/**
 * Home: create a tracking pad, or open one by name. Creating a pad signs its creator in as the PTL at once (the key
 * goes to `POST /api/pads/<pad>/login`, which sets the HttpOnly sign-in cookie) and shows the key once, with a Copy
 * button, to keep for signing in elsewhere; "Open the pad" then goes to the pad, signed in.
 */
export class CpHome extends LitElement {
  static override properties = { created: { state: true }, error: { state: true }, signedIn: { state: true } };
  declare created: Created | null;
  declare error: string;
  declare signedIn: boolean;
  private readonly clipboard = new CopyController(this);

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
      /* a label is as wide as its field, so both forms' buttons stand at the same place, right beside the field */
      label {
        display: grid;
        gap: 0.2rem;
      }
      input {
        width: 16rem;
        max-width: 100%;
        box-sizing: border-box;
      }
      .created {
        margin-bottom: 1.5rem;
        overflow-wrap: anywhere;
        padding: 0.8rem;
        border: 1px solid #9aa5b1;
        border-radius: 6px;
        background: #f5f7fa;
      }
      .keep {
        padding: 0.4rem 0.6rem;
        background: #fff8e1;
        border-left: 4px solid #8a5a00;
      }
      .key-row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      code {
        word-break: break-all;
        background: #fff;
        padding: 0.1rem 0.3rem;
      }
      /* a key is selected whole by one click: its "-" and "_" ended a double-click's word, and a key copied so broke */
      code.curator-key {
        user-select: all;
      }
    `,
  ];

  constructor() {
    super();
    this.created = null;
    this.error = '';
    this.signedIn = false;
    this.clipboard.reset();
  }

  private async create(event: Event): Promise<void> {
    event.preventDefault();
    const name = ((event.target as HTMLFormElement).elements.namedItem('name') as HTMLInputElement).value.trim();
    const valid = padNameSchema.safeParse(name);
    if (!valid.success) {
      this.error = valid.error.issues[0]?.message ?? 'invalid name';
      return;
    }
    let body: Created;
    try {
      body = await api<Created>('', { body: { name } });
    } catch (err) {
      this.error = `Could not create the pad: ${messageOf(err)}`;
      return;
    }
    this.error = '';
    this.clipboard.reset();
    this.signedIn = await this.signIn(body);
    this.created = body;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('.created button.copy')?.focus();
  }

  /** Signs the creator in as the PTL of the new pad (the cookie is HttpOnly: the page never keeps the key). */
  private async signIn(created: Created): Promise<boolean> {
    try {
      await api(`${padPath(created.padId)}/login`, { body: { key: created.curatorKey } });
      return true;
    } catch {
      return false;
    }
  }

  private async copy(): Promise<void> {
    if (this.created) await this.clipboard.copy(this.created.curatorKey, () => this.renderRoot.querySelector('.curator-key'), 'key');
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
            <p>Pad <strong>${this.created.padId}</strong> is ready${this.signedIn ? ', and you are signed in to it as its PTL (curator)' : ''}.</p>
            <p class="keep"><strong>Keep this key: it is shown only now.</strong> It signs you in as the PTL on another
              browser or after signing out, and makes delegates' keys. Store it in your password manager.</p>
            <p class="key-row"><code class="curator-key notranslate" translate="no">${this.created.curatorKey}</code>
              <button class="copy" @click=${this.copy}>${this.clipboard.copied(this.created.curatorKey) ? 'Copied' : 'Copy key'}</button></p>
            ${this.clipboard.message ? html`<p class="error" role="alert">${this.clipboard.message}</p>` : nothing}
            <p>Share this link with contributors: <a href=${this.created.editUrl}>${this.created.editUrl}</a></p>
            <p>Read-only link (safe to share and to translate): <a href=${this.created.readOnlyUrl}>${this.created.readOnlyUrl}</a></p>
            <p><a class="open-pad" href=${this.created.editUrl}>Open the pad${this.signedIn ? ' (signed in as PTL)' : ''}</a></p>
            ${this.signedIn ? nothing : html`<p class="error">Signing you in failed: use "Curator sign-in" on the pad with the key above.</p>`}
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
