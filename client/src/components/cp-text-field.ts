import { LitElement, css, html, nothing } from 'lit';
import * as Y from 'yjs';
import { diffAtCaret, shiftCaret, type Delta } from '../text-diff.js';
import { TranslationWatchController } from '../controllers/translation-watch.js';
import { controlStyles } from '../styles.js';
import { LocalOrigin } from '../local-origin.js';
import { MAX_LINE_LENGTH, MAX_NOTE_LENGTH } from '../../../shared/schema.js';
import { pasteCut, pasteCutMessage } from '../paste-cut.js';

/**
 * Edits a shared field through a form control: a `Y.Text` (`.text`, edited at the caret as the person types), or a
 * string under a map key (`.map` + `key`, written as the person types, {@link STRING_SAVE_MS} after the last
 * keystroke, and at once on change, blur, or when the page is hidden or left: nothing typed is lost by leaving).
 *
 * The model is the truth: the control's value is written from it, and read back only inside a trusted event (a
 * person typing, pasting, dropping, cutting or composing), where the new value is diffed against what the control
 * held. A value that changed with no such event behind it (a page translator, Safari's, which sets input values
 * with no event; a script) is never turned into an update: the model is shown again and `cp-tampered` is raised.
 */
/** A string field is written this long after the last keystroke (a whole value each time, so not per keystroke). */
export const STRING_SAVE_MS = 250;

export class CpTextField extends LitElement {
  static override properties = {
    text: { attribute: false },
    map: { attribute: false },
    key: { type: String },
    label: { type: String },
    multiline: { type: Boolean },
    readonly: { type: Boolean },
    placeholder: { type: String },
    cut: { state: true },
  };

  declare text: Y.Text | null;
  declare map: Y.Map<unknown> | null;
  declare key: string;
  declare label: string;
  declare multiline: boolean;
  declare readonly: boolean;
  declare placeholder: string;
  /** What the last paste lost to the field's limit, said under it until the person types on or leaves. */
  declare cut: string;

  private observed: Y.AbstractType<any> | null = null; // eslint-disable-line @typescript-eslint/no-explicit-any
  private composing = false;
  /** What the control holds as far as this component knows: set only by itself and by trusted input. */
  private shown = '';
  /** Remote changes not shown yet because an IME composition is under way. */
  private deferred: Delta[] = [];
  /** A string field's typed value waiting to be written. */
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  /** This field's own changes: a local origin (undoable), and recognised by the field as its own. */
  private readonly origin = new LocalOrigin('field');

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
      }
      input,
      textarea {
        width: 100%;
      }
      textarea {
        font: inherit;
        padding: 0.3rem 0.4rem;
        border: 1px solid #9aa5b1;
        border-radius: 4px;
        box-sizing: border-box;
        min-height: 2.6rem;
        resize: vertical;
      }
      [readonly] {
        background: #f3f4f6;
      }
      .cut {
        display: block;
        font-size: 0.85rem;
        color: #8a3b00;
      }
    `,
  ];

  constructor() {
    super();
    this.text = null;
    this.map = null;
    this.key = '';
    this.label = '';
    this.multiline = false;
    this.readonly = false;
    this.placeholder = '';
    this.cut = '';
    new TranslationWatchController(this, { content: true });
  }

  private get control(): HTMLInputElement | HTMLTextAreaElement | null {
    return this.renderRoot.querySelector('input, textarea');
  }

  /** The model's current value. */
  private model(): string {
    if (this.text) return this.text.toString();
    const value = this.map?.get(this.key);
    return typeof value === 'string' ? value : '';
  }

  override render() {
    return html`${this.renderControl()}${this.cut ? html`<span class="cut" role="status">${this.cut}</span>` : nothing}`;
  }

  private renderControl() {
    return this.multiline
      ? html`<textarea
          translate="no"
          class="notranslate"
          aria-label=${this.label}
          placeholder=${this.placeholder}
          maxlength=${MAX_NOTE_LENGTH}
          ?readonly=${this.readonly}
          @beforeinput=${this.onBeforeInput}
          @paste=${this.onPaste}
          @input=${this.onInput}
          @change=${this.onChange}
          @blur=${this.flush}
          @compositionstart=${this.onCompositionStart}
          @compositionend=${this.onCompositionEnd}
        ></textarea>`
      : html`<input
          type="text"
          translate="no"
          class="notranslate"
          aria-label=${this.label}
          placeholder=${this.placeholder}
          maxlength=${MAX_LINE_LENGTH}
          ?readonly=${this.readonly}
          @beforeinput=${this.onBeforeInput}
          @paste=${this.onPaste}
          @input=${this.onInput}
          @change=${this.onChange}
          @blur=${this.flush}
          @compositionstart=${this.onCompositionStart}
          @compositionend=${this.onCompositionEnd}
        />`;
  }

  override updated(): void {
    const target = this.text ?? this.map;
    if (this.observed !== target) {
      this.observed?.unobserve(this.onModelChange);
      this.observed = target;
      this.observed?.observe(this.onModelChange);
    }
    this.showModel();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('pagehide', this.flush);
    document.addEventListener('visibilitychange', this.flush);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.flush();
    window.removeEventListener('pagehide', this.flush);
    document.removeEventListener('visibilitychange', this.flush);
    this.observed?.unobserve(this.onModelChange);
    this.observed = null;
  }

  /** Writes the model into the control (never the other way round). */
  private showModel(selection?: [number, number]): void {
    const control = this.control;
    if (!control || this.composing) return;
    const value = this.model();
    this.deferred = [];
    if (control.value === value && this.shown === value) return;
    control.value = value;
    this.shown = value;
    if (selection && control === this.shadowRoot?.activeElement) control.setSelectionRange(...selection);
  }

  private onModelChange = (event: Y.YEvent<any>, transaction: Y.Transaction): void => { // eslint-disable-line @typescript-eslint/no-explicit-any
    if (transaction.origin === this.origin) return;
    const control = this.control;
    if (!control) return;
    if (this.map) {
      if (!(event as Y.YMapEvent<unknown>).keysChanged.has(this.key)) return;
      // a string field being typed in keeps the person's edit, about to be written
      if (this.saveTimer !== null && control === this.shadowRoot?.activeElement) return;
      this.showModel();
      return;
    }
    const delta = (event as Y.YTextEvent).delta as Delta;
    if (this.composing) {
      this.deferred.push(delta);
      return;
    }
    this.showModel([shiftCaret(control.selectionStart ?? 0, delta), shiftCaret(control.selectionEnd ?? 0, delta)]);
  };

  /**
   * Before the browser edits the control, the control must hold what this component knows it holds. If something
   * else rewrote it, that edit is refused and the model shown again.
   */
  private onBeforeInput = (event: InputEvent): void => {
    if (this.cut && event.inputType !== 'insertFromPaste') this.cut = '';
    const control = this.control;
    if (!control || this.composing) return;
    if (control.value !== this.shown) {
      event.preventDefault();
      this.tampered();
    }
  };

  private tampered(): void {
    this.dispatchEvent(new CustomEvent('cp-tampered', { bubbles: true, composed: true }));
    this.shown = this.model();
    const control = this.control;
    if (control) control.value = this.shown;
  }

  private onInput = (event: Event): void => {
    const control = this.control;
    if (!control) return;
    if (!event.isTrusted || this.readonly) {
      this.tampered();
      return;
    }
    const before = this.shown;
    this.shown = control.value;
    if (!this.text) {
      // string fields are written shortly after typing stops (and at once on change, blur, pagehide)
      if (this.saveTimer !== null) clearTimeout(this.saveTimer);
      this.saveTimer = setTimeout(this.flush, STRING_SAVE_MS);
      return;
    }
    const change = diffAtCaret(before, control.value, control.selectionEnd ?? control.value.length);
    if (!change) return;
    // Remote changes held back during a composition move where this edit lands in the model.
    let index = change.index;
    for (const delta of this.deferred) index = shiftCaret(index, delta);
    const text = this.text;
    const remove = Math.min(change.remove, text.length - index);
    text.doc!.transact(() => {
      if (remove > 0) text.delete(index, remove);
      if (change.insert) text.insert(index, change.insert);
    }, this.origin);
  };

  /** A string field is written (at once) when committed, and only with what trusted input put there. */
  private onChange = (event: Event): void => {
    const control = this.control;
    if (!control || !this.map || this.readonly) return;
    if (!event.isTrusted || control.value !== this.shown) {
      this.tampered();
      return;
    }
    this.flush();
  };

  /** A paste the field's limit cuts is said (the browser keeps what fits, silently). */
  private onPaste = (event: ClipboardEvent): void => {
    const cut = pasteCut(event);
    this.cut = cut ? pasteCutMessage(cut, `the ${this.label ? this.label.toLowerCase() : 'field'}`) : '';
  };

  /** Writes a string field's typed value now, if one is waiting (what trusted input put there, never the control's). */
  private flush = (): void => {
    if (this.saveTimer === null) return;
    clearTimeout(this.saveTimer);
    this.saveTimer = null;
    const map = this.map;
    if (!map?.doc || this.readonly) return;
    const value = this.shown.trim();
    if (value !== this.model()) map.doc.transact(() => map.set(this.key, value), this.origin);
  };

  private onCompositionStart = (): void => {
    this.composing = true;
  };

  private onCompositionEnd = (): void => {
    this.composing = false;
    this.showModel();
  };
}

customElements.define('cp-text-field', CpTextField);

declare global {
  interface HTMLElementTagNameMap {
    'cp-text-field': CpTextField;
  }
}
