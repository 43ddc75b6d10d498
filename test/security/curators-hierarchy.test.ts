/**
 * The curator hierarchy, over real HTTP: the PTL key cannot be revoked through the API (only replaced with the
 * admin command line); the PTL revokes any delegate; a delegate revokes only the keys made under it; revoking a
 * key revokes everything made under it, at once, and the sync server is told every id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPad, removeDir, startTestServer } from '../helpers/server.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
  removeDir(server.dataDir);
});

interface Curator {
  id: string;
  label: string;
  createdAt: number;
  createdBy: string | null;
  ptl: boolean;
}

const api = (path: string, key: string, init: RequestInit = {}) =>
  fetch(`${server.url}/api/pads/${path}`, {
    ...init,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', origin: server.url, ...(init.headers as Record<string, string>) },
  });
const curators = async (padId: string, key: string) => ((await (await api(`${padId}/curators`, key)).json()) as { curators: Curator[] }).curators;
const delegate = async (padId: string, key: string, label: string) => {
  const res = await api(`${padId}/curators`, key, { method: 'POST', body: JSON.stringify({ label }) });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; label: string; key: string };
};
const revoke = (padId: string, key: string, id: string) => api(`${padId}/curators/${id}`, key, { method: 'DELETE' });
const worksAsCurator = async (padId: string, key: string) => (await api(`${padId}/curators`, key)).status;

/** A pad whose PTL made `alice` and `bob`; alice made `carol`, who made `dave`. */
async function tree(name: string) {
  const { padId, curatorKey: ptl } = await createPad(server.url, name);
  const alice = await delegate(padId, ptl, 'alice');
  const bob = await delegate(padId, ptl, 'bob');
  const carol = await delegate(padId, alice.key, 'carol');
  const dave = await delegate(padId, carol.key, 'dave');
  const ptlId = (await curators(padId, ptl)).find((c) => c.ptl)!.id;
  return { padId, ptl, ptlId, alice, bob, carol, dave };
}

describe('curator hierarchy', () => {
  it('lists who made each key and which is the PTL key, never a key or a hash', async () => {
    const t = await tree('hier-list');
    const res = await api(`${t.padId}/curators`, t.dave.key);
    const text = await res.text();
    const list = (JSON.parse(text) as { curators: Curator[] }).curators;
    expect(list.map((c) => [c.label, c.ptl, c.createdBy])).toEqual([
      ['PTL', true, null],
      ['alice', false, t.ptlId],
      ['bob', false, t.ptlId],
      ['carol', false, t.alice.id],
      ['dave', false, t.carol.id],
    ]);
    for (const c of list) expect(Object.keys(c).sort()).toEqual(['createdAt', 'createdBy', 'id', 'label', 'ptl']);
    for (const secret of [t.ptl, t.alice.key, t.bob.key, t.carol.key, t.dave.key]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/[0-9a-f]{64}/);
  });

  it('a delegate cannot revoke the PTL key (403, pointing to reset-ptl), and the PTL key still works', async () => {
    const t = await tree('hier-ptl');
    const res = await revoke(t.padId, t.alice.key, t.ptlId);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(((await res.json()) as { error: string }).error).toContain('reset-ptl');
    // not the PTL itself either, through the API
    expect((await revoke(t.padId, t.ptl, t.ptlId)).status).toBe(403);
    expect(await worksAsCurator(t.padId, t.ptl)).toBe(200);
    expect((await curators(t.padId, t.ptl)).some((c) => c.id === t.ptlId && c.ptl)).toBe(true);
  });

  it('revoking a delegate revokes the keys it made, transitively, in one go, and tells the sync server every id', async () => {
    const t = await tree('hier-cascade');
    const events: { padId: string; keyIds: string[] }[] = [];
    const listener = (e: { padId: string; keyIds: string[] }) => events.push(e);
    server.events.on('keysRevoked', listener);
    try {
      const res = await revoke(t.padId, t.ptl, t.alice.id);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { keyIds: string[] }).keyIds.sort()).toEqual([t.alice.id, t.carol.id, t.dave.id].sort());
    } finally {
      server.events.off('keysRevoked', listener);
    }
    expect(events).toHaveLength(1);
    expect(events[0]!.padId).toBe(t.padId);
    expect(events[0]!.keyIds.sort()).toEqual([t.alice.id, t.carol.id, t.dave.id].sort());
    for (const k of [t.alice, t.carol, t.dave]) expect(await worksAsCurator(t.padId, k.key), k.label).toBe(401);
    expect(await worksAsCurator(t.padId, t.bob.key)).toBe(200);
    expect(await worksAsCurator(t.padId, t.ptl)).toBe(200);
    expect((await curators(t.padId, t.ptl)).map((c) => c.label)).toEqual(['PTL', 'bob']);
  });

  it('a delegate revokes the keys made under it, but not a sibling it did not make, nor its own maker', async () => {
    const t = await tree('hier-sibling');
    const sibling = await revoke(t.padId, t.bob.key, t.alice.id);
    expect(sibling.status).toBe(403);
    expect(((await sibling.json()) as { error: string }).error).toContain('only the keys it made');
    expect((await revoke(t.padId, t.bob.key, t.carol.id)).status).toBe(403); // alice's subtree, not bob's
    expect((await revoke(t.padId, t.carol.key, t.alice.id)).status).toBe(403); // its maker
    for (const k of [t.alice, t.carol, t.dave]) expect(await worksAsCurator(t.padId, k.key)).toBe(200);
    // alice may revoke dave, made under her by carol
    expect((await revoke(t.padId, t.alice.key, t.dave.id)).status).toBe(200);
    expect(await worksAsCurator(t.padId, t.dave.key)).toBe(401);
    expect(await worksAsCurator(t.padId, t.carol.key)).toBe(200);
  });

  it('a key made by a delegate that is later revoked does not outlive it', async () => {
    const t = await tree('hier-outlive');
    const erin = await delegate(t.padId, t.dave.key, 'erin');
    expect((await revoke(t.padId, t.ptl, t.carol.id)).status).toBe(200);
    expect(await worksAsCurator(t.padId, erin.key)).toBe(401);
    // and a revoked key can make no more keys
    expect((await api(`${t.padId}/curators`, t.carol.key, { method: 'POST', body: JSON.stringify({ label: 'x' }) })).status).toBe(401);
  });

  it('unknown ids and keys of another pad are 404', async () => {
    const t = await tree('hier-404');
    const other = await tree('hier-404-other');
    expect((await revoke(t.padId, t.ptl, 'nope')).status).toBe(404);
    expect((await revoke(t.padId, t.ptl, other.alice.id)).status).toBe(404);
    expect(await worksAsCurator(other.padId, other.alice.key)).toBe(200);
  });
});
