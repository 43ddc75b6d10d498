/**
 * The read-only mirror goes live: the server-rendered page (readable without JavaScript, and translatable) is
 * replaced, once both sections have synced, by the same markup rendered from read-only sync connections.
 * It renders into the light DOM, with no translate="no" anywhere: translators are welcome here.
 *
 * A translator rewrites the page's text nodes (Chrome wraps them in <font>, Safari swaps them, Edge and Firefox set
 * their text), so updating a text node in place may update a node no longer shown. Every entry is therefore keyed
 * by its content: an entry that changes is rendered afresh (new nodes, which the translator translates again if it
 * keeps translating), and unchanged entries keep their translated nodes. The header and the live state likewise.
 * Only this script says the view updates live: the server-rendered page (without JavaScript) does not.
 */
import { html, nothing, render } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { keyed } from 'lit/directives/keyed.js';
import { ENTRY_KINDS, entriesOf, metaOf, metaToJSON, sectionToJSON, type EntryData } from '../../shared/schema.js';
import { safeHref } from '../../shared/links.js';
import { PadConnection } from './pad-connection.js';

const HEADINGS = { feature: 'Features', bug: 'Bugs', other: 'Other' } as const;

const link = (url: string, text = url) => {
  const href = safeHref(url);
  return href ? html`<a href=${href} rel="noopener noreferrer">${text}</a>` : html`<span>${text}</span>`;
};

const entry = (e: EntryData) => html`<li class="entry ${e.status !== 'open' ? `is-${e.status}` : ''}" data-id=${e.id}>
  <div class="entry-head">
    ${e.launchpad ? link(e.launchpad, e.title || e.launchpad) : html`<span>${e.title || '(untitled)'}</span>`}
    ${e.owner ? html` <span class="owner">(${e.owner})</span>` : nothing}
    ${e.status !== 'open' ? html` <span class="status status-${e.status}">${e.status}</span>` : nothing}
  </div>
  ${e.reviews.length > 0 ? html`<ul class="reviews">${e.reviews.map((r) => html`<li>${link(r)}</li>`)}</ul>` : nothing}
  ${e.note ? html`<p class="note">${e.note}</p>` : nothing}
</li>`;

const section = (title: string, entries: EntryData[]) => html`<section class="section">
  <h2>${title}</h2>
  ${ENTRY_KINDS.map((kind) => {
    const group = entries.filter((e) => e.kind === kind);
    return group.length === 0 ? nothing : html`<h3>${HEADINGS[kind]}</h3><ul class="entries">${repeat(group, (e) => JSON.stringify(e), entry)}</ul>`;
  })}
  ${entries.length === 0 ? html`<p class="empty">No entries yet.</p>` : nothing}
</section>`;

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
      main.replaceChildren();
      taken = true;
    }
    const meta = metaToJSON(ready.doc);
    render(
      html`${keyed(
          JSON.stringify(meta),
          html`<header class="mirror-header">
            <h1>${meta.title || 'Release cycle tracking'}</h1>
            ${meta.milestones.length > 0
              ? html`<ul class="milestones">${meta.milestones.map((m) => html`<li>${m.label}: <time>${m.date}</time></li>`)}</ul>`
              : nothing}
            ${meta.scrubbedAt ? html`<p class="scrubbed">Ready list scrubbed on ${new Date(meta.scrubbedAt).toISOString().slice(0, 10)}</p>` : nothing}
          </header>`,
        )}
        ${keyed(connection.state, html`<p class="readonly-note">Read-only view. It updates live: <span class="live-state">${connection.state}</span></p>`)}
        ${section('Ready to review', sectionToJSON(ready.doc))} ${section('Proposed patches', sectionToJSON(proposed.doc))}`,
      main,
    );
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
}
