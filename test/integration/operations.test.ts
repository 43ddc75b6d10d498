import { describe, expect, it } from 'vitest';
import { createEntry, entriesOf } from '../../shared/schema.js';
import { createPad } from '../helpers/server.js';
import { serverSuite } from '../helpers/server-suite.js';
import { connectSynced } from '../helpers/clients.js';
import { RawClient } from '../helpers/raw-client.js';
import { waitFor } from '../helpers/wait.js';

const suite = serverSuite();

describe('operations', () => {
  it('answers /healthz and /readyz', async () => {
    expect(await (await fetch(`${suite.server.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${suite.server.url}/readyz`)).json()).toMatchObject({ status: 'ready', fanoutHealthy: true });
  });

  it('exposes Prometheus metrics: connections by role, documents, updates by outcome, persistence latency, event-loop lag', async () => {
    const { padId, curatorKey } = await createPad(suite.server.url, 'metrics');
    const c = await connectSynced(suite.server.url, padId, 'proposed');
    const r = await connectSynced(suite.server.url, padId, 'ready', { params: { key: curatorKey } });
    entriesOf(c.doc).push([createEntry({ title: 'x', addedBy: 'm' })]);
    const forger = await RawClient.open(suite.server.url, padId, 'ready');
    forger.sendUpdate(forger.forge((d) => entriesOf(d).push([createEntry({ title: 'no', addedBy: 'f' })])));
    await waitFor(() => forger.denials().length > 0);
    const text = await waitFor(async () => {
      const t = await (await fetch(`${suite.server.url}/metrics`)).text();
      return t.includes('cyclepad_updates_total{outcome="applied"') && t;
    });
    expect(text).toMatch(/cyclepad_connections\{role="contributor"\} 2/);
    expect(text).toMatch(/cyclepad_connections\{role="curator"\} 1/);
    expect(text).toMatch(/cyclepad_documents_loaded [1-9]/);
    expect(text).toMatch(/cyclepad_updates_total\{outcome="refused",reason="role:contributor"\} 1/);
    expect(text).toMatch(/cyclepad_persist_seconds_count [1-9]/);
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    c.provider.destroy();
    r.provider.destroy();
    forger.close();
  });
});

describe('web security', () => {
  it('sends a strict CSP and the usual security headers on pages', async () => {
    const res = await fetch(`${suite.server.url}/`);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(await res.text()).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('refuses state-changing requests from another site (Origin check) on every such route', async () => {
    const { padId, curatorKey } = await createPad(suite.server.url, 'csrf');
    const routes: Array<[string, string, unknown]> = [
      ['POST', '/api/pads', { name: 'csrf-2' }],
      ['POST', `/api/pads/${padId}/login`, { key: curatorKey }],
      ['POST', `/api/pads/${padId}/logout`, {}],
      ['POST', `/api/pads/${padId}/curators`, { label: 'x' }],
      ['DELETE', `/api/pads/${padId}/curators/x`, undefined],
      ['POST', `/api/pads/${padId}/import`, { text: '* [x]' }],
      ['POST', `/api/pads/${padId}/restore`, { section: 'proposed', seq: 0 }],
      ['DELETE', `/api/pads/${padId}/guard/x`, undefined],
    ];
    for (const [method, path, body] of routes) {
      for (const headers of [{ origin: 'https://evil.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }] as Record<string, string>[]) {
        const res = await fetch(`${suite.server.url}${path}`, {
          method,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${curatorKey}`, ...headers },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        expect(res.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(403);
        expect(((await res.json()) as { error: string }).error).toContain('cross-site');
      }
    }
    // the same origin passes
    const ok = await fetch(`${suite.server.url}/api/pads`, { method: 'POST', headers: { 'content-type': 'application/json', origin: suite.server.url }, body: JSON.stringify({ name: 'csrf-ok' }) });
    expect(ok.status).toBe(201);
  });
});
