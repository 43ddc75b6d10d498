import { LitElement, css, html, nothing } from 'lit';
import { controlStyles } from '../styles.js';
import { TranslationWatchController } from '../controllers/translation-watch.js';
import type { SignedIn } from '../../../shared/api.js';
import { api, messageOf, padPath } from '../api.js';

/**
 * Curator sign-in for this pad: exchanges a curator key for an HttpOnly session cookie (the key is never kept in the
 * page). Emits `cp-role` with the new role after signing in or out.
 */
export class CpCuratorSignin extends LitElement {
  static override properties = {
    pad: { type: String },
    /** The person's role on the pad (a property: a `role` attribute would be an ARIA role). */
    signedInAs: { attribute: false },
    open: { state: true },
    error: { state: true },
  };
  declare pad: string;
  declare signedInAs: string;
  declare open: boolean;
  declare error: string;

  static override styles = [
    controlStyles,
    css`
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        align-items: center;
      }
    `,
  ];

  constructor() {
    super();
    new TranslationWatchController(this);
    this.pad = '';
    this.signedInAs = 'contributor';
    this.open = false;
    this.error = '';
  }

  private post(path: string, body: unknown = {}): Promise<SignedIn> {
    return api<SignedIn>(`${padPath(this.pad)}/${path}`, { body });
  }

  private async signIn(event: Event): Promise<void> {
    event.preventDefault();
    const input = (event.target as HTMLFormElement).elements.namedItem('key') as HTMLInputElement;
    try {
      await this.post('login', { key: input.value.trim() });
    } catch (err) {
      this.error = messageOf(err);
      return;
    }
    input.value = '';
    this.error = '';
    this.open = false;
    this.focusAfterRole = true;
    this.emit('curator');
  }

  /** After signing in or out, focus goes to the control that replaced the one used (once the new role shows). */
  private focusAfterRole = false;

  override updated(changed: Map<string, unknown>): void {
    if (!this.focusAfterRole || !changed.has('signedInAs')) return;
    this.focusAfterRole = false;
    this.renderRoot.querySelector<HTMLButtonElement>('button')?.focus();
  }

  /** Opening the sign-in puts focus in the key field; closing it returns focus to the button. */
  private async show(): Promise<void> {
    this.open = true;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>('input[name="key"]')?.focus();
  }

  private async cancel(): Promise<void> {
    this.open = false;
    this.error = '';
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('button.opener')?.focus();
  }

  private async signOut(): Promise<void> {
    try {
      await this.post('logout');
      this.error = '';
    } catch (err) {
      this.error = `Signing out failed: ${messageOf(err)}`;
      return;
    }
    this.focusAfterRole = true;
    this.emit('contributor');
  }

  private emit(role: string): void {
    this.dispatchEvent(new CustomEvent('cp-role', { detail: role, bubbles: true, composed: true }));
  }

  override render() {
    if (this.signedInAs === 'curator') {
      return html`<span>Signed in as curator</span> <button @click=${this.signOut}>Sign out</button>${
        this.error ? html` <span class="error" role="alert">${this.error}</span>` : nothing}`;
    }
    if (!this.open) return html`<button class="opener" @click=${this.show}>Curator sign-in</button>`;
    return html`<form @submit=${this.signIn} aria-label="Curator sign-in">
      <label for="key">Curator key</label>
      <input translate="no" class="notranslate" id="key" name="key" type="password" autocomplete="off" required />
      <button class="primary" type="submit">Sign in</button>
      <button type="button" @click=${this.cancel}>Cancel</button>
      ${this.error ? html`<span class="error" role="alert">${this.error}</span>` : nothing}
    </form>`;
  }
}

customElements.define('cp-curator-signin', CpCuratorSignin);
