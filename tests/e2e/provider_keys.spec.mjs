// Keys for signed xAPI statements on the provider portal (/provider, xapi2), in a real
// browser: a provider signs in with its API key, registers an RSA public key from a JWK file
// (a JWK with a private part is refused, with the reason in Japanese), sees it listed — and
// `riss provider keys` lists the same key (the CLI and the desk call the same module
// function) — then removes it: the dialog asks first, "cancel" keeps the key, "remove"
// removes it. axe-core finds no violation in Japanese or English.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { launch, axeViolations, screenshot, BASE } from './browser.mjs';
import { riss } from './staff.mjs';

const RUN = Date.now().toString(36).replace(/[0-9]/g, (d) => 'abcdefghij'[d]);
let browser, ctx, provider;

before(async () => {
  browser = await launch();
  ctx = await browser.newContext();
  provider = JSON.parse(riss('provider', 'add', '署名 機関 ' + RUN, '--name-en', 'Signing Institute ' + RUN, '--json'));
});

after(async () => {
  if (browser) await browser.close();
});

function jwkFile(name, jwk) {
  return { name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(jwk)) };
}

test('register a key from a JWK file, list it, remove it after confirming', async () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'lms-' + RUN;
  const pub = Object.assign(publicKey.export({ format: 'jwk' }), { kid });
  const priv = Object.assign(privateKey.export({ format: 'jwk' }), { kid });

  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 400/.test(m.text())) errors.push(m.text()); });
  await page.goto(BASE + '/provider');
  await page.fill('#api-key', provider.api_key);
  await page.click('#key-form button[type=submit]');
  await page.waitForSelector('#portal:not([hidden])');
  await page.waitForFunction(() => document.querySelector('#xapi-keys tbody').textContent.includes('登録された鍵はありません'));

  // A private key is refused, and nothing is registered.
  await page.setInputFiles('#jwk-file', jwkFile('private.json', priv));
  await page.click('#key-add-form button[type=submit]');
  await page.waitForFunction(() => document.getElementById('keys-result').className === 'bad');
  assert.match(await page.textContent('#keys-result'), /[ぁ-んァ-ン一-龯]/);
  assert.doesNotMatch(await page.textContent('#keys-result'), /[A-Za-z]{6,}/);

  await page.setInputFiles('#jwk-file', jwkFile('public.json', pub));
  await page.click('#key-add-form button[type=submit]');
  await page.waitForFunction((k) => document.getElementById('keys-result').textContent.includes(`鍵 ${k} を登録しました`), kid);
  await page.waitForFunction((k) => document.querySelector('#xapi-keys tbody').textContent.includes(k), kid);
  const row = await page.$$eval('#xapi-keys tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.equal(row.length, 1);
  assert.equal(row[0][0], kid);
  assert.equal(row[0][2], '2048');
  assert.match(row[0][3], /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2} \S+$/);   // the reader's zone, named
  const cli = JSON.parse(riss('provider', 'keys', String(provider.provider_id), '--json'));
  assert.deepEqual(cli.keys.map((k) => [k.kid, k.thumbprint]), [[kid, row[0][1]]]);
  assert.deepEqual(await axeViolations(page), [], 'axe with a key');
  await screenshot(page, 'provider-keys-ja');

  // Removing asks first; cancel keeps the key.
  await page.click(`#xapi-keys button[aria-label*="${kid}"]`);
  await page.waitForSelector('#key-remove-dialog[open]');
  assert.equal(await page.textContent('#key-remove-title'), `鍵 ${kid} を削除しますか？`);
  assert.deepEqual(await axeViolations(page), [], 'axe with the dialog');
  await page.click('#key-remove-cancel');
  await page.waitForFunction(() => !document.getElementById('key-remove-dialog').open);
  assert.equal(JSON.parse(riss('provider', 'keys', String(provider.provider_id), '--json')).keys.length, 1);

  // In English, the same page; then remove it.
  await page.click('[data-lang-toggle]');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await page.waitForFunction(() => document.getElementById('keys-h').textContent === 'Keys for signed statements');
  assert.deepEqual(await axeViolations(page), [], 'axe in English');
  await screenshot(page, 'provider-keys-en');
  await page.click(`#xapi-keys button[aria-label*="${kid}"]`);
  await page.waitForSelector('#key-remove-dialog[open]');
  assert.equal(await page.textContent('#key-remove-title'), `Remove key ${kid}?`);
  await page.click('#key-remove-confirm');
  await page.waitForFunction((k) => document.getElementById('keys-result').textContent === `Key ${k} removed.`, kid);
  await page.waitForFunction(() => document.querySelector('#xapi-keys tbody').textContent.includes('No keys registered.'));
  assert.equal(JSON.parse(riss('provider', 'keys', String(provider.provider_id), '--json')).keys.length, 0);
  assert.deepEqual(errors, []);
});
