import { LitElement, css, html } from 'lit';
import type { Awareness } from 'y-protocols/awareness';
import { coloursFor, setUserName, userName } from '../user.js';
import { controlStyles } from '../styles.js';
import { ObserveController, events, observable } from '../controllers/observe.js';
import { ContextConsumer } from '@lit/context';
import { padContext } from '../context.js';
import { TranslationWatchController } from '../controllers/translation-watch.js';

import { parsePresence } from '../../../shared/presence.js';

/**
 * Who is here, and the person's own display name (which they can change; saved as they type).
 *
 * Each person's colour is set through the CSSOM after rendering (`style.setProperty` from script), never as a
 * `style` attribute in markup: the page's CSP (`style-src 'self'`, no 'unsafe-inline') blocks those.
 */
export class CpPresenceList extends LitElement {
  static override properties = { editable: { type: Boolean }, nameNote: { state: true } };
  private readonly pad = new ContextConsumer(this, { context: padContext, subscribe: true });

  /** Presence travels with the `proposed` section. */
  private get awareness(): Awareness | null {
    return this.pad.value?.connection.proposed.awareness ?? null;
  }
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
        /* the person's colour is set per chip from script; this dark grey is the fallback */
        background-color: #2e4053;
        color: #fff;
        font-size: 0.85rem;
        /* a name is a peer's text: however wide it draws (40 W, ten U+FDFD), it keeps to its chip, on one line */
        max-width: 14rem;
        overflow: hidden;
        white-space: nowrap;
        text-overflow: ellipsis;
      }
      input {
        width: 9rem;
      }
      .name-note:empty {
        display: none;
      }
      .name-note {
        flex-basis: 100%;
        font-size: 0.85rem;
        color: #8a3b00;
      }
    `,
  ];

  constructor() {
    super();
    new TranslationWatchController(this, { content: true });
    this.editable = false;
    this.nameNote = '';
    new ObserveController(this, () => this.awareness, observable('change'));
    // a reset section comes with a new provider (and awareness)
    new ObserveController(this, () => this.pad.value?.connection.proposed, events('reset'));
  }

  private renameTimer: ReturnType<typeof setTimeout> | null = null;
  /** What happened to the name last typed, when it could not be kept as typed. */
  declare private nameNote: string;
  private typedName: string | null = null;

  private onNameInput(event: Event): void {
    if (!event.isTrusted) return;
    this.typedName = (event.target as HTMLInputElement).value;
    if (this.renameTimer !== null) clearTimeout(this.renameTimer);
    this.renameTimer = setTimeout(this.saveName, 300);
  }

  private saveName = (): void => {
    if (this.renameTimer !== null) clearTimeout(this.renameTimer);
    this.renameTimer = null;
    if (this.typedName === null) return;
    setUserName(this.typedName);
    // a name presence would refuse is saved cleaned: the person is told what was changed, and why
    const typed = this.typedName.trim();
    this.nameNote = typed === userName() ? '' : `Shown as “${userName()}”: a name has at most 40 characters, and no role (curator, PTL, server…), “role:”, invisible characters or stacks of accents.`;
    this.typedName = null;
    const state = this.awareness?.getLocalState();
    if (state) this.awareness!.setLocalStateField('user', { ...(state.user as object), name: userName() });
  };

  /**
   * The person has finished with the field (it lost focus, or Enter): it now shows the name as others see it. Not while
   * they type: a name saved cleaned mid-typing ("sean-ptl" shown as "sean-") used to rewrite the field under them.
   */
  private nameDone = (): void => {
    this.saveName();
    const field = this.renderRoot.querySelector<HTMLInputElement>('input[aria-label="Your name"]');
    if (field) field.value = userName();
  };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('pagehide', this.saveName);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.saveName();
    window.removeEventListener('pagehide', this.saveName);
  }

  /** Colours through the CSSOM (allowed by the CSP, unlike a style attribute). */
  override updated(): void {
    // the field is filled once, when it first shows (after that it is the person's, until they leave it)
    const field = this.renderRoot.querySelector<HTMLInputElement>('input[aria-label="Your name"]');
    if (field && !field.dataset.filled) {
      field.value = userName();
      field.dataset.filled = 'yes';
    }
    const chips = [...this.renderRoot.querySelectorAll<HTMLElement>('li[data-name]')];
    const colours = coloursFor(chips.map((li) => li.dataset.name!));
    for (const li of chips) li.style.setProperty('background-color', colours.get(li.dataset.name!)!);
  }

  override render() {
    // Presence is written by peers: only states that match the schema are shown (the server checks too).
    const people = [...(this.awareness?.getStates() ?? new Map<number, unknown>()).entries()]
      .map(([id, state]) => ({ id, state: parsePresence(state) }))
      .filter((p): p is { id: number; state: NonNullable<ReturnType<typeof parsePresence>> & { user: { name: string } } } => p.state?.user !== undefined);
    return html`
      ${this.editable
        ? html`<label>Your name <input translate="no" class="notranslate" aria-label="Your name" aria-describedby="name-note" maxlength="40" @input=${this.onNameInput} @change=${this.nameDone} @blur=${this.nameDone} /></label>
            <span id="name-note" class="name-note" role="status">${this.nameNote}</span>`
        : ''}
      <ul aria-label="People here">
        ${people.map(
          ({ id, state }) =>
            html`<li data-client=${id} data-name=${state.user.name} title=${state.user.name}>${state.user.name}${state.user.translating === true ? html` <em class="translating">(translating)</em>` : ''}</li>`,
        )}
      </ul>
    `;
  }
}

customElements.define('cp-presence-list', CpPresenceList);
