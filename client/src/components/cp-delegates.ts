import { LitElement, css, html, nothing } from 'lit';
import { controlStyles, toolbarPanelStyles } from '../styles.js';
import { TranslationWatchController } from '../controllers/translation-watch.js';
import { Task } from '@lit/task';
import type { Delegate, DelegateIssued, DelegateList, DelegateRevoked } from '../../../shared/api.js';
import { api, messageOf, padPath } from '../api.js';
import { DisclosureController } from '../controllers/disclosure-controller.js';
import { CopyController } from '../controllers/copy-controller.js';
import { ConfirmController } from '../controllers/confirm-controller.js';

/**
 * Curators manage delegates in the page: make a key for someone (shown once, with a Copy button), see who holds a
 * key, revoke one (it and every key made under it stop working at once, also on open pages). The PTL key cannot be
 * revoked here: it is replaced only with the admin command line.
 */
export class CpDelegates extends LitElement {
  static override properties = {
    pad: { type: String },
    issued: { state: true },
    message: { state: true },
    error: { state: true },
  };
  declare pad: string;
  declare issued: { label: string; key: string } | null;
  private readonly clipboard = new CopyController(this);
  declare message: string;
  declare error: string;
  /** Bumped to list the keys again (after a change). */
  private listed = 0;

  /** The pad's curator keys, while the panel is open. */
  private readonly list = new Task(this, {
    task: async ([pad, open], { signal }) => (open ? (await api<DelegateList>(`${padPath(pad)}/curators`, { signal })).curators : ([] as Delegate[])),
    args: () => [this.pad, this.disclosure.open, this.listed] as const,
  });

  private get delegates(): Delegate[] {
    return this.list.value ?? [];
  }

  static override styles = [
    controlStyles,
    toolbarPanelStyles,
    css`
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
      /* a key is selected whole by one click: its "-" and "_" ended a double-click's word, and a key copied so broke */
      code.delegate-key {
        user-select: all;
      }
    `,
  ];

  constructor() {
    super();
    new TranslationWatchController(this);
    this.pad = '';
    this.issued = null;
    this.message = '';
    this.error = '';
  }

  /** Lists the keys again and waits for the list. */
  private async load(): Promise<void> {
    this.listed++;
    this.requestUpdate();
    await this.updateComplete;
    await this.list.taskComplete.catch(() => undefined);
  }

  private async create(event: Event): Promise<void> {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const input = form.elements.namedItem('label') as HTMLInputElement;
    const label = input.value.trim();
    if (!label) return;
    try {
      const made = await api<DelegateIssued>(`${padPath(this.pad)}/curators`, { body: { label } });
      this.issued = { label: made.label, key: made.key };
      this.message = '';
      this.error = '';
      input.value = '';
      await this.load();
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLButtonElement>('.issued button.copy')?.focus();
    } catch (err) {
      this.error = `Could not create the key: ${messageOf(err)}`;
    }
  }

  private async copy(): Promise<void> {
    if (this.issued) await this.clipboard.copy(this.issued.key, () => this.renderRoot.querySelector('.issued code'), 'key');
  }

  private async revoke(d: Delegate): Promise<void> {
    try {
      const result = await api<DelegateRevoked>(`${padPath(this.pad)}/curators/${encodeURIComponent(d.id)}`, { method: 'DELETE' });
      const more = result.keyIds.length - 1;
      this.message = `Revoked “${d.label}”${more > 0 ? ` and ${more} key${more === 1 ? '' : 's'} made under it` : ''}.`;
      this.error = '';
      this.revoking.clear();
      // a key just shown is no longer worth giving to anyone once revoked (it may be this one or made under it)
      this.issued = null;
      await this.load();
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>('input[name="label"]')?.focus();
    } catch (err) {
      this.revoking.clear();
      this.error = `Could not revoke “${d.label}”: ${messageOf(err)}`;
    }
  }

  /** Revoke asks first (by delegate id). */
  private readonly revoking = new ConfirmController<string>(this, {
    confirm: (id) => `li[data-id="${CSS.escape(id)}"] button.confirm`,
    ask: (id) => `li[data-id="${CSS.escape(id)}"] button.revoke`,
  });

  /** Open and close, focus in and back, Escape (the page lays the open panel on a line of its own). */
  private readonly disclosure = new DisclosureController(this, 'input[name="label"]', {
    reflect: true,
    onClose: () => {
      this.issued = null;
      this.revoking.clear();
    },
  });

  private labelOf(id: string | null): string {
    if (!id) return '';
    return this.delegates.find((d) => d.id === id)?.label ?? 'a revoked key';
  }

  private renderDelegate(d: Delegate) {
    const made = new Date(d.createdAt).toISOString().slice(0, 10);
    return html`<li data-id=${d.id}>
      <strong class="notranslate" translate="no">${d.label}</strong>
      <span class="meta">${d.ptl ? 'PTL key' : `delegate, made ${made}${d.createdBy ? ` by ${this.labelOf(d.createdBy)}` : ''}`}</span>
      ${d.ptl
        ? html`<span class="ptl-note">The PTL key cannot be revoked here (only replaced, with <code>cyclepad reset-ptl</code>).</span>`
        : this.revoking.pending === d.id
          ? html`<button class="danger confirm" @click=${() => this.revoke(d)} @keydown=${this.revoking.onKeydown(d.id)}>Confirm: revoke ${d.label}</button>
              <button @click=${() => this.revoking.withdraw(d.id)}>Keep</button>`
          : html`<button class="danger revoke" aria-label="Revoke ${d.label}" @click=${() => this.revoking.ask(d.id)}>Revoke</button>`}
    </li>`;
  }

  override render() {
    const opener = this.disclosure.opener('Delegates…');
    if (!this.disclosure.open) return opener;
    return html`${opener}<section class="panel" aria-labelledby="delegates-heading" @keydown=${this.disclosure.onKeydown}>
      <h2 id="delegates-heading">Curators and delegates</h2>
      <form @submit=${this.create} aria-label="Create a delegate key">
        <label>Delegate's name or role <input translate="no" class="notranslate" name="label" maxlength="80" required placeholder="e.g. gibi (stable liaison)" /></label>
        <button class="primary" type="submit">Create key</button>
        <button type="button" @click=${this.disclosure.close}>Close</button>
      </form>
      ${this.issued
        ? html`<div class="issued" role="status">
            <p>Key for <strong class="notranslate" translate="no">${this.issued.label}</strong>, shown only now: give it to them, it cannot be shown again.</p>
            <div class="row">
              <code class="delegate-key notranslate" translate="no">${this.issued.key}</code>
              <button class="copy" @click=${this.copy}>${this.clipboard.copied(this.issued.key) ? 'Copied' : 'Copy key'}</button>
            </div>
            ${this.clipboard.message ? html`<p role="status">${this.clipboard.message}</p>` : nothing}
          </div>`
        : nothing}
      ${this.message ? html`<p role="status">${this.message}</p>` : nothing}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.list.render({
        pending: () => (this.delegates.length === 0 ? html`<p role="status">Loading…</p>` : nothing),
        error: (err) => html`<p class="error" role="alert">Could not list the curators: ${messageOf(err)}</p>`,
      })}
      <ul aria-label="Curator keys">
        ${this.delegates.map((d) => this.renderDelegate(d))}
      </ul>
    </section>`;
  }
}

customElements.define('cp-delegates', CpDelegates);
