/**
 * The read-only mirror's markup, rendered by one function for both its readers: the server (the page readable
 * without JavaScript, by crawlers and by translators) and the page's script (the same markup, live). Every field is
 * escaped here; links are only `http(s)` (safeHref), and their text too is escaped.
 *
 * The markup is blocks of two sorts, which the script relies on to keep a translator's work (client/src/mirror.ts):
 * containers (`section.section`, `ul.entries`) hold only elements (no text, no whitespace between them), and every
 * other element is a unit whose markup changes exactly when what it shows changes (the header, the live note, a
 * heading, an entry).
 */
import { ENTRY_KINDS, shownReviews, type CycleMeta, type EntryData } from './schema.js';
import { KIND_HEADINGS, SECTION_HEADINGS, SECTIONS_SHOWN, isoDay } from './labels.js';
import { chipLabel, linkAsText, parseLink, safeHref, type ParsedLink } from './links.js';
import type { PadStatus } from './status.js';
import { linkStatusView } from './status-view.js';
import { promotedIds } from './pad-actions.js';

/** The cycle header's fields the mirror shows. */
export type MirrorMeta = Pick<CycleMeta, 'title' | 'milestones' | 'scrubbedAt'>;

/** What the mirror shows: the cycle header and both sections. */
export interface MirrorContent {
  meta: MirrorMeta;
  sections: { proposed: EntryData[]; ready: EntryData[] };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or an attribute value, escaped for HTML (element content and double- or single-quoted attributes). */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const link = (url: string, text = url) => {
  const href = safeHref(url);
  return href ? `<a href="${escapeHtml(href)}" rel="noopener noreferrer">${escapeHtml(text)}</a>` : `<span>${escapeHtml(text)}</span>`;
};

/**
 * What a link is called where the editor shows a chip (a change "931122,4", "topic:…", a bug "#2082345", a blueprint's
 * name): a phone-width reader got whole URLs, wrapped mid-word and percent-encoded. A link no parser knows is shown whole.
 */
function shortLabel(url: string, parsed: ParsedLink | null): string {
  return parsed ? chipLabel(parsed) : linkAsText(url);
}

/** A link's live status (shared/status-view.ts) as text, its details as the title; '' when nothing is known. */
function liveBadge(parsed: ParsedLink | null, status: PadStatus | null | undefined): string {
  const v = status ? linkStatusView(parsed, status) : null;
  return v ? ` <span class="cs cs-${escapeHtml(v.cls)}" title="${escapeHtml(v.detail)}">${escapeHtml(v.text)}</span>` : '';
}

/** A link shown by its short label, and its live status (each link parsed once: a 500-entry pad has 1,500). */
function labelledLink(url: string, status: PadStatus | null | undefined, text?: string): string {
  const parsed = parseLink(url);
  return link(url, text ?? shortLabel(url, parsed)) + liveBadge(parsed, status);
}

/**
 * One entry: title (linking to Launchpad), owner, merged/abandoned status; its reviews; its note. With `status`
 * (the server's cached live status, or the script's), each link is followed by what Gerrit / Launchpad say of it.
 */
export function mirrorEntryHtml(e: EntryData, status: PadStatus | null = null, promoted = false): string {
  const closed = e.status !== 'open';
  const head = [
    e.launchpad ? labelledLink(e.launchpad, status, e.title.trim() || undefined) : `<span>${escapeHtml(e.title || '(untitled)')}</span>`,
    e.owner ? ` <span class="owner">(${escapeHtml(e.owner)})</span>` : '',
    closed ? ` <span class="status status-${escapeHtml(e.status)}">${escapeHtml(e.status)}</span>` : '',
    // a proposed entry also on the ready list (as the ready list says: promotedIds): said, so a reader does not take
    // it for a stray duplicate
    promoted ? ' <span class="status promoted">promoted to ready</span>' : '',
  ].join('');
  const { shown, more } = shownReviews(e.reviews);
  const rest = more > 0 ? `<li class="more">and ${more} more reviews</li>` : '';
  const reviews = e.reviews.length > 0 ? `<ul class="reviews">${shown.map((r) => `<li>${labelledLink(r, status)}</li>`).join('')}${rest}</ul>` : '';
  const note = e.note ? `<p class="note">${escapeHtml(e.note)}</p>` : '';
  return `<li class="entry${closed ? ` is-${escapeHtml(e.status)}` : ''}" data-id="${escapeHtml(e.id)}"><div class="entry-head">${head}</div>${reviews}${note}</li>`;
}

/**
 * The cycle header: title, milestones and review days, the "scrubbed on" stamp. The title is the page's heading
 * (`h1`), or one level under the pad's name (`h2`, in the editor's first view).
 */
export function mirrorHeaderHtml(meta: MirrorMeta, heading: 'h1' | 'h2' = 'h1'): string {
  const milestones = meta.milestones.length > 0
    ? `<ul class="milestones">${meta.milestones.map((m) => `<li><span class="label">${escapeHtml(m.label)}</span>: <time>${escapeHtml(m.date)}</time></li>`).join('')}</ul>`
    : '';
  const day = isoDay(meta.scrubbedAt);
  const scrubbed = day ? `<p class="scrubbed">Ready list scrubbed on ${escapeHtml(day)}</p>` : '';
  return `<header class="mirror-header"><${heading}>${escapeHtml(meta.title || 'Release cycle tracking')}</${heading}>${milestones}${scrubbed}</header>`;
}

/**
 * The note under the header. Only the script, which keeps the view up to date, says it updates live (`live`: its
 * connection state); the page rendered without it does not claim to.
 */
export function mirrorNoteHtml(live?: string): string {
  return live === undefined
    ? '<p class="readonly-note">Read-only view.</p>'
    : `<p class="readonly-note">Read-only view; changes show here as they are made (connection: <span class="live-state">${escapeHtml(live)}</span>).</p>`;
}

function sectionHtml(title: string, entries: EntryData[], status: PadStatus | null, promoted: Set<string>): string {
  const groups = ENTRY_KINDS.map((kind) => {
    const group = entries.filter((e) => e.kind === kind);
    return group.length === 0 ? '' : `<h3>${escapeHtml(KIND_HEADINGS[kind])}</h3><ul class="entries">${group.map((e) => mirrorEntryHtml(e, status, promoted.has(e.id))).join('')}</ul>`;
  }).join('');
  const empty = entries.length === 0 ? '<p class="empty">No entries yet.</p>' : '';
  return `<section class="section"><h2>${escapeHtml(title)}</h2>${groups}${empty}</section>`;
}

/** Both sections, in the order the pages show them (ready first). */
export function mirrorSectionsHtml(pad: MirrorContent, status: PadStatus | null = null): string {
  return SECTIONS_SHOWN.map((s) =>
    sectionHtml(SECTION_HEADINGS[s], pad.sections[s], status, s === 'proposed' ? promotedIds(pad.sections.ready) : new Set()),
  ).join('');
}

/**
 * The mirror's whole content (what goes inside `<main id="mirror">`). `live`: see {@link mirrorNoteHtml}; `status`:
 * the live review status to show beside each link (absent: none shown).
 */
export function mirrorHtml(pad: MirrorContent, options: { live?: string; status?: PadStatus | null } = {}): string {
  return mirrorHeaderHtml(pad.meta) + mirrorNoteHtml(options.live) + mirrorSectionsHtml(pad, options.status ?? null);
}

/**
 * The editor page's first view: the pad as the server has it, in the mirror's markup, shown while the page's script
 * loads (a 500-entry pad is readable in about half the time the editor takes to render) and by a browser without
 * it. Not live, and it says so; the editor replaces it when it renders (cp-pad-page).
 */
export function firstViewHtml(pad: MirrorContent, status: PadStatus | null = null): string {
  return (
    mirrorHeaderHtml(pad.meta, 'h2') +
    '<p class="readonly-note">The pad as it was when this page loaded (not live).</p>' +
    `<div class="first-view-sections">${mirrorSectionsHtml(pad, status)}</div>`
  );
}
