// The signing-key screen (web/static/js/key_list.js) in the browser: the steps the specs of
// both desks that show it take (/provider: provider_keys, /admin/cpd: cpd_keys).
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { axeViolations, screenshot } from './browser.mjs';
import { riss } from './staff.mjs';

// A fresh RSA key pair as JWKs named kid: { pub, priv }.
export function rsaJwks(kid) {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { pub: Object.assign(publicKey.export({ format: 'jwk' }), { kid }),
           priv: Object.assign(privateKey.export({ format: 'jwk' }), { kid }) };
}

// Page errors and console errors while the screen is used (the 400 of a refused key aside).
export function collectErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 400/.test(m.text())) errors.push(m.text()); });
  return errors;
}

function jwkFile(name, jwk) {
  return { name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(jwk)) };
}

// On a page that shows providerId's keys in Japanese (none yet): a JWK with a private part is
// refused with the reason in Japanese (the result line has class bad) and nothing is
// registered; the public key is registered, listed — and `riss provider keys` lists the same
// key — then removal asks first: "cancel" keeps it; in English the same screen, and "remove"
// removes it. axe-core finds no violation with a key, with the dialog, in English. caption:
// the table's caption { ja, en } where the page has one. Screenshots <shot>-ja, <shot>-en and
// <shot>-remove-ja (the dialog open).
export async function keyScreenRoundTrip(page, { providerId, kid, bad, shot, caption }) {
  const { pub, priv } = rsaJwks(kid);
  const cliKeys = () => JSON.parse(riss('provider', 'keys', String(providerId), '--json')).keys;
  await page.waitForFunction(() => document.querySelector('#xapi-keys tbody').textContent.includes('登録された鍵はありません'));
  if (caption) assert.equal(await page.textContent('#keys-caption'), caption.ja);

  await page.setInputFiles('#jwk-file', jwkFile('private.json', priv));
  await page.click('#key-add-form button[type=submit]');
  await page.waitForFunction((c) => document.getElementById('keys-result').className === c, bad);
  assert.match(await page.textContent('#keys-result'), /[ぁ-んァ-ン一-龯]/);
  assert.doesNotMatch(await page.textContent('#keys-result'), /[A-Za-z]{6,}/);
  assert.equal(cliKeys().length, 0);

  await page.setInputFiles('#jwk-file', jwkFile('public.json', pub));
  await page.click('#key-add-form button[type=submit]');
  await page.waitForFunction((k) => document.getElementById('keys-result').textContent === `鍵 ${k} を登録しました。`, kid);
  await page.waitForFunction((k) => document.querySelector('#xapi-keys tbody').textContent.includes(k), kid);
  const rows = await page.$$eval('#xapi-keys tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.equal(rows.length, 1);
  assert.equal(rows[0][0], kid);
  assert.equal(rows[0][2], '2048');
  assert.match(rows[0][3], /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2} \S+$/);  // rissI18n.datetime: the page's language, the reader's zone named
  assert.deepEqual(cliKeys().map((k) => [k.kid, k.thumbprint]), [[kid, rows[0][1]]]);
  assert.deepEqual(await axeViolations(page), [], 'axe with a key');
  await screenshot(page, shot + '-ja');

  // Removing asks first; cancel keeps the key.
  await page.click(`#xapi-keys button[aria-label*="${kid}"]`);
  await page.waitForSelector('#key-remove-dialog[open]');
  assert.equal(await page.textContent('#key-remove-title'), `鍵 ${kid} を削除しますか？`);
  assert.deepEqual(await axeViolations(page), [], 'axe with the dialog');
  await screenshot(page, shot + '-remove-ja', { fullPage: false });
  await page.click('#key-remove-cancel');
  await page.waitForFunction(() => !document.getElementById('key-remove-dialog').open);
  assert.equal(cliKeys().length, 1);

  // In English, the same screen; then remove it.
  await page.click('[data-lang-toggle]');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await page.waitForFunction(() => document.getElementById('keys-h').textContent === 'Keys for signed statements');
  if (caption) await page.waitForFunction((c) => document.getElementById('keys-caption').textContent === c, caption.en);
  assert.deepEqual(await axeViolations(page), [], 'axe in English');
  await screenshot(page, shot + '-en');
  await page.click(`#xapi-keys button[aria-label*="${kid}"]`);
  await page.waitForSelector('#key-remove-dialog[open]');
  assert.equal(await page.textContent('#key-remove-title'), `Remove key ${kid}?`);
  await page.click('#key-remove-confirm');
  await page.waitForFunction((k) => document.getElementById('keys-result').textContent === `Key ${k} removed.`, kid);
  await page.waitForFunction(() => document.querySelector('#xapi-keys tbody').textContent.includes('No keys registered.'));
  assert.equal(cliKeys().length, 0);
}
