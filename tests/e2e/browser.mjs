// Shared browser helpers: Debian's chromium through playwright-core, and axe-core checks.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const BASE = process.env.RISS_BASE_URL;

// lang (e.g. 'ja'): the browser's own language, for its date fields and file buttons.
export async function launch({ lang } = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           ...(lang ? ['--lang=' + lang] : [])],
    env: lang ? { ...process.env, LANGUAGE: lang, LANG: lang + '_JP.UTF-8' } : process.env,
  });
}

// Run axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on the page; returns the violations.
export async function axeViolations(page) {
  // Evaluated through the DevTools protocol, so the page's strict CSP stays in force.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }));
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

// Save a full-page PNG of the page as <RISS_SCREENSHOTS>/<name>.png (run_e2e.py sets the
// folder: <build>/e2e-screenshots/); name it <screen>-<ja|en>. fullPage false: the viewport
// only (where a modal dialog is drawn). Returns the path.
export async function screenshot(page, name, { fullPage = true } = {}) {
  const dir = process.env.RISS_SCREENSHOTS || path.join(process.env.RISS_TEST_BUILD || '.', 'e2e-screenshots');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name.replace(/[^A-Za-z0-9_.-]/g, '_') + '.png');
  await page.screenshot({ path: file, fullPage });
  return file;
}

// CPD and renewal pages show an API timestamp in the reader's language and time zone: every
// text a reader in timeZone with a page in lang sees for a moment between t0 and t1 (ms),
// with a minute of slack on both sides.
export function readerTimes(t0, t1, { lang = 'ja', timeZone }) {
  const f = new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'ja-JP', { timeZone, year: 'numeric', month: '2-digit',
    day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' });
  const out = new Set();
  for (let t = t0 - 60000; t <= t1 + 60000; t += 15000) out.add(f.format(new Date(t)));
  return out;
}
