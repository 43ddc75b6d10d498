/** Pad events (server/events.ts) over a fan-out the test controls: what this process hears, and when. */
import { describe, expect, it } from 'vitest';
import { EVENTS_CHANNEL, PadEvents } from '../../server/events.js';
import type { FanOut } from '../../server/fanout/fanout.js';

function fakeFanOut() {
  const published: string[] = [];
  let deliver: ((m: string) => void) | null = null;
  let reconnect: (() => void) | null = null;
  const fanout: FanOut = {
    processId: 'this-process',
    description: 'test',
    crossProcess: true,
    healthy: true,
    // the publish is taken, but this process's own subscription is down: nothing comes back
    publish: async (channel, message) => void (channel === EVENTS_CHANNEL && published.push(message)),
    subscribe: async (_channel, onMessage) => {
      deliver = onMessage;
      return { unsubscribe: async () => undefined };
    },
    onReconnect: (handler) => void (reconnect = handler),
    close: async () => undefined,
  };
  return { fanout, published, deliver: (m: unknown) => deliver!(JSON.stringify(m)), reconnect: () => reconnect!() };
}

describe('pad events', () => {
  it('this process acts on its own event at once, whether or not the fan-out brings it back, and only once', async () => {
    const f = fakeFanOut();
    const events = new PadEvents();
    await events.connect(f.fanout);
    const revoked: string[][] = [];
    events.on('keysRevoked', ({ keyIds }) => revoked.push(keyIds));
    events.publish('keysRevoked', { padId: 'p', keyIds: ['k1'] });
    expect(revoked).toEqual([['k1']]);
    expect(f.published).toHaveLength(1);
    // the fan-out brings it back: not acted on twice
    f.deliver(JSON.parse(f.published[0]!));
    expect(revoked).toEqual([['k1']]);
    // another process's event is acted on
    f.deliver({ name: 'keysRevoked', payload: { padId: 'p', keyIds: ['k2'] }, from: 'another-process' });
    expect(revoked).toEqual([['k1'], ['k2']]);
  });

  it('the fan-out coming back means events may have been missed: "missed" is emitted here, and never taken from the wire', async () => {
    const f = fakeFanOut();
    const events = new PadEvents();
    await events.connect(f.fanout);
    let missed = 0;
    events.on('missed', () => missed++);
    f.deliver({ name: 'missed', payload: {}, from: 'another-process' });
    expect(missed).toBe(0);
    f.reconnect();
    expect(missed).toBe(1);
  });
});
