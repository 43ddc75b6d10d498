/**
 * The server's first view of the pad (shared/mirror-html.ts, firstViewHtml: shown while the script loaded) and the
 * editor that renders in its place. A reader who had scrolled, or tabbed to a link, before the editor came keeps their
 * place: the first entry in the window stays where it was, and focus goes to the same link in the editor's entry
 * (its menu button when the editor shows no such link).
 */
import { SECTIONS_SHOWN } from '../../shared/labels.js';

interface Place {
  section: string;
  id: string;
}

export interface Handover {
  /** Puts the reader back at their place in the editor rendered under `page` (call before it is painted). */
  restore(page: ShadowRoot | null): void;
}

/** The entry `li.entry` of the first view that `node` is in, and its section (null: outside any entry). */
function placeOf(view: Element, node: Element): Place | null {
  const entry = node.closest<HTMLElement>('li.entry');
  const section = entry?.closest('section.section');
  const at = section ? [...view.querySelectorAll('section.section')].indexOf(section) : -1;
  const name = SECTIONS_SHOWN[at];
  return entry?.dataset.id && name ? { section: name, id: entry.dataset.id } : null;
}

/** Takes the first view out of `host` (the pad page), noting the reader's place in it; null when there was none. */
export function takeFirstView(host: HTMLElement): Handover | null {
  const view = host.querySelector(':scope > .first-view');
  if (!view) return null;
  // the first entry whose top is in the window (in document order: the left column's, side by side), if the reader
  // scrolled
  let anchor: (Place & { top: number }) | null = null;
  if (window.scrollY > 0) {
    for (const entry of view.querySelectorAll('li.entry')) {
      const box = entry.getBoundingClientRect();
      if (box.top < 0) continue;
      const place = placeOf(view, entry);
      if (place) anchor = { ...place, top: box.top };
      break;
    }
  }
  const active = document.activeElement;
  const focused = active instanceof HTMLAnchorElement && view.contains(active) ? placeOf(view, active) : null;
  const href = focused ? (active as HTMLAnchorElement).getAttribute('href') : null;
  view.remove();
  if (!anchor && !focused) return null;
  const entryIn = (page: ShadowRoot | null, place: Place) =>
    page
      ?.querySelector(`cp-section#${place.section}`)
      ?.shadowRoot?.querySelector<HTMLElement>(`li[data-entry="${CSS.escape(place.id)}"] cp-entry`) ?? null;
  return {
    restore(page) {
      if (anchor) {
        const entry = entryIn(page, anchor);
        if (entry) window.scrollBy(0, entry.getBoundingClientRect().top - anchor.top);
      }
      if (focused) {
        const entry = entryIn(page, focused);
        const link = [...(entry?.querySelectorAll('a') ?? [])].find((a) => a.getAttribute('href') === href);
        (link ?? entry?.querySelector<HTMLElement>('button.more'))?.focus({ preventScroll: true });
      }
    },
  };
}
