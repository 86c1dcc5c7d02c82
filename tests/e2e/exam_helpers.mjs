// Helpers for the exam-delivery browser specs: the riss CLI against the test database,
// TOTP codes, axe assertions and keyboard navigation.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
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

// A fresh centre, proctor and candidate for this run, so earlier runs do not show up.
export function freshProctor(tag, password, secret) {
  const centre = 'E2E-' + tag.toUpperCase();
  const user = 'e2e-p' + tag;
  riss(['exam', 'seed', '--centre', centre, '--count', '1', '--prefix', 'e2e' + tag]);
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

