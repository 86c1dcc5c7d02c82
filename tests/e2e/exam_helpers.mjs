// Helpers for the exam-delivery browser specs: the riss CLI against the test database,
// TOTP codes, axe assertions and keyboard navigation.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { axeViolations } from './browser.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RISS = path.join(process.env.RISS_TEST_BUILD || path.join(ROOT, 'build'), 'cli', 'riss');

export function riss(args, input) {
  return execFileSync(RISS, args, { cwd: ROOT, input, env: { ...process.env, RISS_CONFIG: process.env.RISS_TEST_CONFIG } })
    .toString();
}

// RFC 6238 TOTP (SHA-1, 30 s, 6 digits) from a base32 secret.
export function totp(secret, at = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30000)));
  const h = createHmac('sha1', key).update(counter).digest();
  const o = h[h.length - 1] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}

// The short SG form of the browser specs (8 items) as an exam package of the test database's
// bank (./deploy/dev test imported the demo bank): published, not activated, so the other
// tests' windows keep the full exam. Returns its id.
let shortPackageId = 0;
export function shortPackage() {
  if (!shortPackageId) {
    shortPackageId = JSON.parse(riss(['bank', 'publish', '--exam', 'tests/e2e/data/exam-short.json', '--json',
                                      '--actor', 'e2e', '--sh-examinees', '200', '--sh-rounds', '2'])).id;
  }
  return shortPackageId;
}

// A fresh centre, proctor and candidate for this run, so earlier runs do not show up; the
// candidate's window (its own) serves the short form's package.
export function freshProctor(tag, password, secret) {
  const centre = 'E2E-' + tag.toUpperCase();
  const user = 'e2e-p' + tag;
  riss(['exam', 'seed', '--centre', centre, '--count', '1', '--prefix', 'e2e' + tag,
        '--window', 'E2E short ' + tag, '--package', String(shortPackage())]);
  riss(['staff', 'add', '--username', user, '--role', 'proctor', '--display-name', 'E2E 監督',
        '--centre', centre, '--totp-secret', secret], password + '\n');
  return { centre, user };
}

export async function assertAxe(page, what) {
  assert.deepEqual(await axeViolations(page), [], 'axe violations on ' + what);
}

// Press Tab until the focused element matches the CSS selector (keyboard only).
export async function tabTo(page, selector, max = 40) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector)) return;
  }
  throw new Error('Tab never reached ' + selector);
}


// Save a full-page PNG as <RISS_SCREENSHOTS or <build>/e2e-screenshots>/<name>.png, the e2e
// run's artifacts (name them <screen>-<ja|en>). Returns the path.
export async function shot(page, name) {
  const dir = process.env.RISS_SCREENSHOTS || path.join(process.env.RISS_TEST_BUILD || path.join(ROOT, 'build'), 'e2e-screenshots');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name.replace(/[^A-Za-z0-9_.-]/g, '_') + '.png');
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// Collect page errors and console errors (a 401/409 the page handles is not one).
export function watchErrors(page, errors) {
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4(0[1349]|22)/.test(m.text())) errors.push(m.text());
  });
}

// Sign a proctor in at /proctor (password + TOTP) and wait for the day's table.
export async function proctorSignIn(page, base, user, password, secret) {
  await page.goto(base + '/proctor');
  await page.waitForSelector('#signin:not([hidden])');
  await page.fill('#u', user);
  await page.fill('#pw', password);
  await page.fill('#otp', totp(secret));
  await page.press('#otp', 'Enter');
  await page.waitForSelector('#console:not([hidden])');
  await page.waitForSelector('#rows tr');
}

// Record the identity check (document type, last 4 of its number) and admit to seat in the
// console's first row; returns the admission code shown in the candidate's row.
export async function identityAndAdmit(page, seat, doc = 'driver_licence', tail = '4321') {
  await page.selectOption('#rows select', doc);
  await page.fill('#rows input[id^=tail-]', tail);
  await page.locator('#rows button[aria-label^="本人確認を記録"], #rows button[aria-label^="Record identity check"]').click();
  await page.waitForSelector('#rows input[id^=seat-]');
  await page.fill('#rows input[id^=seat-]', seat);
  await page.locator('#rows button[aria-label^="入室させる"], #rows button[aria-label^="Admit"]').click();
  await page.waitForSelector('#rows tr .code');
  return page.getAttribute('#rows tr .code', 'data-code');
}

// The candidate enters the code at /exam and reaches the instructions.
export async function candidateStart(page, base, code) {
  await page.goto(base + '/exam');
  await page.waitForSelector('#s-code:not([hidden])');
  await page.fill('#code', code);
  await page.press('#code', 'Enter');
  await page.waitForSelector('#s-intro:not([hidden])');
}
