/**
 * The HTML pages: home, the pad editor, and the read-only mirror. No inline script: every page loads the one
 * client bundle, which finds its mount point by element name.
 */
import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { ENTRY_KINDS, type EntryData, type EntryKind } from '../../shared/schema.js';
import { safeHref } from '../../shared/links.js';
import { exportPad, type PadExport } from '../pad-export.js';
import type { AppDeps } from './deps.js';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const KIND_HEADINGS: Record<EntryKind, string> = { feature: 'Features', bug: 'Bugs', other: 'Other' };

const layout = (title: string, body: Html, opts: { translatable?: boolean } = {}) => html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    ${opts.translatable ? '' : raw('<meta name="google" content="notranslate" />')}
    <title>${title}</title>
    <link rel="stylesheet" href="/assets/app.css" />
    <script type="module" src="/assets/app.js"></script>
  </head>
  <body>
    ${body}
  </body>
</html>`;

const link = (url: string, text?: string) => {
  const href = safeHref(url);
  return href ? html`<a href="${href}" rel="noopener noreferrer">${text ?? url}</a>` : html`<span>${text ?? url}</span>`;
};

const entryHtml = (e: EntryData) => html`<li class="entry${e.status !== 'open' ? ` is-${e.status}` : ''}" data-id="${e.id}">
  <div class="entry-head">
    ${e.launchpad ? link(e.launchpad, e.title || e.launchpad) : html`<span>${e.title || '(untitled)'}</span>`}
    ${e.owner ? html` <span class="owner">(${e.owner})</span>` : ''}
    ${e.status !== 'open' ? html` <span class="status status-${e.status}">${e.status}</span>` : ''}
  </div>
  ${e.reviews.length > 0 ? html`<ul class="reviews">${e.reviews.map((r) => html`<li>${link(r)}</li>`)}</ul>` : ''}
  ${e.note ? html`<p class="note">${e.note}</p>` : ''}
</li>`;

const sectionHtml = (title: string, entries: EntryData[]) => html`<section class="section">
  <h2>${title}</h2>
  ${ENTRY_KINDS.map((kind) => {
    const group = entries.filter((e) => e.kind === kind);
    return group.length === 0
      ? ''
      : html`<h3>${KIND_HEADINGS[kind]}</h3>
          <ul class="entries">
            ${group.map(entryHtml)}
          </ul>`;
  })}
  ${entries.length === 0 ? html`<p class="empty">No entries yet.</p>` : ''}
</section>`;

/**
 * The mirror's content, readable without JavaScript (and by crawlers and translators). It does not claim to update
 * live: without the script it does not (the script, when it runs, renders the page afresh and says so).
 */
export const mirrorContent = (pad: PadExport) => html`<header class="mirror-header">
    <h1>${pad.meta.title || 'Release cycle tracking'}</h1>
    ${pad.meta.milestones.length > 0
      ? html`<ul class="milestones">${pad.meta.milestones.map((m) => html`<li>${m.label}: <time>${m.date}</time></li>`)}</ul>`
      : ''}
    ${pad.meta.scrubbedAt ? html`<p class="scrubbed">Ready list scrubbed on ${new Date(pad.meta.scrubbedAt).toISOString().slice(0, 10)}</p>` : ''}
    <p class="readonly-note">Read-only view.</p>
  </header>
  ${sectionHtml('Ready to review', pad.sections.ready)} ${sectionHtml('Proposed patches', pad.sections.proposed)}`;

export function pageRoutes({ pads, registry }: AppDeps): Hono {
  const app = new Hono();

  app.get('/', (c) =>
    c.html(layout('cyclepad', html`<cp-home class="notranslate" translate="no"></cp-home>
      <noscript><p>cyclepad needs JavaScript to create and edit pads; read-only links work without it.</p></noscript>`, { translatable: true })),
  );

  app.get('/favicon.ico', (c) => c.body(null, 204));

  app.get('/p/:ref', async (c) => {
    const ref = c.req.param('ref');
    const resolved = await pads.resolve(ref);
    if (!resolved) {
      return c.html(layout('No such pad', html`<main class="page"><h1>No such pad</h1><p><a href="/">Create one</a></p></main>`, { translatable: true }), 404);
    }
    if (resolved.readOnly) {
      const content = await exportPad(registry, resolved.pad.id, ref);
      return c.html(
        layout(
          content.meta.title || 'Release cycle tracking (read-only)',
          html`<main id="mirror" class="page mirror" data-ref="${ref}">${mirrorContent(content)}</main>`,
          { translatable: true },
        ),
      );
    }
    return c.html(
      layout(
        `${resolved.pad.id} · cyclepad`,
        html`<cp-pad-page pad="${resolved.pad.id}"></cp-pad-page>
          <noscript><p>The editor needs JavaScript.</p></noscript>`,
      ),
    );
  });

  return app;
}
