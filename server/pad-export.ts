/** A pad's content as plain JSON, read from its two section documents. */
import { metaToJSON, sectionToJSON, type CycleMeta, type EntryData } from '../shared/schema.js';
import type { DocumentRegistry } from './sync/document-registry.js';

export interface PadExport {
  name: string;
  sections: { proposed: EntryData[]; ready: EntryData[] };
  meta: CycleMeta;
}

/**
 * `name` is the pad's editable name, or the caller's read-only reference (a viewer must never learn the name).
 * Committed content only, as a socket's sync answer: a peer's update is applied to the document before it is stored,
 * and an export (the mirror's page, the editor's first view) read meanwhile showed an update nobody could yet count on.
 */
export async function exportPad(registry: DocumentRegistry, padId: string, name: string): Promise<PadExport> {
  const proposed = await registry.use({ padId, section: 'proposed' }, async (d) => {
    await d.flush();
    return sectionToJSON(d.doc);
  });
  const { ready, meta } = await registry.use({ padId, section: 'ready' }, async (d) => {
    await d.flush();
    return { ready: sectionToJSON(d.doc), meta: metaToJSON(d.doc) };
  });
  return { name, sections: { proposed, ready }, meta };
}
