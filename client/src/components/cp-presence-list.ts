import { LitElement, css, html } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import type { Awareness } from 'y-protocols/awareness';
import { colourFor, setUserName, userName } from '../user.js';
import { controlStyles } from '../styles.js';
import { ObservableController } from '../controllers/observable-controller.js';
import { TranslationWatchController } from '../controllers/translation-watch.js';

import { parsePresence } from '../../../shared/presence.js';

/** Who is here, and the person's own display name (which they can change). */
export class CpPresenceList extends LitElement {
  static override properties = { awareness: { attribute: false }, editable: { type: Boolean } };
  declare awareness: Awareness | null;
  declare editable: boolean;

  static override styles = [
    controlStyles,
    css`
      :host {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        align-items: center;
      }
      ul {
        display: contents;
        list-style: none;
      }
      li {
        padding: 0.1rem 0.5rem;
        border-radius: 999px;
        color: #fff;
        font-size: 0.85rem;
      }
      input {
        width: 9rem;
      }
    `,
  ];

  constructor() {
    super();
    new TranslationWatchController(this, { content: true });
    this.awareness = null;
    this.editable = false;
    new ObservableController(this, () => this.awareness, 'change');
  }

  private onRename(event: Event): void {
    setUserName((event.target as HTMLInputElement).value);
    const state = this.awareness?.getLocalState();
    if (state) this.awareness!.setLocalStateField('user', { ...(state.user as object), name: userName() });
  }

  override render() {
    // Presence is written by peers: only states that match the schema are shown (the server checks too).
    const people = [...(this.awareness?.getStates() ?? new Map<number, unknown>()).entries()]
      .map(([id, state]) => ({ id, state: parsePresence(state) }))
      .filter((p): p is { id: number; state: NonNullable<ReturnType<typeof parsePresence>> & { user: { name: string } } } => p.state?.user !== undefined);
    return html`
      ${this.editable
        ? html`<label>Your name <input translate="no" class="notranslate" aria-label="Your name" .value=${userName()} maxlength="40" @change=${this.onRename} /></label>`
        : ''}
      <ul aria-label="People here">
        ${people.map(
          ({ id, state }) =>
            html`<li style=${styleMap({ background: colourFor(id) })} data-client=${id}>${state.user.name}${state.user.translating === true ? html` <em class="translating">(translating)</em>` : ''}</li>`,
        )}
      </ul>
    `;
  }
}

customElements.define('cp-presence-list', CpPresenceList);
