/** The fan-out of a single process: in memory, synchronous delivery on the next microtask, never lost. */
import { randomUUID } from 'node:crypto';
import type { FanOut, FanOutSubscription } from './fanout.js';

export class LocalFanOut implements FanOut {
  readonly processId = randomUUID();
  readonly description = 'in-process';
  readonly crossProcess = false;
  readonly healthy = true;
  private readonly subscribers = new Map<string, Set<(message: string) => void>>();

  async publish(channel: string, message: string): Promise<void> {
    for (const handler of [...(this.subscribers.get(channel) ?? [])]) {
      queueMicrotask(() => handler(message));
    }
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<FanOutSubscription> {
    let set = this.subscribers.get(channel);
    if (!set) this.subscribers.set(channel, (set = new Set()));
    set.add(onMessage);
    return {
      unsubscribe: async () => {
        set.delete(onMessage);
        if (set.size === 0) this.subscribers.delete(channel);
      },
    };
  }

  onReconnect(): void {
    // never disconnected
  }

  async close(): Promise<void> {
    this.subscribers.clear();
  }
}
