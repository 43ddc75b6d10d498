/// <reference lib="dom" />
/**
 * Page translators, simulated inside a page from their known behaviour (real translation cannot be triggered
 * headless). `translate(style)` runs in the page (Playwright serialises it, so it is self-contained): it starts
 * translating every shadow root and the light DOM, keeps translating new nodes where that translator does, and
 * leaves `window.stopTranslating()` to undo it as "show original" would.
 */
export type TranslatorStyle = 'google' | 'edge' | 'firefox' | 'safari';

export function translate(style: TranslatorStyle): void {
  const w = window as unknown as { stopTranslating: () => void };
  const undo: Array<() => void> = [];
  const observers: MutationObserver[] = [];
  const translated = new WeakSet<Node>();
  const fake = (text: string) => `«${text.trim().split('').reverse().join('')}»`;

  /** Every root: the document and each open shadow root, however deep. */
  const roots = (): Array<Document | ShadowRoot> => {
    const found: Array<Document | ShadowRoot> = [document];
    for (let i = 0; i < found.length; i++) {
      for (const el of found[i]!.querySelectorAll('*')) if (el.shadowRoot) found.push(el.shadowRoot);
    }
    return found;
  };
  const textNodes = (root: Node): Text[] => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: (n) =>
        n.nodeValue?.trim() && !['SCRIPT', 'STYLE'].includes(n.parentElement?.nodeName ?? '') && !translated.has(n)
          ? NodeFilter.FILTER_ACCEPT
          : NodeFilter.FILTER_REJECT,
    });
    const nodes: Text[] = [];
    while (walker.nextNode()) nodes.push(walker.currentNode as Text);
    return nodes;
  };

  const translateText = (node: Text) => {
    const original = node.data;
    const parent = node.parentNode;
    if (!parent) return;
    if (style === 'google') {
      // Chrome: each text node becomes <font><font>translation</font></font>
      const outer = document.createElement('font');
      outer.setAttribute('style', 'vertical-align: inherit;');
      const inner = document.createElement('font');
      inner.setAttribute('style', 'vertical-align: inherit;');
      const text = document.createTextNode(fake(original));
      translated.add(text);
      inner.append(text);
      outer.append(inner);
      parent.replaceChild(outer, node);
      undo.push(() => outer.parentNode?.replaceChild(node, outer));
    } else if (style === 'edge') {
      // Edge: the element's text replaced in place, hash attributes added, translate="no" ignored
      const el = node.parentElement!;
      node.data = fake(original);
      translated.add(node);
      el.setAttribute('_msttexthash', String(original.length * 7919));
      el.setAttribute('_msthash', String(original.length * 104729));
      undo.push(() => {
        node.data = original;
        el.removeAttribute('_msttexthash');
        el.removeAttribute('_msthash');
      });
    } else if (style === 'firefox') {
      // Firefox: Text.data set in place, nodes detached and re-appended, an id attribute on the element
      const el = node.parentElement!;
      const next = node.nextSibling;
      node.remove();
      node.data = fake(original);
      el.insertBefore(node, next);
      translated.add(node);
      el.setAttribute('data-moz-translations-id', String(Math.floor(Math.random() * 1e6)));
      undo.push(() => {
        node.data = original;
        el.removeAttribute('data-moz-translations-id');
      });
    } else {
      // Safari: a new Text node swapped in
      const text = document.createTextNode(fake(original));
      translated.add(text);
      parent.replaceChild(text, node);
      undo.push(() => text.parentNode?.replaceChild(node, text));
    }
  };

  const translateRoot = (root: Document | ShadowRoot) => {
    for (const node of textNodes(root)) translateText(node);
    if (style === 'safari') {
      // Safari rewrites the values of inputs, with no input event
      for (const field of root.querySelectorAll('input[type="text"], textarea') as NodeListOf<HTMLInputElement>) {
        if (!field.value) continue;
        const original = field.value;
        field.value = fake(original);
        undo.push(() => (field.value = original));
      }
    }
  };

  if (style === 'google' || style === 'firefox') {
    const html = document.documentElement;
    const lang = html.lang;
    if (style === 'google') html.classList.add('translated-ltr');
    html.lang = 'de';
    undo.push(() => {
      html.classList.remove('translated-ltr');
      html.lang = lang;
    });
  }
  for (const root of roots()) translateRoot(root);
  if (style === 'google' || style === 'edge') {
    // these keep translating what the page adds
    const watch = (root: Document | ShadowRoot) => {
      const o = new MutationObserver(() => {
        for (const r of roots()) {
          if (!observers.some((x) => (x as unknown as { root: Node }).root === r)) watch(r);
          for (const node of textNodes(r)) translateText(node);
        }
      });
      (o as unknown as { root: Node }).root = root;
      o.observe(root, { childList: true, subtree: true, characterData: true });
      observers.push(o);
    };
    for (const root of roots()) watch(root);
  }
  w.stopTranslating = () => {
    for (const o of observers) o.disconnect();
    for (const fn of undo.reverse()) fn();
  };
}
