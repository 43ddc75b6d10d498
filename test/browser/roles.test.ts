import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createEntry, entriesOf } from '../../shared/schema.js';
import { createPad } from '../helpers/server.js';
import { addForm, browserSuite, openPad as openPadIn, signIn } from '../helpers/browser-suite.js';
import { connectSynced } from '../helpers/clients.js';
import { sleep, waitFor } from '../helpers/wait.js';

const suite = browserSuite();
const openPad = (padId: string) => openPadIn(suite.browser, suite.server.url, padId);



const readyTitles = (page: Page) => page.locator('cp-section#ready cp-entry .title').allTextContents();

describe('roles in the browser', () => {
  it('a contributor cannot edit ready and sees the curator sign-in; after signing in, they can', async () => {
    const { padId, curatorKey } = await createPad(suite.server.url, 'browser-roles');
    const ptl = await openPad(padId);
    const contributor = await openPad(padId);
    expect(await ptl.locator('cp-section#ready :is(button.add, cp-entry-form)').count()).toBe(0);
    await expect.poll(() => ptl.getByRole('button', { name: 'Curator sign-in' }).count()).toBe(1);

    // a wrong key is refused with a message
    await ptl.getByRole('button', { name: 'Curator sign-in' }).click();
    await ptl.getByLabel('Curator key').fill('wrong');
    await ptl.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => ptl.getByRole('alert').textContent()).toContain('not a curator key');
    await ptl.getByRole('button', { name: 'Cancel' }).click();

    await signIn(ptl, curatorKey);
    const form = await addForm(ptl, 'ready');
    await form.getByLabel('Title').fill('PCI device groups');
    await form.getByRole('button', { name: 'Add entry' }).click();
    await expect.poll(() => readyTitles(contributor)).toEqual(['PCI device groups']);
    // the contributor still has no way to edit it
    expect(await contributor.locator('cp-section#ready cp-entry button').count()).toBe(0);
    expect(await contributor.locator('cp-section#ready :is(button.add, cp-entry-form)').count()).toBe(0);
  });

  it('a curator whose key is revoked sees at once that ready is read-only; nothing is lost or re-sent', async () => {
    const { padId, curatorKey } = await createPad(suite.server.url, 'browser-refusal');
    const made = await fetch(`${suite.server.url}/api/pads/${padId}/curators`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${curatorKey}` },
      body: JSON.stringify({ label: 'delegate' }),
    });
    const delegate = (await made.json()) as { id: string; key: string };
    const page = await openPad(padId);
    await signIn(page, delegate.key);
    const form = await addForm(page, 'ready');
    await form.getByLabel('Title').fill('accepted');
    await form.getByRole('button', { name: 'Add entry' }).click();
    await waitFor(() => suite.server.store.readLog({ padId, section: 'ready' }).length === 1);

    // The PTL revokes the delegate while the page is open: the server demotes the page's sockets and tells it, so
    // the page shows `ready` read-only without waiting for a write to be refused.
    await fetch(`${suite.server.url}/api/pads/${padId}/curators/${delegate.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${curatorKey}` } });
    await expect.poll(() => page.locator('cp-section#ready :is(button.add, cp-entry-form)').count()).toBe(0);
    await expect.poll(() => readyTitles(page)).toEqual(['accepted']);
    await page.locator('cp-connection-status [data-state="live"]').waitFor();
    // No loop: nothing is re-sent, and later edits elsewhere still sync.
    await sleep(500);
    expect(suite.server.store.readLog({ padId, section: 'ready' })).toHaveLength(1);
    const watcher = await connectSynced(suite.server.url, padId, 'proposed');
    const pform = await addForm(page, 'proposed');
    await pform.getByLabel('Title').fill('still works');
    await pform.getByRole('button', { name: 'Add entry' }).click();
    await waitFor(() => entriesOf(watcher.doc).length === 1);
    watcher.provider.destroy();
  });

  it('the mirror shows live changes, never the pad name, and works with JavaScript disabled', async () => {
    const { padId, curatorKey, readOnlyUrl } = await createPad(suite.server.url, 'browser-mirror-secret-name');
    const curator = await connectSynced(suite.server.url, padId, 'ready', { params: { key: curatorKey } });
    entriesOf(curator.doc).push([createEntry({ title: 'PCI device groups', owner: 'erin', addedBy: 'ptl' })]);
    await waitFor(() => suite.server.store.readLog({ padId, section: 'ready' }).length === 1);

    const noJs = await (await suite.browser.newContext({ javaScriptEnabled: false })).newPage();
    await noJs.goto(readOnlyUrl);
    expect(await noJs.locator('#mirror .entry').allTextContents()).toEqual([expect.stringContaining('PCI device groups')]);

    const mirror = await (await suite.browser.newContext()).newPage();
    await mirror.goto(readOnlyUrl);
    await mirror.locator('#mirror .live-state', { hasText: 'live' }).waitFor();
    entriesOf(curator.doc).push([createEntry({ title: 'Race in resource tracker', owner: 'frank', addedBy: 'ptl' })]);
    await expect
      .poll(() => mirror.locator('#mirror .entry').allTextContents())
      .toEqual([expect.stringContaining('PCI device groups'), expect.stringContaining('Race in resource tracker')]);
    expect(await mirror.content()).not.toContain('browser-mirror-secret-name');
    expect(await mirror.locator('[translate="no"], .notranslate').count()).toBe(0);
    curator.provider.destroy();
  });
});
