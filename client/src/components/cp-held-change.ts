import { LitElement, css, html } from 'lit';
import type { SectionSync } from '../pad-connection.js';
import type { Section } from '../../../shared/schema.js';
import { SECTION_HEADINGS } from '../../../shared/labels.js';
import { ContextConsumer } from '@lit/context';
import { padContext } from '../context.js';
import { TranslationWatchController } from '../controllers/translation-watch.js';
import { ObserveController, events } from '../controllers/observe.js';
import { controlStyles } from '../styles.js';

/** Asks the person about a held-back change that rewrote many entries at once (the outgoing check). */
export class CpHeldChange extends LitElement {
  static override properties = { section: { type: String } };
  declare section: Section;
  private readonly pad = new ContextConsumer(this, { context: padContext, subscribe: true });

  private get sync(): SectionSync | null {
    return this.pad.value?.connection.section(this.section) ?? null;
  }

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
    this.section = 'proposed';
    new TranslationWatchController(this);
    new ObserveController(this, () => this.sync, events('change', 'reset'));
  }

  override render() {
    const sync = this.sync;
    if (!sync || sync.heldRewrites === 0) return html``;
    return html`<div role="alertdialog" aria-label="Confirm a large change">
      <p>A change in <strong>${SECTION_HEADINGS[sync.section]}</strong> rewrites the text of ${sync.heldRewrites} entries at once. Typing never
        does that; a page translator or a browser extension does. It has not been sent.</p>
      <button class="primary" @click=${() => sync.discardHeld()}>Discard it</button>
      <button @click=${() => sync.sendHeld()}>Send it to everyone</button>
    </div>`;
  }
}

customElements.define('cp-held-change', CpHeldChange);
