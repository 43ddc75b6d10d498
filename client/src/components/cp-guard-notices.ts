import { LitElement, css, html, nothing } from 'lit';
import { TranslationWatchController } from '../controllers/translation-watch.js';
import { controlStyles } from '../styles.js';
import type { GuardNoticeData } from '../../../shared/presence.js';
import { api, messageOf, padPath } from '../api.js';

/**
 * For curators: connections the server quarantined for rewriting many entries at once, with the one action that
 * undoes the burst. The notices come from the server on its own message type (never from presence, which any peer
 * can write): the page passes them in.
 */
export class CpGuardNotices extends LitElement {
  static override properties = { notices: { attribute: false }, pad: { type: String }, error: { state: true } };
  declare notices: GuardNoticeData[];
  declare pad: string;
  declare error: string;

  static override styles = [
    controlStyles,
    css`
      li {
        padding: 0.5rem 0.7rem;
        margin-bottom: 0.5rem;
        border-radius: 6px;
        background: #fde0dd;
        color: #5c1610;
        list-style: none;
      }
      ul {
        padding: 0;
        margin: 0 0 1rem;
      }
    `,
  ];

  constructor() {
    super();
    this.notices = [];
    this.pad = '';
    this.error = '';
    new TranslationWatchController(this);
  }

  private async call(method: string, path: string, body?: unknown): Promise<void> {
    try {
      await api(`${padPath(this.pad)}/${path}`, { method, body });
      this.error = '';
    } catch (err) {
      this.error = messageOf(err);
    }
  }

  override render() {
    const notices = this.notices;
    if (notices.length === 0) return nothing;
    return html`<ul aria-label="Guard notices">
      ${notices.map(
        (n) => html`<li role="alert">
          A connection rewrote the text of ${n.entries.length} entries in <strong>${n.section}</strong> at
          <time datetime=${new Date(n.at).toISOString()}>${new Date(n.at).toLocaleTimeString()}</time>, as a page translator does; its
          writes are refused.
          <button class="primary" @click=${() => this.call('POST', 'restore', { section: n.section, session: n.session, from: n.from, to: n.to })}>Undo this rewrite</button>
          <button @click=${() => this.call('DELETE', `guard/${encodeURIComponent(n.id)}`)}>Dismiss</button>
        </li>`,
      )}
      ${this.error ? html`<li role="alert">${this.error}</li>` : nothing}
    </ul>`;
  }
}

customElements.define('cp-guard-notices', CpGuardNotices);
