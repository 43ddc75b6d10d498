/**
 * The pad's services, provided by the editor page (cp-pad-page) to every component under it through
 * `@lit/context`: the live connection (both sections' sync and presence) and the duplicate finder.
 */
import { createContext } from '@lit/context';
import type { Duplicate } from '../../shared/duplicates.js';
import type { PadConnection } from './pad-connection.js';

export interface PadServices {
  connection: PadConnection;
  /**
   * A finder of where the pad, as it is now, already has the same change, topic, bug or blueprint as a draft entry
   * (made once for as many drafts as are asked about together).
   */
  duplicateFinder: () => (draft: { launchpad: string; reviews: readonly string[] }) => Duplicate[];
}

export const padContext = createContext<PadServices | undefined>(Symbol('cyclepad-pad'));
