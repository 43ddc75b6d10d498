/** The words the editor, the mirror (with and without JavaScript) and the exports show for sections and kinds. */
import type { EntryKind, Section } from './schema.js';

/** Section headings, in the order the pages show them (ready first). */
export const SECTION_HEADINGS: Readonly<Record<Section, string>> = { ready: 'Ready to review', proposed: 'Proposed patches' };

/** The sections in the order the pages show them. */
export const SECTIONS_SHOWN = ['ready', 'proposed'] as const satisfies readonly Section[];

/** Kind headings inside a section. */
export const KIND_HEADINGS: Readonly<Record<EntryKind, string>> = { feature: 'Features', bug: 'Bugs', other: 'Other' };
