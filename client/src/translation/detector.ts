/**
 * Notices a page translator at work on the editor, from the translators' own behaviour:
 * - Chrome, Firefox: `translated-ltr` / `translated-rtl` classes, or a changed `lang`, on `<html>`;
 * - Chrome, Edge: `<font>` elements inside the pad;
 * - Edge: `_msttexthash`, `_msthash`, `_mstmutation`, `_istranslated` attributes;
 * - Firefox: `data-moz-translations-id` attributes;
 * - any (Safari has no marker): text of the pad changed by something other than the page's own rendering, or a
 *   field's value changed with no typing (reported by the fields).
 * While any sign is present (text rewrites: in the last QUIET_MS) the detector is `active`; it says so with a
 * `change` event. Shadow roots are watched through {@link TranslationWatchController}.
 */
const SIGN_ATTRIBUTES = ['_msttexthash', '_msthash', '_mstmutation', '_istranslated', 'data-moz-translations-id'];
const SIGN_SELECTOR = ['font', ...SIGN_ATTRIBUTES.map((a) => `[${a}]`)].join(',');
const QUIET_MS = 1500;
const RECHECK_MS = 400;

export class TranslationDetector extends EventTarget {
  active = false;
  reasons: string[] = [];
  private readonly observers = new Map<Node, MutationObserver>();
  private readonly initialLang: string;
  private lastForeignText = 0;
  private recheck: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    super();
    const html = document.documentElement;
    this.initialLang = html.lang;
    const observer = new MutationObserver(() => this.check());
    observer.observe(html, { attributes: true, attributeFilter: ['class', 'lang'] });
    this.observers.set(html, observer);
  }

  /** Watches a shadow root (or the light DOM under an element) for signs and foreign text changes. */
  watch(root: Node): void {
    if (this.observers.has(root)) return;
    const observer = new MutationObserver((records) => this.onMutations(records));
    observer.observe(root, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: SIGN_ATTRIBUTES });
    this.observers.set(root, observer);
  }

  unwatch(root: Node): void {
    this.observers.get(root)?.disconnect();
    this.observers.delete(root);
  }

  /** The page's own rendering just changed the DOM: those changes are not a translator's. */
  ownChanges(): void {
    for (const observer of this.observers.values()) observer.takeRecords();
  }

  /** A field's value changed with no trusted input behind it. */
  tampered(): void {
    this.lastForeignText = Date.now();
    this.check();
  }

  private onMutations(records: MutationRecord[]): void {
    for (const r of records) {
      const textChange =
        r.type === 'characterData' ||
        (r.type === 'childList' && [...r.addedNodes, ...r.removedNodes].some((n) => n.nodeType === Node.TEXT_NODE || n.nodeName === 'FONT'));
      if (textChange) this.lastForeignText = Date.now();
    }
    this.check();
  }

  check = (): void => {
    const reasons: string[] = [];
    const html = document.documentElement;
    if (html.classList.contains('translated-ltr') || html.classList.contains('translated-rtl')) reasons.push('the page is marked as translated');
    if (html.lang !== this.initialLang) reasons.push(`the page language changed to "${html.lang}"`);
    for (const root of this.observers.keys()) {
      if (root !== html && (root as ParentNode).querySelector?.(SIGN_SELECTOR)) {
        reasons.push('translated text was inserted into the pad');
        break;
      }
    }
    if (Date.now() - this.lastForeignText < QUIET_MS) reasons.push('text of the pad was changed by something other than typing');
    const active = reasons.length > 0;
    this.reasons = reasons;
    if (active !== this.active) {
      this.active = active;
      this.dispatchEvent(new Event('change'));
    }
    if (this.recheck) clearTimeout(this.recheck);
    // Signs can go without a mutation to tell (the quiet period ends): look again while active.
    this.recheck = active ? setTimeout(this.check, RECHECK_MS) : null;
  };
}

let detector: TranslationDetector | null = null;

/** The page's one detector (created on first use, in the browser). */
export function translationDetector(): TranslationDetector {
  detector ??= new TranslationDetector();
  return detector;
}
