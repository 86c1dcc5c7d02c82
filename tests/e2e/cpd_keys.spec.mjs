// Providers' keys for signed xAPI statements on the agency's CPD desk (/admin/cpd, xapi3), in
// a real browser: a registrar picks a provider, registers an RSA public key from a JWK file
// for it (a JWK with a private part is refused, with the reason in Japanese), sees it listed
// — and `riss provider keys` lists the same key (desk and CLI call the same module function)
// — then removes it: the dialog asks first, "cancel" keeps the key, "remove" removes it. An
// auditor sees no key screen. axe-core finds no violation in Japanese or English. The steps
// on the key screen are the provider portal's too (keys_helpers.mjs).
// rissd-set: jobs_interval=0
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, BASE } from './browser.mjs';
import { addStaff, riss, signIn } from './staff.mjs';
import { collectErrors, keyScreenRoundTrip } from './keys_helpers.mjs';

const RUN = Date.now().toString(36).replace(/[0-9]/g, (d) => 'abcdefghij'[d]);
let browser, provider;

before(async () => {
  browser = await launch();
  provider = JSON.parse(riss('provider', 'add', '鍵 機関 ' + RUN, '--name-en', 'Key Institute ' + RUN, '--json'));
});

after(async () => {
  if (browser) await browser.close();
});

test('a registrar registers a provider key from a JWK file and removes it after confirming', async () => {
  const user = 'e2ekeys' + RUN;
  const secret = addStaff(user, 'registrar');
  const page = await (await browser.newContext()).newPage();
  await signIn(page, BASE, user, secret);  // (the sign-in screen's own 401 before it is not this screen's)
  const errors = collectErrors(page);
  await page.goto(BASE + '/admin/cpd');
  await page.waitForSelector('#keys-sec:not([hidden])');
  await page.waitForFunction((id) => [...document.querySelectorAll('#keys-provider option')].some((o) => o.value === id),
    String(provider.provider_id));
  await page.selectOption('#keys-provider', String(provider.provider_id));
  await page.click('#keys-pick button[type=submit]');
  await keyScreenRoundTrip(page, { providerId: provider.provider_id, kid: 'desk-' + RUN, bad: 'error', shot: 'cpd-keys',
    caption: { ja: `鍵 機関 ${RUN} の検証鍵`, en: `Keys of Key Institute ${RUN}` } });
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
