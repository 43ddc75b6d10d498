/**
 * Things that happen to pads, keys and sessions that every open socket must hear of at once: a curator key revoked,
 * a sign-in session closed, a pad deleted. The HTTP routes (and the admin command line) publish them through the
 * fan-out, so every process hears them (this one included); the sync server demotes or closes the sockets concerned.
 * The fan-out may lose a message: every process also re-checks its curator sockets and loaded pads periodically.
 */
import { EventEmitter } from 'node:events';
import type { FanOut } from './fanout/fanout.js';

export interface PadEventMap {
  /** These curator keys of the pad are no longer live (revoked, or revoked with the delegate that made them). */
  keysRevoked: [{ padId: string; keyIds: string[] }];
  /** A sign-in session ended (sign-out): sockets opened with its cookie are no longer curators. */
  sessionClosed: [{ padId: string; tokenHash: string }];
  /** The pad is gone: its documents are dropped and its sockets closed, nothing of it is written again. */
  padDeleted: [{ padId: string }];
  /** The pad's guard notices changed (another process stored them): curators are sent them again. */
  noticesChanged: [{ padId: string }];
  /**
   * This process only (never on the wire): the fan-out was away, so events of other processes may have been lost;
   * whoever acts on them checks storage now rather than at its next periodic check.
   */
  missed: [];
}

export const EVENTS_CHANNEL = 'cyclepad:events';

const NAMES = new Set<keyof PadEventMap>(['keysRevoked', 'sessionClosed', 'padDeleted', 'noticesChanged']);

export class PadEvents extends EventEmitter<PadEventMap> {
  private fanout: FanOut | null = null;

  /** Hears every process's events from now on (resolves once subscribed). */
  async connect(fanout: FanOut): Promise<void> {
    this.fanout = fanout;
    fanout.onReconnect(() => this.emit('missed'));
    await fanout.subscribe(EVENTS_CHANNEL, (raw) => {
      let message: { name?: unknown; payload?: unknown; from?: unknown };
      try {
        message = JSON.parse(raw) as typeof message;
      } catch {
        return;
      }
      if (message.from === fanout.processId) return; // this process acted on it when it published it
      if (typeof message.name !== 'string' || !NAMES.has(message.name as keyof PadEventMap)) return;
      if (typeof message.payload !== 'object' || message.payload === null) return;
      (this.emit as (name: string, payload: unknown) => boolean)(message.name, message.payload);
    });
  }

  /**
   * Tells this process at once (whether or not its own subscription is up), then every other one through the
   * fan-out (they re-check storage periodically, and when the fan-out comes back, in case it is lost).
   */
  publish<K extends Exclude<keyof PadEventMap, 'missed'>>(name: K, payload: PadEventMap[K][0]): void {
    (this.emit as (name: string, payload: unknown) => boolean)(name, payload);
    const fanout = this.fanout;
    if (!fanout?.crossProcess) return;
    fanout.publish(EVENTS_CHANNEL, JSON.stringify({ name, payload, from: fanout.processId })).catch(() => undefined);
  }
}
