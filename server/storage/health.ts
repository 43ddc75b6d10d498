/**
 * Whether storage takes writes. After a failed commit (disk full, read-only file system) writes are refused with
 * a clear reason until a write probe succeeds again (checked every `retryMs`).
 */
import type { PadStore } from './store.js';

export class StorageHealth {
  failure: string | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: PadStore,
    private readonly retryMs = 2000,
  ) {}

  fail(err: unknown): void {
    this.failure = err instanceof Error ? err.message : String(err);
    this.timer ??= setInterval(() => this.check(), this.retryMs);
    this.timer.unref();
  }

  /** Probes a write; true (and healthy again) if storage takes it. */
  check(): boolean {
    try {
      this.store.probeWrite();
      this.failure = null;
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      return true;
    } catch (err) {
      this.failure = err instanceof Error ? err.message : String(err);
      return false;
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
