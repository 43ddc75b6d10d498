import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { metaToJSON, sectionToJSON } from '../../shared/schema.js';
import { createPad } from '../helpers/server.js';
import { addForm, browserSuite, entryAction, openHeaderEditor, openPad as openPadIn, signIn } from '../helpers/browser-suite.js';
import { connectSynced } from '../helpers/clients.js';
import { waitFor } from '../helpers/wait.js';

const suite = browserSuite();
const openPad = (padId: string, opts: { width?: number } = {}) => openPadIn(suite.browser, suite.server.url, padId, opts);



const titles = (page: Page, section: 'proposed' | 'ready') => page.locator(`cp-section#${section} cp-entry .title`).allTextContents();

async function paste(page: Page, section: 'proposed' | 'ready', text: string) {
  const form = await addForm(page, section);
  await form.getByLabel('Paste links').fill(text);
  return form;
}

describe('the cycle-tracking workflow in the browser', () => {
  it('pasting links fills the entry, which the person adjusts and adds; links show as chips', async () => {
    const { padId } = await createPad(suite.server.url, 'wf-paste');
    const page = await openPad(padId);
    const form = await paste(
      page,
      'proposed',
      'https://bugs.launchpad.net/nova/+bug/2081234 Evacuate fails when source host is down (carol) https://review.opendev.org/c/openstack/nova/+/931122/3',
    );
    expect(await form.getByLabel('Kind').inputValue()).toBe('bug');
    expect(await form.getByLabel('Title').inputValue()).toBe('Evacuate fails when source host is down');
    expect(await form.getByLabel('Owner').inputValue()).toBe('carol');
    expect(await form.getByLabel('Launchpad link').inputValue()).toBe('https://bugs.launchpad.net/nova/+bug/2081234');
    expect(await form.getByLabel('Gerrit reviews').inputValue()).toBe('https://review.opendev.org/c/openstack/nova/+/931122/3');
    await form.getByLabel('Status note').fill('needs first review');
    await form.getByLabel('Title').fill('Evacuate fails when the source host is down');
    await form.getByRole('button', { name: 'Add entry' }).click();

    await expect.poll(() => titles(page, 'proposed')).toEqual(['Evacuate fails when the source host is down']);
    const entry = page.locator('cp-section#proposed cp-entry').first();
    expect(await entry.locator('a.chip').allTextContents()).toEqual(['#2081234', '931122,3']);
    expect(await entry.locator('a.chip').nth(1).getAttribute('href')).toBe('https://review.opendev.org/c/openstack/nova/+/931122/3');
    expect(await entry.locator('.owner').textContent()).toBe('(carol)');
  });

  it('warns before adding an item already on the pad, says where, and adds only on confirmation', async () => {
    const { padId } = await createPad(suite.server.url, 'wf-dup');
    const page = await openPad(padId);
    let form = await paste(page, 'proposed', 'https://launchpad.net/bugs/2082345 [Lost allocation] (dave) https://review.opendev.org/931233');
    await form.getByRole('button', { name: 'Add entry' }).click();
    await expect.poll(() => titles(page, 'proposed')).toEqual(['Lost allocation']);

    // the same change in another link form
    form = await paste(page, 'proposed', 'https://review.opendev.org/#/c/931233/ another try (erin)');
    const warning = form.getByRole('alert');
    await expect.poll(() => warning.textContent()).toMatch(/Already on the pad:.*Lost allocation.*\(dave\).*Proposed patches.*same change/s);
    await form.getByRole('button', { name: 'Add anyway' }).click();
    await expect.poll(() => titles(page, 'proposed')).toEqual(['Lost allocation', 'another try']); // Bugs before Other
  });

  it('a paste of several entries adds each whole; a second paste replaces what the first filled in; the duplicate warning follows the fields; Close keeps the draft', async () => {
    const { padId } = await createPad(suite.server.url, 'wf-paste-several');
    const page = await openPad(padId);
    const list = [
      '* https://bugs.launchpad.net/nova/+bug/2090001 [Resize to same host loses NUMA topology] (sean-k-mooney)',
      '    * https://review.opendev.org/c/openstack/nova/+/931122',
      '        * needs rebase',
      '* https://bugs.launchpad.net/nova/+bug/2090002 [Console proxy leaks fds] (stephenfin)',
      '\t* https://review.opendev.org/c/openstack/nova/+/931123',
    ].join('\n');
    let form = await paste(page, 'proposed', list);
    // listed, not merged into the fields
    await expect.poll(() => form.locator('.several').textContent()).toMatch(/This paste holds 2 entries.*Resize to same host loses NUMA topology \(sean-k-mooney\).*Console proxy leaks fds \(stephenfin\)/s);
    expect(await form.getByLabel('Title').inputValue()).toBe('');
    await form.getByRole('button', { name: 'Add 2 entries' }).click();
    await expect.poll(() => titles(page, 'proposed')).toEqual(['Resize to same host loses NUMA topology', 'Console proxy leaks fds']);
    expect(await form.getByRole('status').filter({ hasText: 'Added' }).textContent()).toBe('Added 2 entries.');
    const stored = async () => ((await fetch(`${suite.server.url}/api/pads/${padId}/export.json`).then((r) => r.json())) as { sections: { proposed: Array<{ owner: string; reviews: string[]; note: string }> } }).sections.proposed;
    await expect.poll(async () => (await stored()).map((e) => [e.owner, e.reviews, e.note])).toEqual([
      ['sean-k-mooney', ['https://review.opendev.org/c/openstack/nova/+/931122'], 'needs rebase'],
      ['stephenfin', ['https://review.opendev.org/c/openstack/nova/+/931123'], ''],
    ]);
    // the same list again: both already on the pad, skipped and said so
    form = await paste(page, 'proposed', list);
    await expect.poll(() => form.locator('.several').textContent()).toContain('already on the pad: skipped');
    await form.getByRole('button', { name: 'Add 2 entries' }).click();
    await expect.poll(() => form.getByRole('status').filter({ hasText: 'Added' }).textContent()).toBe('Added 0 entries; 2 already on the pad were skipped.');
    expect(await titles(page, 'proposed')).toHaveLength(2);
    // one new, one on the pad, one repeated in the paste: counted apart; a title typed before the paste stays
    await form.getByLabel('Title').fill('typed before the paste');
    form = await paste(page, 'proposed', ['* https://bugs.launchpad.net/nova/+bug/2090003 [New one]', '* https://bugs.launchpad.net/nova/+bug/2090001 [On the pad]', '* https://launchpad.net/bugs/2090003 [Again]'].join('\n'));
    await expect.poll(() => form.locator('.several').textContent()).toMatch(/On the pad\s*already on the pad: skipped.*Again\s*repeated in the paste: skipped/s);
    await form.getByRole('button', { name: 'Add 3 entries' }).click();
    await expect.poll(() => form.getByRole('status').filter({ hasText: 'Added' }).textContent()).toBe('Added 1 entry; 1 already on the pad and 1 repeated in the paste were skipped.');
    expect(await form.getByLabel('Title').inputValue()).toBe('typed before the paste');
    expect(await form.getByLabel('Paste links').inputValue()).toBe('');
    await expect.poll(() => titles(page, 'proposed')).toContain('New one');
    await form.getByLabel('Title').fill('');
    // a paste longer than the form takes is sent to the import
    await form.getByLabel('Paste links').fill(Array.from({ length: 101 }, (_, i) => `* https://bugs.launchpad.net/nova/+bug/${3_000_000 + i} [b${i}]`).join('\n'));
    await expect.poll(() => form.locator('.several').textContent()).toMatch(/This paste holds 101 entries: the form adds at most 100 at once\. Use “Import from Etherpad…”/);
    expect(await form.getByRole('button', { name: /^Add 101/ }).count()).toBe(0);
    await form.getByLabel('Paste links').fill('');

    // a paste with a bug already on the pad, then a second paste without a bug: the first paste's bug link goes,
    // and the warning with it
    form = await paste(page, 'proposed', 'https://bugs.launchpad.net/nova/+bug/2090001 Another try (carol)');
    await expect.poll(() => form.getByRole('alert').count()).toBe(1);
    await form.getByLabel('Paste links').fill('https://review.opendev.org/c/openstack/nova/+/942500 Fix libvirt driver typo (melwitt)');
    await expect.poll(() => form.getByLabel('Launchpad link').inputValue()).toBe('');
    expect(await form.getByLabel('Title').inputValue()).toBe('Fix libvirt driver typo');
    expect(await form.getByRole('alert').count()).toBe(0);
    expect(await form.getByRole('button', { name: 'Add entry' }).count()).toBe(1);
    // typing a link the pad has brings the warning; clearing it takes it away, before any press
    await form.getByLabel('Launchpad link').fill('https://bugs.launchpad.net/nova/+bug/2090002');
    await expect.poll(() => form.getByRole('button', { name: 'Add anyway' }).count()).toBe(1);
    await form.getByLabel('Launchpad link').fill('');
    await expect.poll(() => form.getByRole('button', { name: 'Add entry' }).count()).toBe(1);

    // Close keeps the draft for the next opening
    await form.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => form.isVisible()).toBe(false);
    form = await addForm(page, 'proposed');
    expect(await form.getByLabel('Title').inputValue()).toBe('Fix libvirt driver typo');
    await form.getByRole('button', { name: 'Add entry' }).click();
    await expect.poll(() => titles(page, 'proposed')).toEqual(['Resize to same host loses NUMA topology', 'Console proxy leaks fds', 'New one', 'Fix libvirt driver typo']);
  });

  it('a curator promotes an entry (keyboard), reorders ready by keyboard, and marks one merged', async () => {
    const { padId, curatorKey } = await createPad(suite.server.url, 'wf-promote');
    const page = await openPad(padId);
    const observer = await connectSynced(suite.server.url, padId, 'ready');
    for (const t of ['https://launchpad.net/bugs/1 [first] (a)', 'https://launchpad.net/bugs/2 [second] (b)', 'https://launchpad.net/bugs/3 [third] (c)']) {
      const form = await paste(page, 'proposed', t);
      await form.getByRole('button', { name: 'Add entry' }).click();
    }
    await expect.poll(() => titles(page, 'proposed')).toEqual(['first', 'second', 'third']);
    await page.getByRole('button', { name: 'Actions for first' }).click();
    await page.getByRole('menuitem', { name: 'Edit' }).waitFor();
    expect(await page.getByRole('menuitem', { name: /^Promote/ }).count()).toBe(0);
    await page.keyboard.press('Escape');
    await signIn(page, curatorKey);

    // keyboard only: focus the entry's menu button, Enter opens its menu (on "Edit"), ↓ to the promote item, Enter
    const byMenu = async (title: string, downs: number) => {
      await page.getByRole('button', { name: `Actions for ${title}` }).focus();
      await page.keyboard.press('Enter');
      for (let i = 0; i < downs; i++) await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
    };
    await byMenu('first', 1); // Promote to ready
    await byMenu('second', 1);
    await byMenu('third', 2); // Promote & remove from proposed
    await expect.poll(() => titles(page, 'ready')).toEqual(['first', 'second', 'third']);
    await expect.poll(() => titles(page, 'proposed')).toEqual(['first', 'second']);
    expect(await page.locator('cp-section#proposed cp-entry .promoted').count()).toBe(2);
    await waitFor(() => sectionToJSON(observer.doc).length === 3);
    const readyFirst = sectionToJSON(observer.doc)[0]!;
    expect(readyFirst.promotedFrom).toMatch(/[0-9a-f-]{36}/);

    // reorder by keyboard: Alt+↑ twice on "third" (focus stays on it)
    await page.locator('cp-section#ready').getByRole('button', { name: 'Actions for third' }).focus();
    await page.keyboard.press('Alt+ArrowUp');
    await page.keyboard.press('Alt+ArrowUp');
    await expect.poll(() => titles(page, 'ready')).toEqual(['third', 'first', 'second']);
    await waitFor(() => sectionToJSON(observer.doc).map((e) => e.title).join() === 'third,first,second', 3000, 'order to sync');
    // Ctrl+Z takes back one move (each is a step of its own, however quick), says so, and focus stays on the entry
    await page.keyboard.press('Control+Z');
    await expect.poll(() => titles(page, 'ready')).toEqual(['first', 'third', 'second']);
    await expect.poll(() => page.locator('cp-pad-page p.sr-only[role="status"]').textContent()).toContain('Undid your last change.');
    await expect
      .poll(() => page.evaluate(() => document.querySelector('cp-pad-page')!.shadowRoot!.querySelector('cp-section#ready')!.shadowRoot!.activeElement?.closest('li')?.querySelector('cp-entry .title')?.textContent))
      .toBe('third');
    await page.keyboard.press('Control+Shift+Z');
    await expect.poll(() => titles(page, 'ready')).toEqual(['third', 'first', 'second']);
    const third = page.locator('cp-section#ready cp-entry', { hasText: 'third' });
    await third.locator('button.more').click();
    expect(await third.getByRole('menuitem', { name: 'Move up' }).getAttribute('aria-disabled')).toBe('true');
    await page.keyboard.press('Escape');

    await entryAction(page.locator('cp-section#ready cp-entry', { hasText: 'first' }), 'Status: merged');
    await waitFor(() => sectionToJSON(observer.doc).find((e) => e.title === 'first')?.status === 'merged');
    observer.provider.destroy();
  });

  it('reorders ready by drag and drop', async () => {
    const { padId, curatorKey } = await createPad(suite.server.url, 'wf-drag');
    const page = await openPad(padId);
    await signIn(page, curatorKey);
    for (const t of ['[one]', '[two]', '[three]']) {
      const form = await paste(page, 'ready', t);
      await form.getByRole('button', { name: 'Add entry' }).click();
    }
    await expect.poll(() => titles(page, 'ready')).toEqual(['one', 'two', 'three']);
    const handles = page.locator('cp-section#ready .handle');
    await handles.nth(2).dragTo(handles.nth(0));
    await expect.poll(() => titles(page, 'ready')).toEqual(['three', 'one', 'two']);
  });

  it('a curator edits the cycle header; a contributor sees it live, read-only', async () => {
    const { padId, curatorKey } = await createPad(suite.server.url, 'wf-header');
    const ptl = await openPad(padId);
    const contributor = await openPad(padId);
    await signIn(ptl, curatorKey);
    const header = await openHeaderEditor(ptl);
    await header.getByLabel('Cycle title').fill('Nova 2025.1 Epoxy');
    await header.getByLabel('Cycle title').press('Enter');
    await header.getByLabel('Cycle title').blur();
    await header.getByLabel('Milestone or review day').fill('Feature freeze');
    await header.getByLabel('Date').fill('2025-02-27');
    await header.getByRole('button', { name: 'Add or move milestone' }).click();
    await header.getByLabel('Milestone or review day').fill('Spec freeze');
    await header.getByLabel('Date').fill('2025-01-09');
    await header.getByRole('button', { name: 'Add or move milestone' }).click();
    // a milestone given again by its name moves to the new date (not a second one); its remove button shows the date
    await header.getByLabel('Milestone or review day').fill('feature freeze');
    await header.getByLabel('Date').fill('2025-02-26');
    await header.getByRole('button', { name: 'Add or move milestone' }).click();
    await header.getByRole('button', { name: 'Remove milestone feature freeze (2025-02-26)' }).waitFor();
    expect(await header.getByRole('button', { name: /^Remove milestone/ }).count()).toBe(2);
    await header.getByLabel('Milestone or review day').fill('Feature freeze');
    await header.getByLabel('Date').fill('2025-02-27');
    await header.getByRole('button', { name: 'Add or move milestone' }).click();
    await header.getByRole('button', { name: 'Mark list scrubbed' }).click();

    const theirs = contributor.locator('cp-cycle-header');
    await expect.poll(() => theirs.locator('.cycle-title').textContent()).toBe('Nova 2025.1 Epoxy');
    await expect.poll(() => theirs.locator('li').allTextContents()).toEqual([expect.stringContaining('Spec freeze: 2025-01-09'), expect.stringContaining('Feature freeze: 2025-02-27')]);
    const today = new Date().toISOString().slice(0, 10);
    await expect.poll(() => theirs.locator('.scrubbed').textContent()).toContain(`scrubbed on ${today}`);
    expect(await theirs.getByRole('button').count()).toBe(0);
    expect(await theirs.locator('input').count()).toBe(0);
    const exported = (await (await fetch(`${suite.server.url}/api/pads/${padId}/export.json`)).json()) as { meta: ReturnType<typeof metaToJSON> };
    expect(exported.meta.milestones.map((m) => m.label)).toEqual(['Spec freeze', 'Feature freeze']);
    // Escape folds the editor from inside it, as it closes every panel, and focus goes to its summary
    await header.getByLabel('Cycle title').focus();
    await ptl.keyboard.press('Escape');
    await expect.poll(() => header.locator('details.edit').evaluate((d: HTMLDetailsElement) => d.open)).toBe(false);
    expect(await ptl.evaluate(() => document.querySelector('cp-pad-page')?.shadowRoot?.activeElement?.shadowRoot?.activeElement?.localName)).toBe('summary');
  });

  it('filters locally by kind, owner and text, and imports from the page', async () => {
    const { padId, curatorKey } = await createPad(suite.server.url, 'wf-filter');
    const page = await openPad(padId);
    const other = await openPad(padId);
    await signIn(page, curatorKey);
    await page.getByRole('button', { name: 'Import from Etherpad…' }).click();
    await page.getByLabel('Etherpad text export').fill(readFileSync(path.join(import.meta.dirname, '../fixtures/etherpad-tracking-sample.txt'), 'utf8'));
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await expect.poll(() => page.locator('cp-import-dialog [role="status"]').textContent()).toContain('Imported 4 proposed and 2 ready entries');
    await expect.poll(() => titles(other, 'proposed').then((t) => t.length)).toBe(4);

    const bar = page.locator('cp-filter-bar');
    await bar.getByLabel('Kind').selectOption('bug');
    await expect.poll(() => page.locator('cp-entry:visible').count()).toBe(3);
    await bar.getByLabel('Owner').fill('car');
    await expect.poll(() => page.locator('cp-section#proposed cp-entry:visible .title').allTextContents()).toEqual(['Evacuate fails when source host is down']);
    await bar.getByRole('button', { name: 'Clear' }).click();
    await bar.getByLabel('Filter', { exact: true }).fill('931234');
    await expect.poll(() => page.locator('cp-entry:visible').count()).toBe(1);
    // the other person's view is not filtered
    expect(await other.locator('cp-entry:visible').count()).toBe(6);

    // text typed into a title elsewhere: the filtered page shows the entry once it matches, and hides it again once
    // it does not; the other page, unfiltered, shows the new title as it is typed
    await bar.getByLabel('Filter', { exact: true }).fill('zanzibar');
    await expect.poll(() => page.locator('cp-entry:visible').count()).toBe(0);
    const entry = other.locator('cp-section#proposed cp-entry', { hasText: 'Evacuate fails when source host is down' });
    await entryAction(entry, 'Edit');
    const title = entry.getByLabel('Title', { exact: true });
    await title.press('End');
    await title.pressSequentially(' zanzibar');
    await expect.poll(() => page.locator('cp-entry:visible .title').allTextContents()).toEqual(['Evacuate fails when source host is down zanzibar']);
    await title.press('Backspace');
    await expect.poll(() => page.locator('cp-entry:visible').count()).toBe(0);
    await entry.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => other.locator('cp-section#proposed cp-entry .title').allTextContents()).toContain('Evacuate fails when source host is down zanziba');
  });

  it('works at phone width', async () => {
    const { padId } = await createPad(suite.server.url, 'wf-phone');
    const page = await openPad(padId, { width: 390 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const form = await paste(page, 'proposed', 'https://launchpad.net/bugs/9 [phone entry] (p)');
    await form.getByRole('button', { name: 'Add entry' }).click();
    await expect.poll(() => titles(page, 'proposed')).toEqual(['phone entry']);
  });
});
