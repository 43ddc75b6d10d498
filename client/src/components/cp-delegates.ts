import { LitElement, css, html, nothing } from 'lit';
import { controlStyles } from '../styles.js';
import { TranslationWatchController } from '../controllers/translation-watch.js';

/** A live curator key as `GET /api/pads/<pad>/curators` lists it (never the key itself). */
interface Delegate {
  id: string;
  label: string;
  createdAt: number;
  createdBy: string | null;
  ptl: boolean;
}

/**
 * Curators manage delegates in the page: make a key for someone (shown once, with a Copy button), see who holds a
 * key, revoke one (it and every key made under it stop working at once, also on open pages). The PTL key cannot be
 * revoked here: it is replaced only with the admin command line.
 */
export class CpDelegates extends LitElement {
  static override properties = {
    pad: { type: String },
    open: { state: true },
    delegates: { state: true },
    issued: { state: true },
    confirming: { state: true },
    message: { state: true },
    error: { state: true },
    loading: { state: true },
  };
  declare pad: string;
  declare open: boolean;
  declare delegates: Delegate[];
  declare issued: { label: string; key: string; copied: boolean } | null;
  declare confirming: string | null;
  declare message: string;
  declare error: string;
  declare loading: boolean;

  static override styles = [
    controlStyles,
    css`
      section {
        padding: 0.6rem 0.8rem;
        margin-bottom: 1rem;
        border: 1px solid #9aa5b1;
        border-radius: 6px;
        background: #fff;
      }
      h2 {
        font-size: 1rem;
        margin: 0 0 0.4rem;
      }
      form,
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        align-items: end;
      }
      ul {
        list-style: none;
        padding: 0;
        margin: 0.6rem 0;
        display: grid;
        gap: 0.3rem;
      }
      li {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      .meta,
      .ptl-note {
        color: #52606d;
        font-size: 0.85rem;
      }
      .issued {
        padding: 0.5rem;
        margin: 0.5rem 0;
        background: #fff8e1;
        border: 1px solid #8a5a00;
        border-radius: 4px;
      }
      code {
        word-break: break-all;
        background: #fff;
        padding: 0.1rem 0.3rem;
      }
      .error {
        color: #b42318;
      }
    `,
  ];

  constructor() {
    super();
    new TranslationWatchController(this);
    this.pad = '';
    this.open = false;
    this.delegates = [];
    this.issued = null;
    this.confirming = null;
    this.message = '';
    this.error = '';
    this.loading = false;
  }

  private api(path: string, init?: RequestInit): Promise<Response> {
    return fetch(`/api/pads/${encodeURIComponent(this.pad)}/curators${path}`, {
      credentials: 'same-origin',
      ...init,
      headers: { 'content-type': 'application/json', ...(init?.headers ?? {}) },
    });
  }

  /** A request's JSON body, or an Error with the server's message (every `res.ok` checked). */
  private async call<T>(path: string, init?: RequestInit): Promise<T> {
    let res: Response;
    try {
      res = await this.api(path, init);
    } catch {
      throw new Error('the server could not be reached');
    }
    const body = (await res.json().catch(() => ({}))) as T & { error?: string };
    if (!res.ok) throw new Error(body.error ?? `request failed (${res.status})`);
    return body;
  }

  private async load(): Promise<void> {
    this.loading = true;
    try {
      this.delegates = (await this.call<{ curators: Delegate[] }>('')).curators;
      this.error = '';
    } catch (err) {
      this.error = `Could not list the curators: ${(err as Error).message}`;
    } finally {
      this.loading = false;
    }
  }

  private async create(event: Event): Promise<void> {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const input = form.elements.namedItem('label') as HTMLInputElement;
    const label = input.value.trim();
    if (!label) return;
    try {
      const made = await this.call<{ id: string; label: string; key: string }>('', { method: 'POST', body: JSON.stringify({ label }) });
      this.issued = { label: made.label, key: made.key, copied: false };
      this.message = '';
      this.error = '';
      input.value = '';
      await this.load();
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLButtonElement>('.issued button.copy')?.focus();
    } catch (err) {
      this.error = `Could not create the key: ${(err as Error).message}`;
    }
  }

  private async copy(): Promise<void> {
    if (!this.issued) return;
    try {
      await navigator.clipboard.writeText(this.issued.key);
      this.issued = { ...this.issued, copied: true };
    } catch {
      // no clipboard access: select the key so the person can copy it themselves
      const code = this.renderRoot.querySelector('.issued code');
      if (code) getSelection()?.selectAllChildren(code);
      this.message = 'Copying was not allowed: the key is selected, copy it with Ctrl+C.';
    }
  }

  private async revoke(d: Delegate): Promise<void> {
    try {
      const result = await this.call<{ revoked: string; keyIds: string[] }>(`/${encodeURIComponent(d.id)}`, { method: 'DELETE' });
      const more = result.keyIds.length - 1;
      this.message = `Revoked “${d.label}”${more > 0 ? ` and ${more} key${more === 1 ? '' : 's'} made under it` : ''}.`;
      this.error = '';
      this.confirming = null;
      await this.load();
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>('input[name="label"]')?.focus();
    } catch (err) {
      this.confirming = null;
      this.error = `Could not revoke “${d.label}”: ${(err as Error).message}`;
    }
  }

  private async show(): Promise<void> {
    this.open = true;
    await this.load();
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>('input[name="label"]')?.focus();
  }

  private close(): void {
    this.open = false;
    this.issued = null;
    this.confirming = null;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('button.opener')?.focus());
  }

  private labelOf(id: string | null): string {
    if (!id) return '';
    return this.delegates.find((d) => d.id === id)?.label ?? 'a revoked key';
  }

  private renderDelegate(d: Delegate) {
    const made = new Date(d.createdAt).toISOString().slice(0, 10);
    return html`<li>
      <strong class="notranslate" translate="no">${d.label}</strong>
      <span class="meta">${d.ptl ? 'PTL key' : `delegate, made ${made}${d.createdBy ? ` by ${this.labelOf(d.createdBy)}` : ''}`}</span>
      ${d.ptl
        ? html`<span class="ptl-note">The PTL key cannot be revoked here (only replaced, with <code>cyclepad reset-ptl</code>).</span>`
        : this.confirming === d.id
          ? html`<button class="danger" @click=${() => this.revoke(d)}>Confirm: revoke ${d.label}</button>
              <button @click=${() => (this.confirming = null)}>Keep</button>`
          : html`<button class="danger" aria-label="Revoke ${d.label}" @click=${() => (this.confirming = d.id)}>Revoke</button>`}
    </li>`;
  }

  override render() {
    if (!this.open) return html`<button class="opener" @click=${this.show}>Delegates…</button>`;
    return html`<section aria-labelledby="delegates-heading">
      <h2 id="delegates-heading">Curators and delegates</h2>
      <form @submit=${this.create} aria-label="Create a delegate key">
        <label>Delegate's name or role <input translate="no" class="notranslate" name="label" maxlength="80" required placeholder="e.g. gibi (stable liaison)" /></label>
        <button class="primary" type="submit">Create key</button>
        <button type="button" @click=${this.close}>Close</button>
      </form>
      ${this.issued
        ? html`<div class="issued" role="status">
            <p>Key for <strong class="notranslate" translate="no">${this.issued.label}</strong>, shown only now: give it to them, it cannot be shown again.</p>
            <div class="row">
              <code class="delegate-key notranslate" translate="no">${this.issued.key}</code>
              <button class="copy" @click=${this.copy}>${this.issued.copied ? 'Copied' : 'Copy key'}</button>
            </div>
          </div>`
        : nothing}
      ${this.message ? html`<p role="status">${this.message}</p>` : nothing}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.loading && this.delegates.length === 0 ? html`<p>Loading…</p>` : nothing}
      <ul aria-label="Curator keys">
        ${this.delegates.map((d) => this.renderDelegate(d))}
      </ul>
    </section>`;
  }
}

customElements.define('cp-delegates', CpDelegates);
