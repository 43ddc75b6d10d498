/**
 * A connection's message rate: over the limit in a one-second window (messages, or bytes), the socket is paused
 * until the window ends (a slow-down, which an honest burst survives); over the message limit for `closeAfter`
 * windows in a row, it is closed. The byte budget bounds the work one connection makes per second whatever its
 * messages hold (one contributor once kept the event loop half busy with 600 KB updates, a few per second).
 */
export class MessageRate {
  private windowStart = 0;
  private count = 0;
  private bytes = 0;
  private overWindows = 0;

  constructor(
    private readonly perSecond: number,
    private readonly closeAfter = 5,
    private readonly bytesPerSecond = Number.POSITIVE_INFINITY,
  ) {}

  /** 'ok', 'slow' (pause reading until `resumeIn` ms), or 'close'. */
  record(now: number, bytes = 0): { verdict: 'ok' } | { verdict: 'slow'; resumeIn: number } | { verdict: 'close' } {
    if (now - this.windowStart >= 1000) {
      this.overWindows = this.count > this.perSecond ? this.overWindows + 1 : 0;
      this.windowStart = now;
      this.count = 0;
      this.bytes = 0;
    }
    this.count++;
    this.bytes += bytes;
    if (this.count <= this.perSecond && this.bytes <= this.bytesPerSecond) return { verdict: 'ok' };
    if (this.count > this.perSecond && this.overWindows + 1 >= this.closeAfter) return { verdict: 'close' };
    return { verdict: 'slow', resumeIn: 1000 - (now - this.windowStart) };
  }
}
