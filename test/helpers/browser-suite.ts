/** Browser-test helpers (vitest only; the benchmark uses browser.ts alone). */
import { afterAll, beforeAll } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchBrowser } from './browser.js';
import { serverSuite, type TestServer } from './server-suite.js';

/** A suite's real server and browser, started once before its tests and stopped after them. */
export function browserSuite(): { readonly server: TestServer; readonly browser: Browser } {
  const suite = serverSuite() as { readonly server: TestServer; browser: Browser };
  beforeAll(async () => {
    suite.browser = await launchBrowser();
  });
  afterAll(async () => {
    await suite.browser?.close();
  });
  return suite;
}

/** Opens a pad in a fresh browser context and waits until it is live. */
export async function openPad(
  browser: Browser,
  baseUrl: string,
  padId: string,
  options: { width?: number; name?: string; before?: (page: Page) => void } = {},
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: 900 } });
  context.setDefaultTimeout(10_000);
  if (options.name) await context.addInitScript((n) => localStorage.setItem('cyclepad:name', n), options.name);
  const page = await context.newPage();
  options.before?.(page);
  await page.goto(`${baseUrl}/p/${padId}`);
  await page.locator('cp-connection-status [data-state="live"]').waitFor();
  return page;
}

/** Signs in as a curator through the page's own sign-in. */
export async function signIn(page: Page, key: string): Promise<void> {
  await page.getByRole('button', { name: 'Curator sign-in' }).click();
  await page.getByLabel('Curator key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Signed in as curator').waitFor();
}

/** A section's "add an entry" form, opened through its "Add entry" button if it is not open yet. */
export async function addForm(page: Page, section: 'proposed' | 'ready'): Promise<Locator> {
  const form = page.locator(`cp-section#${section} cp-entry-form`);
  // (once opened, a closed form is kept hidden, with what was typed in it)
  if (!(await form.isVisible())) await page.locator(`cp-section#${section} button.add`).click();
  await form.waitFor();
  return form;
}

/** Runs one of an entry's actions through its "⋯" menu (Edit, Delete, Promote to ready, Move up, Status: merged…). */
export async function entryAction(entry: Locator, action: string): Promise<void> {
  await entry.locator('button.more').click();
  await entry.getByRole('menuitem', { name: action }).or(entry.getByRole('menuitemradio', { name: action })).first().click();
}

/** Opens the cycle header's editing controls (they fold away behind "Edit cycle header"). */
export async function openHeaderEditor(page: Page): Promise<Locator> {
  const header = page.locator('cp-cycle-header');
  const details = header.locator('details.edit');
  if (!(await details.evaluate((d: HTMLDetailsElement) => d.open))) await header.getByText('Edit cycle header').click();
  return header;
}
