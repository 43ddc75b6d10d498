import { LitElement, css, html } from 'lit';
import type { SectionSync } from '../pad-connection.js';
import { TranslationWatchController } from '../controllers/translation-watch.js';
import { EventController } from '../controllers/event-controller.js';
import { controlStyles } from '../styles.js';

const NAMES = { proposed: 'Proposed patches', ready: 'Ready to review' } as const;

/** Asks the person about a held-back change that rewrote many entries at once (the outgoing check). */
export class CpHeldChange extends LitElement {
  static override properties = { sync: { attribute: false } };
  declare sync: SectionSync | null;

  static override styles = [
    controlStyles,
    css`
      div {
        padding: 0.6rem 0.8rem;
        margin-bottom: 1rem;
        border-radius: 6px;
        background: #fde0dd;
        color: #5c1610;
        border: 1px solid #b42318;
      }
      p {
        margin: 0 0 0.4rem;
      }
    `,
  ];

  constructor() {
    super();
    this.sync = null;
    new TranslationWatchController(this);
    new EventController(this, () => this.sync, ['change', 'reset']);
  }

  override render() {
    const sync = this.sync;
    if (!sync || sync.heldRewrites === 0) return html``;
    return html`<div role="alertdialog" aria-label="Confirm a large change">
      <p>A change in <strong>${NAMES[sync.section]}</strong> rewrites the text of ${sync.heldRewrites} entries at once. Typing never
        does that; a page translator or a browser extension does. It has not been sent.</p>
      <button class="primary" @click=${() => sync.discardHeld()}>Discard it</button>
      <button @click=${() => sync.sendHeld()}>Send it to everyone</button>
    </div>`;
  }
}

customElements.define('cp-held-change', CpHeldChange);
