import type { ReactiveController, ReactiveControllerHost } from 'lit';
import * as Y from 'yjs';
import { entriesOf, metaOf, SECTIONS, type Section } from '../../../shared/schema.js';
import type { PadConnection } from '../pad-connection.js';
import { LOCAL, LocalOrigin, localChange } from '../local-origin.js';

/** How long the notice after a delete offers its Undo button. */
export const UNDO_NOTICE_MS = 10_000;

export interface UndoNotice {
  /** What was done, e.g. `Deleted “Lost allocation”.` */
  message: string;
  /** The deleted entry the notice's Undo brings back (to focus it); null for a notice that only says something. */
  deleted: { section: Section; id: string } | null;
  /** Set once undone (or when the change can no longer be undone): the notice has no Undo button. */
  done: boolean;
}

/** Said when Ctrl+Z finds nothing of the person's to undo (after a reload, in a new tab, or everything undone). */
export const NOTHING_TO_UNDO =
  'Nothing to undo: Ctrl+Z undoes what you changed since opening this page. Earlier changes are in History (a curator can restore them).';

interface Bound {
  doc: Y.Doc;
  manager: Y.UndoManager;
  /** Unhooks what the manager listens to on the document. */
  unbind: () => void;
}

type StackItem = Y.UndoManager['undoStack'][number];

/**
 * Undo and redo of the person's own changes, one `Y.UndoManager` per section, tracking only transactions whose
 * origin is this page's {@link LocalOrigin} (others' changes arrive with the provider as origin and are never
 * undone). Ctrl+Z / Cmd+Z undoes the person's latest change in either section, Ctrl+Shift+Z / Ctrl+Y redoes it;
 * inside an ordinary text box (a draft, the filter) the browser's own undo is left alone.
 *
 * A delete also shows a notice with an Undo button for {@link UNDO_NOTICE_MS}: that button undoes that delete even
 * if the person changed other things since. A section's document is replaced after a reset: its manager (and
 * history) is then made afresh.
 */
export class UndoController implements ReactiveController {
  notice: UndoNotice | null = null;
  private readonly bound = new Map<Section, Bound>();
  private readonly deletes = new WeakMap<UndoNotice, StackItem>();
  private noticeTimer: ReturnType<typeof setTimeout> | null = null;
  private order = 0;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly connection: () => PadConnection | null,
    /** Whether the person may change this section now (role, translation pause). */
    private readonly writable: (section: Section) => boolean,
    /** Told after Ctrl+Z / Ctrl+Shift+Z undid or redid something (the page keeps focus and says so). */
    private readonly done: (what: 'undo' | 'redo') => void = () => {},
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    window.addEventListener('keydown', this.onKey);
    this.bind();
  }

  hostUpdate(): void {
    this.bind();
  }

  hostDisconnected(): void {
    window.removeEventListener('keydown', this.onKey);
    for (const b of this.bound.values()) b.unbind();
    this.bound.clear();
    if (this.noticeTimer) clearTimeout(this.noticeTimer);
  }

  /** (Re)binds a manager to each section's current document. */
  private bind(): void {
    const connection = this.connection();
    for (const section of SECTIONS) {
      const doc = connection?.section(section).doc ?? null;
      const current = this.bound.get(section);
      if (current?.doc === doc) continue;
      current?.unbind();
      this.bound.delete(section);
      if (!doc) continue;
      const scope: Array<Y.AbstractType<unknown>> = [entriesOf(doc) as Y.AbstractType<unknown>];
      if (section === 'ready') scope.push(metaOf(doc) as Y.AbstractType<unknown>);
      const manager = new Y.UndoManager(scope, { trackedOrigins: new Set([LocalOrigin]), captureTimeout: 500 });
      // Typing within half a second is one step; an action of the page (a move, a promotion, a status, an add) is a
      // step of its own: never merged with what came just before or after it (two quick Alt+↑ were undone as one)
      const beforeAction = (transaction: Y.Transaction) => {
        if (transaction.origin === LOCAL) manager.stopCapturing();
      };
      doc.on('beforeTransaction', beforeAction);
      // stamp every stack item, so Ctrl+Z picks the person's latest change across both sections
      manager.on('stack-item-added', ({ stackItem, origin }: { stackItem: StackItem; origin: unknown }) => {
        stackItem.meta.set('order', ++this.order);
        if (origin === LOCAL) manager.stopCapturing();
      });
      manager.on('stack-item-updated', ({ stackItem }: { stackItem: StackItem }) => {
        stackItem.meta.set('order', ++this.order);
      });
      // the delete the notice offers to undo was undone another way (Ctrl+Z): the notice says so, its button goes
      manager.on('stack-item-popped', ({ stackItem, type }: { stackItem: StackItem; type: 'undo' | 'redo' }) => {
        const notice = this.notice;
        if (type !== 'undo' || !notice || notice.done || this.deletes.get(notice) !== stackItem) return;
        notice.done = true;
        notice.message = notice.message.replace(/^Deleted/, 'Restored');
        this.show(notice, 4000);
      });
      this.bound.set(section, {
        doc,
        manager,
        unbind: () => {
          doc.off('beforeTransaction', beforeAction);
          manager.destroy();
        },
      });
    }
  }

  private latest(stack: 'undoStack' | 'redoStack'): Y.UndoManager | null {
    let best: { manager: Y.UndoManager; order: number } | null = null;
    for (const [section, { manager }] of this.bound) {
      if (!this.writable(section)) continue;
      const order = (manager[stack].at(-1)?.meta.get('order') as number | undefined) ?? -1;
      if (order >= 0 && (!best || order > best.order)) best = { manager, order };
    }
    return best?.manager ?? null;
  }

  undo(): boolean {
    this.bind();
    return this.latest('undoStack')?.undo() != null;
  }

  redo(): boolean {
    this.bind();
    return this.latest('redoStack')?.redo() != null;
  }

  /**
   * Deletes through `remove` as one undoable change of its own, and shows the notice offering to undo it.
   */
  deleteEntry(section: Section, id: string, title: string, remove: (doc: Y.Doc) => boolean): void {
    this.bind();
    const bound = this.bound.get(section);
    if (!bound) return;
    // (a step of its own, as every action of the page: see bind)
    const removed = localChange(bound.doc, () => remove(bound.doc));
    if (!removed) return;
    const item = bound.manager.undoStack.at(-1);
    const notice: UndoNotice = { message: `Deleted “${title}”.`, deleted: { section, id }, done: false };
    if (item) this.deletes.set(notice, item);
    this.show(notice);
  }

  /** Undoes the delete the notice offers, even if the person has made other changes since. */
  undoNotice(): boolean {
    const notice = this.notice;
    if (!notice?.deleted || notice.done) return false;
    const item = this.deletes.get(notice);
    const manager = this.bound.get(notice.deleted.section)?.manager;
    const at = item && manager ? manager.undoStack.indexOf(item) : -1;
    notice.done = true;
    if (!manager || at < 0) {
      notice.message = 'That change can no longer be undone here (a curator can restore it from History).';
    } else {
      // undo it out of turn: it only brings back what it deleted
      manager.undoStack.splice(at, 1);
      manager.undoStack.push(item!);
      manager.undo();
      notice.message = notice.message.replace(/^Deleted/, 'Restored');
    }
    this.show(notice, 4000);
    return at >= 0;
  }

  dismiss(): void {
    if (this.noticeTimer) clearTimeout(this.noticeTimer);
    this.noticeTimer = null;
    this.notice = null;
    this.host.requestUpdate();
  }

  private show(notice: UndoNotice, ms = UNDO_NOTICE_MS): void {
    if (this.noticeTimer) clearTimeout(this.noticeTimer);
    this.notice = notice;
    this.noticeTimer = setTimeout(() => this.dismiss(), ms);
    this.host.requestUpdate();
  }

  private onKey = (event: KeyboardEvent): void => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    const key = event.key.toLowerCase();
    const isUndo = key === 'z' && !event.shiftKey;
    const isRedo = (key === 'z' && event.shiftKey) || (key === 'y' && !event.shiftKey);
    if (!isUndo && !isRedo) return;
    if (!this.ownsKey(event)) return;
    event.preventDefault();
    if (isUndo) {
      // nothing of theirs here: say where earlier changes are, instead of doing nothing without a word
      if (this.undo()) this.done('undo');
      else this.show({ message: NOTHING_TO_UNDO, deleted: null, done: true }, 6000);
    } else if (this.redo()) this.done('redo');
  };

  /**
   * Undo keys belong to the pad unless they are pressed in a text box the pad does not own (a draft entry, the
   * filter, the name, a key) or in a string field (launchpad, owner, cycle title), where the browser's own undo
   * works on what was typed and is saved from there.
   */
  private ownsKey(event: KeyboardEvent): boolean {
    const path = event.composedPath();
    const first = path[0];
    if (!(first instanceof HTMLInputElement || first instanceof HTMLTextAreaElement || first instanceof HTMLSelectElement)) return true;
    const field = path.find((n): n is HTMLElement & { text: unknown } => n instanceof HTMLElement && n.localName === 'cp-text-field');
    return Boolean(field && field.text);
  }
}
