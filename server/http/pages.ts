/**
 * The HTML pages: home, the pad editor, and the read-only mirror. No inline script: every page loads the one
 * client bundle, which finds its mount point by element name.
 */
import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { firstViewHtml, mirrorHtml } from '../../shared/mirror-html.js';
import { exportPad, type PadExport } from '../pad-export.js';
import type { AppDeps } from './deps.js';
import type { PadStatus } from '../../shared/status.js';
import { initialState } from '../initial-state.js';
import type { HeavyReads } from './heavy-reads.js';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

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

/**
 * The mirror's content, readable without JavaScript (and by crawlers and translators): the markup the page's script
 * renders too (shared/mirror-html.ts, every field escaped there). It does not claim to update live: without the
 * script it does not (the script, when it runs, renders the page afresh and says so).
 */
export const mirrorContent = (pad: PadExport, status: PadStatus | null = null) => raw(mirrorHtml(pad, { status }));

export function pageRoutes({ pads, registry, status, log }: AppDeps, reads: HeavyReads): Hono {
  const app = new Hono();

  /** The pad's cached live status, for pages rendered without the script (never fetched here: the cache only). */
  const cachedStatus = async (padId: string): Promise<PadStatus | null> =>
    status?.enabled
      ? status.padStatus(padId).catch((err: unknown) => {
          log.warn({ err }, 'page: could not read the status cache');
          return null;
        })
      : null;

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
    // both pages grow with the pad (the mirror renders every entry, the editor carries the state): heavy reads
    return reads.run(c, resolved.pad.id, async () => {
      if (resolved.readOnly) {
        const content = await exportPad(registry, resolved.pad.id, ref);
        const live = await cachedStatus(resolved.pad.id);
        return c.html(
          layout(
            content.meta.title || 'Release cycle tracking (read-only)',
            html`<main id="mirror" class="page mirror" data-ref="${ref}">${mirrorContent(content, live)}</main>`,
            { translatable: true },
          ),
        );
      }
      // the pad's committed content, so the page shows it before its sockets open (the page is this link's holder's only)
      const state = await initialState(registry, resolved.pad.id);
      // and beside it the pad in the mirror's markup, shown while the script loads (and without it): the editor renders
      // in its place from that state. Not without the state (a pad too large to carry, storage failing): the editor
      // would start empty and replace a right view by a wrong one until its sockets synced.
      const firstView = state
        ? await exportPad(registry, resolved.pad.id, ref)
            .then(async (pad) => firstViewHtml(pad, await cachedStatus(resolved.pad.id)))
            .catch((err: unknown) => {
              log.warn({ err }, 'editor page: no first view');
              return '';
            })
        : '';
      c.header('Cache-Control', 'no-store');
      // without the script, the pad can still be read: its read-only view works without it (this link's holder may
      // have the read-only link: the page offers it to them anyway)
      const readOnlyPath = `/p/${pads.readOnlyRef(resolved.pad)}`;
      return c.html(
        layout(
          `${resolved.pad.id} · cyclepad`,
          firstView
            ? html`<cp-pad-page pad="${resolved.pad.id}"><main class="page mirror first-view"><h1 class="first-view-pad">${resolved.pad.id}</h1><noscript><p>Editing this pad needs JavaScript. Without it, you can read the pad below as it was when this page loaded, or at its <a href="${readOnlyPath}">read-only view</a>, which works without it.</p></noscript><p class="first-view-stalled" role="status">The editor has not started: its script did not load. Reload the page to edit; the pad below is as it was when this page loaded, and its <a href="${readOnlyPath}">read-only view</a> works without the script.</p>${raw(firstView)}</main></cp-pad-page>${state}`
            : html`${state}<cp-pad-page pad="${resolved.pad.id}"></cp-pad-page>
            <noscript><main class="page"><h1>${resolved.pad.id}</h1><p>Editing this pad needs JavaScript. Without it, you can read the pad at its <a href="${readOnlyPath}">read-only view</a>, which works without it.</p></main></noscript>`,
        ),
      );
    });
  });

  return app;
}
