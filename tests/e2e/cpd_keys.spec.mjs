// Providers' keys for signed xAPI statements on the agency's CPD desk (/admin/cpd, xapi3), in
// a real browser: a registrar picks a provider, registers an RSA public key from a JWK file
// for it (a JWK with a private part is refused, with the reason in Japanese), sees it listed
// — and `riss provider keys` lists the same key (desk and CLI call the same module function)
// — then removes it: the dialog asks first, "cancel" keeps the key, "remove" removes it. An
// auditor sees no key screen. axe-core finds no violation in Japanese or English.
// rissd-set: jobs_interval=0
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { launch, axeViolations, screenshot, BASE } from './browser.mjs';
import { addStaff, riss, signIn } from './staff.mjs';

const RUN = Date.now().toString(36).replace(/[0-9]/g, (d) => 'abcdefghij'[d]);
let browser, provider;

before(async () => {
  browser = await launch();
  provider = JSON.parse(riss('provider', 'add', '鍵 機関 ' + RUN, '--name-en', 'Key Institute ' + RUN, '--json'));
});

after(async () => {
  if (browser) await browser.close();
});

function jwkFile(name, jwk) {
  return { name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(jwk)) };
}

const keysOf = () => JSON.parse(riss('provider', 'keys', String(provider.provider_id), '--json')).keys;

test('a registrar registers a provider key from a JWK file and removes it after confirming', async () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'desk-' + RUN;
  const pub = Object.assign(publicKey.export({ format: 'jwk' }), { kid });
  const priv = Object.assign(privateKey.export({ format: 'jwk' }), { kid });
  const user = 'e2ekeys' + RUN;
  const secret = addStaff(user, 'registrar');

  const page = await (await browser.newContext()).newPage();
  await signIn(page, BASE, user, secret);  // (the sign-in screen's own 401 before it is not this screen's)
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 400/.test(m.text())) errors.push(m.text()); });
  await page.goto(BASE + '/admin/cpd');
  await page.waitForSelector('#keys-sec:not([hidden])');
  await page.waitForFunction((id) => [...document.querySelectorAll('#keys-provider option')].some((o) => o.value === id),
    String(provider.provider_id));
  await page.selectOption('#keys-provider', String(provider.provider_id));
  await page.click('#keys-pick button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#xapi-keys tbody').textContent.includes('登録された鍵はありません'));
  assert.equal(await page.textContent('#keys-caption'), `鍵 機関 ${RUN} の検証鍵`);

  // A private key is refused, and nothing is registered.
  await page.setInputFiles('#jwk-file', jwkFile('private.json', priv));
  await page.click('#key-add-form button[type=submit]');
  await page.waitForFunction(() => document.getElementById('keys-result').className === 'error');
  assert.match(await page.textContent('#keys-result'), /[ぁ-んァ-ン一-龯]/);
  assert.doesNotMatch(await page.textContent('#keys-result'), /[A-Za-z]{6,}/);
  assert.equal(keysOf().length, 0);

  await page.setInputFiles('#jwk-file', jwkFile('public.json', pub));
  await page.click('#key-add-form button[type=submit]');
  await page.waitForFunction((k) => document.getElementById('keys-result').textContent === `鍵 ${k} を登録しました。`, kid);
  await page.waitForFunction((k) => document.querySelector('#xapi-keys tbody').textContent.includes(k), kid);
  const rows = await page.$$eval('#xapi-keys tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.equal(rows.length, 1);
  assert.equal(rows[0][0], kid);
  assert.equal(rows[0][2], '2048');
  assert.match(rows[0][3], /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2} \S+$/);  // rissI18n.datetime: the page's language, the reader's zone named
  assert.deepEqual(keysOf().map((k) => [k.kid, k.thumbprint]), [[kid, rows[0][1]]]);
  assert.deepEqual(await axeViolations(page), [], 'axe with a key');
  await screenshot(page, 'cpd-keys-ja');

  // Removing asks first; cancel keeps the key.
  await page.click(`#xapi-keys button[aria-label*="${kid}"]`);
  await page.waitForSelector('#key-remove-dialog[open]');
  assert.equal(await page.textContent('#key-remove-title'), `鍵 ${kid} を削除しますか？`);
  assert.deepEqual(await axeViolations(page), [], 'axe with the dialog');
  await page.click('#key-remove-cancel');
  await page.waitForFunction(() => !document.getElementById('key-remove-dialog').open);
  assert.equal(keysOf().length, 1);

  // In English, the same screen; then remove it.
  await page.click('[data-lang-toggle]');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await page.waitForFunction(() => document.getElementById('keys-h').textContent === 'Keys for signed statements');
  await page.waitForFunction((r) => document.getElementById('keys-caption').textContent === `Keys of Key Institute ${r}`, RUN);
  assert.deepEqual(await axeViolations(page), [], 'axe in English');
  await screenshot(page, 'cpd-keys-en');
  await page.click(`#xapi-keys button[aria-label*="${kid}"]`);
  await page.waitForSelector('#key-remove-dialog[open]');
  assert.equal(await page.textContent('#key-remove-title'), `Remove key ${kid}?`);
  await page.click('#key-remove-confirm');
  await page.waitForFunction((k) => document.getElementById('keys-result').textContent === `Key ${k} removed.`, kid);
  await page.waitForFunction(() => document.querySelector('#xapi-keys tbody').textContent.includes('No keys registered.'));
  assert.equal(keysOf().length, 0);
  assert.deepEqual(errors, []);
});

test('an auditor sees the desk without the key screen', async () => {
  const user = 'e2ekeysa' + RUN;
  const secret = addStaff(user, 'auditor');
  const page = await (await browser.newContext()).newPage();
  await signIn(page, BASE, user, secret);
  await page.goto(BASE + '/admin/cpd');
  await page.waitForSelector('#desk:not([hidden])');
  assert.equal(await page.isHidden('#keys-sec'), true);
});
