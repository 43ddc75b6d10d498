/** What a process's presence tells the other processes (server/sync/presence.ts): only changes checked here. */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { Presence, decodePresence, type PresencePeer } from '../../server/sync/presence.js';

/** An awareness update for one client id, as a peer's page would send it. */
function stateUpdate(client: number, clock: number, state: unknown): Uint8Array {
  const other = new awarenessProtocol.Awareness(new Y.Doc());
  other.clientID = client;
  other.states.set(client, state as Record<string, unknown>);
  other.meta.set(client, { clock, lastUpdated: Date.now() });
  const update = awarenessProtocol.encodeAwarenessUpdate(other, [client]);
  other.destroy();
  return update;
}

describe('presence across processes', () => {
  it("publishes a local peer's checked change, never a state shown from another process nor one timing out here", () => {
    const published: number[][] = [];
    const peer: PresencePeer = { role: 'contributor', send: () => undefined };
    const presence = new Presence(new Y.Doc(), () => [peer], (update) => published.push(decodePresence(update).map((e) => e.client)));
    // another process's peer, shown here: not sent back
    presence.applyRemote(stateUpdate(7, 3, { user: { name: 'Alice' } }));
    expect(published).toEqual([]);
    // a peer of this process: published
    expect(presence.receive(peer, stateUpdate(8, 1, { user: { name: 'Bob' } }))).toBeNull();
    expect(published).toEqual([[8]]);
    // Alice's renewal was lost on the fan-out and her state times out here (as y-protocols' check does it): the other
    // processes time her out themselves, or still have her renewed; telling them would remove her where she is live
    awarenessProtocol.removeAwarenessStates(presence.awareness, [7], 'timeout');
    expect(presence.awareness.getStates().has(7)).toBe(false);
    expect(published).toEqual([[8]]);
    presence.destroy();
  });
});
