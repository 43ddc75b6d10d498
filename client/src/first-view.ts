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
  /**
   * Puts the reader back at their place in the editor rendered under `page`, from the next frame on (before it is
   * painted), and keeps them there while the layout settles: entries laid out first at their estimated size
   * (`content-visibility: auto`) take their own as they come near the window, and that moves the place again. It
   * stops once the place has stayed put for a few frames, after a second at most, or as soon as the reader scrolls,
   * taps or presses a key themselves; a page still coasting from the reader's flick is put back once and left to it.
   */
  keep(page: () => ShadowRoot | null): void;
}

/** Frames the place must stay put before the handover stops keeping it. */
const SETTLED_FRAMES = 3;
/** The longest the handover keeps the place (ms). */
const KEEP_MS = 1000;
/** What the reader does to move on their own: the handover stops keeping the place at the first of these. */
const READER_MOVES = ['wheel', 'touchstart', 'pointerdown', 'keydown'] as const;
/**
 * A page that scrolled this recently before the handover is still moving under the reader (a flick coasting on,
 * which sends no touch or wheel events): the place is put back once, and the page is then left to coast.
 */
const COASTING_MS = 100;
/**
 * When the page last scrolled (heard from the script's load on, a frame or more before the handover), on an editor
 * page showing a first view; no longer listened for once the handover has started.
 */
let lastScrollAt = Number.NEGATIVE_INFINITY;
const noteScroll = () => (lastScrollAt = performance.now());
if (document.querySelector('cp-pad-page > .first-view')) window.addEventListener('scroll', noteScroll, { passive: true });

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
  window.removeEventListener('scroll', noteScroll);
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
  /** Scrolls the anchor back to where it was; the distance it was off (0: in place, or not found). */
  const restore = (page: ShadowRoot | null): number => {
    const entry = anchor && entryIn(page, anchor);
    if (!anchor || !entry) return 0;
    const off = entry.getBoundingClientRect().top - anchor.top;
    if (Math.abs(off) >= 0.5) window.scrollBy(0, off);
    return off;
  };
  /** Focuses the same link in the editor's entry (its menu button when it shows no such link); false: not there yet. */
  const refocus = (page: ShadowRoot | null): boolean => {
    const entry = focused && entryIn(page, focused);
    if (!entry) return false;
    const link = [...entry.querySelectorAll('a')].find((a) => a.getAttribute('href') === href);
    (link ?? entry.querySelector<HTMLElement>('button.more'))?.focus({ preventScroll: true });
    return true;
  };
  return {
    keep(page) {
      const started = performance.now();
      const coasting = started - lastScrollAt < COASTING_MS;
      let settled = 0;
      let focusDue = focused !== null;
      let stopped = false;
      const stop = () => {
        stopped = true;
        for (const type of READER_MOVES) window.removeEventListener(type, stop, true);
      };
      for (const type of READER_MOVES) window.addEventListener(type, stop, { capture: true, passive: true });
      const frame = () => {
        if (stopped) return;
        if (focusDue) focusDue = !refocus(page());
        settled = Math.abs(restore(page())) < 0.5 ? settled + 1 : 0;
        if (coasting || (settled >= SETTLED_FRAMES && !focusDue) || performance.now() - started > KEEP_MS) return stop();
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    },
  };
}
