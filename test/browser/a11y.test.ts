/**
 * axe-core (WCAG 2 A and AA rules) finds nothing on the home page, the editor as the PTL and as a contributor (with an
 * entry's editor and menu, the import dialog, history, delegates, the cycle header's editor and the sign-in open),
 * and the mirror, at desktop and phone widths.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { createPad } from '../helpers/server.js';
import { addForm, browserSuite, entryAction, openHeaderEditor, openPad as openPadIn, signIn } from '../helpers/browser-suite.js';

const suite = browserSuite();
const SAMPLE = readFileSync(path.join(import.meta.dirname, '../fixtures/etherpad-tracking-sample.txt'), 'utf8');

/** The violations axe finds, as "rule (impact): target…" lines, so a failure says what and where. */
async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`));
}

async function importedPad(name: string) {
  const pad = await createPad(suite.server.url, name);
  const res = await fetch(`${suite.server.url}/api/pads/${pad.padId}/import`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${pad.curatorKey}` },
    body: JSON.stringify({ text: SAMPLE }),
  });
  expect(res.status).toBe(201);
  return pad;
}

describe('axe: WCAG 2 A and AA', () => {
  it('the home page, and the home page after creating a pad', async () => {
    const page = await (await suite.browser.newContext()).newPage();
    await page.goto(suite.server.url);
    await page.locator('cp-home form').first().waitFor();
    expect(await violations(page)).toEqual([]);
    await page.getByLabel('New pad name').fill('a11y-home');
    await page.getByRole('button', { name: 'Create pad' }).click();
    await page.locator('cp-home .created').waitFor();
    expect(await violations(page)).toEqual([]);
    await page.context().close();
  });

  it('the home page at 390 px: creating a pad, its key and links fit the screen (nothing scrolls sideways)', async () => {
    const page = await (await suite.browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    await page.goto(suite.server.url);
    await page.getByLabel('New pad name').fill('a-pad-name-of-fifty-characters-for-the-phone-width');
    await page.getByRole('button', { name: 'Create pad' }).click();
    await page.locator('cp-home .created').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.context().close();
  });

  for (const width of [1280, 390]) {
    it(`the editor as a contributor at ${width} px: read view, then with edit, menu, import, history and sign-in open`, async () => {
      const { padId } = await importedPad(`a11y-contrib-${width}`);
      const page = await openPadIn(suite.browser, suite.server.url, padId, { width, name: 'Alice' });
      await page.locator('cp-section#proposed cp-entry').first().waitFor();
      expect(await violations(page)).toEqual([]);

      const entry = page.locator('cp-section#proposed cp-entry').first();
      await entryAction(entry, 'Edit');
      await entry.getByRole('button', { name: 'Done' }).waitFor();
      await page.locator('cp-section#proposed cp-entry').nth(1).locator('button.more').click();
      await page.getByRole('menu').waitFor();
      expect(await violations(page)).toEqual([]);
      await page.keyboard.press('Escape');

      await addForm(page, 'proposed');
      await page.getByRole('button', { name: 'Import from Etherpad…' }).click();
      await page.getByRole('button', { name: 'History' }).click();
      await page.getByRole('region', { name: 'History' }).locator('li').first().waitFor();
      await page.getByRole('button', { name: 'Curator sign-in' }).click();
      await page.getByLabel('Curator key').waitFor();
      expect(await violations(page)).toEqual([]);
      await page.context().close();
    });

    it(`the editor as the PTL at ${width} px: with menus, edit, header editor, delegates, import and history open`, async () => {
      const { padId, curatorKey } = await importedPad(`a11y-ptl-${width}`);
      const page = await openPadIn(suite.browser, suite.server.url, padId, { width, name: 'PTL' });
      await signIn(page, curatorKey);
      await page.locator('cp-section#ready .handle').first().waitFor();
      expect(await violations(page)).toEqual([]);

      await entryAction(page.locator('cp-section#ready cp-entry').first(), 'Status: merged');
      await entryAction(page.locator('cp-section#proposed cp-entry').first(), 'Promote to ready');
      await entryAction(page.locator('cp-section#ready cp-entry').last(), 'Edit');
      await page.locator('cp-section#ready cp-entry').first().locator('button.more').click();
      await page.getByRole('menu').waitFor();
      expect(await violations(page)).toEqual([]);
      await page.keyboard.press('Escape');

      await openHeaderEditor(page);
      await addForm(page, 'ready');
      await page.getByRole('button', { name: 'Delegates…' }).click();
      await page.getByRole('button', { name: 'Import from Etherpad…' }).click();
      await page.getByRole('button', { name: 'History' }).click();
      await page.getByRole('region', { name: 'History' }).locator('li').first().waitFor();
      expect(await violations(page)).toEqual([]);
      await page.context().close();
    });
  }

  it('the mirror, live and as the server renders it (for readers without JavaScript)', async () => {
    const { readOnlyUrl } = await importedPad('a11y-mirror');
    for (const script of [true, false]) {
      const page = await (await suite.browser.newContext()).newPage();
      // axe runs as a script, so "without JavaScript" is the server's markup with the page's own script held back
      if (!script) await page.route('**/assets/app.js', (route) => route.abort());
      await page.goto(readOnlyUrl);
      if (script) await page.locator('#mirror .live-state', { hasText: 'live' }).waitFor();
      else await page.locator('#mirror .entry').first().waitFor();
      expect(await violations(page)).toEqual([]);
      await page.context().close();
    }
  });
});
