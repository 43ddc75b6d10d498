/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Browser scenario: a 500-entry pad in headless Chromium (Debian's, through playwright-core).
 * - first full render: from navigation start to every entry rendered (performance.now() in the page);
 * - a filter keystroke: from the key's event to the end of the frame that shows the filtered pad.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { launchBrowser } from '../test/helpers/browser.js';
import { connectSynced } from '../test/helpers/clients.js';
import { createPad } from '../test/helpers/server.js';
import { createEntry, entriesOf } from '../shared/schema.js';
import { rankAtEnd } from '../shared/ordering.js';
import { waitFor } from '../test/helpers/wait.js';
import { percentile } from './stats.js';

export interface BrowserResult {
  entries: number;
  firstRenderMs: number[];
  filterKeystrokeMs: number[];
}

const KINDS = ['feature', 'bug', 'other'] as const;
const profileDir = process.env.BENCH_PROFILE_DIR;

export async function browserScenario(baseUrl: string, entries = 500, loads = 5): Promise<BrowserResult> {
  const { padId, curatorKey } = await createPad(baseUrl, `bench-browser-${Date.now()}`);
  const proposed = await connectSynced(baseUrl, padId, 'proposed');
  const ready = await connectSynced(baseUrl, padId, 'ready', { params: { key: curatorKey } });
  const readyCount = Math.floor(entries / 5);
  const make = (i: number, doc?: import('yjs').Doc) =>
    createEntry({
      kind: KINDS[i % 3],
      title: `Entry ${i}: ${i % 7 === 0 ? 'nova compute' : 'placement'} fix for ${['libvirt', 'vmware', 'ironic'][i % 3]} driver`,
      launchpad: i % 3 === 0 ? `https://blueprints.launchpad.net/nova/+spec/bench-${i}` : `https://bugs.launchpad.net/nova/+bug/${2_000_000 + i}`,
      owner: `dev${i % 40}`,
      reviews: [`https://review.opendev.org/c/openstack/nova/+/${900_000 + i}`, `https://review.opendev.org/c/openstack/nova/+/${950_000 + i}/2`],
      note: i % 4 === 0 ? 'needs second +2' : 'needs reviews',
      addedBy: 'bench',
      rank: doc ? rankAtEnd(doc) : null,
    });
  ready.doc.transact(() => {
    for (let i = 0; i < readyCount; i++) entriesOf(ready.doc).push([make(i, ready.doc)]);
  });
  proposed.doc.transact(() => entriesOf(proposed.doc).push(Array.from({ length: entries - readyCount }, (_, i) => make(readyCount + i))));
  const exported = async () => ((await (await fetch(`${baseUrl}/api/pads/${padId}/export.json`)).json()) as { sections: { proposed: unknown[]; ready: unknown[] } });
  await waitFor(async () => {
    const p = await exported();
    return p.sections.proposed.length + p.sections.ready.length === entries;
  }, 20_000, 'bench pad to be stored');
  proposed.provider.destroy();
  ready.provider.destroy();

  const browser = await launchBrowser();
  const result: BrowserResult = { entries, firstRenderMs: [], filterKeystrokeMs: [] };
  try {
    for (let load = 0; load < loads; load++) {
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      // BENCH_PROFILE_DIR: a CPU profile of the page during the first load, next to the server's
      const profiler = profileDir && load === 0 ? await page.context().newCDPSession(page) : null;
      if (profiler) {
        await profiler.send('Profiler.enable');
        await profiler.send('Profiler.start');
      }
      await page.goto(`${baseUrl}/p/${padId}`);
      const rendered = await page.waitForFunction(
        (n) => {
          const pad = document.querySelector('cp-pad-page')?.shadowRoot;
          let count = 0;
          for (const s of pad?.querySelectorAll('cp-section') ?? []) {
            for (const e of s.shadowRoot?.querySelectorAll('cp-entry') ?? []) if (e.querySelector('.title')) count++;
          }
          return count >= n ? performance.now() : 0;
        },
        entries,
        { polling: 'raf', timeout: 30_000 },
      );
      result.firstRenderMs.push(Number(await rendered.jsonValue()));
      if (profiler) {
        const { profile } = await profiler.send('Profiler.stop');
        writeFileSync(path.join(profileDir!, `browser-render-${Date.now()}.cpuprofile`), JSON.stringify(profile));
      }
      if (process.env.BENCH_DEBUG) {
        console.log(await page.evaluate(() => JSON.stringify({
          marks: performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)]),
          nav: (() => { const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming; return { dcl: Math.round(n.domContentLoadedEventEnd), load: Math.round(n.loadEventEnd) }; })(),
          res: (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map((r) => [r.name.split('/').pop(), Math.round(r.startTime), Math.round(r.responseEnd)]),
        })));
      }
      if (load === loads - 1) {
        const input = page.locator('cp-filter-bar').getByLabel('Filter', { exact: true });
        await input.focus();
        await page.evaluate(() => {
          const w = window as unknown as { keystrokes: number[] };
          w.keystrokes = [];
          document.addEventListener(
            'keydown',
            (e) => {
              const start = e.timeStamp;
              requestAnimationFrame(() => setTimeout(() => w.keystrokes.push(performance.now() - start), 0));
            },
            true,
          );
        });
        for (const key of ['n', 'o', 'v', 'a', 'Backspace', 'Backspace', 'Backspace', 'Backspace', '1', '2', 'Backspace', 'Backspace']) {
          await page.keyboard.press(key);
          await page.waitForTimeout(60);
        }
        result.filterKeystrokeMs = await page.evaluate(() => (window as unknown as { keystrokes: number[] }).keystrokes);
      }
      await page.context().close();
    }
  } finally {
    await browser.close();
  }
  return result;
}

export function summarizeBrowser(r: BrowserResult) {
  return {
    entries: r.entries,
    firstRenderMedianMs: percentile(r.firstRenderMs, 50),
    firstRenderMaxMs: Math.max(...r.firstRenderMs),
    filterKeystrokeMedianMs: percentile(r.filterKeystrokeMs, 50),
    filterKeystrokeMaxMs: Math.max(...r.filterKeystrokeMs),
  };
}
