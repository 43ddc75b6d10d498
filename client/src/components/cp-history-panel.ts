import { LitElement, css, html, nothing } from 'lit';
import { Task } from '@lit/task';
import type { Section } from '../../../shared/schema.js';
import type { HistoryList, RestoreResult, Revision, SectionState } from '../../../shared/api.js';
import { SECTION_HEADINGS, SECTIONS_SHOWN } from '../../../shared/labels.js';
import { TranslationWatchController } from '../controllers/translation-watch.js';
import { controlStyles } from '../styles.js';
import { api, messageOf, padPath } from '../api.js';

/**
 * The history of a section: who changed what and when, summarised per entry; any revision can be viewed, and
 * curators restore one as a new change everyone sees live.
 */
export class CpHistoryPanel extends LitElement {
  static override properties = {
    pad: { type: String },
    curator: { type: Boolean },
    open: { state: true },
    section: { state: true },
    viewingSeq: { state: true },
    message: { state: true },
  };
  declare pad: string;
  declare curator: boolean;
  declare open: boolean;
  declare section: Section;
  /** The revision shown in full (null: none). */
  declare viewingSeq: number | null;
  declare message: string;
  /** Bumped to list the revisions again (after a restore). */
  private listed = 0;

  /** The section's latest revisions, while the panel is open. */
  private readonly revisions = new Task(this, {
    task: async ([pad, section, open], { signal }) =>
      open ? (await api<HistoryList>(`${padPath(pad)}/history?section=${section}&limit=100`, { signal })).revisions : [],
    args: () => [this.pad, this.section, this.open, this.listed] as const,
  });

  /** The section as of the revision being viewed. */
  private readonly viewing = new Task(this, {
    task: ([pad, section, seq], { signal }) =>
      seq === null ? null : api<SectionState>(`${padPath(pad)}/history/${seq}?section=${section}`, { signal }),
    args: () => [this.pad, this.section, this.viewingSeq] as const,
  });

  static override styles = [
    controlStyles,
    css`
      section {
        padding: 0.6rem 0.8rem;
        margin-bottom: 1rem;
        border: 1px solid #9aa5b1;
        border-radius: 6px;
        background: #fff;
      }
      ol {
        max-height: 20rem;
        overflow: auto;
        padding-left: 1.2rem;
      }
      li {
        margin-bottom: 0.4rem;
      }
      .who {
        color: #52606d;
      }
    `,
  ];

  constructor() {
    super();
    this.pad = '';
    this.curator = false;
    this.open = false;
    this.section = 'proposed';
    this.viewingSeq = null;
    this.message = '';
    new TranslationWatchController(this);
  }

  private async restore(seq: number): Promise<void> {
    try {
      const { applied } = await api<RestoreResult>(`${padPath(this.pad)}/restore`, { body: { section: this.section, seq } });
      this.message = applied ? `Restored revision ${seq}.` : 'Nothing to restore: the section is already as it was.';
    } catch (err) {
      this.message = `Could not restore revision ${seq}: ${messageOf(err)}`;
    }
    this.listed++;
    this.viewingSeq = null;
  }

  /** "Alice (contributor:jCts…)": the name the person chose, with their session beside it (in full on hover). */
  private renderWho(r: Revision) {
    const [kind, id = ''] = r.session.split(':', 2);
    const short = id.length > 4 ? `${kind}:${id.slice(0, 4)}…` : r.session;
    return r.name
      ? html`<span class="name notranslate" translate="no">${r.name}</span> <span class="session" title=${r.session}>(${short})</span>`
      : html`<span class="session" title=${r.session}>${r.session}</span>`;
  }

  private describe(r: Revision) {
    const parts = r.entries.map((e) => `${e.change} “${e.title || e.id}”${e.fields ? ` (${e.fields.join(', ')})` : ''}`);
    if (r.meta) parts.push('cycle header');
    return parts.join('; ') || 'no visible change';
  }

  override render() {
    if (!this.open) {
      return html`<button @click=${() => {
        this.open = true;
        this.message = '';
        this.viewingSeq = null;
      }}>History</button>`;
    }
    return html`<section aria-label="History">
      <label>Section
        <select .value=${this.section} @change=${(e: Event) => {
          this.section = (e.target as HTMLSelectElement).value as Section;
          this.viewingSeq = null;
        }}>
          ${[...SECTIONS_SHOWN].reverse().map((s) => html`<option value=${s}>${SECTION_HEADINGS[s]}</option>`)}
        </select></label>
      <button @click=${() => (this.open = false)}>Close</button>
      ${this.message ? html`<p role="status">${this.message}</p>` : nothing}
      ${this.revisions.render({
        pending: () => html`<p role="status">Loading…</p>`,
        error: (err) => html`<p role="alert">Could not load the history: ${messageOf(err)}</p>`,
      })}
      <ol reversed>
        ${(this.revisions.value ?? []).map(
          (r) => html`<li>
            <span class="who">${new Date(r.at).toLocaleString()} · ${this.renderWho(r)}</span><br />
            ${this.describe(r)}
            <button @click=${() => (this.viewingSeq = r.seq)} aria-label="View revision ${r.seq}">View</button>
            ${this.curator ? html`<button @click=${() => this.restore(r.seq)} aria-label="Restore revision ${r.seq}">Restore</button>` : nothing}
          </li>`,
        )}
      </ol>
      ${this.viewing.render({
        pending: () => html`<p role="status">Loading revision ${this.viewingSeq}…</p>`,
        error: (err) => html`<p role="alert">Could not load revision ${this.viewingSeq}: ${messageOf(err)}</p>`,
        complete: (state) =>
          state
            ? html`<h3>As of revision ${state.seq}</h3>
                <ul class="notranslate" translate="no">${state.entries.map((e) => html`<li>${e.title || e.launchpad || e.id}${e.owner ? ` (${e.owner})` : ''}${e.note ? ` — ${e.note}` : ''}</li>`)}</ul>`
            : nothing,
      })}
    </section>`;
  }
}

customElements.define('cp-history-panel', CpHistoryPanel);
