import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { translationDetector } from '../translation/detector.js';

type Host = ReactiveControllerHost & HTMLElement & { renderRoot: HTMLElement | DocumentFragment };

/**
 * Puts a component under the translation detector: its shadow root is watched, and after each of its own renders
 * the mutations it made are set aside as the page's own. Components rendering into a parent's root only do the
 * latter.
 */
export class TranslationWatchController implements ReactiveController {
  private watched: Node | null = null;

  /**
   * `content`: the host shows pad content or editable fields, so it is marked `translate="no"` and `notranslate`
   * (on the host; its shadow root marks its own editable elements, as Firefox does not carry the host's attribute in).
   */
  constructor(
    private readonly host: Host,
    private readonly options: { content?: boolean } = {},
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    if (this.options.content) {
      this.host.setAttribute('translate', 'no');
      this.host.classList.add('notranslate');
    }
    const root = this.host.renderRoot;
    if (root instanceof ShadowRoot) {
      this.watched = root;
      translationDetector().watch(root);
    }
  }

  hostUpdated(): void {
    translationDetector().ownChanges();
  }

  hostDisconnected(): void {
    if (this.watched) translationDetector().unwatch(this.watched);
    this.watched = null;
  }
}
