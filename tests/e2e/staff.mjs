// Staff accounts and TOTP codes for browser tests (accounts made with `riss staff add`).
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import path from 'node:path';

export const PASSWORD = 'correct horse battery';

export function riss(...args) {
  const build = process.env.RISS_TEST_BUILD;
  return execFileSync(path.join(build, 'cli', 'riss'), args, {
    env: { ...process.env, RISS_CONFIG: process.env.RISS_TEST_CONFIG }, encoding: 'utf8',
  });
}

// Create a staff account; returns its TOTP secret (base32).
export function addStaff(username, role, centre) {
  const args = ['staff', 'add', '--username', username, '--role', role, '--display-name', 'E2E ' + role];
  if (centre) args.push('--centre', centre);
  const out = execFileSync(path.join(process.env.RISS_TEST_BUILD, 'cli', 'riss'), args, {
    env: { ...process.env, RISS_CONFIG: process.env.RISS_TEST_CONFIG }, input: PASSWORD + '\n', encoding: 'utf8',
  });
  return /totp_secret (\S+)/.exec(out)[1];
}

function base32(s) {
  const alpha = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0;
  const out = [];
  for (const ch of s) {
    value = (value << 5) | alpha.indexOf(ch);
    bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
  }
  return Buffer.from(out);
}

// RFC 6238 code for the given 30-second step offset.
export function totp(secret, offset = 0) {
  const step = Math.floor(Date.now() / 1000 / 30) + offset;
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32(secret)).update(msg).digest();
  const o = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}

// On /admin/schedule (signed in): add an exam window open 2026–2099 and a test centre
// through the forms, waiting until both are listed.
export async function addWindowAndCentre(page, win, centre, centreName, prefecture, seats) {
  await page.fill('#w-name', win);
  await page.fill('#w-opens', '2026-01-01');
  await page.fill('#w-closes', '2099-12-31');
  await page.click('#window-form button');
  await page.waitForFunction((n) => document.getElementById('windows-rows').textContent.includes(n), win);
  await page.fill('#c-code', centre);
  await page.fill('#c-name', centreName);
  await page.fill('#c-pref', prefecture);
  await page.fill('#c-seats', String(seats));
  await page.click('#centre-form button');
  await page.waitForFunction((c) => document.getElementById('centres-rows').textContent.includes(c), centre);
}

// A staff account of role signed in over the API: returns call(method, path, body) → the JSON
// answer (throws unless 2xx), with the session cookie and CSRF token (xapi: /me e-mail spec).
export async function staffClient(username, role, base) {
  const secret = addStaff(username, role);
  const r = await fetch(base + '/api/v1/staff/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD, totp: totp(secret) }),
  });
  const body = await r.json();
  if (!r.ok) throw new Error('staff login: ' + JSON.stringify(body));
  const cookie = r.headers.get('set-cookie').split(';')[0];
  return async (method, p, obj) => {
    const res = await fetch(base + p, {
      method, headers: { 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': body.csrf },
      body: obj === undefined ? undefined : JSON.stringify(obj),
    });
    const data = await res.json();
    if (!res.ok) throw new Error(`${p}: ${JSON.stringify(data)}`);
    return data;
  };
}

// Package desk: sign in on /admin (password and TOTP) and wait for the desk menu.
export async function signIn(page, base, user, secret) {
  await page.goto(base + '/admin');
  await page.waitForSelector('#signin:not([hidden])');
  await page.fill('#username', user);
  await page.fill('#password', PASSWORD);
  await page.fill('#totp', totp(secret));
  await page.press('#totp', 'Enter');
  await page.waitForSelector('#desk:not([hidden])');
}
