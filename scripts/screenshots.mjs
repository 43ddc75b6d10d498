// The README's screenshots: the editor as the PTL (the team's Etherpad sample imported as the curator) and the
// read-only mirror, 1280x800, in Debian's chromium (CHROMIUM_PATH to use another) through playwright-core.
// Run after `npm run build`: `node scripts/screenshots.mjs` writes docs/editor.png and docs/mirror.png.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const root = path.resolve(import.meta.dirname, '..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'cyclepad-shots-'));
const server = spawn(process.execPath, [path.join(root, 'dist/server/main.js')], {
  env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', STATUS_POLL_SECONDS: '0' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise((resolve, reject) => {
  createInterface({ input: server.stdout }).on('line', (line) => {
    try {
      const entry = JSON.parse(line);
      if (entry.msg === 'cyclepad listening') resolve(entry.url);
    } catch {
      /* not a log line */
    }
  });
  server.once('exit', (code) => reject(new Error(`the server exited with ${code} (run npm run build first)`)));
});

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.addInitScript(() => localStorage.setItem('cyclepad:name', 'sylvain (PTL)'));

  // the PTL creates the pad (and is signed in by it), then imports the team's Etherpad export as the curator
  const created = await (await page.request.post(`${url}/api/pads`, { data: { name: 'nova-2025.1-tracking' } })).json();
  await page.request.post(`${url}/api/pads/${created.padId}/login`, { data: { key: created.curatorKey } });
  const text = readFileSync(path.join(root, 'test/fixtures/etherpad-tracking-sample.txt'), 'utf8');
  const imported = await page.request.post(`${url}/api/pads/${created.padId}/import`, { data: { text } });
  if (!imported.ok()) throw new Error(`import failed: ${await imported.text()}`);

  await page.goto(created.editUrl);
  await page.locator('cp-connection-status[state="live"]').waitFor();
  await page.getByText('Signed in as curator').waitFor();
  await page.locator('cp-section#ready cp-entry').first().waitFor();
  await page.evaluate(() => globalThis.document.fonts.ready);
  await page.screenshot({ path: path.join(root, 'docs/editor.png') });

  const reader = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await reader.goto(created.readOnlyUrl);
  await reader.locator('#mirror .live-state', { hasText: 'live' }).waitFor();
  await reader.screenshot({ path: path.join(root, 'docs/mirror.png') });
} finally {
  await browser.close();
  server.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
}
console.log('wrote docs/editor.png and docs/mirror.png');
