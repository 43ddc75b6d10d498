import type { Section } from './schema.js';

/**
 * Who a connection or request speaks for.
 * - viewer: reached through the read-only mirror; reads both sections, writes nothing.
 * - contributor: anyone with the pad's link; writes `proposed`, reads `ready`.
 * - curator: the PTL and delegates; writes both sections (including `meta`).
 */
export type Role = 'viewer' | 'contributor' | 'curator';

export function canWriteSection(role: Role, section: Section): boolean {
  if (role === 'curator') return true;
  if (role === 'contributor') return section === 'proposed';
  return false;
}

/** Presence (awareness) is a write too: viewers send none. */
export function canSendPresence(role: Role): boolean {
  return role !== 'viewer';
}
