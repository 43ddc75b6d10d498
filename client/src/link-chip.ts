import { css, html } from 'lit';
import { chipLabel, parseLink, safeHref } from '../../shared/links.js';

/**
 * A link as a compact chip (change number, bug number, blueprint name, topic) that opens the real page.
 * A template, not an element: a 500-entry pad has over a thousand chips, and a shadow root each cost more than
 * the whole first render's budget.
 */
export function linkChip(url: string) {
  const link = parseLink(url);
  const href = safeHref(link?.url ?? url);
  if (!href) return html`<span class="chip plain">${url}</span>`;
  const cls = link?.type === 'launchpad-bug' ? 'bug' : link?.type === 'launchpad-blueprint' ? 'blueprint' : 'gerrit';
  return html`<a class="chip ${cls}" href=${href} target="_blank" rel="noopener noreferrer" title=${url}>${link ? chipLabel(link) : url}</a>`;
}

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
    word-break: break-all;
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
