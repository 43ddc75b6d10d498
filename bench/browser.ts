/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Browser scenario: a 500-entry pad in headless Chromium (Debian's, through playwright-core).
 * - first full render: from navigation start to the frame showing the last entry (performance.now() in the page): the
 *   server's first view of the pad (read-only, shown while the script loads), or the editor's if it came first;
 * - editor render: from navigation start to the frame with every entry rendered by the editor (interactive);
 * - a filter keystroke: from the key's event to the end of the frame that shows the filtered pad;
 * - an edit keystroke: typing in an entry's title, from the key's event to the end of the frame that shows it (the
 *   keystroke changes the document, so the section and the entry update).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../test/helpers/browser.js';
import { connectSynced } from '../test/helpers/clients.js';
import { createPad } from '../test/helpers/server.js';
import { createEntry, entriesOf } from '../shared/schema.js';
import { rankAtEnd } from '../shared/ordering.js';
import { waitFor } from '../test/helpers/wait.js';
import { percentile } from './stats.js';

/** Where a load's main thread went until every entry was rendered (Chromium's own counters, CDP Performance.getMetrics). */
export interface RenderBreakdown {
  /** Every task on the page's main thread. */
  taskMs: number;
  scriptMs: number;
  styleMs: number;
  layoutMs: number;
}

export interface BrowserResult {
  entries: number;
  /** Navigation to the frame showing the last entry (the server's first view, or the editor if it came first). */
  firstRenderMs: number[];
  /** Navigation to the frame with every entry rendered by the editor (the page is then interactive). */
  editorRenderMs: number[];
  /** Which of the two showed the last entry first, per load. */
  shownIn: string[];
  breakdown: RenderBreakdown[];
  filterKeystrokeMs: number[];
  editKeystrokeMs: number[];
}

/** Presses `keys` one by one; for each, the time from its keydown event to the end of the next frame. */
async function timeKeystrokes(page: Page, keys: string[]): Promise<number[]> {
  await page.evaluate(() => {
    const w = window as unknown as { keystrokes: number[]; stopTiming?: () => void };
    w.stopTiming?.();
    w.keystrokes = [];
    const onKey = (e: KeyboardEvent) => {
      const start = e.timeStamp;
      requestAnimationFrame(() => setTimeout(() => w.keystrokes.push(performance.now() - start), 0));
    };
    document.addEventListener('keydown', onKey, true);
    w.stopTiming = () => document.removeEventListener('keydown', onKey, true);
  });
  for (const key of keys) {
    await page.keyboard.press(key);
    await page.waitForTimeout(60);
  }
  return page.evaluate(() => (window as unknown as { keystrokes: number[] }).keystrokes);
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
  const result: BrowserResult = { entries, firstRenderMs: [], editorRenderMs: [], shownIn: [], breakdown: [], filterKeystrokeMs: [], editKeystrokeMs: [] };
  try {
    for (let load = 0; load < loads; load++) {
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      const counters = await page.context().newCDPSession(page);
      await counters.send('Performance.enable');
      // BENCH_PROFILE_DIR: a CPU profile of the page during the third load, next to the server's (the first load
      // also pays for the server's cold code: its first answer to the page took 164 ms, later ones 2-30 ms)
      const profiler = profileDir && load === Math.min(2, loads - 1) ? await page.context().newCDPSession(page) : null;
      if (profiler) {
        await profiler.send('Profiler.enable');
        await profiler.send('Profiler.start');
        // and a trace: the profiler sees only JavaScript, the trace also style, layout, parsing and paint
        await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing', 'v8.execute', ...(process.env.BENCH_TRACE_MORE ? ['v8', 'disabled-by-default-v8.compile', 'blink', 'loading', 'toplevel'] : [])] });
      }
      // Watched from the document's first frame (the navigation is not awaited: the first view can be shown and gone
      // before the load event): on each frame, before it is laid out, is the last entry there, in the server's first
      // view of the pad or in the editor? That frame shows it when its rendering ends: a long frame's end is read from
      // the Long Animation Frames API (a frame over 50 ms: parsing a part of the page and laying it out often is); a shorter one ends within
      // 50 ms of the check, and the check's time is taken.
      await page.addInitScript((n) => {
        const w = window as unknown as { seen?: { firstView?: number; editor?: number }; frames?: { start: number; end: number; render: number; layout: number }[] };
        const seen: { firstView?: number; editor?: number } = (w.seen = {});
        const frames: { start: number; end: number; render: number; layout: number }[] = (w.frames = []);
        const observer = new PerformanceObserver((list) => {
          for (const f of list.getEntries() as (PerformanceEntry & { renderStart: number; styleAndLayoutStart: number })[]) {
            frames.push({ start: f.startTime, end: f.startTime + f.duration, render: f.renderStart, layout: f.styleAndLayoutStart });
          }
        });
        observer.observe({ type: 'long-animation-frame', buffered: true });
        (w as { stopFrames?: () => void }).stopFrames = () => observer.disconnect();
        const editorEntries = () => {
          let count = 0;
          for (const s of document.querySelector('cp-pad-page')?.shadowRoot?.querySelectorAll('cp-section') ?? []) {
            const entries = s.shadowRoot?.querySelectorAll('cp-entry');
            // every entry element is there and the last one has rendered (they render in order, in one task)
            if (entries && entries.length > 0 && entries[entries.length - 1]!.querySelector('.title')) count += entries.length;
          }
          return count;
        };
        const frame = () => {
          // (not the callback's argument: that is when the frame was begun, which can precede a long task before it)
          const now = performance.now();
          if (seen.firstView === undefined && seen.editor === undefined && document.querySelectorAll('.first-view li.entry').length >= n) seen.firstView = now;
          if (seen.editor === undefined && editorEntries() >= n) seen.editor = now;
          if (seen.editor === undefined) requestAnimationFrame(frame);
          else console.log('bench: editor rendered');
        };
        requestAnimationFrame(frame);
      }, entries);
      // (told by a console message: polling from here would run the driver's script in the page while it loads)
      const editorRendered = page.waitForEvent('console', { predicate: (m) => m.text() === 'bench: editor rendered', timeout: 30_000 });
      await page.goto(`${baseUrl}/p/${padId}`, { waitUntil: 'commit' });
      await editorRendered;
      await page.waitForTimeout(100); // the long-animation-frame entries of the last frames
      const times = await page.evaluate(() => {
        const w = window as unknown as { seen: { firstView?: number; editor: number }; frames: { start: number; end: number; render: number; layout: number }[] };
        (w as { stopFrames?: () => void }).stopFrames?.(); // (not watched during the keystrokes)
        const shown = (at: number) => w.frames.find((f) => f.start <= at && at <= f.end)?.end ?? at;
        return {
          debug: { seen: w.seen, frames: w.frames.map((f) => [f.start, f.render, f.layout, f.end].map(Math.round)), nav: performance.getEntriesByType('navigation').map((n) => { const t = n as PerformanceNavigationTiming; return { req: Math.round(t.requestStart), res: Math.round(t.responseStart), end: Math.round(t.responseEnd), dcl: Math.round(t.domContentLoadedEventStart) }; }), res: (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map((r) => [r.name.split('/').pop(), Math.round(r.startTime), Math.round(r.responseEnd)]) },
          shownIn: w.seen.firstView === undefined ? 'editor' : 'first view',
          shown: shown(w.seen.firstView ?? w.seen.editor),
          editor: shown(w.seen.editor),
        };
      });
      if (process.env.BENCH_DEBUG) console.log(JSON.stringify({ shown: Math.round(times.shown), ...times.debug }));
      result.firstRenderMs.push(times.shown);
      result.editorRenderMs.push(times.editor);
      result.shownIn.push(times.shownIn);
      const { metrics } = await counters.send('Performance.getMetrics');
      const ms = (name: string) => 1000 * (metrics.find((m) => m.name === name)?.value ?? 0);
      result.breakdown.push({ taskMs: ms('TaskDuration'), scriptMs: ms('ScriptDuration'), styleMs: ms('RecalcStyleDuration'), layoutMs: ms('LayoutDuration') });
      if (profiler) {
        const { profile } = await profiler.send('Profiler.stop');
        const stamp = Date.now();
        writeFileSync(path.join(profileDir!, `browser-render-${stamp}.cpuprofile`), JSON.stringify(profile));
        writeFileSync(path.join(profileDir!, `browser-render-${stamp}.trace.json`), await browser.stopTracing());
      }
      if (process.env.BENCH_DEBUG) {
        console.log(await page.evaluate(() => JSON.stringify({
          marks: performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)]),
          nav: (() => { const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming; return { dcl: Math.round(n.domContentLoadedEventEnd), load: Math.round(n.loadEventEnd) }; })(),
          res: (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map((r) => [r.name.split('/').pop(), Math.round(r.startTime), Math.round(r.responseEnd)]),
        })));
      }
      if (load === loads - 1) {
        await page.locator('cp-filter-bar').getByLabel('Filter', { exact: true }).focus();
        result.filterKeystrokeMs = await timeKeystrokes(page, ['n', 'o', 'v', 'a', 'Backspace', 'Backspace', 'Backspace', 'Backspace', '1', '2', 'Backspace', 'Backspace']);
        const proposed = page.locator('cp-section#proposed');
        const entry = proposed.locator('cp-entry').nth(10);
        await entry.getByRole('button', { name: /^Actions for / }).click();
        await entry.getByRole('menuitem', { name: 'Edit' }).click();
        const title = entry.getByLabel('Title', { exact: true }).last();
        await title.focus();
        await page.keyboard.press('End');
        const typed = await timeKeystrokes(page, [...' reviewed']);
        const value = await title.inputValue();
        if (!value.endsWith(' reviewed')) throw new Error(`the edit keystrokes did not reach the title field: "${value}"`);
        result.editKeystrokeMs = [...typed, ...(await timeKeystrokes(page, Array<string>(9).fill('Backspace')))];
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
    editorRenderMedianMs: percentile(r.editorRenderMs, 50),
    editorRenderMaxMs: Math.max(...r.editorRenderMs),
    shownIn: r.shownIn,
    /** Medians over the loads: main-thread time by kind until the render was complete (the rest is waiting). */
    mainThreadMs: {
      tasks: percentile(r.breakdown.map((b) => b.taskMs), 50),
      script: percentile(r.breakdown.map((b) => b.scriptMs), 50),
      style: percentile(r.breakdown.map((b) => b.styleMs), 50),
      layout: percentile(r.breakdown.map((b) => b.layoutMs), 50),
    },
    filterKeystrokeMedianMs: percentile(r.filterKeystrokeMs, 50),
    filterKeystrokeMaxMs: Math.max(...r.filterKeystrokeMs),
    editKeystrokeMedianMs: percentile(r.editKeystrokeMs, 50),
    editKeystrokeMaxMs: Math.max(...r.editKeystrokeMs),
  };
}
