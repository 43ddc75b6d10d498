/**
 * Every role can do its job in the page: curators manage delegates, the PTL is signed in right after creating a
 * pad, presence is visible (under the strict CSP, with AA contrast), history names people, and the mirror shows
 * status and keeps updating under a translator.
 */
import { describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import type { Page } from 'playwright-core';
import { createEntry, entriesOf, sectionToJSON } from '../../shared/schema.js';
import { createPad } from '../helpers/server.js';
import { addForm, browserSuite, entryAction, openPad as openPadIn, signIn } from '../helpers/browser-suite.js';
import { connectSynced } from '../helpers/clients.js';
import { translate, type TranslatorStyle } from '../helpers/translators.js';
import { sleep, waitFor } from '../helpers/wait.js';

const suite = browserSuite();
const openPad = (padId: string, opts: { name?: string; before?: (page: Page) => void } = {}) => openPadIn(suite.browser, suite.server.url, padId, opts);

function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  return errors;
}

/** The WCAG contrast ratio of two CSS colours (`rgb(r, g, b)`), computed in the page's terms. */
function contrast(fg: string, bg: string): number {
  const lum = (c: string) => {
    const [r, g, b] = c.match(/\d+(\.\d+)?/g)!.slice(0, 3).map(Number).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  };
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a! + 0.05) / (b! + 0.05);
}

describe('every role can do its job in the page', () => {
  it('a curator creates a delegate key (shown once, copyable), lists and revokes it; the PTL key cannot be revoked', async () => {
    const { padId, curatorKey } = await createPad(suite.server.url, 'rip-delegates');
    const ptl = await openPad(padId);
    await ptl.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: suite.server.url });
    await signIn(ptl, curatorKey);
    const panel = ptl.locator('cp-delegates');
    await ptl.getByRole('button', { name: 'Delegates…' }).click();
    await expect.poll(() => panel.locator('li').count()).toBe(1);
    expect(await panel.locator('li').textContent()).toMatch(/PTL key.*cannot be revoked here/s);
    expect(await panel.getByRole('button', { name: /Revoke/ }).count()).toBe(0);

    await panel.getByLabel("Delegate's name or role").fill('gibi (stable liaison)');
    await panel.getByRole('button', { name: 'Create key' }).click();
    const key = await panel.locator('code.delegate-key').textContent();
    expect(key).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    await panel.getByRole('button', { name: 'Copy key' }).click();
    await expect.poll(() => ptl.evaluate(() => navigator.clipboard.readText())).toBe(key);
    await expect.poll(() => panel.locator('button.copy').textContent()).toBe('Copied');
    // the read-only link copies as a whole address, as the keys do
    const readOnly = ptl.locator('cp-pad-page a.read-only-link');
    const href = await readOnly.evaluate((a) => (a as HTMLAnchorElement).href);
    expect(href).toMatch(/\/p\/r\.[0-9a-f]{32}$/);
    await ptl.getByRole('button', { name: 'Copy the read-only link' }).click();
    await expect.poll(() => ptl.evaluate(() => navigator.clipboard.readText())).toBe(href);
    await expect.poll(() => ptl.getByRole('button', { name: 'Copy the read-only link' }).textContent()).toBe('Copied');
    await expect.poll(() => panel.locator('li').count()).toBe(2);

    // the delegate signs in with it, in another browser
    const delegate = await openPad(padId);
    await signIn(delegate, key!);
    await delegate.locator('cp-section#ready button.add').waitFor();
    // the delegate is at work in the ready list when the key is revoked
    await delegate.locator('cp-section#ready button.add').click();
    await delegate.locator('cp-section#ready cp-entry-form').getByLabel('Title').focus();

    // revoked in the page: the delegate's page turns read-only at once
    const focused = (locator: import('playwright-core').Locator) => locator.evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el);
    const revoke = panel.getByRole('button', { name: 'Revoke gibi (stable liaison)' });
    const confirmRevoke = panel.getByRole('button', { name: 'Confirm: revoke gibi (stable liaison)' });
    // focus follows the question, and comes back when it is withdrawn
    await revoke.click();
    await expect.poll(() => focused(confirmRevoke)).toBe(true);
    await ptl.keyboard.press('Escape');
    await expect.poll(() => focused(revoke)).toBe(true);
    await ptl.keyboard.press('Enter');
    await expect.poll(() => focused(confirmRevoke)).toBe(true);
    await confirmRevoke.click();
    await expect.poll(() => panel.locator('[role="status"]').last().textContent()).toContain('Revoked “gibi (stable liaison)”');
    await expect.poll(() => panel.locator('li').count()).toBe(1);
    await expect.poll(() => delegate.locator('cp-section#ready :is(button.add, cp-entry-form)').count()).toBe(0);
    // told why, and what they can still do; focus, lost with the form, is on that message
    const told = delegate.locator('cp-pad-page .role-notice[role="status"]');
    await expect.poll(() => told.textContent()).toContain('You are no longer signed in as a curator (the curator key of this connection was revoked)');
    await expect.poll(() => told.evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el)).toBe(true);
    await expect.poll(() => delegate.getByRole('button', { name: 'Curator sign-in' }).count()).toBe(1);
    const listed = await fetch(`${suite.server.url}/api/pads/${padId}/curators`, { headers: { authorization: `Bearer ${curatorKey}` } });
    expect(((await listed.json()) as { curators: unknown[] }).curators).toHaveLength(1);
  });

  it('the PTL is signed in right after creating a pad, with the key shown once and copyable; sign-in focuses the key field', async () => {
    const context = await suite.browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: suite.server.url });
    const home = await context.newPage();
    await home.goto(suite.server.url);
    await home.getByLabel('New pad name').fill('rip-ptl');
    await home.getByRole('button', { name: 'Create pad' }).click();
    const created = home.locator('cp-home .created');
    await expect.poll(() => created.textContent()).toContain('signed in to it as its PTL');
    expect(await created.textContent()).toContain('Keep this key: it is shown only now.');
    const key = await created.locator('code.curator-key').textContent();
    await created.getByRole('button', { name: 'Copy key' }).click();
    await expect.poll(() => home.evaluate(() => navigator.clipboard.readText())).toBe(key);
    // a double-click selects the whole key, whatever "-" and "_" it holds (they used to end the word selected)
    const keyText = created.locator('code.curator-key');
    const selectedOn = async (text: string) => {
      await keyText.evaluate((el, t) => (el.textContent = t), text);
      await keyText.dblclick();
      return home.evaluate(() => document.getSelection()?.toString());
    };
    expect(await selectedOn('-n8Vk_g1KX-tgjEH67aU')).toBe('-n8Vk_g1KX-tgjEH67aU');
    await keyText.evaluate((el, k) => (el.textContent = k), key);
    // the home page's two buttons stand at the same place beside their fields, and the result box keeps apart from
    // the form under it
    const box = async (name: string) => (await home.getByRole('button', { name, exact: true }).boundingBox())!;
    expect((await box('Create pad')).x).toBe((await box('Open')).x);
    const createdBox = (await created.boundingBox())!;
    const openLabel = (await home.getByText('Open a pad by name').boundingBox())!;
    expect(openLabel.y - (createdBox.y + createdBox.height)).toBeGreaterThanOrEqual(16);
    await created.getByRole('link', { name: /^Open the pad/ }).click();
    await home.locator('cp-connection-status [data-state="live"]').waitFor();
    await home.getByText('Signed in as curator').waitFor();
    await home.locator('cp-section#ready button.add').waitFor();

    // in another browser, the sign-in puts focus in the key field
    const other = await openPad('rip-ptl');
    await other.getByRole('button', { name: 'Curator sign-in' }).click();
    await expect
      .poll(() => other.evaluate(() => {
        let el: Element | null = document.activeElement;
        while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
        return el?.getAttribute('name');
      }))
      .toBe('key');
    await other.keyboard.type(key!);
    await other.keyboard.press('Enter');
    await other.getByText('Signed in as curator').waitFor();
  });

  it('after signing in (its sockets reconnect) the page shows the people already here at once, not after their next presence renewal', async () => {
    const { padId, curatorKey } = await createPad(suite.server.url, 'rip-presence-reconnect');
    const alice = await openPad(padId, { name: 'Alice' });
    const bob = await openPad(padId, { name: 'Bob' });
    await expect.poll(() => alice.locator('cp-presence-list li').count()).toBe(2);
    await signIn(alice, curatorKey);
    await alice.locator('cp-connection-status [data-state="live"]').waitFor();
    // presence renews every 15 s; the people here must be back well before that
    await expect.poll(() => alice.locator('cp-presence-list li', { hasText: 'Bob' }).count(), { timeout: 4000 }).toBe(1);
    await bob.context().close();
  });

  it('presence chips are coloured under the strict CSP, with AA contrast, and the page logs no CSP error', async () => {
    const { padId } = await createPad(suite.server.url, 'rip-presence');
    let errors: string[] = [];
    const alice = await openPad(padId, { name: 'Alice', before: (p) => (errors = collectErrors(p)) });
    const bob = await openPad(padId, { name: 'Bob' });
    await expect.poll(() => alice.locator('cp-presence-list li').count()).toBe(2);
    await expect.poll(() => bob.locator('cp-presence-list li').count()).toBe(2);
    for (const page of [alice, bob]) {
      const chips = await page.locator('cp-presence-list li').evaluateAll((lis) =>
        lis.map((li) => ({ name: li.textContent, color: getComputedStyle(li).color, background: getComputedStyle(li).backgroundColor })),
      );
      for (const chip of chips) {
        expect(chip.background).not.toBe('rgba(0, 0, 0, 0)');
        expect(contrast(chip.color, chip.background), `${chip.name}: ${chip.color} on ${chip.background}`).toBeGreaterThanOrEqual(4.5);
      }
      // two people, two colours
      expect(new Set(chips.map((c) => c.background)).size).toBe(2);
    }
    // no style attribute anywhere the CSP would refuse, and no error on load
    const aliceColour = () => bob.locator('cp-presence-list li', { hasText: 'Alice' }).evaluate((li) => getComputedStyle(li).backgroundColor);
    const before = await aliceColour();
    await alice.reload();
    await alice.locator('cp-connection-status [data-state="live"]').waitFor();
    await expect.poll(() => alice.locator('cp-presence-list li').count()).toBe(2);
    // a reload is a new socket, not a new person: the same colour on everyone's page
    await expect.poll(() => bob.locator('cp-presence-list li').count()).toBe(2);
    expect(await aliceColour()).toBe(before);
    expect(errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('someone typing in an entry\'s title or note is shown on that entry to the others, and in their editor', async () => {
    const { padId } = await createPad(suite.server.url, 'rip-editors');
    const seed = await connectSynced(suite.server.url, padId, 'proposed');
    entriesOf(seed.doc).push([createEntry({ id: 'img', kind: 'feature', title: '', launchpad: 'https://blueprints.launchpad.net/nova/+spec/image-props', addedBy: 'x' })]);
    const alice = await openPad(padId, { name: 'Alice' });
    const bob = await openPad(padId, { name: 'Bob' });
    const entryIn = (page: Page) => page.locator('cp-section#proposed cp-entry[data-id="img"]');
    await entryIn(bob).waitFor();
    const badge = entryIn(bob).locator('.badge.editors');
    expect(await badge.count()).toBe(0);

    await entryAction(entryIn(alice), 'Edit'); // (focus goes to the title)
    // opening the editor says nothing yet (the person may be about to edit the note): typing does
    await entryIn(alice).locator('cp-text-field[data-field="title"] input').pressSequentially('Image');
    await expect.poll(() => badge.textContent()).toBe('✎ Alice editing');
    // Bob opens the same entry: before he types, his editor says Alice is typing there
    await entryAction(entryIn(bob), 'Edit');
    await expect.poll(() => entryIn(bob).locator('.also-editing').textContent()).toContain('Alice is also typing in this entry (title)');
    await sleep(300);
    expect(await entryIn(alice).locator('.also-editing').count()).toBe(0); // Bob only opened it
    // Bob types in the note: Alice's editor says so
    await entryIn(bob).locator('cp-text-field[data-field="note"] textarea').click();
    await entryIn(bob).locator('cp-text-field[data-field="note"] textarea').pressSequentially('spec first');
    await expect.poll(() => entryIn(alice).locator('.also-editing').textContent()).toContain('Bob is also typing in this entry (status note)');
    // Alice is done: the word goes from Bob's page
    await entryIn(alice).getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => entryIn(bob).locator('.also-editing').count()).toBe(0);
    expect(await entryIn(alice).locator('.badge.editors').textContent()).toBe('✎ Bob editing');
    // presence is only presence: the entry holds what they typed, nothing else
    await waitFor(() => sectionToJSON(seed.doc)[0]?.note === 'spec first', 3000, 'the note');
    expect(sectionToJSON(seed.doc)[0]).toMatchObject({ id: 'img', title: 'Image', note: 'spec first' });
    seed.provider.destroy();
  });

  it('history names people by the name they chose, with their session beside it', async () => {
    const { padId } = await createPad(suite.server.url, 'rip-history');
    const alice = await openPad(padId, { name: 'Alice Liddell' });
    const form = await addForm(alice, 'proposed');
    await form.getByLabel('Title').fill('Lost allocation');
    await form.getByRole('button', { name: 'Add entry' }).click();
    await waitFor(() => suite.server.store.readLog({ padId, section: 'proposed' }).length === 1);
    const session = suite.server.store.readLog({ padId, section: 'proposed' })[0]!.session;
    expect(session).toMatch(/^contributor:/);

    const reader = await openPad(padId, { name: 'Reader' });
    await reader.getByRole('button', { name: 'History' }).click();
    const who = reader.locator('cp-history-panel li .who').first();
    await expect.poll(() => who.textContent()).toContain(`Alice Liddell (${session.slice(0, 'contributor:'.length + 4)}…)`);
    expect(await who.locator('.session').getAttribute('title')).toBe(session);
  });

  it('the mirror shows merged/abandoned status, with and without JavaScript; only the script says it updates live', async () => {
    const { padId, curatorKey, readOnlyUrl } = await createPad(suite.server.url, 'rip-mirror-status');
    const curator = await connectSynced(suite.server.url, padId, 'ready', { params: { key: curatorKey } });
    entriesOf(curator.doc).push([
      createEntry({ id: 'm1', title: 'PCI device groups', owner: 'erin', addedBy: 'ptl', status: 'merged' }),
      createEntry({ id: 'm2', title: 'vTPM live migration', owner: 'alice', addedBy: 'ptl', status: 'abandoned' }),
      createEntry({ id: 'm3', title: 'Race in resource tracker', owner: 'frank', addedBy: 'ptl' }),
    ]);
    await waitFor(() => suite.server.store.readLog({ padId, section: 'ready' }).length === 1);

    const noJs = await (await suite.browser.newContext({ javaScriptEnabled: false })).newPage();
    await noJs.goto(readOnlyUrl);
    const mirror = await (await suite.browser.newContext()).newPage();
    await mirror.goto(readOnlyUrl);
    await mirror.locator('#mirror .live-state', { hasText: 'live' }).waitFor();
    for (const page of [noJs, mirror]) {
      expect(await page.locator('#mirror .entry[data-id="m1"] .status').textContent()).toBe('merged');
      expect(await page.locator('#mirror .entry[data-id="m2"] .status').textContent()).toBe('abandoned');
      expect(await page.locator('#mirror .entry[data-id="m3"] .status').count()).toBe(0);
    }
    expect(await noJs.locator('#mirror').textContent()).not.toMatch(/updates? live|as they are made/i);
    expect(await mirror.locator('#mirror .readonly-note').textContent()).toMatch(/changes show here as they are made \(connection: live\)/);
    curator.provider.destroy();
  });

  describe.each(['google', 'edge', 'firefox', 'safari'] as TranslatorStyle[])('a mirror translated %s-style', (style) => {
    it('still shows an entry that changes (title, status), and new entries', async () => {
      const { padId, curatorKey, readOnlyUrl } = await createPad(suite.server.url, `rip-mirror-${style}`);
      const curator = await connectSynced(suite.server.url, padId, 'ready', { params: { key: curatorKey } });
      entriesOf(curator.doc).push([
        createEntry({ id: 't1', title: 'Evacuate fails', owner: 'carol', note: 'needs review', addedBy: 'ptl' }),
        createEntry({ id: 't2', title: 'Lost allocation', owner: 'dave', addedBy: 'ptl' }),
      ]);
      await waitFor(() => suite.server.store.readLog({ padId, section: 'ready' }).length === 1);
      const mirror = await (await suite.browser.newContext()).newPage();
      await mirror.goto(readOnlyUrl);
      await mirror.locator('#mirror .live-state', { hasText: 'live' }).waitFor();
      await mirror.evaluate(translate, style);
      // the translator rewrote the entries (reversed text stands for a translation)
      await expect.poll(() => mirror.locator('#mirror .entry[data-id="t1"]').textContent()).toContain('«sliaf etaucavE»');

      const entries = entriesOf(curator.doc);
      const t1 = entries.get(0);
      curator.doc.transact(() => {
        const title = t1.get('title') as Y.Text;
        title.delete(0, title.length);
        title.insert(0, 'Evacuation now works');
        entries.get(1).set('status', 'merged');
      });
      entries.push([createEntry({ id: 't3', title: 'Brand new entry', owner: 'gina', addedBy: 'ptl' })]);
      // shown anew: the new text, translated again where that translator keeps translating, never the stale one
      const shown = (id: string) => mirror.locator(`#mirror .entry[data-id="${id}"]`).textContent();
      const either = (text: string) => new RegExp(`${text}|«${text.split('').reverse().join('')}»`);
      await expect.poll(() => shown('t1')).toMatch(either('Evacuation now works'));
      expect(await shown('t1')).not.toMatch(/Evacuate fails|sliaf etaucavE/);
      await expect.poll(() => shown('t2')).toMatch(either('merged'));
      await expect.poll(() => shown('t3')).toMatch(either('Brand new entry'));
      expect(sectionToJSON(curator.doc)).toHaveLength(3);
      curator.provider.destroy();
    });
  });
});
