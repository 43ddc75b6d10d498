import { describe, expect, it } from 'vitest';
import { MessageRate } from '../../server/sync/message-rate.js';

describe('a connection’s message rate', () => {
  it('slows a connection down past its byte budget, however few its messages, and never closes it for bytes', () => {
    const rate = new MessageRate(1000, 5, 1_000_000);
    expect(rate.record(0, 600_000)).toEqual({ verdict: 'ok' });
    expect(rate.record(100, 600_000)).toEqual({ verdict: 'slow', resumeIn: 900 });
    // five seconds over the byte budget in a row: slowed each time, not closed
    for (let s = 1; s <= 6; s++) {
      rate.record(s * 1000, 600_000);
      expect(rate.record(s * 1000 + 1, 600_000).verdict).toBe('slow');
    }
    expect(rate.record(20_000, 10).verdict).toBe('ok');
  });

  it('closes a connection over its message limit for five windows in a row', () => {
    const rate = new MessageRate(10, 5);
    let verdict = 'ok';
    for (let s = 0; s < 6 && verdict !== 'close'; s++) for (let i = 0; i < 20; i++) verdict = rate.record(s * 1000 + i).verdict;
    expect(verdict).toBe('close');
  });
});
