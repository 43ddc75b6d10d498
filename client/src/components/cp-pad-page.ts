import { LitElement, css, html, nothing } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import { canWriteSection } from '../../../shared/roles.js';
import { entriesOf, entryToJSON, indexOfEntry, MAX_ENTRIES_PER_SECTION, sectionToJSON, type Section } from '../../../shared/schema.js';
import { NO_FILTER, type EntryFilter } from '../../../shared/filter.js';
import { duplicateFinder } from '../../../shared/duplicates.js';
import { addEntry, moveEntryBy, moveEntryTo, PastLimits, promoteEntry, removeEntry, type NewEntryFields } from '../../../shared/pad-actions.js';
import { PadConnection } from '../pad-connection.js';
import { ObserveController, events } from '../controllers/observe.js';
import { ContextProvider } from '@lit/context';
import { Task } from '@lit/task';
import { padContext } from '../context.js';
import { api, padPath } from '../api.js';
import type { SessionInfo } from '../../../shared/api.js';
import { KIND_HEADINGS, SECTION_HEADINGS, SECTIONS_SHOWN, entryLabel } from '../../../shared/labels.js';
import { groupPosition } from '../../../shared/ordering.js';
import type * as Y from 'yjs';
import { UndoController } from '../controllers/undo-controller.js';
import { localChange } from '../local-origin.js';
import { userName } from '../user.js';
import './cp-connection-status.js';
import './cp-presence-list.js';
import type { CpSection } from './cp-section.js';
import type { RoomCheck } from './cp-entry-form.js';
import './cp-section.js';
import './cp-curator-signin.js';
import './cp-cycle-header.js';
import './cp-filter-bar.js';
import './cp-import-dialog.js';
import './cp-scrub-dialog.js';
import './cp-gerrit-import-dialog.js';
import './cp-translation-banner.js';
import './cp-held-change.js';
import './cp-guard-notices.js';
import './cp-history-panel.js';
import './cp-delegates.js';
import { translationDetector } from '../translation/detector.js';
import { CopyController } from '../controllers/copy-controller.js';
import { TranslationWatchController } from '../controllers/translation-watch.js';
import { takeFirstView } from '../first-view.js';
import { CursorController } from '../controllers/cursor-controller.js';

type IdEvent = CustomEvent<{ id: string }>;

/**
 * `text` for a live region that last said `previous`: the same words twice would not be read again, so a zero-width
 * space at the end tells them apart.
 */
const sayAgain = (previous: string, text: string): string => (previous.endsWith('\u200b') ? text : `${text}\u200b`);

/** How long after going live the page waits for live review status before saying it is missing. */
const STATUS_WAIT_MS = 20_000;

/**
 * The pad editor: cycle header, both sections, filter, presence, connection state, sign-in, import and export,
 * history. While a page translator is at work, every edit is paused (and the person's presence says so); when it
 * stops, the pad is rendered afresh from the model, discarding whatever the translator did to the page.
 */
export class CpPadPage extends LitElement {
  static override properties = {
    pad: { type: String },
    filter: { state: true },
    epoch: { state: true },
    roleNotice: { state: true },
    announcement: { state: true },
    moveHint: { state: true },
  };
  declare pad: string;
  declare filter: EntryFilter;
  /** Bumped to render the pad afresh (after a translator touched the page). */
  declare epoch: number;
  /** Why the server took this page's curator role away (shown until the person signs in again or dismisses it). */
  declare roleNotice: string;
  /** What the last move or promotion did, for screen readers (focus stays on a button of the same name). */
  declare announcement: string;
  /** Why a move did not happen, shown for a while (everyone sees it, not only screen readers). */
  declare moveHint: string;
  private moveHintTimer: ReturnType<typeof setTimeout> | null = null;
  private wasLocked = false;
  /** When the page first went live (live status that has not come some time after it is said to be missing). */
  private liveSince: number | null = null;
  private statusWaitTimer: ReturnType<typeof setTimeout> | null = null;

  private connection: PadConnection | null = null;
  /** The pad's services for the components under the page (@lit/context). */
  private readonly services = new ContextProvider(this, { context: padContext });
  /** Who the page speaks for; asked again when the server says the role changed (a revoked key, a sign-out). */
  private readonly sessionTask = new Task(this, {
    task: ([pad], { signal }) => api<SessionInfo>(`${padPath(pad)}/session`, { signal }),
    args: () => [this.pad] as const,
  });
  /** The last role the server gave (kept while it is asked again, or if asking fails). */
  private get session(): SessionInfo {
    return this.sessionTask.value ?? this.lastSession;
  }
  private lastSession: SessionInfo = { role: 'contributor' };
  private readonly undo = new UndoController(
    this,
    () => this.connection,
    (section) => !translationDetector().active && canWriteSection(this.session.role, section),
    (what) => this.undone(what),
  );
  /** The others are told which entry's title or note this person is typing in. */
  private readonly cursor = new CursorController(this, () => this.connection?.proposed.awareness);

  static override styles = css`
    :host {
      display: block;
      max-width: 76rem;
      margin: 0 auto;
      padding: 1rem;
    }
    header {
      display: flex;
      flex-wrap: wrap;
      gap: 0.4rem 0.8rem;
      align-items: center;
      justify-content: space-between;
      margin-bottom: 0.6rem;
    }
    h1 {
      margin: 0;
      font-size: 1.1rem;
      color: #3e4c59;
      overflow-wrap: anywhere;
    }
    .skip {
      display: flex;
      flex-wrap: wrap;
      gap: 0.2rem 0.8rem;
      margin: 0 0 0.5rem;
      font-size: 0.9rem;
    }
    /*
     * Side by side (wide screens), the skip links show only when focused, over the page: taking space as they
     * appear would move what is under the pointer (the first click after tabbing past them missed its button).
     * Stacked (phones), they are the way down.
     */
    @media (min-width: 960px) {
      .skip {
        position: absolute;
        z-index: 20;
      }
      .skip:not(:focus-within) {
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip: rect(0 0 0 0);
        white-space: nowrap;
      }
      .skip:focus-within {
        padding: 0.3rem 0.6rem;
        border: 1px solid #7b8794;
        border-radius: 6px;
        background: #fff;
        box-shadow: 0 4px 14px rgb(0 0 0 / 18%);
      }
    }
    .tools > *,
    .bar > * {
      max-width: 100%;
      min-width: 0;
    }
    cp-history-panel,
    cp-delegates,
    cp-scrub-dialog,
    cp-gerrit-import-dialog,
    cp-import-dialog {
      overflow-wrap: anywhere;
    }
    /* (an open panel lays itself out: its opener stays in the row, the panel takes a line under it; styles.ts) */
    .bar,
    .tools {
      display: flex;
      flex-wrap: wrap;
      gap: 0.6rem;
      align-items: center;
    }
    .tools {
      justify-content: space-between;
      margin-bottom: 1rem;
    }
    .sections {
      /* room at the foot for the toasts (the undo notice, and a hint above it), so they never have to cover the last entry */
      padding-bottom: 9rem;
      display: grid;
      gap: 1.5rem;
      grid-template-columns: minmax(0, 1fr);
    }
    @media (min-width: 960px) {
      .sections {
        grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
      }
    }
    a:focus-visible,
    button:focus-visible {
      outline: 2px solid #1a5fb4;
    }
    /*
     * Toasts over the page's foot (the undo notice, and above it a refused move's reason): they never push the lists
     * (and what is under the pointer) down and back up. Centred by their left edge at 50%, they would shrink to half
     * the screen: each takes its own width.
     */
    .toast.active {
      position: fixed;
      left: 50%;
      transform: translateX(-50%);
      width: max-content;
      max-width: calc(100vw - 2rem);
      box-sizing: border-box;
      z-index: 10;
      margin: 0;
      padding: 0.5rem 0.8rem;
      border-radius: 6px;
      overflow-wrap: anywhere;
    }
    .undo-notice.active {
      bottom: 1rem;
      display: flex;
      flex-wrap: wrap;
      gap: 0.6rem;
      align-items: center;
      box-shadow: 0 4px 14px rgb(0 0 0 / 25%);
      background: #1f2933;
      color: #fff;
    }
    .move-hint.active {
      bottom: 4.5rem;
      background: #fff8e1;
      color: #5c3d00;
      border: 1px solid #8a5a00;
      box-shadow: 0 4px 14px rgb(0 0 0 / 18%);
    }
    .move-hint:not(.active) {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip-path: inset(50%);
    }
    .sr-only {
      position: absolute;
      width: 1px;
      height: 1px;
      margin: -1px;
      padding: 0;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
      border: 0;
    }
    .status-missing {
      margin: 0 0 0.6rem;
      color: #6b4f00;
      font-size: 0.9rem;
    }
    .connection-lost {
      margin: 0 0 0.8rem;
      padding: 0.5rem 0.8rem;
      border-left: 4px solid #7a1a12;
      background: #fde0dd;
      color: #5c130d;
    }
    .role-notice {
      display: flex;
      flex-wrap: wrap;
      gap: 0.6rem;
      align-items: center;
      margin-bottom: 0.8rem;
      padding: 0.5rem 0.8rem;
      border-left: 4px solid #8a5a00;
      background: #fff8e1;
    }
    /* the notice's buttons stay together (the × never wraps to a line of its own) */
    .undo-notice .message {
      flex: 1 1 12rem;
      min-width: 0;
    }
    .undo-notice .actions {
      display: flex;
      flex: none;
      gap: 0.4rem;
    }
    .undo-notice button {
      font: inherit;
      padding: 0.2rem 0.6rem;
      border-radius: 4px;
      border: 1px solid #fff;
      background: transparent;
      color: #fff;
      cursor: pointer;
    }
    .undo-notice button.primary {
      background: #fff;
      color: #1f2933;
    }
  `;

  constructor() {
    super();
    new TranslationWatchController(this);
    this.pad = '';
    this.filter = NO_FILTER;
    this.epoch = 0;
    this.roleNotice = '';
    this.announcement = '';
    this.moveHint = '';
    new ObserveController(this, () => this.connection, events('change'));
    new ObserveController(this, () => this.connection?.status, events('change'));
    new ObserveController(this, () => translationDetector(), events('change'));
    this.addEventListener('cp-tampered', () => translationDetector().tampered());
  }

  override connectedCallback(): void {
    // the server's first view of the pad (shown while the script loaded): the editor renders in its place, in this
    // task, and before it is painted the reader is put back at their place in it, and kept there while it settles
    // (the place is noted before the editor's shadow root hides the view: laid out without it, the page was too
    // short for the reader's scroll position)
    takeFirstView(this)?.keep(() => this.shadowRoot);
    super.connectedCallback();
    window.addEventListener('beforeunload', this.onBeforeUnload);
    this.connection = new PadConnection(this.pad, { sendPresence: true });
    this.connection.proposed.awareness.setLocalStateField('user', { name: userName() });
    this.services.setValue({ connection: this.connection, duplicateFinder: this.duplicates });
    // A refused write means this page's idea of the person's role is stale (e.g. their key was revoked); the server
    // also says so at once when it demotes a socket (a revoked key, a sign-out in another tab).
    this.connection.addEventListener('refused', () => void this.loadSession());
    this.connection.addEventListener('role', (e) => void this.demoted((e as CustomEvent<{ role: string; reason: string }>).detail));
  }

  /**
   * Changes made while the connection was down exist only in this page: leaving it now would lose them, so the
   * browser asks first (as Etherpad and Google Docs do). With nothing unsent, leaving asks nothing.
   */
  private onBeforeUnload = (event: BeforeUnloadEvent): void => {
    if ((this.connection?.unsent ?? 0) === 0) return;
    event.preventDefault();
    // browsers that predate preventDefault() here ask only when a return value is set
    event.returnValue = '';
  };

  /**
   * The server demoted this page's sockets (its key revoked, its sign-in ended): the person is told why and what
   * they can still do, and if what they were using went away with the role (a ready entry's editor), focus goes to
   * that message rather than being lost.
   */
  private async demoted(notice: { role: string; reason: string }): Promise<void> {
    const wasCurator = this.session.role === 'curator';
    await this.loadSession();
    if (!wasCurator || this.session.role === 'curator') return;
    const why = typeof notice.reason === 'string' && notice.reason ? ` (${notice.reason})` : '';
    this.roleNotice = `You are no longer signed in as a curator${why}. You can still add and edit proposed patches; sign in with a curator key to curate again.`;
    await this.updateComplete;
    const active = document.activeElement;
    if (!active || active === document.body) this.renderRoot.querySelector<HTMLElement>('.role-notice')?.focus();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('beforeunload', this.onBeforeUnload);
    if (this.moveHintTimer) clearTimeout(this.moveHintTimer);
    if (this.statusWaitTimer) clearTimeout(this.statusWaitTimer);
    this.connection?.destroy();
    this.connection = null;
  }

  /**
   * Live review status has not come, 20 s after the page went live, though the pad links reviews or bugs, and the
   * server fetches it (it says so when it does not): Gerrit or Launchpad are not answering it. Without this the
   * chips just showed no status, and nothing said why.
   */
  private statusMissing(): boolean {
    const c = this.connection;
    if (!c || c.status.received || c.state !== 'live') return false;
    const now = Date.now();
    this.liveSince ??= now;
    if (now - this.liveSince < STATUS_WAIT_MS) {
      this.statusWaitTimer ??= setTimeout(() => {
        this.statusWaitTimer = null;
        this.requestUpdate();
      }, STATUS_WAIT_MS - (now - this.liveSince) + 50);
      return false;
    }
    return [c.proposed.doc, c.ready.doc].some((doc) => sectionToJSON(doc).some((e) => e.reviews.length > 0 || e.launchpad));
  }

  override willUpdate(): void {
    const locked = translationDetector().active;
    if (locked !== this.wasLocked) {
      this.wasLocked = locked;
      if (!locked) this.epoch++;
      const awareness = this.connection?.proposed.awareness;
      const user = awareness?.getLocalState()?.user as Record<string, unknown> | undefined;
      if (awareness && user) awareness.setLocalStateField('user', { ...user, translating: locked });
    }
  }

  /** Copies and pastes by its whole address (the session gives it as the server saw the request's origin). */
  private readonly clipboard = new CopyController(this);

  private readOnlyHref(): string {
    return new URL(this.session.readOnlyUrl ?? '', location.href).href;
  }

  private copyReadOnlyLink(): Promise<void> {
    return this.clipboard.copy(this.readOnlyHref(), () => this.renderRoot.querySelector('a.read-only-link'), 'link');
  }

  private async loadSession(): Promise<void> {
    if (this.sessionTask.value) this.lastSession = this.sessionTask.value;
    await this.sessionTask.run().catch(() => undefined);
  }

  private async onRole(): Promise<void> {
    this.roleNotice = '';
    await this.loadSession();
    this.connection?.reconnect();
  }

  private doc(section: Section) {
    return this.connection!.section(section).doc;
  }

  private duplicates = () =>
    this.connection
      ? duplicateFinder([
          { section: 'ready', entries: sectionToJSON(this.doc('ready')) },
          { section: 'proposed', entries: sectionToJSON(this.doc('proposed')) },
        ])
      : () => [];

  /** Says where a moved entry now is, or why it did not move (the ready list is ordered within each kind). */
  private announceMove(doc: Y.Doc, id: string, moved: boolean, edge: 'first' | 'last' | null): void {
    const at = indexOfEntry(doc, id);
    const entry = at >= 0 ? entryToJSON(entriesOf(doc).get(at)) : null;
    const place = groupPosition(doc, id);
    if (!entry || !place) return;
    const title = entryLabel(entry);
    const kind = KIND_HEADINGS[entry.kind];
    if (moved) {
      this.announcement = sayAgain(this.announcement, `Moved “${title}” to ${place.index + 1} of ${place.size} in ${kind}.`);
      return;
    }
    // a move that did not happen is said to everyone (a person dragging or pressing Alt+↑ saw nothing happen)
    this.hint(
      edge
        ? `“${title}” is already ${edge} in ${kind}: the ready list is ordered within each kind.`
        : `“${title}” can only move among ${kind}: the ready list is ordered within each kind.`,
    );
  }

  /**
   * Ctrl+Z (or redo) changed the pad: said, and focus kept where it was (an entry moved back is put in its place
   * again, which took focus away to the page's body).
   */
  private undone(what: 'undo' | 'redo'): void {
    this.announcement = sayAgain(this.announcement, what === 'undo' ? 'Undid your last change.' : 'Redid your change.');
    for (const section of this.renderRoot.querySelectorAll<CpSection>('cp-section')) {
      const place = section.focusPlace();
      if (place) section.keepFocus(place);
    }
  }

  /** Says why something the person did changed nothing, for a while (a toast over the page's foot, read out too). */
  private hint(text: string): void {
    this.moveHint = sayAgain(this.moveHint, text);
    if (this.moveHintTimer) clearTimeout(this.moveHintTimer);
    this.moveHintTimer = setTimeout(() => (this.moveHint = ''), 6000);
  }

  /** Every change the page makes is a local change (undoable by the person, and only by them). */
  private sectionHandlers(section: Section) {
    const doc = () => this.doc(section);
    return {
      room: (e: CustomEvent<RoomCheck>) => {
        const free = Math.max(0, MAX_ENTRIES_PER_SECTION - entriesOf(doc()).length);
        if (e.detail.count <= free) return;
        e.detail.refusal = `${SECTION_HEADINGS[section]} holds at most ${MAX_ENTRIES_PER_SECTION.toLocaleString('en')} entries, and has room for ${free} more: remove some first`;
        e.preventDefault();
      },
      add: (e: CustomEvent<NewEntryFields>) => {
        try {
          localChange(doc(), () => addEntry(doc(), e.detail, userName(), section === 'ready'));
        } catch (err) {
          if (!(err instanceof PastLimits)) throw err;
          // the form keeps what was typed, and says nothing was added
          e.preventDefault();
          this.hint(`Not added: ${err.message}.`);
        }
      },
      remove: (e: IdEvent) => {
        const d = doc();
        const at = indexOfEntry(d, e.detail.id);
        const entry = at >= 0 ? entryToJSON(entriesOf(d).get(at)) : null;
        this.undo.deleteEntry(section, e.detail.id, entry ? entryLabel(entry) : 'the entry', (target) => removeEntry(target, e.detail.id));
      },
      move: (e: CustomEvent<{ id: string; delta: number }>) => {
        const moved = localChange(doc(), () => moveEntryBy(doc(), e.detail.id, e.detail.delta)) ?? false;
        this.announceMove(doc(), e.detail.id, moved, e.detail.delta < 0 ? 'first' : 'last');
      },
      moveTo: (e: CustomEvent<{ id: string; targetId: string }>) => {
        const moved = localChange(doc(), () => moveEntryTo(doc(), e.detail.id, e.detail.targetId)) ?? false;
        this.announceMove(doc(), e.detail.id, moved, null);
      },
      promote: (e: CustomEvent<{ id: string; remove: boolean }>) => {
        const at = indexOfEntry(this.doc('proposed'), e.detail.id);
        const entry = at >= 0 ? entryToJSON(entriesOf(this.doc('proposed')).get(at)) : null;
        const title = entry ? entryLabel(entry) : 'the entry';
        try {
          const promoted = localChange(this.doc('ready'), () =>
            localChange(this.doc('proposed'), () =>
              promoteEntry(this.doc('proposed'), this.doc('ready'), e.detail.id, { remove: e.detail.remove, by: userName() }),
            ),
          );
          this.announcement = `Promoted “${title}” to Ready to review${e.detail.remove ? ', and removed it from Proposed patches' : ''}.`;
          return promoted;
        } catch (err) {
          if (!(err instanceof PastLimits)) throw err;
          this.hint(`“${title}” was not promoted: ${err.message}.`);
          return null;
        }
      },
    };
  }

  private undoDelete(): void {
    const deleted = this.undo.notice?.deleted;
    if (!deleted || !this.undo.undoNotice()) return;
    // focus goes to the entry brought back (its first control), never lost with the notice's button
    void this.updateComplete.then(() => {
      const section = this.renderRoot.querySelector(`cp-section#${deleted.section}`) as (HTMLElement & { updateComplete?: Promise<unknown> }) | null;
      void (section?.updateComplete ?? Promise.resolve()).then(() => {
        const entry = section?.shadowRoot?.querySelector(`cp-entry[data-id="${CSS.escape(deleted.id)}"]`);
        const target = entry?.querySelector<HTMLElement>('button, a[href]');
        if (target) target.focus();
        else this.renderRoot.querySelector<HTMLElement>('.undo-notice')?.focus();
      });
    });
  }

  private renderUndoNotice() {
    const notice = this.undo.notice;
    return html`<div class="toast undo-notice ${notice ? 'active' : ''}" role="status" aria-live="polite" tabindex="-1">
      ${notice
        ? html`<span class="message">${notice.message}</span>
            <span class="actions">${notice.done ? nothing : html`<button class="primary" @click=${this.undoDelete}>Undo</button>`}
              <button aria-label="Dismiss" @click=${() => this.undo.dismiss()}>×</button></span>`
        : nothing}
    </div>`;
  }

  private renderSection(section: Section, locked: boolean) {
    const role = locked ? 'viewer' : this.session.role;
    const on = this.sectionHandlers(section);
    return html`<cp-section
      id=${section}
      section=${section}
      .filter=${this.filter}
      ?editable=${canWriteSection(role, section)}
      .readOnlyNote=${section === 'ready' && !locked && role !== 'curator'
        ? 'Curated by the PTL and the curators they choose. Propose patches under Proposed patches; curators sign in to change this list.'
        : ''}
      ?promotable=${section === 'proposed' && role === 'curator'}
      ?orderable=${section === 'ready' && role === 'curator'}
      @cp-add=${on.add}
      @cp-room=${on.room}
      @cp-delete=${on.remove}
      @cp-move=${on.move}
      @cp-move-to=${on.moveTo}
      @cp-promote=${on.promote}
      @cp-move-refused=${() => this.hint('Only curators reorder Ready to review: curators sign in with their key to change this list.')}
    ></cp-section>`;
  }

  /** A skip link: to a section's heading (inside its shadow root, where a fragment link cannot reach). */
  private skipTo(event: Event, section: Section): void {
    event.preventDefault();
    const heading = this.renderRoot.querySelector(`cp-section#${section}`)?.shadowRoot?.querySelector<HTMLElement>('h2');
    heading?.scrollIntoView({ block: 'start' });
    heading?.focus({ preventScroll: true });
  }

  override render() {
    const c = this.connection;
    const locked = translationDetector().active;
    const role = this.session.role;
    const curator = role === 'curator' && !locked;
    const api = `/api/pads/${encodeURIComponent(this.pad)}`;
    // the skip links come first: the first Tab reaches them, not after the sign-in and name controls
    return html`
      <nav aria-label="Skip to a section" class="skip">
        <span aria-hidden="true">Skip to:</span>
        ${SECTIONS_SHOWN.map((s) => html`<a href="#${s}" @click=${(e: Event) => this.skipTo(e, s)}>${SECTION_HEADINGS[s]}</a>`)}
      </nav>
      <header>
        <h1 class="notranslate" translate="no">${this.pad}</h1>
        <div class="bar">
          <cp-connection-status .state=${c?.state ?? 'connecting'}></cp-connection-status>
          <cp-curator-signin pad=${this.pad} .signedInAs=${role} @cp-role=${this.onRole}></cp-curator-signin>
        </div>
        <cp-presence-list editable></cp-presence-list>
      </header>
      ${c?.lost
        ? html`<p class="connection-lost" role="status">The connection to the server is lost; reconnecting… You can keep editing: your changes are kept in this page and sent when it is back.${
            c.unsent > 0 ? ` ${c.unsent === 1 ? '1 change waits' : `${c.unsent} changes wait`} to be sent: keep this page open until then.` : ''}</p>`
        : nothing}
      ${this.roleNotice
        ? html`<div class="role-notice" role="status" tabindex="-1"><span>${this.roleNotice}</span>
            <button @click=${() => (this.roleNotice = '')}>Dismiss</button></div>`
        : nothing}
      ${locked ? html`<cp-translation-banner .reasons=${translationDetector().reasons} readOnlyUrl=${this.session.readOnlyUrl ?? ''}></cp-translation-banner>` : nothing}
      <cp-held-change section="proposed"></cp-held-change>
      <cp-held-change section="ready"></cp-held-change>
      ${role === 'curator' ? html`<cp-guard-notices pad=${this.pad} .notices=${c?.guardNotices ?? []}></cp-guard-notices>` : nothing}
      ${keyed(this.epoch, html`<cp-cycle-header ?editable=${curator}></cp-cycle-header>`)}
      ${this.statusMissing()
        ? html`<p class="status-missing" role="status">Live review status is not available: the server has had no answer from Gerrit or Launchpad yet, so review chips show no status.</p>`
        : nothing}
      <div class="tools">
        <cp-filter-bar ?live=${Boolean(c?.status.live)} @cp-filter=${(e: CustomEvent<EntryFilter>) => (this.filter = e.detail)}></cp-filter-bar>
        <div class="bar">
          <cp-history-panel pad=${this.pad} ?curator=${curator}></cp-history-panel>
          ${curator ? html`<cp-delegates pad=${this.pad}></cp-delegates>` : nothing}
          ${curator ? html`<cp-scrub-dialog></cp-scrub-dialog>` : nothing}
          ${locked ? nothing : html`<cp-import-dialog pad=${this.pad}></cp-import-dialog>`}
          ${locked || c?.status.off ? nothing : html`<cp-gerrit-import-dialog pad=${this.pad}></cp-gerrit-import-dialog>`}
          <span>Export: <a href="${api}/export.txt" download>Etherpad text</a> · <a href="${api}/export.md" download>Markdown</a> · <a href="${api}/export.json" download>JSON</a></span>
          ${this.session.readOnlyUrl
            ? html`<span class="read-only"><a class="read-only-link" href=${this.session.readOnlyUrl} title="A read-only copy of the pad: safe to share and to translate">Read-only link</a>
                <button class="copy-link" aria-label="Copy the read-only link" @click=${() => this.copyReadOnlyLink()}>${this.clipboard.copied(this.readOnlyHref()) ? 'Copied' : 'Copy'}</button>
                ${this.clipboard.message ? html`<span role="status">${this.clipboard.message}</span>` : nothing}</span>`
            : nothing}
        </div>
      </div>
      ${this.renderUndoNotice()}
      <p class="sr-only" role="status" aria-live="polite">${this.announcement}</p>
      <p class="toast move-hint ${this.moveHint ? 'active' : ''}" role="status" aria-live="polite">${this.moveHint}</p>
      ${keyed(
        this.epoch,
        html`<main class="sections">${SECTIONS_SHOWN.map((s) => this.renderSection(s, locked))}</main>`,
      )}
    `;
  }
}

