import { css, html, nothing } from 'lit';
import { chipLabel, linkAsText, parseLink, safeHref, type ParsedLink } from '../../shared/links.js';
import type { PadStatus } from '../../shared/status.js';
import { linkStatusView, type LinkStatusView } from '../../shared/status-view.js';

/**
 * A link as a compact chip (change number, bug number, blueprint name, topic) that opens the real page.
 * A template, not an element: a 500-entry pad has over a thousand chips, and a shadow root each cost more than
 * the whole first render's budget.
 */
export function linkChip(url: string) {
  const chip = chipOf(url);
  return chip.href ? chipLink(chip) : html`<span class="chip plain">${chip.label}</span>`;
}

/**
 * A review chip as a list item: one template (a pad renders about a thousand of them on load), with its live status
 * beside it when the server has fetched it.
 */
export function reviewItem(url: string, status: PadStatus | null = null) {
  const chip = chipOf(url);
  if (!chip.href) return html`<li><span class="chip plain">${chip.label}</span></li>`;
  const v = chipStatus(chip, status);
  // chipLink's markup inline: one template instance per review instead of two
  return html`<li><a class="chip ${chip.cls}" href=${chip.href} target="_blank" rel="noopener noreferrer" title=${chipTitle(chip, v)}>${chip.label}</a>${statusBadge(v)}</li>`;
}

/** The live status of a chip's link, or null (not fetched, status off, not a link the server knows). */
export const chipStatus = (chip: Chip, status: PadStatus | null): LinkStatusView | null => linkStatusView(chip.link, status);

/** A status beside its chip: every string in it came from Gerrit or Launchpad, so it is only ever text. */
export const statusBadge = (v: LinkStatusView | null) =>
  v ? html`<span class="cs cs-${v.cls}" title=${v.detail} data-detail=${v.detail}>${v.text}</span>` : nothing;

export interface Chip {
  readonly url: string;
  /** The URL as it is shown whole (in the chip's title; its label when no parser knows it): shared/links.ts linkAsText. */
  readonly text: string;
  readonly href: string | null;
  readonly cls: string;
  readonly label: string;
  readonly link: ParsedLink | null;
}

/**
 * Chips by URL: a pad's links are parsed once, not at every render of their entry (parsing was a tenth of a
 * 500-entry pad's first render). Bounded: emptied when it holds more links than any pad shows.
 */
const chips = new Map<string, Chip>();
const MAX_CHIPS = 20_000;

export function chipOf(url: string): Chip {
  let chip = chips.get(url);
  if (chip) return chip;
  const link = parseLink(url);
  const href = safeHref(link?.url ?? url);
  const cls = link?.type === 'launchpad-bug' ? 'bug' : link?.type === 'launchpad-blueprint' ? 'blueprint' : 'gerrit';
  const text = linkAsText(url);
  chip = Object.freeze({ url, text, href, cls, label: link ? chipLabel(link) : text, link: link && Object.freeze(link) });
  if (chips.size >= MAX_CHIPS) chips.clear();
  chips.set(url, chip);
  return chip;
}

const chipTitle = (c: Chip, v: LinkStatusView | null) => (v ? `${v.detail}\n${c.text}` : c.text);

/** The chip; with a status, the link's title is the details (subject, owner, patch set, age) and the status follows it. */
export const chipLink = (c: Chip, v: LinkStatusView | null = null) =>
  html`<a class="chip ${c.cls}" href=${c.href!} target="_blank" rel="noopener noreferrer" title=${chipTitle(c, v)}>${c.label}</a>${statusBadge(v)}`;

export const chipStyles = css`
  .chip {
    display: inline-block;
    padding: 0 0.45rem;
    border-radius: 999px;
    font-size: 0.85rem;
    line-height: 1.5;
    background: #e4ecf7;
    color: #16447d;
    text-decoration: none;
    /* a chip is one line: a long topic or an unknown URL is cut with an ellipsis (the full link is its title) */
    max-width: 100%;
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    vertical-align: bottom;
    box-sizing: border-box;
  }
  a.chip:hover {
    text-decoration: underline;
  }
  .chip.bug {
    background: #fde8e4;
    color: #7a1a12;
  }
  .chip.blueprint {
    background: #e6f4ea;
    color: #14532d;
  }
  .cs {
    display: inline-block;
    margin-left: 0.2rem;
    padding: 0 0.35rem;
    border-radius: 4px;
    font-size: 0.8rem;
    line-height: 1.5;
    white-space: nowrap;
    background: #eef0f2;
    color: #323f4b;
  }
  /* the details on keyboard focus too (the link's title is its accessible description; this shows it to the eye) */
  .cs {
    position: relative;
  }
  a.chip:focus-visible + .cs::after {
    content: attr(data-detail);
    position: absolute;
    left: 0;
    top: 100%;
    z-index: 4;
    margin-top: 0.2rem;
    padding: 0.3rem 0.5rem;
    width: max-content;
    max-width: min(22rem, 80vw);
    border-radius: 4px;
    background: #1f2933;
    color: #fff;
    font-style: normal;
    text-decoration: none;
    white-space: pre-line;
    overflow-wrap: anywhere;
  }
  .cs-merged {
    background: #d3f2dd;
    color: #14532d;
  }
  .cs-abandoned {
    background: #eef0f2;
    color: #52606d;
    text-decoration: line-through;
  }
  .cs-attention {
    background: #fde8e4;
    color: #8a1c12;
  }
  .cs-ok {
    background: #e4ecf7;
    color: #16447d;
  }
  .cs-hidden {
    background: #fff;
    color: #52606d;
    font-style: italic;
    border: 1px dashed #7b8794;
  }
  .chip.plain {
    background: #eef0f2;
    color: #3e4c59;
  }
`;
