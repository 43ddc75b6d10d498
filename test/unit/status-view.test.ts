/** The page's status store (notices merged per item) and what a chip says about its link (shared/status-view.ts). */
import { describe, expect, it } from 'vitest';
import { StatusStore } from '../../client/src/status-store.js';
import { parseLink } from '../../shared/links.js';
import { linkStatusView } from '../../shared/status-view.js';
import { emptyStatus, type ChangeStatus, type PadStatus } from '../../shared/status.js';

const change = (fields: Partial<ChangeStatus> = {}): ChangeStatus => ({
  status: 'NEW',
  subject: 'A change',
  owner: 'Dev',
  updated: '2025-01-10T00:00:00.000Z',
  patchset: 2,
  labels: {},
  mergeable: 'unknown',
  wip: false,
  project: 'openstack/nova',
  branch: 'master',
  topic: null,
  ...fields,
});
const vote = (value: number) => ({ value, name: 'x' });
const NOW = Date.parse('2025-01-20T00:00:00.000Z');

describe('StatusStore', () => {
  it('merges notices per item across sockets, never removes, and makes a new object each time', () => {
    const store = new StatusStore();
    let changes = 0;
    store.addEventListener('change', () => changes++);
    store.merge({ ...emptyStatus(), changes: { '1': change(), '2': change() }, fetchedAt: 10 });
    const first = store.status;
    store.merge({ ...emptyStatus(), changes: { '2': change({ status: 'MERGED' }) }, bugs: { '5': { visible: false } }, fetchedAt: 5 });
    expect(store.status).not.toBe(first);
    expect(Object.keys(store.status.changes)).toEqual(['1', '2']);
    expect((store.status.changes['2'] as ChangeStatus).status).toBe('MERGED');
    expect(store.status.bugs['5']).toEqual({ visible: false });
    expect(store.status.fetchedAt).toBe(5);
    store.merge({ ...emptyStatus(false) });
    expect(store.status.enabled).toBe(false);
    expect(changes).toBe(3);
    store.merge('junk');
    expect(changes).toBe(3);
  });
});

describe('linkStatusView', () => {
  const status: PadStatus = {
    ...emptyStatus(),
    changes: {
      '1': change({ labels: { 'Code-Review': { max: 2, min: 0, votes: [vote(2)] }, Verified: { max: 1, min: 0, votes: [vote(1)] } } }),
      '2': change({ status: 'MERGED' }),
      '3': change({ labels: { Verified: { max: 0, min: -1, votes: [vote(-1)] } }, mergeable: false }),
      '4': { visible: false },
    },
    topics: { 'bp/x': ['1', '2', '3'], gone: { visible: false } },
    bugs: { '9': { title: 'Bug', status: 'Fix Committed', importance: 'High', assignee: 'Jane', milestone: 'm2', project: 'nova' } },
  };
  const view = (url: string) => linkStatusView(parseLink(url), status, NOW);
  const gerrit = (n: number) => `https://review.opendev.org/c/openstack/nova/+/${n}`;

  it('says what a change is at a glance, with the details for hover/focus', () => {
    expect(view(gerrit(1))).toEqual({ text: 'open, +2 \u00d71, CI ok', cls: 'ok', detail: 'A change\nOwner: Dev\nPatch set 2\nupdated 10 days ago' });
    expect(view(gerrit(2))).toMatchObject({ text: 'merged', cls: 'merged' });
    expect(view(gerrit(3))).toMatchObject({ text: 'open, merge conflict, CI failing', cls: 'attention' });
    expect(view(gerrit(4))).toMatchObject({ text: 'not visible', cls: 'hidden' });
    expect(view(gerrit(5))).toBeNull();
  });

  it('summarises a topic, and shows bugs', () => {
    expect(view('topic:bp/x')).toMatchObject({ text: '3 changes, 1 merged, 2 open, 1 need attention', cls: 'attention' });
    expect(view('topic:gone')).toMatchObject({ text: 'not visible' });
    expect(view('https://bugs.launchpad.net/nova/+bug/9')).toEqual({ text: 'Fix Committed, High', cls: 'lp', detail: 'Bug\nAssignee: Jane\nMilestone: m2' });
    expect(linkStatusView(parseLink(gerrit(1)), null)).toBeNull();
  });
});

describe('topics named like an object\'s own members', () => {
  const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];

  it('are unknown until fetched (not "not visible"), and shown once fetched, through the server\'s JSON and the page\'s store', () => {
    for (const name of names) expect(linkStatusView(parseLink(`topic:${name}`), emptyStatus(), NOW)).toBeNull();
    // the server builds the map (an assignment, as server/status/cache-values.ts does), sends it as JSON, the page merges it
    const built = emptyStatus();
    built.changes['7'] = change({ status: 'MERGED' });
    for (const name of names) built.topics[name] = ['7'];
    const store = new StatusStore();
    store.merge(JSON.parse(JSON.stringify(built)));
    for (const name of names) {
      expect(Object.keys(store.status.topics)).toContain(name);
      expect(linkStatusView(parseLink(`topic:${name}`), store.status, NOW)).toMatchObject({ text: '1 change, 1 merged', cls: 'merged' });
    }
  });
});

describe('matchesNeed', () => {
  it('draws "merged" only when every change is known, and needs nothing without status', async () => {
    const { matchesNeed } = await import('../../shared/filter.js');
    const status: PadStatus = { ...emptyStatus(), changes: { '1': change({ status: 'MERGED' }), '2': change({ status: 'ABANDONED' }) } };
    const r = (n: number) => `https://review.opendev.org/c/openstack/nova/+/${n}`;
    expect(matchesNeed({ reviews: [r(1), r(2)] }, 'merged', status, NOW)).toBe(true);
    expect(matchesNeed({ reviews: [r(1), r(3)] }, 'merged', status, NOW)).toBe(false);
    expect(matchesNeed({ reviews: [r(2)] }, 'merged', status, NOW)).toBe(false);
    expect(matchesNeed({ reviews: [r(1)] }, 'merged', null, NOW)).toBe(false);
  });
});
