/**
 * A destructive button that asks first (Restore a revision, Revoke a key): pressing it shows "Confirm: …" and a
 * withdraw button in its place, with focus on the confirmation (the button pressed is gone); withdrawing (its button,
 * or Escape on the confirmation, which goes no further: the panel stays open) puts focus back on the first button.
 * At most one question is asked at a time, `pending` naming what it is about.
 */
import type { LitElement, ReactiveController } from 'lit';

export class ConfirmController<K> implements ReactiveController {
  pending: K | null = null;

  constructor(
    private readonly host: LitElement,
    /** Where the confirmation for `key` is, and the button that asked (for focus). */
    private readonly buttons: { confirm: (key: K) => string; ask: (key: K) => string },
  ) {
    host.addController(this);
  }

  /** A question does not outlive its host's place in the page. */
  hostDisconnected(): void {
    this.pending = null;
  }

  /** Asks about `key`: the confirmation takes the asking button's place, and focus. */
  async ask(key: K): Promise<void> {
    this.pending = key;
    await this.focusAfterUpdate(this.buttons.confirm(key));
  }

  /** Withdraws the question: focus back on the button that asked. */
  async withdraw(key: K): Promise<void> {
    this.pending = null;
    await this.focusAfterUpdate(this.buttons.ask(key));
  }

  /** The question is answered (or moot): nothing pending, focus left to the caller. */
  clear(): void {
    this.pending = null;
    this.host.requestUpdate();
  }

  /** The confirmation's keydown handler: Escape withdraws the question, and only it. */
  onKeydown(key: K): (event: KeyboardEvent) => void {
    return (event) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      event.stopPropagation();
      void this.withdraw(key);
    };
  }

  private async focusAfterUpdate(selector: string): Promise<void> {
    this.host.requestUpdate();
    await this.host.updateComplete;
    this.host.renderRoot.querySelector<HTMLElement>(selector)?.focus();
  }
}
