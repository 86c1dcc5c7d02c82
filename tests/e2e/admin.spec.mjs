// Agency staff in the browser: sign-in with password + TOTP at /admin, the desks shown for
// the role, the statistics page; keyboard only; axe-core clean on every page and state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, axeViolations, BASE } from './browser.mjs';
import { addStaff, totp, PASSWORD } from './staff.mjs';

test('statistician signs in at /admin and reads the statistics', async () => {
  const user = 'e2estat' + process.pid;
  const secret = addStaff(user, 'statistician');
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(BASE + '/admin');
    await page.waitForSelector('#signin:not([hidden])');
    assert.deepEqual(await axeViolations(page), []);

    // A wrong code is refused with a message, and nothing says which part was wrong.
    await page.fill('#username', user);
    await page.fill('#password', PASSWORD);
    await page.fill('#totp', '000000');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#status.error');
    assert.match(await page.textContent('#status'), /ユーザー名、パスワードまたはワンタイムコード/);
    assert.deepEqual(await axeViolations(page), []);

    // Keyboard only: focus the fields with Tab and submit with Enter.
    await page.focus('#username');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Tab');
    await page.keyboard.type(totp(secret));
    await page.keyboard.press('Enter');
    await page.waitForSelector('#desk:not([hidden])');
    assert.equal(await page.textContent('#who'), user + '（統計担当者）', 'the role by its name, not its code');
    const visible = await page.$$eval('#links li:not([hidden]) a', (as) => as.map((a) => a.getAttribute('href')));
    assert.deepEqual(visible, ['/admin/stats']);
    assert.deepEqual(await axeViolations(page), []);

    await page.click('a[href="/admin/stats"]');
    await page.waitForSelector('#results:not([hidden])');
    assert.equal(await page.textContent('h1'), '統計');
    assert.deepEqual(await axeViolations(page), []);
    await page.click('[data-lang-toggle]');
    await page.waitForFunction(() => document.querySelector('h1').textContent === 'Statistics');
    assert.deepEqual(await axeViolations(page), []);

    // Signing out ends the session: the statistics are refused.
    await page.goto(BASE + '/admin');
    await page.click('#signout');
    await page.waitForSelector('#signin:not([hidden])');
    const status = await page.evaluate(async () => (await fetch('/api/v1/stats/exam_by_month')).status);
    assert.equal(status, 401);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
