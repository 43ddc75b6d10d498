/**
 * Nothing a person does by accident changes the pad: selecting and copying text, importing twice, promoting an
 * entry already promoted, deleting (undo), leaving the page while typing.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { createEntry, entriesOf, MAX_ENTRIES_PER_SECTION, metaOf, metaToJSON, sectionToJSON } from '../../shared/schema.js';
import { createPad } from '../helpers/server.js';
import { addForm, browserSuite, entryAction, openHeaderEditor, openPad as openPadIn, signIn } from '../helpers/browser-suite.js';
import { connectSynced } from '../helpers/clients.js';
import { sleep, waitFor } from '../helpers/wait.js';

const suite = browserSuite();
const openPad = (padId: string, opts: { width?: number; name?: string } = {}) => openPadIn(suite.browser, suite.server.url, padId, opts);
const titles = (page: Page, section: 'proposed' | 'ready') => page.locator(`cp-section#${section} cp-entry .title`).allTextContents();
const logLength = (padId: string, section: 'proposed' | 'ready') => suite.server.store.readLog({ padId, section }).length;
const SAMPLE = readFileSync(path.join(import.meta.dirname, '../fixtures/etherpad-tracking-sample.txt'), 'utf8');

/** Page errors (uncaught exceptions) and console errors, collected from the start. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  return errors;
}

async function seedReady(name: string, titlesToAdd: string[]) {
  const pad = await createPad(suite.server.url, name);
  const curator = await connectSynced(suite.server.url, pad.padId, 'ready', { params: { key: pad.curatorKey } });
  entriesOf(curator.doc).push(
    titlesToAdd.map((t, i) =>
      createEntry({ id: `r${i}`, kind: 'bug', title: t, owner: 'carol', note: `note of ${t}: needs a second +2 from a core`, addedBy: 'ptl', rank: `a${i}` }),
    ),
  );
  await waitFor(() => logLength(pad.padId, 'ready') === 1);
  curator.provider.destroy();
  return pad;
}

describe('nothing a person does by accident changes the pad', () => {
  it('selecting and copying text in ready entries moves nothing; only the handle drags', async () => {
    const { padId, curatorKey } = await seedReady('acc-select', ['first', 'second', 'third']);
    for (let attempt = 0; attempt < 3; attempt++) {
      // a fresh load each time (the accident happened right after loading)
      const page = await openPad(padId);
      await signIn(page, curatorKey);
      await expect.poll(() => titles(page, 'ready')).toEqual(['first', 'second', 'third']);
      const before = logLength(padId, 'ready');
      const from = (await page.locator('cp-section#ready cp-entry[data-id="r0"] .note').boundingBox())!;
      const to = (await page.locator('cp-section#ready cp-entry[data-id="r2"] .note').boundingBox())!;
      // select from the first entry's note into the third's, with the mouse, and copy
      await page.mouse.move(from.x + 4, from.y + from.height / 2);
      await page.mouse.down();
      await page.mouse.move(from.x + 60, from.y + from.height / 2, { steps: 5 });
      await page.mouse.move(to.x + 40, to.y + to.height / 2, { steps: 10 });
      await page.mouse.up();
      await page.keyboard.press('Control+C');
      // what is copied is the entries' text, without the menus' "⋯" or the handles' "⠿"
      const selected = await page.evaluate(() => document.getSelection()?.toString() ?? '');
      expect(selected).toContain('second');
      expect(selected).not.toMatch(/[⋯⠿]/);
      // and a selection inside one note, dragged a little further down
      const second = (await page.locator('cp-section#ready cp-entry[data-id="r1"] .note').boundingBox())!;
      await page.mouse.dblclick(second.x + 10, second.y + second.height / 2);
      await page.mouse.move(second.x + 12, second.y + second.height / 2);
      await page.mouse.down();
      await page.mouse.move(to.x + 30, to.y + to.height / 2, { steps: 10 });
      await page.mouse.up();
      await sleep(300);
      expect(await titles(page, 'ready')).toEqual(['first', 'second', 'third']);
      expect(logLength(padId, 'ready')).toBe(before);
      // no entry is draggable; the handle is a labelled control
      expect(await page.locator('cp-section#ready [draggable="true"]:not(.handle)').count()).toBe(0);
      await page.getByRole('button', { name: /^Reorder third/ }).waitFor();
      await page.context().close();
    }
  });

  it('importing the same export twice skips what the pad has (any link form), says so, closes and returns focus', async () => {
    const { padId, curatorKey } = await createPad(suite.server.url, 'acc-import');
    const page = await openPad(padId);
    const errors = collectErrors(page);
    await signIn(page, curatorKey);
    const dialog = page.locator('cp-import-dialog');
    for (const round of [1, 2]) {
      await page.getByRole('button', { name: 'Import from Etherpad…' }).click();
      await page.getByLabel('Etherpad text export').fill(SAMPLE);
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      const status = dialog.locator('[role="status"]');
      if (round === 1) await expect.poll(() => status.textContent()).toContain('Imported 4 proposed and 2 ready entries');
      else {
        await expect.poll(() => status.textContent()).toContain('Imported 0 proposed and 0 ready entries');
        expect(await status.textContent()).toContain('Skipped 6 already on the pad');
        expect(await status.textContent()).toContain('Evacuate fails when source host is down (in Proposed patches)');
        // the report takes a line of its own under the toolbar, whose buttons stay in their row
        const top = async (name: string) => (await page.getByRole('button', { name, exact: true }).boundingBox())!.y;
        expect(await top('Import from Etherpad…')).toBe(await top('History'));
        expect((await status.boundingBox())!.y).toBeGreaterThan(await top('History'));
      }
      // the dialog closed, and focus is back on the button that opened it
      await expect.poll(() => dialog.locator('form').count()).toBe(0);
      await expect
        .poll(() => page.evaluate(() => document.querySelector('cp-pad-page')?.shadowRoot?.activeElement?.shadowRoot?.activeElement?.textContent))
        .toBe('Import from Etherpad…');
    }
    // the same items in other link forms are skipped too; a new one is added
    await page.getByRole('button', { name: 'Import from Etherpad…' }).click();
    await page.getByLabel('Etherpad text export').fill(
      [
        '== Proposed patches ==',
        '* https://launchpad.net/bugs/2081234 [the same bug, another form] (carol)',
        '* https://bugs.launchpad.net/nova/+bug/2099999 [a new bug] (gina)',
        '\t* https://review.opendev.org/c/openstack/nova/+/939999/7',
        '* https://bugs.launchpad.net/nova/+bug/2099998 [a change already on the pad] (hal)',
        '\t* https://review.opendev.org/c/openstack/nova/+/931233/7',
      ].join('\n'),
    );
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await expect.poll(() => dialog.locator('[role="status"]').textContent()).toContain('Imported 1 proposed and 0 ready entries');
    expect(await dialog.locator('[role="status"] li').count()).toBe(2);
    await expect.poll(() => titles(page, 'proposed').then((t) => t.length)).toBe(5);
    expect(await titles(page, 'ready')).toHaveLength(2);
    expect(errors).toEqual([]);
  });

  it("a contributor's import of a pad with a ready list is refused, and offers to import only its proposed patches", async () => {
    const { padId } = await createPad(suite.server.url, 'acc-import-contributor');
    const page = await openPad(padId);
    const errors = collectErrors(page);
    const dialog = page.locator('cp-import-dialog');
    await page.getByRole('button', { name: 'Import from Etherpad…' }).click();
    await page.getByLabel('Etherpad text export').fill(SAMPLE);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await expect.poll(() => dialog.locator('[role="alert"]').textContent()).toContain('only curators change');
    expect(await dialog.locator('[role="alert"]').textContent()).toMatch(/^This import would add 2 entries/); // a sentence
    expect(await titles(page, 'proposed')).toEqual([]);
    // focus goes to the way on (on a phone the refusal was below the screen, and Import seemed to do nothing)
    await expect
      .poll(() => page.evaluate(() => document.querySelector('cp-pad-page')?.shadowRoot?.activeElement?.shadowRoot?.activeElement?.textContent))
      .toBe('Import only its proposed patches');
    await dialog.getByRole('button', { name: 'Import only its proposed patches' }).click();
    await expect.poll(() => dialog.locator('[role="status"]').textContent()).toContain('Imported 4 proposed and 0 ready entries.');
    await expect.poll(() => titles(page, 'proposed').then((t) => t.length)).toBe(4);
    expect(await titles(page, 'ready')).toEqual([]);
    // the header went with the ready list: no "Imported header" note among the proposed entries
    expect(await titles(page, 'proposed')).not.toContain('Imported header');
    // (the browser logs the refused request itself; nothing else went wrong)
    expect(errors.filter((e) => !e.includes('status of 403'))).toEqual([]);
  });

  it('an import can be taken from the downloaded file; a file that is not UTF-8 is refused with a reason', async () => {
    const { padId, curatorKey } = await createPad(suite.server.url, 'acc-import-file');
    const page = await openPad(padId);
    await signIn(page, curatorKey);
    await page.getByRole('button', { name: 'Import from Etherpad…' }).click();
    const file = page.getByLabel('Or take it from the downloaded file');
    await file.setInputFiles({ name: 'nova.txt', mimeType: 'text/plain', buffer: Buffer.from('* https://launchpad.net/bugs/1 [Caf\xe9] (x)\n', 'latin1') });
    await expect.poll(() => page.locator('cp-import-dialog [role="alert"]').textContent()).toContain('“nova.txt” is not UTF-8 text');
    expect(await page.getByLabel('Etherpad text export').inputValue()).toBe('');
    // a good file, then a bad one: the box does not keep the good one's text (Import would have imported it)
    await file.setInputFiles({ name: 'good.txt', mimeType: 'text/plain', buffer: Buffer.from(SAMPLE, 'utf8') });
    await expect.poll(() => page.getByLabel('Etherpad text export').inputValue()).toBe(SAMPLE);
    await file.setInputFiles({ name: 'empty.txt', mimeType: 'text/plain', buffer: Buffer.alloc(0) });
    await expect.poll(() => page.locator('cp-import-dialog [role="alert"]').textContent()).toContain('“empty.txt” is empty.');
    expect(await page.getByLabel('Etherpad text export').inputValue()).toBe('');
    await file.setInputFiles({ name: 'huge.txt', mimeType: 'text/plain', buffer: Buffer.alloc(3 * 1024 * 1024, 'a') });
    await expect.poll(() => page.locator('cp-import-dialog [role="alert"]').textContent()).toContain('larger than the 2 MiB');
    await file.setInputFiles({ name: 'nova.txt', mimeType: 'text/plain', buffer: Buffer.from(SAMPLE, 'utf8') });
    await expect.poll(() => page.getByLabel('Etherpad text export').inputValue()).toBe(SAMPLE);
    expect(await page.locator('cp-import-dialog [role="alert"]').count()).toBe(0);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await expect.poll(() => page.locator('cp-import-dialog [role="status"]').textContent()).toContain('Imported 4 proposed and 2 ready entries');
  });

  it("an import keeps the pad's own cycle header, says so, and replaces it only when the curator asks", async () => {
    const { padId, curatorKey } = await createPad(suite.server.url, 'acc-import-header');
    const ptl = await connectSynced(suite.server.url, padId, 'ready', { params: { key: curatorKey } });
    metaOf(ptl.doc).set('title', 'Nova 2026.1 Gazpacho');
    const page = await openPad(padId);
    const errors = collectErrors(page);
    await signIn(page, curatorKey);
    const dialog = page.locator('cp-import-dialog');
    await page.getByRole('button', { name: 'Import from Etherpad…' }).click();
    await page.getByLabel('Etherpad text export').fill(SAMPLE);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const status = dialog.locator('[role="status"]');
    await expect.poll(() => status.textContent()).toContain("The pad's own cycle header was kept (the import's is “Nova 2025.1 Epoxy");
    expect(metaToJSON(ptl.doc).title).toBe('Nova 2026.1 Gazpacho');
    // an entry of the import is deleted before the header is taken: it does not come back with the header
    const proposed = await connectSynced(suite.server.url, padId, 'proposed');
    entriesOf(proposed.doc).delete(0, 1);
    await expect.poll(() => titles(page, 'proposed').then((t) => t.length)).toBe(3);
    await dialog.getByRole('button', { name: "Use the import's header instead" }).click();
    await expect.poll(() => status.textContent()).toContain("Replaced the pad's cycle header with the import's.");
    await waitFor(() => metaToJSON(ptl.doc).title.startsWith('Nova 2025.1 Epoxy'), 5000, 'the header replaced');
    expect(metaToJSON(ptl.doc).milestones).toHaveLength(2);
    await page.waitForTimeout(300);
    expect(await titles(page, 'proposed')).toHaveLength(3);
    proposed.provider.destroy();
    expect(errors).toEqual([]);
    ptl.provider.destroy();
  });

  it('"Promote & remove" on an entry already promoted only removes the proposed copy', async () => {
    const { padId, curatorKey } = await createPad(suite.server.url, 'acc-promote');
    const seed = await connectSynced(suite.server.url, padId, 'proposed');
    entriesOf(seed.doc).push([createEntry({ id: 'p1', kind: 'bug', title: 'Lost allocation', owner: 'dave', addedBy: 'dave' })]);
    await waitFor(() => logLength(padId, 'proposed') === 1);
    const page = await openPad(padId);
    await signIn(page, curatorKey);
    const proposedEntry = page.locator('cp-section#proposed cp-entry[data-id="p1"]');
    await entryAction(proposedEntry, 'Promote to ready');
    await expect.poll(() => titles(page, 'ready')).toEqual(['Lost allocation']);
    await entryAction(proposedEntry, 'Promote & remove from proposed');
    await expect.poll(() => titles(page, 'proposed')).toEqual([]);
    await sleep(300);
    expect(await titles(page, 'ready')).toEqual(['Lost allocation']);
    const ready = await connectSynced(suite.server.url, padId, 'ready', { params: { key: curatorKey } });
    expect(sectionToJSON(ready.doc).map((e) => e.title)).toEqual(['Lost allocation']);
    ready.provider.destroy();
    seed.provider.destroy();
  });

  it('promoting an entry over the limits (given 300 reviews before they existed) changes nothing and says why, instead of losing it from both lists', async () => {
    const { padId, curatorKey } = await createPad(suite.server.url, 'acc-promote-limits');
    const old = new Y.Doc();
    const reviews = Array.from({ length: 300 }, (_, i) => `https://review.opendev.org/c/openstack/nova/+/${700_000 + i}`);
    entriesOf(old).push([createEntry({ id: 'big', kind: 'feature', title: 'Huge series', reviews, addedBy: 'dave' })]);
    suite.server.store.appendUpdates({ padId, section: 'proposed' }, [{ data: Y.encodeStateAsUpdate(old), role: 'contributor', session: 'contributor:old', at: Date.now() }]);
    const page = await openPad(padId);
    await signIn(page, curatorKey);
    const entry = page.locator('cp-section#proposed cp-entry[data-id="big"]');
    await entryAction(entry, 'Promote & remove from proposed');
    await page.getByText('“Huge series” was not promoted: it lists 300 reviews, and an entry may list at most 200: remove some first.').waitFor();
    await sleep(300);
    expect(await titles(page, 'proposed')).toEqual(['Huge series']);
    expect(await titles(page, 'ready')).toEqual([]);
    expect(logLength(padId, 'ready')).toBe(0);
    const proposed = await connectSynced(suite.server.url, padId, 'proposed');
    expect(sectionToJSON(proposed.doc).map((e) => e.id)).toEqual(['big']);
    proposed.provider.destroy();
  });

  it('adding past a full section adds nothing (a paste of several: none of them), says why in the form, and keeps what was typed', async () => {
    const { padId } = await createPad(suite.server.url, 'acc-full');
    const nearly = new Y.Doc();
    entriesOf(nearly).push(Array.from({ length: MAX_ENTRIES_PER_SECTION - 1 }, (_, i) => createEntry({ title: `e${i}`, addedBy: 'seed' })));
    suite.server.store.appendUpdates({ padId, section: 'proposed' }, [{ data: Y.encodeStateAsUpdate(nearly), role: 'contributor', session: 'contributor:seed', at: Date.now() }]);
    const page = await openPad(padId);
    await page.locator('cp-section#proposed cp-entry').nth(MAX_ENTRIES_PER_SECTION - 2).locator('.title').waitFor({ timeout: 20_000 });
    const form = await addForm(page, 'proposed');
    // two entries pasted, room for one: none is added, as an import would add none
    await form.locator('textarea[name="paste"]').fill('* https://bugs.launchpad.net/nova/+bug/2000001 First (a)\n* https://bugs.launchpad.net/nova/+bug/2000002 Second (b)');
    await form.getByRole('button', { name: 'Add 2 entries' }).click();
    await form.getByText('Nothing added: Proposed patches holds at most 2,000 entries, and has room for 1 more: remove some first.').waitFor();
    await form.locator('textarea[name="paste"]').fill('');
    await form.getByLabel('Title', { exact: true }).fill('The last one');
    await form.getByRole('button', { name: 'Add entry' }).click();
    await expect.poll(() => form.locator('.added, .not-added').allTextContents()).toContainEqual(expect.stringMatching(/^Added “The last one” under /));
    await form.getByLabel('Title', { exact: true }).fill('One too many');
    await form.getByRole('button', { name: 'Add entry' }).click();
    await form.getByText('Nothing added: Proposed patches holds at most 2,000 entries, and has room for 0 more: remove some first.').waitFor();
    expect(await form.getByLabel('Title', { exact: true }).inputValue()).toBe('One too many');
    await waitFor(() => logLength(padId, 'proposed') === 2, 5000, 'the one added stored');
    await sleep(300);
    expect(logLength(padId, 'proposed')).toBe(2);
  });

  it('a paste listing more reviews than an entry may says how many it left out', async () => {
    const { padId } = await createPad(suite.server.url, 'acc-paste-250');
    const page = await openPad(padId);
    const form = await addForm(page, 'proposed');
    const lines = ['* https://bugs.launchpad.net/nova/+bug/2081234 Huge topic bug (carol)', ...Array.from({ length: 250 }, (_, i) => `  * https://review.opendev.org/c/openstack/nova/+/${500_000 + i}`)];
    await form.locator('textarea[name="paste"]').fill(lines.join('\n'));
    await form.getByText('50 review links of the paste were left out: an entry lists at most 200 reviews.').waitFor();
    expect((await form.getByLabel(/^Gerrit reviews/).inputValue()).split(' ')).toHaveLength(200);
    await page.context().close();
  });

  it('when the server refuses an offline batch, the page lists what it held that the server does not, ready to copy', async () => {
    const { padId } = await createPad(suite.server.url, 'acc-refused-batch');
    const alice = await connectSynced(suite.server.url, padId, 'proposed');
    const reviews = Array.from({ length: 199 }, (_, i) => `https://review.opendev.org/c/openstack/nova/+/${600_000 + i}`);
    entriesOf(alice.doc).push([
      createEntry({ id: 'series', kind: 'feature', title: 'Long series', reviews, addedBy: 'alice' }),
      createEntry({ id: 'other', kind: 'bug', title: 'Other bug', addedBy: 'alice' }),
    ]);
    await waitFor(() => logLength(padId, 'proposed') > 0);
    const page = await openPad(padId);
    const context = page.context();
    const other = page.locator('cp-section#proposed cp-entry[data-id="other"]');
    const series = page.locator('cp-section#proposed cp-entry[data-id="series"]');
    await other.locator('.title').waitFor();
    await context.setOffline(true);
    await page.locator('cp-connection-status [data-state="offline"]').waitFor({ timeout: 3_000 });
    // offline: a note on one entry, the 200th review on another…
    await entryAction(other, 'Edit');
    await other.getByLabel('Status note', { exact: true }).last().fill('rebased on master, needs +2');
    await other.getByRole('button', { name: 'Done' }).click();
    await entryAction(series, 'Edit');
    await series.getByLabel('Add a Gerrit review link or topic').fill('https://review.opendev.org/c/openstack/nova/+/611111');
    await series.getByRole('button', { name: 'Add review' }).click();
    await series.getByRole('button', { name: 'Done' }).click();
    // …while Alice, online, took the last review place
    (entriesOf(alice.doc).get(0).get('reviews') as Y.Array<string>).push(['https://review.opendev.org/c/openstack/nova/+/622222']);
    await waitFor(() => logLength(padId, 'proposed') > 1);
    await context.setOffline(false);
    const refusal = page.locator('cp-section#proposed .refusal');
    await refusal.getByText('an entry may list at most 200 reviews', { exact: false }).waitFor({ timeout: 10_000 });
    // the note never reached the server, and the page says so, with its text
    await refusal.getByText('Other bug').waitFor();
    await expect.poll(async () => (await refusal.locator('textarea').evaluateAll((els) => els.map((e) => (e as HTMLTextAreaElement).value))).includes('rebased on master, needs +2')).toBe(true);
    expect(sectionToJSON(alice.doc).find((e) => e.id === 'other')!.note).toBe('');
    await refusal.getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => refusal.count()).toBe(0);
    alice.provider.destroy();
  });

  it("a contributor's forged promotedTo neither shows 'promoted to ready' nor makes 'Promote & remove' drop the entry", async () => {
    const { padId, curatorKey } = await createPad(suite.server.url, 'acc-promote-forged');
    const ready = await connectSynced(suite.server.url, padId, 'ready', { params: { key: curatorKey } });
    entriesOf(ready.doc).push([createEntry({ id: 'r-other', kind: 'bug', title: 'Unrelated ready entry', addedBy: 'ptl', rank: 'a0' })]);
    // a contributor claims their entry is that ready entry's source
    const contributor = await connectSynced(suite.server.url, padId, 'proposed');
    entriesOf(contributor.doc).push([createEntry({ id: 'p1', kind: 'bug', title: 'Lost allocation', addedBy: 'mallory', promotedTo: 'r-other' })]);
    await waitFor(() => logLength(padId, 'proposed') === 1 && logLength(padId, 'ready') === 1);
    const page = await openPad(padId);
    await signIn(page, curatorKey);
    const entry = page.locator('cp-section#proposed cp-entry[data-id="p1"]');
    await entry.waitFor();
    expect(await entry.locator('.badge.promoted').count()).toBe(0);
    // the curator promotes it and removes it: a copy is made (it used to be taken as already promoted, and dropped)
    await entryAction(entry, 'Promote & remove from proposed');
    await expect.poll(() => titles(page, 'proposed')).toEqual([]);
    await expect.poll(() => titles(page, 'ready').then((t) => [...t].sort())).toEqual(['Lost allocation', 'Unrelated ready entry']);
    await waitFor(() => sectionToJSON(ready.doc).length === 2, 3000, 'the copy on the server');
    expect(sectionToJSON(ready.doc).find((e) => e.title === 'Lost allocation')!.promotedFrom).toBe('p1');
    ready.provider.destroy();
    contributor.provider.destroy();
  });

  it('a delete can be undone from its notice, and Ctrl+Z undoes only the person\'s own changes', async () => {
    const { padId } = await createPad(suite.server.url, 'acc-undo');
    const bot = await connectSynced(suite.server.url, padId, 'proposed');
    entriesOf(bot.doc).push([
      createEntry({ id: 'u1', kind: 'bug', title: 'Lost allocation', owner: 'dave', note: 'WIP', addedBy: 'dave' }),
      createEntry({ id: 'u2', kind: 'bug', title: 'Race in resource tracker', owner: 'frank', addedBy: 'frank' }),
    ]);
    await waitFor(() => logLength(padId, 'proposed') === 1);
    const alice = await openPad(padId, { name: 'Alice' });
    const errors = collectErrors(alice);
    const bob = await openPad(padId, { name: 'Bob' });
    const botTitles = () => sectionToJSON(bot.doc).map((e) => e.title);

    // delete, then someone else adds an entry, then Undo from the notice: the entry is back, theirs stays
    // (the notice is a toast: the list under the pointer does not move when it comes)
    const nextTop = () => alice.locator('cp-section#proposed cp-entry[data-id="u2"]').evaluate((el) => el.getBoundingClientRect().top);
    await entryAction(alice.locator('cp-section#proposed cp-entry[data-id="u1"]'), 'Delete');
    await expect.poll(() => alice.locator('cp-section#proposed cp-entry[data-id="u1"]').count()).toBe(0);
    const topBeforeNotice = await nextTop();
    await expect.poll(() => titles(bob, 'proposed')).toEqual(['Race in resource tracker']);
    const notice = alice.locator('cp-pad-page .undo-notice[role="status"]');
    await expect.poll(() => notice.textContent()).toContain('Deleted “Lost allocation”.');
    expect(await nextTop()).toBe(topBeforeNotice);
    const bobForm = await addForm(bob, 'proposed');
    await bobForm.getByLabel('Title').fill('Bob was here');
    await bobForm.getByRole('button', { name: 'Add entry' }).click();
    await expect.poll(() => titles(alice, 'proposed').then((t) => t.includes('Bob was here'))).toBe(true);
    await notice.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => titles(bob, 'proposed').then((t) => [...t].sort())).toEqual(['Bob was here', 'Lost allocation', 'Race in resource tracker']);
    await waitFor(() => botTitles().length === 3, 3000, 'the restored entry on the server');
    const restored = sectionToJSON(bot.doc).find((e) => e.title === 'Lost allocation')!;
    expect(restored).toMatchObject({ id: 'u1', owner: 'dave', note: 'WIP' });
    await expect.poll(() => notice.textContent()).toContain('Restored “Lost allocation”.');
    // focus went to the restored entry, not lost with the Undo button
    await expect
      .poll(() => alice.evaluate(() => {
        const section = document.querySelector('cp-pad-page')!.shadowRoot!.querySelector('cp-section#proposed')!;
        return section.shadowRoot!.activeElement?.closest('cp-entry')?.getAttribute('data-id');
      }))
      .toBe('u1');

    // Ctrl+Z: Alice types in a title, then deletes the other entry; Bob edits meanwhile
    const entry = alice.locator('cp-section#proposed cp-entry[data-id="u2"]');
    await entryAction(entry, 'Edit');
    const title = entry.locator('cp-text-field[label="Title"] input');
    await title.click();
    // one input (typing key by key on a loaded machine may pause past the undo's 500 ms grouping and make two steps)
    await title.fill('Race in resource tracker on resize');
    await entry.getByRole('button', { name: 'Done' }).click();
    await waitFor(() => botTitles().includes('Race in resource tracker on resize'), 3000, 'the typed title');
    await entryAction(alice.locator('cp-section#proposed cp-entry', { hasText: 'Race in resource tracker on resize' }), 'Delete');
    await waitFor(() => botTitles().length === 2, 3000, 'the delete');
    const bobsId = await bob.locator('cp-section#proposed cp-entry', { hasText: 'Bob was here' }).getAttribute('data-id');
    const bobsEntry = bob.locator(`cp-section#proposed cp-entry[data-id="${bobsId}"]`);
    await entryAction(bobsEntry, 'Edit');
    await bobsEntry.locator('cp-text-field[label="Title"] input').press('End');
    await bobsEntry.locator('cp-text-field[label="Title"] input').pressSequentially(' too');
    await waitFor(() => botTitles().includes('Bob was here too'), 3000, "Bob's edit");

    await alice.locator('body').click({ position: { x: 5, y: 5 } });
    await expect.poll(() => notice.textContent()).toContain('Deleted “Race in resource tracker on resize”.');
    await alice.keyboard.press('Control+Z'); // the delete
    await waitFor(() => botTitles().includes('Race in resource tracker on resize'), 3000, 'undo of the delete');
    // the notice follows: the delete it offered to undo is undone, so it says so and its Undo button is gone
    await expect.poll(() => notice.textContent()).toContain('Restored “Race in resource tracker on resize”.');
    expect(await notice.getByRole('button', { name: 'Undo' }).count()).toBe(0);
    await alice.keyboard.press('Control+Z'); // the typing
    await waitFor(() => botTitles().includes('Race in resource tracker'), 3000, 'undo of the typing');
    // nothing more of Alice's to undo: more presses change nothing, and never Bob's entry or his edit
    for (let i = 0; i < 4; i++) await alice.keyboard.press('Control+Z');
    await sleep(500);
    expect(botTitles().sort()).toEqual(['Bob was here too', 'Lost allocation', 'Race in resource tracker']);
    // and the page says so, and where earlier changes are, instead of doing nothing without a word
    await expect.poll(() => notice.textContent()).toContain('Nothing to undo: Ctrl+Z undoes what you changed since opening this page. Earlier changes are in History');
    expect(await notice.getByRole('button', { name: 'Undo' }).count()).toBe(0);
    // redo brings back her typing
    await alice.keyboard.press('Control+Shift+Z');
    await waitFor(() => botTitles().includes('Race in resource tracker on resize'), 3000, 'redo of the typing');
    expect(errors).toEqual([]);
    bot.provider.destroy();
  });

  it('the cycle title, owner and Launchpad fields save as the person types, and on leaving the page', async () => {
    const { padId, curatorKey } = await createPad(suite.server.url, 'acc-save');
    const bot = await connectSynced(suite.server.url, padId, 'proposed');
    entriesOf(bot.doc).push([createEntry({ id: 's1', kind: 'bug', title: 'Lost allocation', addedBy: 'dave' })]);
    await waitFor(() => logLength(padId, 'proposed') === 1);
    const exported = async () =>
      (await (await fetch(`${suite.server.url}/api/pads/${padId}/export.json`)).json()) as {
        meta: ReturnType<typeof metaToJSON>;
        sections: { proposed: Array<{ owner: string; launchpad: string }> };
      };

    // saved while typing: another page sees it with the field still focused
    const ptl = await openPad(padId);
    const other = await openPad(padId);
    await signIn(ptl, curatorKey);
    const cycleTitle = (await openHeaderEditor(ptl)).getByLabel('Cycle title');
    await cycleTitle.click();
    await cycleTitle.pressSequentially('Nova 2025.1');
    await expect.poll(() => other.locator('cp-cycle-header .cycle-title').textContent()).toBe('Nova 2025.1');
    expect(await ptl.evaluate(() => document.querySelector('cp-pad-page')!.shadowRoot!.activeElement?.localName)).toBe('cp-cycle-header');

    // leaving the page right after typing loses nothing
    await cycleTitle.pressSequentially(' Epoxy');
    await ptl.goto('about:blank');
    await waitFor(async () => (await exported()).meta.title === 'Nova 2025.1 Epoxy', 3000, 'the cycle title typed before leaving');

    const page = await openPad(padId);
    const entry = page.locator('cp-section#proposed cp-entry[data-id="s1"]');
    await entryAction(entry, 'Edit');
    await entry.getByLabel('Owner').click();
    await entry.getByLabel('Owner').pressSequentially('dave');
    await entry.getByLabel('Launchpad link').click();
    await entry.getByLabel('Launchpad link').pressSequentially('https://launchpad.net/bugs/2082345');
    await page.close();
    await waitFor(async () => {
      const e = (await exported()).sections.proposed[0]!;
      return e.owner === 'dave' && e.launchpad === 'https://launchpad.net/bugs/2082345';
    }, 3000, 'owner and Launchpad link typed before closing');
    bot.provider.destroy();
  });
});
