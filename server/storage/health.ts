/**
 * Whether storage takes writes. After a failed commit (disk full, read-only file system, PostgreSQL unreachable)
 * writes are refused with a clear reason until a write probe succeeds again (checked every `retryMs`).
 */
import type { PadRepository } from './storage.js';

export class StorageHealth {
  failure: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private probing = false;

  constructor(
    private readonly store: Pick<PadRepository, 'probeWrite'>,
    private readonly retryMs = 2000,
  ) {}

  fail(err: unknown): void {
    this.failure = err instanceof Error ? err.message : String(err);
    this.timer ??= setInterval(() => void this.check(), this.retryMs);
    this.timer.unref();
  }

  /** Probes a write; true (and healthy again) if storage takes it. */
  async check(): Promise<boolean> {
    if (this.probing) return this.failure === null;
    this.probing = true;
    try {
      await this.store.probeWrite();
      this.failure = null;
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      return true;
    } catch (err) {
      this.failure = err instanceof Error ? err.message : String(err);
      return false;
    } finally {
      this.probing = false;
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
