/**
 * vitest global setup: the browser tests need Debian's chromium (driven by playwright-core; never a downloaded
 * browser). On a fresh machine `npm test` provisions it when it can (apt-get, as root), and otherwise stops at once
 * with one sentence saying what to install, instead of five suites failing one by one.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CHROMIUM } from '../helpers/browser.js';

const canInstall = () => process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');

export default function setup(): void {
  if (existsSync(CHROMIUM)) return;
  if (process.env.CHROMIUM_PATH) {
    throw new Error(`CHROMIUM_PATH is ${process.env.CHROMIUM_PATH}, which does not exist: point it at a Chromium binary, or unset it to use Debian's chromium.`);
  }
  if (canInstall()) {
    console.log('Installing Debian\'s chromium for the browser tests (apt-get install chromium)…');
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (existsSync(CHROMIUM)) return;
  }
  throw new Error(
    `The browser tests need Chromium at ${CHROMIUM}: install Debian's package (sudo apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary, then run npm test again.`,
  );
}
