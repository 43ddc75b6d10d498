import { LitElement, css, html } from 'lit';
import type { ConnectionState } from '../pad-connection.js';
import { TranslationWatchController } from '../controllers/translation-watch.js';

const LABELS: Record<ConnectionState, string> = { connecting: 'connecting…', live: 'live', offline: 'offline' };

/** connecting / live / offline, as a badge screen readers announce. */
export class CpConnectionStatus extends LitElement {
  static override properties = { state: { type: String, reflect: true } };
  declare state: ConnectionState;

  static override styles = css`
    span {
      display: inline-block;
      padding: 0.1rem 0.5rem;
      border-radius: 999px;
      font-size: 0.85rem;
      background: #fdf2c4;
      color: #6b4f00;
    }
    :host([state='live']) span {
      background: #d3f2dd;
      color: #14532d;
    }
    :host([state='offline']) span {
      background: #fde0dd;
      color: #7a1a12;
    }
  `;

  constructor() {
    super();
    new TranslationWatchController(this);
    this.state = 'connecting';
  }

  override render() {
    return html`<span role="status" aria-live="polite" data-state=${this.state}>${LABELS[this.state]}</span>`;
  }
}

customElements.define('cp-connection-status', CpConnectionStatus);
