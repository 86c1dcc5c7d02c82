// /admin: where you are signed in (ASVS 3.3.4; issue 17). Signed in on two browsers, the
// first sees both sessions with its own marked, signs the other out after a confirmation,
// and the second browser is back at the sign-in form; in Japanese, then English; axe-clean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, axeViolations, screenshot, BASE } from './browser.mjs';
import { addStaff, totp, PASSWORD } from './staff.mjs';

async function signInWith(page, user, code) {
  await page.goto(BASE + '/admin');
  await page.waitForSelector('#signin:not([hidden])');
  await page.fill('#username', user);
  await page.fill('#password', PASSWORD);
  await page.fill('#totp', code);
  await page.press('#totp', 'Enter');
  await page.waitForSelector('#desk:not([hidden])');
}

test('/admin: list your sessions and sign out everywhere else', async () => {
  const user = 'e2esess' + process.pid;
  const secret = addStaff(user, 'auditor');
  const browser = await launch();
  try {
    const here = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage();
    const there = await (await browser.newContext()).newPage();
    const errors = [];
    here.on('pageerror', (e) => errors.push(String(e)));
    await signInWith(here, user, totp(secret));
    await signInWith(there, user, totp(secret, 1)); // a code is taken once: the next step's

    await here.click('#sess-box summary');
    await here.waitForFunction(() => document.querySelectorAll('#sess-table tbody tr').length === 2);
    assert.equal(await here.locator('#sess-table tbody tr[data-current="true"]').count(), 1);
    assert.match(await here.textContent('#sess-table tbody tr[data-current="true"] th'), /（この端末）/);
    assert.match(await here.textContent('#sess-table tbody tr[data-current="true"]'), /\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}/);
    assert.equal(await here.isDisabled('#sess-end'), false);
    assert.deepEqual(await axeViolations(here), []);
    await screenshot(here, 'sessions-admin-ja');

    // Dismissing the confirmation ends nothing.
    here.once('dialog', (d) => { assert.match(d.message(), /この端末以外/); d.dismiss(); });
    await here.click('#sess-end');
    assert.equal(await here.locator('#sess-table tbody tr').count(), 2);

    here.once('dialog', (d) => d.accept());
    await here.click('#sess-end');
    await here.waitForFunction(() => /1 台/.test(document.getElementById('sess-status').textContent));
    await here.waitForFunction(() => document.querySelectorAll('#sess-table tbody tr').length === 1);
    assert.equal(await here.isDisabled('#sess-end'), true);
    await there.reload();
    await there.waitForSelector('#signin:not([hidden])');

    await here.click('[data-lang-toggle]');
    await here.waitForFunction(() => document.querySelector('#sess-box summary').textContent === 'Where you are signed in');
    assert.match(await here.textContent('#sess-table tbody tr th'), /\(this device\)/);
    assert.equal(await here.textContent('#sess-end'), 'Sign out everywhere else');
    assert.equal(await here.textContent('#sess-status'), 'Other sessions signed out: 1.'); // follows the language
    assert.deepEqual(await axeViolations(here), []);
    await screenshot(here, 'sessions-admin-en');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
