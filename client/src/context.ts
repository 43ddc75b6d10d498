/**
 * The pad's services, provided by the editor page (cp-pad-page) to every component under it through
 * `@lit/context`: the live connection (both sections' sync and presence) and the duplicate finder.
 */
import { createContext } from '@lit/context';
import type { Duplicate } from '../../shared/duplicates.js';
import type { PadConnection } from './pad-connection.js';

export interface PadServices {
  connection: PadConnection;
  /** Where the pad already has the same change, topic, bug or blueprint as a draft entry. */
  findDuplicates: (draft: { launchpad: string; reviews: string[] }) => Duplicate[];
}

export const padContext = createContext<PadServices | undefined>(Symbol('cyclepad-pad'));
