/**
 * The read-only mirror goes live: the server-rendered page (readable without JavaScript, and translatable) is
 * replaced, once both sections have synced, by the same markup (shared/mirror-html.ts, the server's function)
 * rendered from read-only sync connections. It renders into the light DOM, with no translate="no" anywhere:
 * translators are welcome here.
 *
 * A translator rewrites the page's text nodes (Chrome wraps them in <font>, Safari swaps them, Edge and Firefox set
 * their text), so updating a text node in place may update a node no longer shown. Each render is therefore applied
 * unit by unit (see {@link patchMirror}): a unit (an entry, a heading, the header, the live note) whose markup
 * changed is replaced by new nodes, which the translator translates again if it keeps translating, and unchanged
 * units keep their translated nodes. Only this script says the view updates live: the server-rendered page (without
 * JavaScript) does not.
 */
import { entriesOf, metaOf, metaToJSON, sectionToJSON } from '../../shared/schema.js';
import { mirrorHtml } from '../../shared/mirror-html.js';
import { PadConnection } from './pad-connection.js';

/** The markup each unit on the page was created from (what a translator did to it since does not count). */
const sourceOf = new WeakMap<Element, string>();

/** Containers hold only elements, and are patched child by child; every other element is a unit. */
const isContainer = (el: Element) => el.matches('section.section, ul.entries');

/** Records the markup of every unit in a new container. */
function adopt(container: Element): void {
  for (const el of container.children) {
    if (isContainer(el)) adopt(el);
    else sourceOf.set(el, el.outerHTML);
  }
}

/**
 * Makes `parent`'s children match `next`'s: a unit rendered from the same markup as before stays (with whatever a
 * translator did to it), any other is new; containers are matched in order (by tag and class) and patched alike.
 */
export function patchMirror(parent: ParentNode, next: ParentNode): void {
  const units = new Map<string, Element[]>();
  const containers = new Map<string, Element[]>();
  for (const el of parent.children) {
    const source = sourceOf.get(el);
    if (isContainer(el)) (containers.get(el.className) ?? containers.set(el.className, []).get(el.className)!).push(el);
    else if (source !== undefined) (units.get(source) ?? units.set(source, []).get(source)!).push(el);
  }
  const children = [...next.children].map((el) => {
    if (isContainer(el)) {
      const old = containers.get(el.className)?.shift();
      if (old && old.localName === el.localName) {
        patchMirror(old, el);
        return old;
      }
      adopt(el);
      return el;
    }
    const source = el.outerHTML;
    const kept = units.get(source)?.shift();
    if (kept) return kept;
    sourceOf.set(el, source);
    return el;
  });
  const same = children.length === parent.children.length && children.every((el, i) => parent.children[i] === el);
  if (!same) parent.replaceChildren(...children);
}

export function startMirror(main: HTMLElement): void {
  const ref = main.dataset.ref ?? '';
  const connection = new PadConnection(ref, { sendPresence: false });
  let scheduled = false;
  let taken = false;

  const draw = () => {
    scheduled = false;
    const { proposed, ready } = connection;
    if (!taken) {
      if (!proposed.provider.synced || !ready.provider.synced) return;
      // the server's rendering goes: from now on the page is this script's (and says it updates live)
      main.replaceChildren();
      taken = true;
    }
    const next = document.createElement('template');
    next.innerHTML = mirrorHtml(
      { meta: metaToJSON(ready.doc), sections: { ready: sectionToJSON(ready.doc), proposed: sectionToJSON(proposed.doc) } },
      { live: connection.state, status: connection.status.received ? connection.status.status : null },
    );
    patchMirror(main, document.importNode(next.content, true));
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(draw);
  };
  const observe = () => {
    entriesOf(connection.proposed.doc).observeDeep(schedule);
    entriesOf(connection.ready.doc).observeDeep(schedule);
    metaOf(connection.ready.doc).observeDeep(schedule);
  };
  observe();
  connection.proposed.addEventListener('reset', observe);
  connection.ready.addEventListener('reset', observe);
  connection.addEventListener('change', schedule);
  connection.status.addEventListener('change', schedule);
}
