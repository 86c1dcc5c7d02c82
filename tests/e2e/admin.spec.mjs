// Agency staff in the browser: sign-in with password + TOTP at /admin, the desks shown for
// the role, the statistics page; keyboard only; axe-core clean on every page and state. A
// staff member changes the password there (security, issue 17): refusals in the page's
// language, the other device signed out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, axeViolations, screenshot, BASE } from './browser.mjs';
import { addStaff, totp, PASSWORD, signIn } from './staff.mjs';

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
    // the "show password" button comes next in the tab order (ASVS 2.1.12; sec3)
    assert.equal(await page.evaluate(() => document.activeElement.id), 'password-show');
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

test('a staff member changes the password at /admin; the other device is signed out', async () => {
  const user = 'e2epw' + process.pid;
  const secret = addStaff(user, 'auditor');
  const browser = await launch();
  try {
    // Three TOTP steps are used (the previous, the current, the next); the server checks a
    // code after the Argon2 verify, so the previous step's is sent only while time is left.
    while (Date.now() / 1000 % 30 > 24) await new Promise((r) => setTimeout(r, 200));
    const other = await browser.newContext();
    const o = await other.request.post(BASE + '/api/v1/staff/login', { data: { username: user, password: PASSWORD, totp: totp(secret, -1) } });
    assert.equal(o.status(), 200);
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await signIn(page, BASE, user, secret);
    await page.click('#pw-box summary');
    const NEW = 'tsukimi dango on the roof';
    async function attempt(current, fresh, again) {
      await page.fill('#pw-current', current);
      await page.fill('#pw-new', fresh);
      await page.fill('#pw-again', again);
      await page.fill('#pw-totp', totp(secret, 1));
      await page.click('#pw-form button[type=submit]');
      await page.waitForFunction(() => !/変更しています|Changing/.test(document.getElementById('pw-status').textContent));
      return page.textContent('#pw-status');
    }
    assert.match(await attempt(PASSWORD, NEW, NEW + 'x'), /一致しません/);
    assert.match(await attempt(PASSWORD, 'P@ssw0rd2026!', 'P@ssw0rd2026!'), /よく使われている/);
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'admin-password-refused-ja');
    assert.match(await attempt('not the password', NEW, NEW), /今のパスワードまたは確認コードが正しくありません/);
    assert.match(await attempt(PASSWORD, NEW, NEW), /パスワードを変更しました/);
    assert.equal(await page.inputValue('#pw-current'), '', 'the fields are cleared');
    await screenshot(page, 'admin-password-changed-ja');
    // This page stays signed in; the other device does not.
    assert.equal(await page.evaluate(async () => (await fetch('/api/v1/staff/me')).status), 200);
    assert.equal((await other.request.get(BASE + '/api/v1/staff/me')).status(), 401);
    await page.click('[data-lang-toggle]');
    await page.waitForFunction(() => document.querySelector('#pw-box summary').textContent === 'Change your password');
    assert.match(await attempt(NEW, 'qwertyuiop12', 'qwertyuiop12'), /too common/);
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'admin-password-refused-en');
    assert.deepEqual(errors, []);
    await other.close();
  } finally {
    await browser.close();
  }
});
