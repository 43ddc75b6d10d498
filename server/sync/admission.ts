/**
 * Admission: the one step every write to a section document goes through before anything is applied, whoever
 * makes it (a peer's update, an import, a restore). The path of a write reads: inspect → admit → apply → log →
 * broadcast. Nothing that fails here touches the document.
 */
import { canWriteSection, type Role } from '../../shared/roles.js';
import type { Section } from '../../shared/schema.js';
import type { StorageHealth } from '../storage/health.js';
import type { GuardNotice } from './rewrite-guard.js';
import type { SizeMeter } from './size-meter.js';
import type { WriteBudget } from './write-budget.js';

/** Who makes a write: a peer (connection) or the server on someone's behalf (import, restore). */
export interface Writer {
  readonly role: Role | 'system';
  /** Recorded with the update in the log (never the Yjs clientID, which a client can forge). */
  readonly session: string;
  /** Set once the rewrite guard quarantined a peer: its writes are refused from then on. */
  readonly quarantine?: GuardNotice | null;
  /** What its client address may still write to the logs (write-budget.ts); none for the server's own writes. */
  readonly budget?: WriteBudget | undefined;
}

export type RefusalKind = 'storage' | 'quarantine' | 'role' | 'size' | 'schema' | 'limit' | 'budget';

/** A write that was not admitted: nothing of it was applied, stored or sent. */
export class WriteRefused extends Error {
  constructor(
    readonly kind: RefusalKind,
    message: string,
  ) {
    super(message);
    this.name = 'WriteRefused';
  }
}

export interface AdmissionContext {
  section: Section;
  size: SizeMeter;
  health?: StorageHealth | undefined;
}

/** What is known of the write: its size, whether it adds content, and (server-side changes) the exact size after. */
export interface WriteFacts {
  bytes: number;
  grows: boolean;
  /** The document's exact size with the write applied, when it was measured on a copy. */
  projectedSize?: number;
}

/** Null if the write may be applied, else the refusal (in the order a person should hear them). */
export function admit(ctx: AdmissionContext, writer: Writer, facts: WriteFacts): WriteRefused | null {
  if (ctx.health?.failure) {
    return new WriteRefused('storage', `storage unavailable, nothing was stored; retrying later (${ctx.health.failure})`.slice(0, 120));
  }
  if (writer.quarantine) {
    return new WriteRefused(
      'quarantine',
      `quarantined: this connection rewrote the text of ${writer.quarantine.entries.length} entries at once, as a page translator does; reload the page with translation off`,
    );
  }
  if (writer.role !== 'system' && !canWriteSection(writer.role, ctx.section)) {
    return new WriteRefused(
      'role',
      writer.role === 'viewer' ? 'read-only link: this connection cannot change the pad' : `only curators can change the "${ctx.section}" section`,
    );
  }
  const fits = facts.projectedSize !== undefined
    ? !facts.grows || facts.projectedSize <= ctx.size.max
    : ctx.size.admits(facts.bytes, facts.grows);
  if (!fits) {
    return new WriteRefused('size', `the pad is full: this section may hold at most ${formatBytes(ctx.size.max)}; nothing was changed`);
  }
  // last: a write refused for any other reason takes nothing from the budget; curators' writes are not counted
  if (writer.budget && writer.role !== 'curator' && !writer.budget.take(facts.bytes)) {
    const minutes = Math.max(1, Math.ceil(writer.budget.waitMs(facts.bytes) / 60_000));
    return new WriteRefused(
      'budget',
      `this address has written as much as it may (${formatBytes(writer.budget.perHour)} an hour); writes are refused for about ${minutes} min; nothing was changed`,
    );
  }
  return null;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}
