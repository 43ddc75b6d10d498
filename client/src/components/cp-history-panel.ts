import { LitElement, css, html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { Task } from '@lit/task';
import type { Section } from '../../../shared/schema.js';
import type { HistoryList, RestoreResult, Revision, SectionState } from '../../../shared/api.js';
import { SECTION_HEADINGS, SECTIONS_SHOWN } from '../../../shared/labels.js';
import { TranslationWatchController } from '../controllers/translation-watch.js';
import { controlStyles, toolbarPanelStyles } from '../styles.js';
import { api, messageOf, padPath } from '../api.js';
import { DisclosureController } from '../controllers/disclosure-controller.js';
import { ConfirmController } from '../controllers/confirm-controller.js';
import { groupRevisions, type RevisionGroup } from '../revision-groups.js';

/**
 * The history of a section: who changed what and when, summarised per entry, a burst of typing as one row; any
 * revision can be viewed; curators undo one (or a burst) alone, or return the section to one, after confirming
 * what it takes back, as a new change everyone sees live.
 * Focus follows the person: into the panel when it opens, back to its button when it closes, to the revision shown,
 * and it stays on the row an undo or a restore was made from.
 */
export class CpHistoryPanel extends LitElement {
  static override properties = {
    pad: { type: String },
    curator: { type: Boolean },
    section: { state: true },
    viewingSeq: { state: true },
    message: { state: true },
    expanded: { state: true },
  };
  declare pad: string;
  declare curator: boolean;
  declare section: Section;
  /** The revision shown in full (null: none). */
  declare viewingSeq: number | null;
  /** The groups opened to list each of their revisions (by their newest revision). */
  declare expanded: ReadonlySet<number>;
  declare message: string;
  /** Bumped to list the revisions again (after a restore). */
  private listed = 0;

  /** The section's latest revisions, while the panel is open. */
  private readonly revisions = new Task(this, {
    task: async ([pad, section, open], { signal }) =>
      open ? (await api<HistoryList>(`${padPath(pad)}/history?section=${section}&limit=100`, { signal })).revisions : [],
    args: () => [this.pad, this.section, this.disclosure.open, this.listed] as const,
  });

  /** The section as of the revision being viewed. */
  private readonly viewing = new Task(this, {
    task: ([pad, section, seq], { signal }) =>
      seq === null ? null : api<SectionState>(`${padPath(pad)}/history/${seq}?section=${section}`, { signal }),
    args: () => [this.pad, this.section, this.viewingSeq] as const,
  });

  static override styles = [
    controlStyles,
    toolbarPanelStyles,
    css`
      ol {
        max-height: 20rem;
        overflow: auto;
        list-style: none;
        padding: 0;
      }
      ol > li {
        margin-bottom: 0.5rem;
        overflow-wrap: anywhere;
      }
      .head {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
        justify-content: space-between;
      }
      ol.each {
        max-height: none;
        overflow: visible;
        margin: 0.3rem 0 0;
        padding-left: 1rem;
      }
      .seq {
        font-weight: 600;
      }
      .viewing {
        max-height: 20rem;
        overflow: auto;
        overflow-wrap: anywhere;
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
    this.section = 'proposed';
    this.viewingSeq = null;
    this.message = '';
    this.expanded = new Set();
    new TranslationWatchController(this);
  }

  private async focusAfterUpdate(selector: string): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(selector)?.focus();
  }

  /** Open and close, focus in and back, Escape (the page lays the open panel on a line of its own). */
  private readonly disclosure = new DisclosureController(this, 'select[name="section"]', { reflect: true });

  private show(): void {
    this.message = '';
    this.viewingSeq = null;
    this.confirming.clear();
    this.disclosure.show();
  }

  /**
   * Undo and Restore ask first, each by revision ("undo:37", "restore:37"). Undo takes back what a revision (or a
   * burst of them) did, alone; Restore returns the section to a revision, taking back everything after it.
   */
  private readonly confirming = new ConfirmController<string>(this, {
    confirm: (key) => `li[data-seq="${key.split(':')[1]}"] button.confirm`,
    ask: (key) => `li[data-seq="${key.split(':')[1]}"] button.${key.split(':')[0]}`,
  });

  /** The newest revision listed (what a restore would take back is everything after the one restored to). */
  private get newest(): number {
    return this.revisions.value?.[0]?.seq ?? 0;
  }

  private async restore(seq: number): Promise<void> {
    this.confirming.clear();
    const later = this.newest - seq;
    try {
      const { applied } = await api<RestoreResult>(`${padPath(this.pad)}/restore`, { body: { section: this.section, seq } });
      this.message = applied
        ? `Returned the section to revision ${seq}, for everyone (${later} later ${later === 1 ? 'change' : 'changes'} taken back).`
        : 'Nothing to restore: the section is already as it was.';
    } catch (err) {
      this.message = `Could not restore revision ${seq}: ${messageOf(err)}`;
    }
    await this.afterChange(`li[data-seq="${seq}"] button.restore`);
  }

  private async undoRevisions(from: number, to: number): Promise<void> {
    this.confirming.clear();
    const span = from === to ? `revision ${to}` : `revisions ${from}–${to}`;
    try {
      const { applied } = await api<RestoreResult>(`${padPath(this.pad)}/restore`, { body: { section: this.section, undo: { from, to } } });
      this.message = applied ? `Undid ${span}, for everyone; later changes are kept.` : `Nothing to undo: what ${span} did is already gone.`;
    } catch (err) {
      this.message = `Could not undo ${span}: ${messageOf(err)}`;
    }
    await this.afterChange(`li[data-seq="${to}"] button.undo`);
  }

  /** The list is read again; the row acted on keeps its place (rows are keyed by revision) and focus stays on it. */
  private async afterChange(focus: string): Promise<void> {
    this.listed++;
    this.viewingSeq = null;
    await this.focusAfterUpdate(focus);
  }

  private async view(seq: number): Promise<void> {
    this.viewingSeq = seq;
    await this.updateComplete;
    await this.viewing.taskComplete.catch(() => undefined);
    await this.focusAfterUpdate('.viewing h3');
  }

  /** "Alice (contributor:jCts…)": the name the person chose, with their session beside it (in full on hover). */
  private renderWho(r: Revision) {
    const [kind, id = ''] = r.session.split(':', 2);
    const short = id.length > 4 ? `${kind}:${id.slice(0, 4)}…` : r.session;
    const key = r.keyLabel ? html` with key “<span class="key notranslate" translate="no">${r.keyLabel}</span>”` : nothing;
    return r.name
      ? html`<span class="name notranslate" translate="no">${r.name}</span>${key} <span class="session" title=${r.session}>(${short})</span>`
      : html`${r.keyLabel ? html`key “<span class="key notranslate" translate="no">${r.keyLabel}</span>”` : nothing} <span class="session" title=${r.session}>${r.keyLabel ? `(${short})` : r.session}</span>`;
  }

  /** "added “A”; edited “B” (note)"; many of one kind of change (an import) are counted, with the first named. */
  private describe(g: RevisionGroup) {
    const named = (e: { title: string; fields?: string[] }) => `“${e.title || 'an untitled entry'}”${e.fields?.length ? ` (${e.fields.join(', ')})` : ''}`;
    const parts: string[] = [];
    for (const change of ['added', 'removed', 'edited'] as const) {
      const of = g.entries.filter((e) => e.change === change);
      if (of.length === 0) continue;
      if (of.length <= 3) parts.push(...of.map((e) => `${change} ${named(e)}`));
      else parts.push(`${change} ${of.length} entries: ${of.slice(0, 2).map(named).join(', ')} and ${of.length - 2} more`);
    }
    if (g.meta) parts.push('cycle header');
    return parts.join('; ') || 'no visible change';
  }

  private toggle(seq: number): void {
    const next = new Set(this.expanded);
    if (!next.delete(seq)) next.add(seq);
    this.expanded = next;
  }

  private renderGroup(g: RevisionGroup) {
    const seq = g.last.seq;
    const span = g.count > 1 ? `Revisions ${g.first.seq}–${seq} (${g.count} changes)` : `Revision ${seq}`;
    const open = g.count > 1 && this.expanded.has(seq);
    return html`<li data-seq=${seq}>
      <span class="seq">${span}</span> · <span class="who">${new Date(g.last.at).toLocaleString()} · ${this.renderWho(g.last)}</span><br />
      ${this.describe(g)}
      ${this.renderActions(seq, g.first.seq)}
      ${g.count > 1
        ? html`<button class="each" aria-expanded=${open ? 'true' : 'false'} @click=${() => this.toggle(seq)}>${open ? 'Hide each' : `Show each (${g.count})`}</button>`
        : nothing}
      ${open
        ? html`<ol class="each" aria-label="Each revision of ${span}">${g.revisions.map(
            (r) => html`<li data-seq=${r.seq}><span class="seq">Revision ${r.seq}</span> · <span class="who">${new Date(r.at).toLocaleTimeString()}</span> ${this.renderActions(r.seq)}</li>`,
          )}</ol>`
        : nothing}
    </li>`;
  }

  /** View; for curators Undo (revisions `from`..`seq` alone) and Restore (to `seq`), each with its confirmation. */
  private renderActions(seq: number, from = seq) {
    const span = from === seq ? `revision ${seq}` : `revisions ${from}–${seq}`;
    const later = this.newest - seq;
    const pending = this.confirming.pending;
    const ask = (action: 'undo' | 'restore', text: string, label: string) =>
      html`<button class=${action} @click=${() => this.confirming.ask(`${action}:${seq}`)} aria-label=${label}>${text}</button>`;
    const confirm = (action: 'undo' | 'restore', text: string, run: () => void) =>
      html`<button class="danger confirm" @click=${run} @keydown=${this.confirming.onKeydown(`${action}:${seq}`)}>${text}</button>
        <button class="keep" @click=${() => this.confirming.withdraw(`${action}:${seq}`)}>Keep</button>`;
    return html`<button class="view" @click=${() => this.view(seq)} aria-label="View revision ${seq}">View</button>
      ${!this.curator
        ? nothing
        : pending === `undo:${seq}`
          ? confirm('undo', `Confirm: undo ${span} (later changes stay)`, () => void this.undoRevisions(from, seq))
          : pending === `restore:${seq}`
            ? confirm('restore', `Confirm: return to revision ${seq}, taking back the ${later} ${later === 1 ? 'change' : 'changes'} after it`, () => void this.restore(seq))
            : html`${ask('undo', 'Undo', `Undo ${span}`)}${later > 0 ? ask('restore', 'Restore to here', `Restore to revision ${seq}`) : nothing}`}`;
  }

  override render() {
    const opener = this.disclosure.opener('History', this.show);
    if (!this.disclosure.open) return opener;
    return html`${opener}<section class="panel" aria-label="History" @keydown=${this.disclosure.onKeydown}>
      <div class="head"><label>Section
        <select name="section" .value=${this.section} @change=${(e: Event) => {
          this.section = (e.target as HTMLSelectElement).value as Section;
          this.viewingSeq = null;
          this.confirming.clear();
        }}>
          ${[...SECTIONS_SHOWN].reverse().map((s) => html`<option value=${s}>${SECTION_HEADINGS[s]}</option>`)}
        </select></label>
      <button @click=${this.disclosure.close}>Close</button></div>
      ${this.message ? html`<p role="status">${this.message}</p>` : nothing}
      ${this.revisions.render({
        pending: () => html`<p role="status">Loading…</p>`,
        error: (err) => html`<p role="alert">Could not load the history: ${messageOf(err)}</p>`,
      })}
      <ol aria-label="Revisions, newest first">
        ${repeat(groupRevisions(this.revisions.value ?? []), (g) => g.last.seq, (g) => this.renderGroup(g))}
      </ol>
      ${this.viewing.render({
        pending: () => html`<p role="status">Loading revision ${this.viewingSeq}…</p>`,
        error: (err) => html`<p role="alert">Could not load revision ${this.viewingSeq}: ${messageOf(err)}</p>`,
        complete: (state) =>
          state
            ? html`<div class="viewing"><h3 tabindex="-1">As of revision ${state.seq}</h3>
                <ul class="notranslate" translate="no">${state.entries.map((e) => html`<li>${e.title || e.launchpad || e.id}${e.owner ? ` (${e.owner})` : ''}${e.note ? ` — ${e.note}` : ''}</li>`)}</ul></div>`
            : nothing,
      })}
    </section>`;
  }
}

customElements.define('cp-history-panel', CpHistoryPanel);
