/**
 * Copy to the clipboard, one way for every "Copy" button of the page (a curator key shown once, the read-only link):
 * the button says "Copied" once it worked (until the text it copies changes); where the page may not write the
 * clipboard, the text is selected instead and the person is told to press Ctrl+C.
 */
import type { LitElement, ReactiveController } from 'lit';

export class CopyController implements ReactiveController {
  /** The text last copied (a button shows "Copied" while it still copies that text). */
  private copiedText: string | null = null;
  /** Why copying did not happen (the text is selected instead), or ''. */
  message = '';

  constructor(private readonly host: LitElement) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.copiedText = null;
    this.message = '';
  }

  /** Whether `text` is what was copied last. */
  copied(text: string): boolean {
    return this.copiedText === text;
  }

  /** Forgets what was copied (a new key is shown). */
  reset(): void {
    this.copiedText = null;
    this.message = '';
    this.host.requestUpdate();
  }

  /** Copies `text`; if the clipboard is refused, selects the element `select` finds (the text shown) instead. */
  async copy(text: string, select: () => Element | null | undefined, what: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      this.copiedText = text;
      this.message = '';
    } catch {
      const shown = select();
      if (shown) getSelection()?.selectAllChildren(shown);
      this.copiedText = null;
      this.message = `Copying was not allowed: the ${what} is selected, copy it with Ctrl+C.`;
    }
    this.host.requestUpdate();
  }
}
