/**
 * A form behind an opener button (the import dialogs, the scrub): open puts focus in the form, close (the Close
 * button, Escape, a finished action) hides it and gives focus back to the opener. With `reflect`, the host carries an
 * `open` attribute while open (the page lays an open dialog on a line of its own).
 */
import { html, type LitElement, type ReactiveController } from 'lit';

export class DisclosureController implements ReactiveController {
  open = false;

  constructor(
    private readonly host: LitElement,
    /** What gets focus when the form opens. */
    private readonly focusOnOpen: string,
    /** `onClose`: what the host forgets when the form closes (a key shown once, a pending question). */
    private readonly options: { reflect?: boolean; onClose?: () => void } = {},
  ) {
    host.addController(this);
  }

  hostUpdate(): void {
    if (this.options.reflect) this.host.toggleAttribute('open', this.open);
  }

  readonly show = (): void => {
    this.open = true;
    this.host.requestUpdate();
    void this.host.updateComplete.then(() => this.host.renderRoot.querySelector<HTMLElement>(this.focusOnOpen)?.focus());
  };

  readonly close = (): void => {
    this.open = false;
    this.options.onClose?.();
    this.host.requestUpdate();
    void this.host.updateComplete.then(() => this.host.renderRoot.querySelector<HTMLButtonElement>('button.opener')?.focus());
  };

  /**
   * The opener: a button that stays where it is, open or closed (in the toolbar's row), says whether the form is open,
   * and closes it again. `show`: the host's own way of opening, when it does more than {@link show}.
   */
  opener(label: string, show: () => void = this.show) {
    return html`<button class="opener" aria-expanded=${this.open ? 'true' : 'false'} @click=${this.open ? this.close : show}>${label}</button>`;
  }

  /** The form's keydown handler: Escape closes it, as every form of the page. */
  readonly onKeydown = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    this.close();
  };
}
