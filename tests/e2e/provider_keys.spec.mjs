// Keys for signed xAPI statements on the provider portal (/provider, xapi2), in a real
// browser: a provider signs in with its API key, registers an RSA public key from a JWK file
// (a JWK with a private part is refused, with the reason in Japanese), sees it listed — and
// `riss provider keys` lists the same key (the CLI and the desk call the same module
// function) — then removes it: the dialog asks first, "cancel" keeps the key, "remove"
// removes it. axe-core finds no violation in Japanese or English. The steps on the key
// screen are the CPD desk's too (keys_helpers.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, BASE } from './browser.mjs';
import { riss } from './staff.mjs';
import { collectErrors, keyScreenRoundTrip } from './keys_helpers.mjs';

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

test('register a key from a JWK file, list it, remove it after confirming', async () => {
  const page = await ctx.newPage();
  const errors = collectErrors(page);
  await page.goto(BASE + '/provider');
  await page.fill('#api-key', provider.api_key);
  await page.click('#key-form button[type=submit]');
  await page.waitForSelector('#portal:not([hidden])');
  await keyScreenRoundTrip(page, { providerId: provider.provider_id, kid: 'lms-' + RUN, bad: 'bad', shot: 'provider-keys' });
  assert.deepEqual(errors, []);
});
