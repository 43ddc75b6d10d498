/**
 * Notices of quarantined connections, per pad, for the curators. They are kept in storage (shared by every process)
 * and reach curators' pages as server notices (a message type only the server speaks: no peer can forge one, as
 * anyone could with presence) on every socket a curator has on the pad, when they change (on every process, through
 * the `noticesChanged` event) and when a curator connects; and over HTTP (`GET …/guard`).
 * At most {@link MAX_NOTICES_PER_PAD} per pad, the oldest dropped first; one per quarantined session and section.
 */
import type { Logger } from 'pino';
import type { GuardNotice } from './sync/rewrite-guard.js';
import type { DocumentRegistry } from './sync/document-registry.js';
import type { Peer } from './sync/section-document.js';
import type { PadRepository } from './storage/storage.js';
import type { PadEvents } from './events.js';

export const MAX_NOTICES_PER_PAD = 20;

const toCurators = (peer: Peer) => peer.role === 'curator';

/** The pad's notices with `notice` added: one per session and section, the newest {@link MAX_NOTICES_PER_PAD}. */
export function withNotice(notices: GuardNotice[], notice: GuardNotice): GuardNotice[] {
  const others = notices.filter((n) => !(n.session === notice.session && n.section === notice.section));
  return [...others, notice].slice(-MAX_NOTICES_PER_PAD);
}

export class GuardNotices {
  private registry: DocumentRegistry | null = null;

  constructor(
    private readonly store: Pick<PadRepository, 'listGuardNotices' | 'updateGuardNotices'>,
    private readonly events: PadEvents,
    private readonly log: Logger,
  ) {
    events.on('noticesChanged', ({ padId }) => void this.publish(padId));
  }

  /** Connects to the documents (the registry is built with a reference to this object). */
  attach(registry: DocumentRegistry): void {
    this.registry = registry;
  }

  list(padId: string): Promise<GuardNotice[]> {
    return this.store.listGuardNotices(padId);
  }

  /** Adds a notice (atomically in storage: notices added at once, by any process, are all kept). */
  async add(padId: string, notice: GuardNotice): Promise<void> {
    if (await this.store.updateGuardNotices(padId, (notices) => withNotice(notices, notice))) this.events.publish('noticesChanged', { padId });
  }

  /** Removes notices by id, or those matching a reverted session; true if any went. */
  async remove(padId: string, match: (n: GuardNotice) => boolean): Promise<boolean> {
    const after = await this.store.updateGuardNotices(padId, (before) => {
      const kept = before.filter((n) => !match(n));
      return kept.length === before.length ? null : kept;
    });
    if (!after) return false;
    this.events.publish('noticesChanged', { padId });
    return true;
  }

  /** The pad is gone: its notices went with it in storage; nothing to send any more. */
  forget(padId: string): void {
    void padId;
  }

  /** Sends the pad's notices to one peer, if it is a curator (a curator's socket just opened). */
  async sendTo(padId: string, peer: Peer & { notify(notice: { type: 'guard'; notices: GuardNotice[] }): void }): Promise<void> {
    if (!toCurators(peer)) return;
    try {
      peer.notify({ type: 'guard', notices: await this.list(padId) });
    } catch (err) {
      this.log.warn({ err }, 'could not read guard notices');
    }
  }

  private async publish(padId: string): Promise<void> {
    const documents = this.registry?.ofPad(padId) ?? [];
    if (documents.length === 0) return;
    try {
      const notice = { type: 'guard' as const, notices: await this.list(padId) };
      for (const document of documents) document.notify(notice, toCurators);
    } catch (err) {
      this.log.warn({ err }, 'could not read guard notices');
    }
  }
}
