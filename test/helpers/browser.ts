import { chromium, type Browser } from 'playwright-core';
import { existsSync } from 'node:fs';

/** Debian's chromium package (installed by .ci/run); never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium package (apt-get install chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Chromium 156 loads its omnibox popup (chrome://omnibox-popup.top-chrome, a WebUI renderer of about 1 s of CPU)
      // for every new browser context: a page no test shows, competing with the page under test for the machine's 2
      // cores. Not preloading it was not enough: the popup itself is turned off (both of its WebUI variants).
      '--disable-features=PreloadTopChromeWebUI,WebUIOmniboxPopup,WebUIOmniboxAimPopup',
    ],
  });
}

