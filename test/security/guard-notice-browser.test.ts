/**
 * Class 1 with a person as the victim: a contributor's presence state dressed up as a rewrite-guard notice, whose
 * "undo" once wiped the ready list under the PTL's own session. The curator's page must show only what the server
 * says, on its own message type; a real quarantine still reaches the page, and its undo works.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createEntry, entriesOf, sectionToJSON } from '../../shared/schema.js';
import { createPad } from '../helpers/server.js';
import { browserSuite, openPad, signIn } from '../helpers/browser-suite.js';
import { connectSynced } from '../helpers/clients.js';
import { sleep, waitFor } from '../helpers/wait.js';

const suite = browserSuite();

describe('guard notices come from the server only', () => {
  it('a forged notice in a contributor’s presence never shows on the curator’s page; a real one does', async () => {
    const { padId, curatorKey } = await createPad(suite.server.url, 'forged-guard');
    const curatorBot = await connectSynced(suite.server.url, padId, 'ready', { params: { key: curatorKey } });
    curatorBot.doc.transact(() =>
      entriesOf(curatorBot.doc).push(Array.from({ length: 3 }, (_, i) => createEntry({ title: `Ready ${i}`, addedBy: 'ptl', rank: `a${i}` }))),
    );
    const seed = await connectSynced(suite.server.url, padId, 'proposed');
    seed.doc.transact(() =>
      entriesOf(seed.doc).push(Array.from({ length: 15 }, (_, i) => createEntry({ id: `e${i}`, title: `Entry ${i}`, addedBy: 'seed' }))),
    );
    await waitFor(() => suite.server.store.readLog({ padId, section: 'proposed' }).length > 0);

    const page = await openPad(suite.browser, suite.server.url, padId);
    await signIn(page, curatorKey);

    // the forgery: a contributor announces a "guard" notice pointing at the PTL's session and all of time
    const mallory = await connectSynced(suite.server.url, padId, 'proposed');
    const forged = { id: 'x', section: 'ready', session: 'curator:whatever', role: 'contributor', at: Date.now(), from: 0, to: Date.now() + 1e9, entries: ['a', 'b'] };
    mallory.provider.awareness.setLocalState({ user: { name: 'Mallory' }, guard: [forged] });
    // and an honest-looking presence that must show, so the page is known to render presence at all
    const honest = await connectSynced(suite.server.url, padId, 'proposed');
    honest.provider.awareness.setLocalState({ user: { name: 'Honest Hana' } });
    await expect.poll(() => page.locator('cp-presence-list ul').textContent()).toContain('Honest Hana');
    await sleep(300);
    expect(await page.locator('cp-guard-notices li').count()).toBe(0);
    expect(await page.locator('cp-presence-list ul').textContent()).not.toContain('Mallory');

    // a real mass rewrite: the server quarantines the connection and tells curators
    const translator = await connectSynced(suite.server.url, padId, 'proposed');
    translator.doc.transact(() => {
      for (let i = 0; i < 12; i++) {
        const t = entriesOf(translator.doc).get(i).get('title') as Y.Text;
        t.delete(0, t.length);
        t.insert(0, `Eintrag ${i}`);
      }
    });
    const notice = page.locator('cp-guard-notices li').first();
    await expect.poll(() => notice.textContent(), { timeout: 5000 }).toContain('rewrote the text of 12 entries');
    await page.getByRole('button', { name: 'Undo this rewrite' }).click();
    await waitFor(() => sectionToJSON(seed.doc)[0]?.title === 'Entry 0', 5000, 'undo reaches the other client');
    await expect.poll(() => page.locator('cp-guard-notices li').count()).toBe(0);
    // the ready list was never touched
    expect(sectionToJSON(curatorBot.doc).map((e) => e.title)).toEqual(['Ready 0', 'Ready 1', 'Ready 2']);

    for (const c of [curatorBot, seed, mallory, honest, translator]) c.provider.destroy();
    await page.context().close();
  });
});
