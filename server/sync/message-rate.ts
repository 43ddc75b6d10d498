/**
 * A connection's message rate: over the limit in a one-second window, the socket is paused until the window ends
 * (a slow-down, which a honest burst survives); over the limit for `closeAfter` windows in a row, it is closed.
 */
export class MessageRate {
  private windowStart = 0;
  private count = 0;
  private overWindows = 0;

  constructor(
    private readonly perSecond: number,
    private readonly closeAfter = 5,
  ) {}

  /** 'ok', 'slow' (pause reading until `resumeIn` ms), or 'close'. */
  record(now: number): { verdict: 'ok' } | { verdict: 'slow'; resumeIn: number } | { verdict: 'close' } {
    if (now - this.windowStart >= 1000) {
      this.overWindows = this.count > this.perSecond ? this.overWindows + 1 : 0;
      this.windowStart = now;
      this.count = 0;
    }
    this.count++;
    if (this.count <= this.perSecond) return { verdict: 'ok' };
    if (this.overWindows + 1 >= this.closeAfter) return { verdict: 'close' };
    return { verdict: 'slow', resumeIn: 1000 - (now - this.windowStart) };
  }
}
