import { css, html } from 'lit';
import { chipLabel, parseLink, safeHref } from '../../shared/links.js';

/**
 * A link as a compact chip (change number, bug number, blueprint name, topic) that opens the real page.
 * A template, not an element: a 500-entry pad has over a thousand chips, and a shadow root each cost more than
 * the whole first render's budget.
 */
export function linkChip(url: string) {
  const chip = chipOf(url);
  return chip.href ? chipLink(chip) : html`<span class="chip plain">${url}</span>`;
}

/** A review chip as a list item: one template (a pad renders about a thousand of them on load). */
export function reviewItem(url: string) {
  const chip = chipOf(url);
  return chip.href ? html`<li>${chipLink(chip)}</li>` : html`<li><span class="chip plain">${url}</span></li>`;
}

export interface Chip {
  url: string;
  href: string | null;
  cls: string;
  label: string;
}

export function chipOf(url: string): Chip {
  const link = parseLink(url);
  const href = safeHref(link?.url ?? url);
  const cls = link?.type === 'launchpad-bug' ? 'bug' : link?.type === 'launchpad-blueprint' ? 'blueprint' : 'gerrit';
  return { url, href, cls, label: link ? chipLabel(link) : url };
}

export const chipLink = (c: Chip) =>
  html`<a class="chip ${c.cls}" href=${c.href!} target="_blank" rel="noopener noreferrer" title=${c.url}>${c.label}</a>`;

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
  .chip.plain {
    background: #eef0f2;
    color: #3e4c59;
  }
`;
