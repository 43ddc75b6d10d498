/**
 * Notices of quarantined connections, per pad, for the curators. They are published live as the server's own
 * presence state on the pad's `proposed` document (every page of the pad has that socket), and listed over HTTP.
 * Kept in memory: after a restart the history still shows every update, with its session.
 */
import type { GuardNotice } from './sync/rewrite-guard.js';
import type { DocumentRegistry } from './sync/document-registry.js';

export class GuardNotices {
  private readonly byPad = new Map<string, GuardNotice[]>();
  private registry: DocumentRegistry | null = null;

  /** Connects to the documents (the registry is built with a reference to this object). */
  attach(registry: DocumentRegistry): void {
    this.registry = registry;
  }

  list(padId: string): GuardNotice[] {
    return this.byPad.get(padId) ?? [];
  }

  add(padId: string, notice: GuardNotice): void {
    this.byPad.set(padId, [...this.list(padId), notice]);
    this.publish(padId);
  }

  /** Removes notices by id, or those matching a reverted session; true if any went. */
  remove(padId: string, match: (n: GuardNotice) => boolean): boolean {
    const before = this.list(padId);
    const after = before.filter((n) => !match(n));
    if (after.length === before.length) return false;
    if (after.length === 0) this.byPad.delete(padId);
    else this.byPad.set(padId, after);
    this.publish(padId);
    return true;
  }

  /** The server's presence state for a pad's `proposed` document. */
  presence(padId: string): Record<string, unknown> | null {
    const notices = this.list(padId);
    return notices.length > 0 ? { guard: notices } : null;
  }

  private publish(padId: string): void {
    const document = this.registry?.peek({ padId, section: 'proposed' });
    document?.awareness.setLocalState(this.presence(padId));
  }
}
