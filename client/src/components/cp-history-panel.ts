import { LitElement, css, html, nothing } from 'lit';
import type { EntryData } from '../../../shared/schema.js';
import { TranslationWatchController } from '../controllers/translation-watch.js';
import { controlStyles } from '../styles.js';

interface Revision {
  seq: number;
  at: number;
  role: string;
  session: string;
  /** The name the session went by (its presence name), when the server knows it. */
  name?: string;
  meta: boolean;
  entries: Array<{ id: string; title: string; change: string; fields?: string[] }>;
}

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
    revisions: { state: true },
    viewing: { state: true },
    message: { state: true },
  };
  declare pad: string;
  declare curator: boolean;
  declare open: boolean;
  declare section: 'proposed' | 'ready';
  declare revisions: Revision[];
  declare viewing: { seq: number; entries: EntryData[] } | null;
  declare message: string;

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
    this.revisions = [];
    this.viewing = null;
    this.message = '';
    new TranslationWatchController(this);
  }

  private api(path: string, init?: RequestInit) {
    return fetch(`/api/pads/${encodeURIComponent(this.pad)}/${path}`, { credentials: 'same-origin', ...init });
  }

  private async load(): Promise<void> {
    const res = await this.api(`history?section=${this.section}&limit=100`);
    const body = (await res.json()) as { revisions?: Revision[]; error?: string };
    this.revisions = body.revisions ?? [];
    this.message = body.error ?? '';
    this.viewing = null;
  }

  private async view(seq: number): Promise<void> {
    const res = await this.api(`history/${seq}?section=${this.section}`);
    this.viewing = { seq, entries: ((await res.json()) as { entries: EntryData[] }).entries };
  }

  private async restore(seq: number): Promise<void> {
    const res = await this.api('restore', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ section: this.section, seq }),
    });
    const body = (await res.json()) as { applied?: boolean; error?: string };
    this.message = body.error ?? (body.applied ? `Restored revision ${seq}.` : 'Nothing to restore: the section is already as it was.');
    await this.load();
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
        void this.load();
      }}>History</button>`;
    }
    return html`<section aria-label="History">
      <label>Section
        <select .value=${this.section} @change=${(e: Event) => {
          this.section = (e.target as HTMLSelectElement).value as 'proposed' | 'ready';
          void this.load();
        }}>
          <option value="proposed">Proposed patches</option>
          <option value="ready">Ready to review</option>
        </select></label>
      <button @click=${() => (this.open = false)}>Close</button>
      ${this.message ? html`<p role="status">${this.message}</p>` : nothing}
      <ol reversed>
        ${this.revisions.map(
          (r) => html`<li>
            <span class="who">${new Date(r.at).toLocaleString()} · ${this.renderWho(r)}</span><br />
            ${this.describe(r)}
            <button @click=${() => this.view(r.seq)} aria-label="View revision ${r.seq}">View</button>
            ${this.curator ? html`<button @click=${() => this.restore(r.seq)} aria-label="Restore revision ${r.seq}">Restore</button>` : nothing}
          </li>`,
        )}
      </ol>
      ${this.viewing
        ? html`<h3>As of revision ${this.viewing.seq}</h3>
            <ul class="notranslate" translate="no">${this.viewing.entries.map((e) => html`<li>${e.title || e.launchpad || e.id}${e.owner ? ` (${e.owner})` : ''}${e.note ? ` — ${e.note}` : ''}</li>`)}</ul>`
        : nothing}
    </section>`;
  }
}

customElements.define('cp-history-panel', CpHistoryPanel);
