/**
 * Things that happen to pads, keys and sessions that every open socket must hear of at once: a curator key revoked,
 * a sign-in session closed, a pad deleted. The HTTP routes (and, later, other processes through the fan-out) emit
 * them; the sync server demotes or closes the sockets concerned.
 */
import { EventEmitter } from 'node:events';

export interface PadEventMap {
  /** These curator keys of the pad are no longer live (revoked, or revoked with the delegate that made them). */
  keysRevoked: [{ padId: string; keyIds: string[] }];
  /** A sign-in session ended (sign-out): sockets opened with its cookie are no longer curators. */
  sessionClosed: [{ padId: string; tokenHash: string }];
  /** The pad is gone: its documents are dropped and its sockets closed, nothing of it is written again. */
  padDeleted: [{ padId: string }];
}

export class PadEvents extends EventEmitter<PadEventMap> {}
