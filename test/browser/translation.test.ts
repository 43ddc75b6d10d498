import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createEntry, entriesOf, sectionToJSON } from '../../shared/schema.js';
import { createPad } from '../helpers/server.js';
import { addForm, browserSuite, entryAction, openPad as openPadIn, signIn } from '../helpers/browser-suite.js';
import { connectSynced } from '../helpers/clients.js';
import { translate, type TranslatorStyle } from '../helpers/translators.js';
import { sleep, waitFor } from '../helpers/wait.js';

const suite = browserSuite();

/** Sync messages a page sends that carry document content (updates, or a non-empty sync step 2). */
function watchSentUpdates(page: Page): { count: () => number; reset: () => void } {
  let sent = 0;
  page.on('websocket', (ws) => {
    ws.on('framesent', ({ payload }) => {
      const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
      if (bytes[0] !== 0) return; // not a sync message (awareness, auth)
      if (bytes[1] === 2) sent++; // update
      if (bytes[1] === 1 && !(bytes.length === 5 && bytes[2] === 2 && bytes[3] === 0 && bytes[4] === 0)) sent++; // step 2 with content
    });
  });
  return { count: () => sent, reset: () => (sent = 0) };
}

async function openPad(padId: string, name: string) {
  let updates!: ReturnType<typeof watchSentUpdates>;
  const page = await openPadIn(suite.browser, suite.server.url, padId, { name, before: (p) => (updates = watchSentUpdates(p)) });
  return { page, updates };
}

async function seedPad(name: string) {
  const pad = await createPad(suite.server.url, name);
  const seed = await connectSynced(suite.server.url, pad.padId, 'proposed');
  entriesOf(seed.doc).push([
    createEntry({ id: 'e1', kind: 'bug', title: 'Evacuate fails when source host is down', owner: 'carol', note: 'needs first review', addedBy: 'carol' }),
    createEntry({ id: 'e2', kind: 'feature', title: 'vTPM live migration', owner: 'alice', note: 'series of 3', addedBy: 'alice' }),
    createEntry({ id: 'e3', kind: 'bug', title: 'Race in resource tracker', owner: 'frank', note: 'WIP', addedBy: 'frank' }),
  ]);
  await waitFor(() => suite.server.store.readLog({ padId: pad.padId, section: 'proposed' }).length > 0);
  seed.provider.destroy();
  return pad;
}

const titles = (page: Page) => page.locator('cp-section#proposed cp-entry .title').allTextContents();
const stored = (padId: string) => suite.server.store.readLog({ padId, section: 'proposed' }).length;

describe.each(['google', 'edge', 'firefox', 'safari'] as TranslatorStyle[])('a %s-style translator', (style) => {
  it('changes nothing in the pad, pauses editing with a banner, and honest typing works after it stops', async () => {
    const { padId } = await seedPad(`translate-${style}`);
    const { page, updates } = await openPad(padId, 'translated-person');
    const { page: other } = await openPad(padId, 'other-person');
    const before = await titles(other);
    const storedBefore = stored(padId);

    // the person has an entry open for editing when the translation starts
    await entryAction(page.locator('cp-section#proposed cp-entry[data-id="e1"]'), 'Edit');
    await page.locator('cp-text-field[label="Title"] input').waitFor();
    updates.reset();
    await page.evaluate(translate, style);

    await page.locator('cp-translation-banner').waitFor({ timeout: 5000 });
    // (its text is page chrome, translatable: the Google and Edge simulations translate it too)
    expect(await page.locator('cp-translation-banner [role="alert"]').count()).toBe(1);
    expect(await page.locator('cp-translation-banner a').getAttribute('href')).toMatch(/\/p\/r\.[0-9a-f]{32}$/);
    // editing is paused: no form, no edit buttons, no fields
    await expect.poll(() => page.locator('cp-section :is(button.add, cp-entry-form)').count()).toBe(0);
    expect(await page.locator('cp-entry button').count()).toBe(0);
    // the others see this person as translating
    await expect.poll(() => other.locator('cp-presence-list li', { hasText: 'translated-person' }).textContent()).toContain('(translating)');

    // the page keeps being translated while others edit; still nothing goes out
    const seed = await connectSynced(suite.server.url, padId, 'proposed');
    (entriesOf(seed.doc).get(2).get('note') as import('yjs').Text).insert(0, 'live: ');
    await sleep(800);
    expect(updates.count()).toBe(0);
    expect(stored(padId)).toBe(storedBefore + 1);
    expect(await titles(other)).toEqual(before);
    expect(sectionToJSON(seed.doc).map((e) => e.title)).toEqual(['Evacuate fails when source host is down', 'vTPM live migration', 'Race in resource tracker']);

    await page.evaluate(() => (window as unknown as { stopTranslating: () => void }).stopTranslating());
    await page.locator('cp-translation-banner').waitFor({ state: 'detached', timeout: 5000 });
    // the pad is shown from the model again
    await expect.poll(() => titles(page)).toEqual(before);
    await expect.poll(() => other.locator('cp-presence-list li', { hasText: 'translated-person' }).textContent()).not.toContain('(translating)');

    // typing one character syncs exactly one character
    const entry = page.locator('cp-section#proposed cp-entry[data-id="e1"]');
    await entryAction(entry, 'Edit');
    const field = entry.locator('cp-text-field[label="Title"] input');
    await field.click();
    await field.press('End');
    await page.keyboard.type('!');
    await waitFor(() => sectionToJSON(seed.doc).some((e) => e.title.endsWith('!')), 5000, 'the typed character');
    expect(sectionToJSON(seed.doc).map((e) => e.title)).toEqual(['Evacuate fails when source host is down!', 'vTPM live migration', 'Race in resource tracker']);
    // the browser reports sent frames over CDP, which can arrive after the server has relayed the edit
    await expect.poll(() => updates.count()).toBeGreaterThan(0);
    seed.provider.destroy();
    await page.context().close();
    await other.context().close();
  });
});

describe('markup', () => {
  it('every editable element, inside every shadow root, is marked translate="no" and notranslate; the chrome is not', async () => {
    const { padId, curatorKey } = await seedPad('markup');
    const { page } = await openPad(padId, 'marker');
    await signIn(page, curatorKey);
    await entryAction(page.locator('cp-section#proposed cp-entry[data-id="e1"]'), 'Edit');
    await addForm(page, 'proposed');
    await page.getByRole('button', { name: 'Import from Etherpad…' }).click();
    const report = await page.evaluate(() => {
      const roots: Array<Document | ShadowRoot> = [document];
      for (let i = 0; i < roots.length; i++) for (const el of roots[i]!.querySelectorAll('*')) if (el.shadowRoot) roots.push(el.shadowRoot);
      const unmarked: string[] = [];
      let editable = 0;
      for (const root of roots) {
        for (const el of root.querySelectorAll('input, textarea, select, [contenteditable]')) {
          const host = (root as ShadowRoot).host?.localName ?? 'document';
          if (host === 'cp-filter-bar') continue; // the filter is the person's own, never shared
          editable++;
          if (el.getAttribute('translate') !== 'no' || !el.classList.contains('notranslate')) unmarked.push(`${host} ${el.outerHTML.slice(0, 80)}`);
        }
      }
      const hosts = ['cp-text-field', 'cp-entry', 'cp-entry-form', 'cp-cycle-header'].map((name) => {
        const found: Element[] = [];
        for (const root of roots) found.push(...root.querySelectorAll(name));
        return found.every((h) => h.getAttribute('translate') === 'no' && h.classList.contains('notranslate')) && found.length > 0;
      });
      return { unmarked, editable, hosts, lang: document.documentElement.lang, chrome: document.querySelector('cp-pad-page')!.getAttribute('translate') };
    });
    expect(report.editable).toBeGreaterThan(10);
    expect(report.unmarked).toEqual([]);
    expect(report.hosts).toEqual([true, true, true, true]);
    expect(report.lang).toBe('en');
    expect(report.chrome).toBeNull(); // headings, labels and buttons stay translatable
    await page.context().close();
  });
});

describe('honest editing still syncs', () => {
  async function editTitle(page: Page) {
    const entry = page.locator('cp-section#proposed cp-entry[data-id="e1"]');
    await entryAction(entry, 'Edit');
    const field = entry.locator('cp-text-field[label="Title"] input');
    await field.click();
    await field.press('End');
    return field;
  }

  it('IME composition (CDP Input.imeSetComposition) commits its text once', async () => {
    const { padId } = await seedPad('ime');
    const { page } = await openPad(padId, 'ime-person');
    const seed = await connectSynced(suite.server.url, padId, 'proposed');
    await editTitle(page);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Input.imeSetComposition', { text: 'に', selectionStart: 1, selectionEnd: 1 });
    await cdp.send('Input.imeSetComposition', { text: 'にほ', selectionStart: 2, selectionEnd: 2 });
    await cdp.send('Input.imeSetComposition', { text: 'にほん', selectionStart: 3, selectionEnd: 3 });
    await cdp.send('Input.insertText', { text: '日本' });
    await waitFor(() => sectionToJSON(seed.doc)[0]!.title.endsWith('日本'), 5000, 'composed text');
    await sleep(200);
    expect(sectionToJSON(seed.doc)[0]!.title).toBe('Evacuate fails when source host is down日本');
    expect(await page.locator('cp-translation-banner').count()).toBe(0);
    seed.provider.destroy();
    await page.context().close();
  });

  it('paste syncs the pasted text', async () => {
    const { padId } = await seedPad('paste');
    const { page } = await openPad(padId, 'paster');
    const seed = await connectSynced(suite.server.url, padId, 'proposed');
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: suite.server.url });
    await editTitle(page);
    await page.evaluate(() => navigator.clipboard.writeText(' (see bug 2081234)'));
    await page.keyboard.press('Control+V');
    await waitFor(() => sectionToJSON(seed.doc)[0]!.title.endsWith('(see bug 2081234)'), 5000, 'pasted text');
    expect(sectionToJSON(seed.doc)[0]!.title).toBe('Evacuate fails when source host is down (see bug 2081234)');
    seed.provider.destroy();
    await page.context().close();
  });

  it('a script setting a field and firing a synthetic input event changes nothing', async () => {
    const { padId } = await seedPad('synthetic');
    const { page, updates } = await openPad(padId, 'victim');
    await editTitle(page);
    updates.reset();
    await page.locator('cp-text-field[label="Title"] input').evaluate((input: HTMLInputElement) => {
      input.value = 'overwritten by a script';
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
    // a value changed with no typing behind it is a sign too: editing pauses, and nothing was sent
    await page.locator('cp-translation-banner').waitFor({ timeout: 5000 });
    await sleep(300);
    expect(updates.count()).toBe(0);
    const exported = (await (await fetch(`${suite.server.url}/api/pads/${padId}/export.json`)).json()) as { sections: { proposed: { title: string }[] } };
    expect(exported.sections.proposed[0]!.title).toBe('Evacuate fails when source host is down');
    // once the quiet period is over, the field shows the model again
    await page.locator('cp-translation-banner').waitFor({ state: 'detached', timeout: 5000 });
    await entryAction(page.locator('cp-section#proposed cp-entry[data-id="e1"]'), 'Edit');
    expect(await page.locator('cp-text-field[label="Title"] input').inputValue()).toBe('Evacuate fails when source host is down');
    await page.context().close();
  });
});

describe('outgoing check', () => {
  const rewriteAll = (page: Page) =>
    page.evaluate(() => {
      const pad = document.querySelector('cp-pad-page') as unknown as { connection: { proposed: { doc: import('yjs').Doc } } };
      const doc = pad.connection.proposed.doc;
      doc.transact(() => {
        for (const entry of doc.getArray<import('yjs').Map<unknown>>('entries').toArray()) {
          const t = entry.get('title') as import('yjs').Text;
          const old = t.toString();
          t.delete(0, t.length);
          t.insert(0, old.toUpperCase());
        }
      });
    });

  it('holds back one change that rewrites many entries, and asks: discard keeps the pad as it was, send sends it', async () => {
    const { padId } = await seedPad('outgoing');
    const { page, updates } = await openPad(padId, 'holder');
    const storedBefore = stored(padId);
    updates.reset();
    await rewriteAll(page);
    const dialog = page.getByRole('alertdialog', { name: 'Confirm a large change' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('rewrites the text of 3 entries at once');
    await sleep(300);
    expect(updates.count()).toBe(0);
    expect(stored(padId)).toBe(storedBefore);

    await dialog.getByRole('button', { name: 'Discard it' }).click();
    await expect.poll(() => titles(page)).toEqual(['vTPM live migration', 'Evacuate fails when source host is down', 'Race in resource tracker']);
    await page.locator('cp-connection-status [data-state="live"]').waitFor();
    expect(stored(padId)).toBe(storedBefore);

    await rewriteAll(page);
    await dialog.getByRole('button', { name: 'Send it to everyone' }).click();
    await waitFor(() => stored(padId) > storedBefore, 5000, 'the confirmed change');
    const exported = (await (await fetch(`${suite.server.url}/api/pads/${padId}/export.json`)).json()) as { sections: { proposed: { title: string }[] } };
    expect(exported.sections.proposed.map((e) => e.title)).toEqual(['EVACUATE FAILS WHEN SOURCE HOST IS DOWN', 'VTPM LIVE MIGRATION', 'RACE IN RESOURCE TRACKER']);
    await page.context().close();
  });
});

describe('history in the page', () => {
  it("a curator's restore right after their own typing joins that burst's row, and the row opens to reach each revision (nothing typed is lost)", async () => {
    const { padId, curatorKey } = await seedPad('history-burst');
    // the curator types a note, one update per keystroke, as a page does
    const curator = await connectSynced(suite.server.url, padId, 'proposed', { params: { key: curatorKey } });
    const note = entriesOf(curator.doc).get(0).get('note') as import('yjs').Text;
    for (const ch of ' ok') {
      const before = stored(padId);
      note.insert(note.length, ch);
      await waitFor(() => stored(padId) === before + 1, 5000, 'one revision per keystroke');
    }
    await waitFor(() => stored(padId) === 4, 5000, 'three typed revisions');
    const typedLast = suite.server.store.readLog({ padId, section: 'proposed' }).at(-1)!.seq;
    const { page } = await openPad(padId, 'ptl');
    await signIn(page, curatorKey);
    await page.getByRole('button', { name: 'History' }).click();
    const panel = page.getByRole('region', { name: 'History' });
    await expect.poll(() => panel.locator('ol > li').first().textContent()).toContain(`Revisions 2–${typedLast} (3 changes)`);
    // restore revision 1 (before the typing): by the same curator, within seconds, on the same entry
    await panel.getByRole('button', { name: 'Restore to revision 1' }).click();
    await panel.getByRole('button', { name: /^Confirm: return to revision 1, taking back/ }).click();
    await waitFor(() => sectionToJSON(curator.doc)[0]!.note === 'needs first review', 5000, 'the restore');
    await expect.poll(() => panel.locator('ol > li').first().textContent()).toContain(`Revisions 2–${typedLast + 1} (4 changes)`);
    // the typed note (the state before the restore) can still be reached and restored
    await panel.getByRole('button', { name: 'Show each (4)' }).click();
    await panel.getByRole('button', { name: `Restore to revision ${typedLast}` }).click();
    await panel.getByRole('button', { name: new RegExp(`^Confirm: return to revision ${typedLast},`) }).click();
    await waitFor(() => sectionToJSON(curator.doc)[0]!.note === 'needs first review ok', 5000, 'the typed note back');
    curator.provider.destroy();
    await page.context().close();
  });

  it('lists revisions, views one, and a curator restores it live', async () => {
    const { padId, curatorKey } = await seedPad('history-page');
    const seed = await connectSynced(suite.server.url, padId, 'proposed');
    (entriesOf(seed.doc).get(0).get('title') as import('yjs').Text).insert(0, 'VANDALISED ');
    await waitFor(() => stored(padId) === 2);
    const { page } = await openPad(padId, 'ptl');
    await signIn(page, curatorKey);
    const focused = (locator: import('playwright-core').Locator) => locator.evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el);
    await page.getByRole('button', { name: 'History' }).click();
    const panel = page.getByRole('region', { name: 'History' });
    // focus goes into the panel it opened
    await expect.poll(() => focused(panel.getByLabel('Section'))).toBe(true);
    await expect.poll(() => panel.locator('ol > li').count()).toBeGreaterThanOrEqual(2);
    expect(await panel.locator('ol > li').first().textContent()).toContain('edited “VANDALISED Evacuate fails when source host is down” (title)');
    await panel.getByRole('button', { name: 'View revision 1' }).click();
    await expect.poll(() => panel.locator('.viewing ul li').first().textContent()).toContain('Evacuate fails when source host is down');
    await expect.poll(() => focused(panel.getByRole('heading', { name: 'As of revision 1' }))).toBe(true);
    // Restore asks first: a second Enter on the same spot confirms this revision, never a neighbour's
    const restore = panel.getByRole('button', { name: 'Restore to revision 1' });
    await restore.focus();
    await page.keyboard.press('Enter');
    const confirm = panel.getByRole('button', { name: /^Confirm: return to revision 1, taking back/ });
    await expect.poll(() => focused(confirm)).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => focused(restore)).toBe(true);
    expect(sectionToJSON(seed.doc)[0]!.title).toBe('VANDALISED Evacuate fails when source host is down');
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(confirm)).toBe(true);
    await page.keyboard.press('Enter');
    await waitFor(() => sectionToJSON(seed.doc)[0]!.title === 'Evacuate fails when source host is down', 5000, 'restore seen live');
    // the restore is listed as a new revision, and focus stays on the row restored from
    await expect.poll(() => panel.locator('ol > li').first().getAttribute('data-seq')).toBe('3');
    await expect.poll(() => focused(restore)).toBe(true);
    await expect.poll(() => panel.getByRole('status').first().textContent()).toContain('Returned the section to revision 1');
    await panel.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => focused(page.getByRole('button', { name: 'History' }))).toBe(true);
    // Escape closes it too, as every form and panel of the page (Escape on a confirmation only withdraws it: above)
    await page.getByRole('button', { name: 'History' }).click();
    await expect.poll(() => focused(panel.getByLabel('Section'))).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => panel.count()).toBe(0);
    await expect.poll(() => focused(page.getByRole('button', { name: 'History' }))).toBe(true);
    seed.provider.destroy();
    await page.context().close();
  });

  it('Undo on a removal brings the entry back and keeps every later change (Restore would take them back, and says so)', async () => {
    const { padId, curatorKey } = await seedPad('history-undo');
    // three people (a burst of one person's changes is one row): revision 2 adds an entry, 3 removes the first, 4
    // edits the added one
    const seed = await connectSynced(suite.server.url, padId, 'proposed');
    entriesOf(seed.doc).push([createEntry({ id: 'later', title: 'Later work', addedBy: 'bob' })]);
    await waitFor(() => stored(padId) === 2);
    const remover = await connectSynced(suite.server.url, padId, 'proposed');
    entriesOf(remover.doc).delete(0, 1);
    await waitFor(() => stored(padId) === 3);
    const editor = await connectSynced(suite.server.url, padId, 'proposed');
    const later = sectionToJSON(editor.doc).findIndex((e) => e.id === 'later');
    (entriesOf(editor.doc).get(later).get('note') as import('yjs').Text).insert(0, 'kept ');
    await waitFor(() => stored(padId) === 4);
    const { page } = await openPad(padId, 'ptl');
    await signIn(page, curatorKey);
    await page.getByRole('button', { name: 'History' }).click();
    const panel = page.getByRole('region', { name: 'History' });
    const removal = panel.locator('ol > li', { hasText: 'removed “Evacuate fails when source host is down”' });
    await removal.waitFor();
    const seq = Number(await removal.getAttribute('data-seq'));
    // Restore on that row says what it would take back
    await removal.getByRole('button', { name: `Restore to revision ${seq}` }).click();
    await expect.poll(() => removal.locator('button.confirm').textContent()).toContain(`return to revision ${seq}, taking back the 1 change after it`);
    await removal.getByRole('button', { name: 'Keep' }).click();
    // Undo takes back the removal alone
    await removal.getByRole('button', { name: new RegExp(`^Undo revisions? .*${seq}$`) }).click();
    await removal.getByRole('button', { name: /^Confirm: undo revision.*later changes stay/ }).click();
    await waitFor(() => sectionToJSON(seed.doc).length === 4, 5000, 'the removed entry back');
    expect(sectionToJSON(seed.doc).map((e) => e.title)).toContain('Evacuate fails when source host is down');
    expect(sectionToJSON(seed.doc).find((e) => e.id === 'later')!.note).toBe('kept ');
    await expect.poll(() => panel.getByRole('status').first().textContent()).toMatch(/Undid revisions? .*later changes are kept/);
    for (const c of [seed, remover, editor]) c.provider.destroy();
    await page.context().close();
  });
});
