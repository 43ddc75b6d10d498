/**
 * A list, not a form; keyboard and phone: long links never widen the page, entries' actions are in a keyboard menu,
 * ready reorders with Alt+↑/↓ keeping focus, untitled entries show their link once, "Add entry" opens the form with
 * focus in it, and focus is never lost after an action.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createEntry, entriesOf, sectionToJSON } from '../../shared/schema.js';
import { createPad } from '../helpers/server.js';
import { addForm, browserSuite, entryAction, openPad as openPadIn, signIn } from '../helpers/browser-suite.js';
import { connectSynced } from '../helpers/clients.js';
import { waitFor } from '../helpers/wait.js';

const suite = browserSuite();
const openPad = (padId: string, opts: { width?: number } = {}) => openPadIn(suite.browser, suite.server.url, padId, opts);
const titles = (page: Page, section: 'proposed' | 'ready') => page.locator(`cp-section#${section} cp-entry .title`).allTextContents();

/** A Gerrit link of exactly 200 characters (a file deep in a change), as people paste them. */
const LONG_REVIEW = (() => {
  const head = 'https://review.opendev.org/c/openstack/nova/+/933333/7/nova/virt/libvirt/';
  return `${head}${'driver_module_'.repeat(20)}`.slice(0, 197) + '.py';
})();

/** The element focused across the pad's shadow roots: its tag, classes, label and the entry it belongs to. */
function focused(page: Page) {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    // the entry it is in, across shadow roots (a field's input is in the field's own)
    let entry: string | null = null;
    for (let at: Element | null = el; at && !entry; at = ((at.getRootNode() as ShadowRoot).host as Element | undefined) ?? null) {
      entry = at.closest('li[data-entry]')?.getAttribute('data-entry') ?? null;
    }
    return { tag: el?.localName ?? '', cls: el?.getAttribute('class') ?? '', label: el?.getAttribute('aria-label') ?? el?.textContent?.trim() ?? '', entry };
  });
}

async function seed(name: string, section: 'proposed' | 'ready', entries: Array<Omit<Parameters<typeof createEntry>[0], 'addedBy'>>) {
  const pad = await createPad(suite.server.url, name);
  const bot = await connectSynced(suite.server.url, pad.padId, section, section === 'ready' ? { params: { key: pad.curatorKey } } : {});
  entriesOf(bot.doc).push(entries.map((e, i) => createEntry({ rank: section === 'ready' ? `a${i}` : null, ...e, addedBy: 'seed' })));
  await waitFor(() => suite.server.store.readLog({ padId: pad.padId, section }).length > 0);
  return { ...pad, bot };
}

describe('a list, not a form', () => {
  it('at 390 px, a 200-character review link in edit mode widens neither the page nor any element of the section', async () => {
    expect(LONG_REVIEW).toHaveLength(200);
    const { padId, curatorKey, bot } = await seed('layout-long', 'proposed', [
      { id: 'long', kind: 'bug', title: 'Evacuate fails when source host is down', owner: 'carol', launchpad: 'https://bugs.launchpad.net/nova/+bug/2081234', reviews: [LONG_REVIEW, `https://review.opendev.org/q/topic:%22${'x'.repeat(120)}%22`], note: `see ${LONG_REVIEW}` },
      { id: 'other', kind: 'bug', title: 'Lost allocation', owner: 'dave' },
    ]);
    const page = await openPad(padId, { width: 390 });
    await signIn(page, curatorKey);
    const entry = page.locator('cp-section#proposed cp-entry[data-id="long"]');
    await entryAction(entry, 'Edit');
    await entry.locator('cp-text-field[label="Title"] input').waitFor();
    await addForm(page, 'proposed');
    const report = await page.evaluate(() => {
      const width = window.innerWidth;
      const wide: string[] = [];
      const walk = (root: ParentNode) => {
        for (const el of root.querySelectorAll('*')) {
          const r = el.getBoundingClientRect();
          if (r.width > 0 && (r.right > width + 0.5 || r.width > width)) wide.push(`${el.localName}.${el.getAttribute('class') ?? ''} ${Math.round(r.width)}px`);
          if (el.shadowRoot) walk(el.shadowRoot);
        }
      };
      walk(document.querySelector('cp-pad-page')!.shadowRoot!.querySelector('cp-section#proposed')!.shadowRoot!);
      return { scrollWidth: document.documentElement.scrollWidth, width, wide };
    });
    expect(report.scrollWidth).toBeLessThanOrEqual(report.width);
    expect(report.wide).toEqual([]);
    // and the same pad at desktop width, in the read view: the long link is a one-line chip, the column keeps its width
    const desk = await openPad(padId);
    const sections = await desk.evaluate(() => {
      const pad = document.querySelector('cp-pad-page')!.shadowRoot!;
      return [...pad.querySelectorAll('cp-section')].map((s) => Math.round(s.getBoundingClientRect().width));
    });
    expect(Math.abs(sections[0]! - sections[1]!)).toBeLessThanOrEqual(1);
    expect(await desk.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    bot.provider.destroy();
  });

  it('an entry with no title shows its link once; with a title, the title links and the chip names the item', async () => {
    const { padId, bot } = await seed('layout-untitled', 'proposed', [
      { id: 'u', kind: 'bug', launchpad: 'https://bugs.launchpad.net/nova/+bug/2082345', owner: 'dave' },
      { id: 't', kind: 'bug', title: 'Lost allocation', launchpad: 'https://bugs.launchpad.net/nova/+bug/2082346' },
    ]);
    const page = await openPad(padId);
    const untitled = page.locator('cp-section#proposed cp-entry[data-id="u"]');
    await untitled.waitFor();
    expect(await untitled.locator('.head').textContent()).toBe('#2082345(dave)');
    expect(await untitled.locator('a[href*="2082345"]').count()).toBe(1);
    const titled = page.locator('cp-section#proposed cp-entry[data-id="t"]');
    expect(await titled.locator('a[href*="2082346"]').allTextContents()).toEqual(['Lost allocation', '#2082346']);
    bot.provider.destroy();
  });

  it('"Add entry" opens the form at the top of the section with focus in it; Escape closes it and focus returns', async () => {
    const { padId } = await createPad(suite.server.url, 'layout-add');
    const page = await openPad(padId);
    expect(await page.locator('cp-section#proposed cp-entry-form').count()).toBe(0);
    await page.locator('cp-section#proposed').getByRole('button', { name: 'Add entry' }).click();
    await expect.poll(() => focused(page)).toMatchObject({ tag: 'textarea' });
    await page.keyboard.type('https://launchpad.net/bugs/77 [added by keyboard] (kb)');
    await page.keyboard.press('Tab'); // leaves the paste box; the fields are filled from it
    const form = page.locator('cp-section#proposed cp-entry-form');
    await form.getByRole('button', { name: 'Add entry' }).click();
    await expect.poll(() => titles(page, 'proposed')).toEqual(['added by keyboard']);
    // the form stays open for the next entry, focus back in "Paste links"
    await expect.poll(() => focused(page)).toMatchObject({ tag: 'textarea' });
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('cp-section#proposed cp-entry-form').isVisible()).toBe(false);
    await expect.poll(() => focused(page)).toMatchObject({ tag: 'button', label: 'Add entry to Proposed patches' });
    // the add control is above the list: reachable without scrolling past it
    const positions = await page.evaluate(() => {
      const root = document.querySelector('cp-pad-page')!.shadowRoot!.querySelector('cp-section#proposed')!.shadowRoot!;
      return { add: root.querySelector('button.add')!.getBoundingClientRect().top, list: root.querySelector('ol')!.getBoundingClientRect().top };
    });
    expect(positions.add).toBeLessThan(positions.list);
  });
});

describe('keyboard', () => {
  it("an entry's actions are reachable by keyboard through its menu: Enter opens, arrows move, Escape closes and returns focus", async () => {
    const { padId, bot } = await seed('kb-menu', 'proposed', [
      { id: 'a', kind: 'bug', title: 'Alpha' },
      { id: 'b', kind: 'bug', title: 'Bravo' },
      { id: 'c', kind: 'bug', title: 'Charlie' },
    ]);
    const page = await openPad(padId);
    const menuButton = page.getByRole('button', { name: 'Actions for Bravo' });
    await menuButton.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toMatchObject({ label: 'Edit', entry: 'b' });
    expect(await menuButton.getAttribute('aria-expanded')).toBe('true');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => focused(page)).toMatchObject({ label: 'Delete' });
    await page.keyboard.press('ArrowDown'); // wraps
    await expect.poll(() => focused(page)).toMatchObject({ label: 'Edit' });
    await page.keyboard.press('Escape');
    await expect.poll(() => focused(page)).toMatchObject({ cls: 'more', entry: 'b' });
    expect(await menuButton.getAttribute('aria-expanded')).toBe('false');
    expect(await page.getByRole('menu').count()).toBe(0);

    // Edit by keyboard: focus goes into the title field; Done returns it to the menu button
    await page.keyboard.press('Space');
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toMatchObject({ tag: 'input', entry: 'b' });
    await page.locator('cp-section#proposed cp-entry[data-id="b"]').getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => focused(page)).toMatchObject({ cls: 'more', entry: 'b' });
    // Escape leaves the editor too, focus back on the menu button
    await page.keyboard.press('Space');
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toMatchObject({ tag: 'input', entry: 'b' });
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('cp-section#proposed cp-entry[data-id="b"] button', { hasText: 'Done' }).count()).toBe(0);
    await expect.poll(() => focused(page)).toMatchObject({ cls: 'more', entry: 'b' });

    // Delete by keyboard: focus goes to the next entry, never lost
    await page.keyboard.press('ArrowUp'); // opens the menu on its last item
    await expect.poll(() => focused(page)).toMatchObject({ label: 'Delete' });
    await page.keyboard.press('Enter');
    await expect.poll(() => titles(page, 'proposed')).toEqual(['Alpha', 'Charlie']);
    await expect.poll(() => focused(page)).toMatchObject({ cls: 'more', entry: 'c' });
    bot.provider.destroy();
  });

  it('the drag handle of an untitled entry names it as its menu does (by its link)', async () => {
    const { padId, curatorKey, bot } = await seed('handle-label', 'ready', [
      { id: 'u1', kind: 'bug', title: '', launchpad: 'https://bugs.launchpad.net/nova/+bug/2082345' },
    ]);
    const page = await openPad(padId);
    await signIn(page, curatorKey);
    await page.getByRole('button', { name: /^Reorder #2082345 / }).waitFor();
    await page.getByRole('button', { name: 'Actions for #2082345' }).waitFor();
    bot.provider.destroy();
  });

  it('at 390 px the refused-move toast takes the width it needs, not half the screen', async () => {
    const { padId, curatorKey, bot } = await seed('toast-390', 'ready', [{ id: 'r1', kind: 'bug', title: 'one' }]);
    const page = await openPad(padId, { width: 390 });
    await signIn(page, curatorKey);
    await page.getByRole('button', { name: 'Actions for one' }).focus();
    await page.keyboard.press('Alt+ArrowUp');
    const hint = page.locator('cp-pad-page .move-hint.active');
    await hint.waitFor();
    const box = (await hint.boundingBox())!;
    expect(box.width).toBeGreaterThan(300);
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    bot.provider.destroy();
  });

  it('a contributor pressing Alt+↓ on a ready entry is told only curators reorder it, and nothing moves', async () => {
    const { padId, bot } = await seed('kb-reorder-contributor', 'ready', [
      { id: 'r1', kind: 'bug', title: 'one', launchpad: 'https://bugs.launchpad.net/nova/+bug/1' },
      { id: 'r2', kind: 'bug', title: 'two' },
    ]);
    const page = await openPad(padId);
    await page.locator('cp-section#ready cp-entry[data-id="r1"] a').first().focus();
    await page.keyboard.press('Alt+ArrowDown');
    const hint = page.locator('cp-pad-page .move-hint.active[role="status"]');
    await expect.poll(() => hint.textContent()).toContain('Only curators reorder Ready to review');
    expect(await titles(page, 'ready')).toEqual(['one', 'two']);
    expect(sectionToJSON(bot.doc).map((e) => e.title)).toEqual(['one', 'two']);
    bot.provider.destroy();
  });

  it('Alt+↓ / Alt+↑ move a ready entry, in the document too, and focus stays on the moved entry', async () => {
    const { padId, curatorKey, bot } = await seed('kb-reorder', 'ready', [
      { id: 'r1', kind: 'bug', title: 'one' },
      { id: 'r2', kind: 'bug', title: 'two' },
      { id: 'r3', kind: 'bug', title: 'three' },
    ]);
    const page = await openPad(padId);
    await signIn(page, curatorKey);
    const said = () => page.locator('cp-pad-page .sr-only[role="status"]').textContent();
    await page.getByRole('button', { name: 'Actions for one' }).focus();
    // already first: nothing moves, and the person is told why, on screen (a screen reader hears it too)
    await page.keyboard.press('Alt+ArrowUp');
    const hint = page.locator('cp-pad-page .move-hint.active[role="status"]');
    await expect.poll(() => hint.textContent()).toContain('“one” is already first in Bugs');
    expect(await hint.isVisible()).toBe(true);
    expect((await hint.boundingBox())!.width).toBeGreaterThan(100);
    await page.keyboard.press('Alt+ArrowDown');
    await expect.poll(() => titles(page, 'ready')).toEqual(['two', 'one', 'three']);
    await expect.poll(said).toContain('Moved “one” to 2 of 3 in Bugs.');
    await waitFor(() => sectionToJSON(bot.doc).map((e) => e.title).join() === 'two,one,three', 3000, 'the move to sync');
    await expect.poll(() => focused(page)).toMatchObject({ cls: 'more', entry: 'r1' });
    await page.keyboard.press('Alt+ArrowDown');
    await expect.poll(() => titles(page, 'ready')).toEqual(['two', 'three', 'one']);
    await expect.poll(() => focused(page)).toMatchObject({ cls: 'more', entry: 'r1' });
    // from the drag handle too, with the same keys
    await page.getByRole('button', { name: /^Reorder one/ }).focus();
    await page.keyboard.press('Alt+ArrowUp');
    await expect.poll(() => titles(page, 'ready')).toEqual(['two', 'one', 'three']);
    await expect.poll(() => focused(page)).toMatchObject({ cls: 'handle', entry: 'r1' });
    // "Move to top" from the menu: focus follows the entry
    await entryAction(page.locator('cp-section#ready cp-entry[data-id="r3"]'), 'Move to top');
    await expect.poll(() => titles(page, 'ready')).toEqual(['three', 'two', 'one']);
    await expect.poll(() => focused(page)).toMatchObject({ cls: 'more', entry: 'r3' });
    await waitFor(() => sectionToJSON(bot.doc).map((e) => e.title).join() === 'three,two,one', 3000, 'the order to sync');
    bot.provider.destroy();
  });

  it('promoting and signing in keep focus: on the promoted entry, and on the control that replaced the sign-in', async () => {
    const { padId, curatorKey, bot } = await seed('kb-focus', 'proposed', [
      { id: 'p1', kind: 'bug', title: 'Alpha' },
      { id: 'p2', kind: 'bug', title: 'Bravo' },
    ]);
    const page = await openPad(padId);
    await signIn(page, curatorKey);
    await expect.poll(() => focused(page)).toMatchObject({ tag: 'button', label: 'Sign out' });
    await entryAction(page.locator('cp-section#proposed cp-entry[data-id="p1"]'), 'Promote to ready');
    await expect.poll(() => titles(page, 'ready')).toEqual(['Alpha']);
    await expect.poll(() => focused(page)).toMatchObject({ cls: 'more', entry: 'p1' });
    await entryAction(page.locator('cp-section#proposed cp-entry[data-id="p1"]'), 'Promote & remove from proposed');
    await expect.poll(() => titles(page, 'proposed')).toEqual(['Bravo']);
    await expect.poll(() => focused(page)).toMatchObject({ cls: 'more', entry: 'p2' });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => focused(page)).toMatchObject({ tag: 'button', label: 'Curator sign-in' });
    bot.provider.destroy();
  });

  it('opening a toolbar panel keeps its opener in the row, the panel under the toolbar; the opener closes it again', async () => {
    const { padId, curatorKey } = await createPad(suite.server.url, 'layout-panels');
    const page = await openPad(padId, { width: 1280 });
    await signIn(page, curatorKey);
    const top = async (name: string) => (await page.getByRole('button', { name, exact: true }).boundingBox())!.y;
    const row = await top('History');
    for (const [name, panel] of [['History', 'cp-history-panel section.panel'], ['Delegates…', 'cp-delegates section.panel'], ['Import from Etherpad…', 'cp-import-dialog form.panel']] as const) {
      const opener = page.getByRole('button', { name, exact: true });
      await opener.click();
      await page.locator(panel).waitFor();
      expect(await opener.getAttribute('aria-expanded')).toBe('true');
      // every opener stays where it was, in the row; the panel is under it
      for (const other of ['History', 'Delegates…', 'Import from Etherpad…']) expect(await top(other)).toBe(row);
      expect((await page.locator(panel).boundingBox())!.y).toBeGreaterThan(row);
      await opener.click();
      await expect.poll(() => page.locator(panel).count()).toBe(0);
      expect(await opener.getAttribute('aria-expanded')).toBe('false');
    }
    await page.context().close();
  });

  it('on a wide screen the skip links appear over the page when focused: nothing under the pointer moves', async () => {
    const { padId } = await createPad(suite.server.url, 'layout-skip-wide');
    const page = await openPad(padId, { width: 1280 });
    const history = page.getByRole('button', { name: 'History' });
    const top = () => history.evaluate((el) => el.getBoundingClientRect().top);
    const before = await top();
    // the first Tab reaches the skip links (they used to come after the sign-in and name controls)
    await page.locator('body').focus();
    await page.keyboard.press('Tab');
    await expect.poll(() => focused(page)).toMatchObject({ tag: 'a', label: 'Ready to review' });
    await page.getByRole('link', { name: 'Ready to review' }).focus();
    await expect.poll(() => page.getByRole('link', { name: 'Ready to review' }).evaluate((el) => el.getBoundingClientRect().width)).toBeGreaterThan(20);
    expect(await top()).toBe(before);
    await page.context().close();
  });

  it('the skip links lead to each section, and at 390 px the first screen shows the list, not only controls', async () => {
    const { padId, curatorKey, bot } = await seed('kb-skip', 'ready', [{ id: 'r1', kind: 'bug', title: 'one' }]);
    const page = await openPad(padId, { width: 390 });
    await signIn(page, curatorKey);
    const top = await page.evaluate(() => {
      const root = document.querySelector('cp-pad-page')!.shadowRoot!.querySelector('cp-section#ready')!.shadowRoot!;
      return root.querySelector('h2')!.getBoundingClientRect().top;
    });
    expect(top).toBeLessThan(844 * 0.85);
    await page.getByRole('link', { name: 'Proposed patches' }).click();
    await expect.poll(() => focused(page)).toMatchObject({ tag: 'h2', label: 'Proposed patches' });
    await page.keyboard.press('Tab');
    await expect.poll(() => focused(page)).toMatchObject({ tag: 'button', label: 'Add entry to Proposed patches' });
    bot.provider.destroy();
  });

  it("an entry's links come before its actions in the tab order, and an open editor is headed by the entry it edits", async () => {
    const { padId, bot } = await seed('kb-order', 'proposed', [
      { id: 'untitled', kind: 'bug', launchpad: 'https://bugs.launchpad.net/nova/+bug/2082345', reviews: ['https://review.opendev.org/c/openstack/nova/+/931122'] },
    ]);
    const page = await openPad(padId);
    const entry = page.locator('cp-section#proposed cp-entry[data-id="untitled"]');
    await entry.locator('.title').waitFor();
    await entry.locator('.title a').focus();
    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
      order.push((await focused(page)).label);
      await page.keyboard.press('Tab');
    }
    // the bug (shown once, as the title), its review, then the entry's menu
    expect(order[0]).toBe('#2082345');
    expect(order[1]).toContain('931122');
    expect(order[2]).toMatch(/^Actions for /);
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await entry.getByRole('menuitem', { name: 'Edit' }).click();
    await entry.getByRole('heading', { name: 'Editing “#2082345”' }).waitFor();
    // (named as it was when the editor opened: the heading is not laid out again at every keystroke)
    await entry.getByLabel('Title', { exact: true }).last().focus();
    await page.keyboard.type('Resize fails');
    await entry.getByRole('button', { name: 'Done' }).click();
    await entryAction(entry, 'Edit');
    await entry.getByRole('heading', { name: 'Editing “Resize fails”' }).waitFor();
    bot.provider.destroy();
    await page.context().close();
  });
});
