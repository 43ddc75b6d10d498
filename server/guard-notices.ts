/**
 * Notices of quarantined connections, per pad, for the curators. They reach curators' pages as server notices (a
 * message type only the server speaks: no peer can forge one, as anyone could with presence) on every socket a
 * curator has on the pad, when they change and when a curator connects; and over HTTP (`GET …/guard`).
 * At most {@link MAX_NOTICES_PER_PAD} per pad, the oldest dropped first; one per quarantined session and section.
 * Kept in memory: after a restart the history still shows every update, with its session.
 */
import type { GuardNotice } from './sync/rewrite-guard.js';
import type { DocumentRegistry } from './sync/document-registry.js';
import type { Peer } from './sync/section-document.js';

export const MAX_NOTICES_PER_PAD = 20;

const toCurators = (peer: Peer) => peer.role === 'curator';

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
    const others = this.list(padId).filter((n) => !(n.session === notice.session && n.section === notice.section));
    this.byPad.set(padId, [...others, notice].slice(-MAX_NOTICES_PER_PAD));
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

  /** The pad is gone: so are its notices. */
  forget(padId: string): void {
    this.byPad.delete(padId);
  }

  /** Sends the pad's notices to one peer, if it is a curator (a curator's socket just opened). */
  sendTo(padId: string, peer: Peer & { notify(notice: { type: 'guard'; notices: GuardNotice[] }): void }): void {
    if (toCurators(peer)) peer.notify({ type: 'guard', notices: this.list(padId) });
  }

  private publish(padId: string): void {
    const notice = { type: 'guard' as const, notices: this.list(padId) };
    for (const document of this.registry?.ofPad(padId) ?? []) document.notify(notice, toCurators);
  }
}
