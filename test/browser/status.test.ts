/**
 * Live review status in the page, against the fake Gerrit and Launchpad (test/helpers/fake-*.ts): chips show what the
 * fakes say (merged, +2, CI failing, not visible, bug and blueprint states), a change turning MERGED at the fake
 * shows without a reload; the status filters; the scrub; Add from Gerrit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { createEntry, entriesOf, metaToJSON, sectionToJSON } from '../../shared/schema.js';
import { createPad, removeDir, startTestServer } from '../helpers/server.js';
import { launchBrowser } from '../helpers/browser.js';
import { openPad, signIn } from '../helpers/browser-suite.js';
import { connectSynced } from '../helpers/clients.js';
import { FakeGerrit, fakeAccount, fakeChange } from '../helpers/fake-gerrit.js';
import { FakeLaunchpad } from '../helpers/fake-launchpad.js';

const gerrit = new FakeGerrit();
const launchpad = new FakeLaunchpad();
let server: Awaited<ReturnType<typeof startTestServer>>;
let browser: Browser;

const core = fakeAccount('core1', 'Core One');
const zuul = fakeAccount('zuul', 'Zuul');
const REVIEW = (n: number) => `https://review.opendev.org/c/openstack/nova/+/${n}`;

beforeAll(async () => {
  await Promise.all([gerrit.start(), launchpad.start()]);
  gerrit.add(
    fakeChange(940001, { subject: 'Approved <b>change</b>', owner: core, votes: { 'Code-Review': [{ account: core, value: 2 }], Verified: [{ account: zuul, value: 1 }] } }),
    fakeChange(940002, { subject: 'Already merged', status: 'MERGED' }),
    fakeChange(940003, { subject: 'Fails CI', votes: { Verified: [{ account: zuul, value: -1 }] } }),
    fakeChange(940004, { subject: 'Secret', private: true }),
    fakeChange(940005, { subject: 'About to merge', votes: { 'Code-Review': [{ account: core, value: 2 }] } }),
    fakeChange(950001, { project: 'openstack/glance', subject: 'Import: fix a bug', votes: { 'Review-Priority': [{ account: core, value: 1 }] }, message: 'Import: fix a bug\n\nCloses-Bug: #2090001\n' }),
    fakeChange(950002, { project: 'openstack/glance', subject: 'Import: lone change', votes: { 'Review-Priority': [{ account: core, value: 2 }] } }),
    fakeChange(950003, { project: 'openstack/glance', subject: 'Import: already there', votes: { 'Review-Priority': [{ account: core, value: 1 }] } }),
    fakeChange(940008, { subject: 'Given up', status: 'ABANDONED' }),
    fakeChange(940006, { subject: 'Nobody looked', updated: new Date(Date.now() - 86_400_000).toISOString().replace('T', ' ').replace('Z', '000000') }),
    fakeChange(940007, { subject: 'Disliked', votes: { 'Code-Review': [{ account: core, value: -1 }] }, updated: new Date().toISOString().replace('T', ' ').replace('Z', '000000') }),
  );
  launchpad.addBug({ id: 2090001, title: 'A bug', tasks: [{ target: 'nova', status: 'In Progress', importance: 'High' }] });
  launchpad.addSpec({ project: 'nova', name: 'bp-one', title: 'A blueprint', definition: 'Approved', implementation: 'Started', milestone: '2025.1' });
  server = await startTestServer(undefined, {
    status: { pollSeconds: 1, gerritUrl: gerrit.url, launchpadUrl: launchpad.base, tickMs: 100, retries: 1, backoffMs: 50, timeoutMs: 1000 },
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (server) removeDir(server.dataDir);
  await Promise.all([gerrit.stop(), launchpad.stop()]);
});

async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`));
}

async function padWith(name: string, section: 'proposed' | 'ready', entries: Array<Record<string, unknown>>) {
  const pad = await createPad(server.url, name);
  const writer = await connectSynced(server.url, pad.padId, section, section === 'ready' ? { params: { key: pad.curatorKey } } : {});
  writer.doc.transact(() => entriesOf(writer.doc).push(entries.map((e) => createEntry({ addedBy: 'test', title: 'x', ...e }))));
  return { ...pad, writer };
}

describe('status chips', () => {
  it('show merged, +2, CI failing, not visible and Launchpad states as the fakes say, and a merge live', async () => {
    const { padId, writer } = await padWith('status-chips', 'proposed', [
      { title: 'Reviews', reviews: [REVIEW(940001), REVIEW(940002), REVIEW(940003), REVIEW(940004), REVIEW(940005)] },
      { title: 'A bug entry', launchpad: 'https://bugs.launchpad.net/nova/+bug/2090001' },
      { title: 'A blueprint entry', launchpad: 'https://blueprints.launchpad.net/nova/+spec/bp-one' },
    ]);
    const page = await openPad(browser, server.url, padId);
    const section = page.locator('cp-section#proposed');
    const badge = (n: number) => section.locator(`a.chip:text-is("${n}") + .cs`);
    await expect.poll(() => badge(940002).textContent(), { timeout: 10_000 }).toBe('merged');
    expect(await badge(940001).textContent()).toBe('open, +2 \u00d71, CI ok');
    expect(await badge(940003).textContent()).toBe('open, CI failing');
    expect(await badge(940004).textContent()).toBe('not visible');
    expect(await section.locator('cp-entry:has-text("A bug entry") .cs').textContent()).toBe('In Progress, High');
    expect(await section.locator('cp-entry:has-text("A blueprint entry") .cs').textContent()).toBe('Approved / Started, 2025.1');
    // details on hover/focus, as text: the subject's markup is not markup
    const title = await section.locator('a.chip:text-is("940001")').getAttribute('title');
    expect(title).toContain('Approved <b>change</b>');
    expect(title).toContain('Owner: Core One');
    expect(title).toContain('Patch set 3');
    expect(await section.locator('b').count()).toBe(0);
    // and on keyboard focus: the details show beside the chip
    await section.locator('a.chip:text-is("940001")').focus();
    expect(await section.locator('a.chip:text-is("940001") + .cs').evaluate((el) => getComputedStyle(el, '::after').content)).toContain('Owner: Core One');
    // the txt/md exports carry a short status per review (the cached status), and the text still imports as it was
    const txt = await (await fetch(`${server.url}/api/pads/${padId}/export.txt`)).text();
    expect(txt).toContain(`${REVIEW(940002)}\n\t\t* \u00bb live: merged\n`);
    expect(txt).toContain(`${REVIEW(940001)}\n\t\t* \u00bb live: +2 \u00d71, CI ok\n`);
    expect(txt).toContain(`${REVIEW(940004)}\n\t\t* \u00bb live: not visible\n`);
    const md = await (await fetch(`${server.url}/api/pads/${padId}/export.md`)).text();
    expect(md).toContain(' — merged');
    expect(md).toContain('In Progress, High');
    // every status colour passes axe (contrast included)
    expect(await violations(page)).toEqual([]);

    gerrit.add({ ...gerrit.changes.get(940005)!, status: 'MERGED', updated: '2025-01-20 10:00:00.000000000' });
    await expect.poll(() => badge(940005).textContent(), { timeout: 15_000 }).toBe('merged');
    writer.provider.destroy();
    await page.context().close();
  });
});

describe('status filters', () => {
  it('needs a first review, a second +2, has a −1/−2, failing CI, merged, stale', async () => {
    const { padId, writer } = await padWith('status-filters', 'proposed', [
      { title: 'Approved once', reviews: [REVIEW(940001)] },
      { title: 'Failing', reviews: [REVIEW(940003)] },
      { title: 'Done', reviews: [REVIEW(940002)] },
      { title: 'Fresh', reviews: [REVIEW(940006)] },
      { title: 'Negative', reviews: [REVIEW(940007)] },
    ]);
    const page = await openPad(browser, server.url, padId);
    const section = page.locator('cp-section#proposed');
    await section.locator('a.chip:text-is("940007") + .cs').waitFor({ timeout: 10_000 });
    const shown = async () =>
      (await section.locator('cp-entry:visible .title').allTextContents()).map((t) => t.trim());
    const need = page.locator('cp-filter-bar').getByLabel('Needs');
    await need.selectOption({ label: 'needs a first review' });
    await expect.poll(shown).toEqual(['Failing', 'Fresh']);
    await need.selectOption({ label: 'needs a second +2' });
    await expect.poll(shown).toEqual(['Approved once']);
    await need.selectOption({ label: 'has a \u22121/\u22122' });
    await expect.poll(shown).toEqual(['Negative']);
    await need.selectOption({ label: 'failing CI' });
    await expect.poll(shown).toEqual(['Failing']);
    await need.selectOption({ label: 'merged' });
    await expect.poll(shown).toEqual(['Done']);
    await need.selectOption({ label: 'stale' });
    await expect.poll(shown).toEqual(['Approved once', 'Failing']);
    await page.locator('cp-filter-bar').getByLabel('No update in').fill('0');
    await expect.poll(shown).toEqual(['Approved once', 'Failing', 'Fresh', 'Negative']);
    await page.locator('cp-filter-bar').getByRole('button', { name: 'Clear' }).click();
    await expect.poll(async () => (await shown()).length).toBe(5);
    writer.provider.destroy();
    await page.context().close();
  });
});

describe('the scrub', () => {
  it('marks ready entries whose changes are all done, and one action accepts the suggestions and stamps scrubbed on', async () => {
    const { padId, curatorKey, writer } = await padWith('status-scrub', 'ready', [
      { title: 'All merged', reviews: [REVIEW(940002)] },
      { title: 'Still open', reviews: [REVIEW(940001), REVIEW(940002)] },
      { title: 'All abandoned', reviews: [REVIEW(940008)] },
    ]);
    const page = await openPad(browser, server.url, padId);
    const ready = page.locator('cp-section#ready');
    await expect.poll(() => ready.locator('cp-entry:has-text("All merged") .badge.done').textContent(), { timeout: 10_000 }).toBe('all changes merged');
    await ready.locator('cp-entry:has-text("All abandoned") .badge.done').waitFor();
    expect(await ready.locator('cp-entry:has-text("Still open") .badge.done').count()).toBe(0);

    await signIn(page, curatorKey);
    // Escape closes it, as every form of the page
    // opened by keyboard, focus is on the dialog's heading: the same Enter pressed again does not stamp the list
    await page.getByRole('button', { name: 'Scrub (2)…' }).focus();
    await page.keyboard.press('Enter');
    const heading = page.getByRole('form', { name: 'Scrub the ready list' }).getByRole('heading', { name: 'Scrub the ready list' });
    await expect.poll(() => heading.evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el)).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForTimeout(200);
    expect(metaToJSON(writer.doc).scrubbedAt).toBeNull();
    expect(await page.getByRole('form', { name: 'Scrub the ready list' }).count()).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('form', { name: 'Scrub the ready list' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Scrub (2)…' }).click();
    const form = page.getByRole('form', { name: 'Scrub the ready list' });
    await form.getByLabel('all changes abandoned').selectOption('remove');
    expect(await violations(page)).toEqual([]);
    await form.getByRole('button', { name: 'Accept and stamp scrubbed' }).click();
    await page.getByText('Scrubbed: 1 marked, 1 removed.').waitFor();

    await expect.poll(() => sectionToJSON(writer.doc).map((e) => `${e.title}:${e.status}`)).toEqual(['All merged:merged', 'Still open:open']);
    expect(metaToJSON(writer.doc).scrubbedAt).toBeGreaterThan(Date.now() - 60_000);
    await page.locator('cp-cycle-header').getByText(/Ready list scrubbed on \d{4}-\d\d-\d\d/).waitFor();
    await expect.poll(() => ready.locator('.badge.done').count()).toBe(0);
    // the next scrub offers to clear what is marked done off the list
    const scrubWidth = await page.getByRole('button', { name: 'Scrub (1)…' }).evaluate((el) => el.getBoundingClientRect().width);
    await page.getByRole('button', { name: 'Scrub (1)…' }).click();
    await form.getByLabel('marked merged').waitFor();
    expect(await form.getByLabel('marked merged').inputValue()).toBe('remove');
    await form.getByRole('button', { name: 'Accept and stamp scrubbed' }).click();
    await page.getByText('Scrubbed: 0 marked, 1 removed.').waitFor();
    await expect.poll(() => sectionToJSON(writer.doc).map((e) => e.title)).toEqual(['Still open']);
    // nothing left to suggest: "Scrub…" is as wide as "Scrub (1)…" was, so the toolbar did not move
    await page.getByRole('button', { name: 'Scrub…', exact: true }).waitFor();
    const width = (name: string) => page.getByRole('button', { name, exact: true }).evaluate((el) => el.getBoundingClientRect().width);
    expect(await width('Scrub…')).toBeCloseTo(scrubWidth, 0);
    writer.provider.destroy();
    await page.context().close();
  });
});

describe('live status missing', () => {
  it('Gerrit and Launchpad not answering: the page says so after a while, and the scrub says why it suggests nothing', async () => {
    // a server whose Gerrit and Launchpad refuse every connection (port 9: nothing listens)
    const lost = await startTestServer(undefined, {
      status: { pollSeconds: 1, gerritUrl: 'http://127.0.0.1:9', launchpadUrl: 'http://127.0.0.1:9', tickMs: 100, retries: 0, backoffMs: 50, timeoutMs: 500 },
    });
    try {
      const pad = await createPad(lost.url, 'status-missing');
      const writer = await connectSynced(lost.url, pad.padId, 'ready', { params: { key: pad.curatorKey } });
      entriesOf(writer.doc).push([createEntry({ addedBy: 'test', title: 'Marked by hand', reviews: [REVIEW(940002)], status: 'merged' })]);
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.clock.install();
      await page.goto(`${lost.url}/p/${pad.padId}`);
      await page.locator('cp-connection-status [data-state="live"]').waitFor();
      const note = page.locator('cp-pad-page .status-missing');
      expect(await note.count()).toBe(0);
      await page.clock.fastForward(21_000);
      await expect.poll(() => note.textContent()).toContain('Live review status is not available');
      await signIn(page, pad.curatorKey);
      await page.getByRole('button', { name: 'Scrub (1)…' }).click();
      const form = page.getByRole('form', { name: 'Scrub the ready list' });
      await expect.poll(() => form.locator('.unknown').textContent()).toContain('Gerrit and Launchpad have not answered the server');
      await form.getByLabel('marked merged').waitFor();
      writer.provider.destroy();
      await context.close();
    } finally {
      await lost.close();
      removeDir(lost.dataDir);
    }
  });

  it('with fetching off, nothing is said to be missing, and the scrub says the server does not fetch it', async () => {
    const off = await startTestServer();
    try {
      const pad = await createPad(off.url, 'status-off');
      const writer = await connectSynced(off.url, pad.padId, 'proposed');
      entriesOf(writer.doc).push([createEntry({ addedBy: 'test', title: 'Linked', reviews: [REVIEW(940002)] })]);
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.clock.install();
      await page.goto(`${off.url}/p/${pad.padId}`);
      await page.locator('cp-connection-status [data-state="live"]').waitFor();
      await page.clock.fastForward(21_000);
      await page.waitForTimeout(200);
      expect(await page.locator('cp-pad-page .status-missing').count()).toBe(0);
      await signIn(page, pad.curatorKey);
      await page.getByRole('button', { name: 'Scrub…' }).click();
      await expect.poll(() => page.getByRole('form', { name: 'Scrub the ready list' }).locator('.unknown').textContent()).toContain('This server does not fetch live review status');
      writer.provider.destroy();
      await context.close();
    } finally {
      await off.close();
      removeDir(off.dataDir);
    }
  });
});

describe('Add from Gerrit', () => {
  it('creates one proposed entry per change from a query, skips what the pad has, and says so', async () => {
    const { padId, writer } = await padWith('status-add', 'proposed', [{ title: 'Have it', reviews: ['https://review.opendev.org/950003'] }]);
    const page = await openPad(browser, server.url, padId);
    await page.getByRole('button', { name: 'Add from Gerrit…' }).click();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('form', { name: 'Add from Gerrit' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Add from Gerrit…' }).click();
    const form = page.getByRole('form', { name: 'Add from Gerrit' });
    await form.getByLabel(/Gerrit query/).fill('project:openstack/glance status:open label:Review-Priority>=1');
    expect(await violations(page)).toEqual([]);
    await form.getByRole('button', { name: 'Add' }).click();
    await page.getByText('The query matched 3 changes: added 2 proposed entries.').waitFor();
    // what was skipped is folded under a summary (the report sits in the toolbar), and the report can be dismissed
    await page.locator('cp-gerrit-import-dialog summary', { hasText: 'Skipped 1 change already on the pad' }).waitFor();
    await page.locator('cp-gerrit-import-dialog').getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => page.locator('cp-gerrit-import-dialog [role="status"]').textContent()).toBe('');
    const proposed = page.locator('cp-section#proposed');
    await proposed.locator('a.chip:text-is("950002")').waitFor();
    await proposed.locator('a.chip:text-is("950001")').waitFor();
    // the new chips carry their status at once (the import cached what the query brought)
    await expect.poll(() => proposed.locator('a.chip:text-is("950002") + .cs').textContent(), { timeout: 10_000 }).toBe('open, no reviews');
    await expect.poll(() => sectionToJSON(writer.doc).length).toBe(3);
    writer.provider.destroy();
    await page.context().close();
  });
});

describe('the mirror', () => {
  it('shows the same status, live and as the server renders it without JavaScript', async () => {
    const { padId, readOnlyUrl, writer } = await padWith('status-mirror', 'proposed', [
      { title: 'Mirrored', launchpad: 'https://bugs.launchpad.net/nova/+bug/2090001', reviews: [REVIEW(940001), REVIEW(940002), REVIEW(940004)] },
    ]);
    await expect
      .poll(async () => {
        const s = (await (await fetch(`${server.url}/api/pads/${padId}/status.json`)).json()) as { changes: Record<string, unknown>; bugs: Record<string, unknown> };
        return Object.keys(s.changes).length + Object.keys(s.bugs).length;
      }, { timeout: 10_000 })
      .toBe(4);
    const served = await (await fetch(readOnlyUrl)).text();
    expect(served).toContain('<span class="cs cs-merged" title="Already merged');
    expect(served).toContain('>open, +2 \u00d71, CI ok</span>');
    expect(served).toContain('>not visible</span>');
    expect(served).toContain('>In Progress, High</span>');
    expect(served).toContain('title="Approved &lt;b&gt;change&lt;/b&gt;');

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(readOnlyUrl);
    await page.locator('.live-state').waitFor();
    await expect.poll(() => page.locator('#mirror .entry .cs').allTextContents(), { timeout: 10_000 }).toEqual(['In Progress, High', 'open, +2 \u00d71, CI ok', 'merged', 'not visible']);
    expect(await violations(page)).toEqual([]);
    writer.provider.destroy();
    await context.close();
  });
});
