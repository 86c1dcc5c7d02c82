// The password fields of /admin and /me (ASVS 2.1.12, 2.1.8; issue 17, sec3): every one has a
// button that shows what is typed (aria-pressed; hidden again on submit), and a new password
// gets a strength meter whose verdict is the server's own rule (POST /api/v1/password/check):
// a common password is refused with the rule's reason, one with the holder's own name too,
// a long passphrase is strong; in Japanese, then in English. axe-clean, screenshots ja/en.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, axeViolations, screenshot, BASE } from './browser.mjs';
import { addStaff, signIn } from './staff.mjs';

const meterText = (page, id) => page.textContent(`#${id}-meter-text`);
// Type value and wait for the server's new verdict (a text other than the one before).
async function typeAndWait(page, id, value, re) {
  const before = await meterText(page, id);
  await page.fill('#' + id, value);
  await page.waitForFunction(([i, src, old]) => {
    const t = document.getElementById(i + '-meter-text').textContent;
    return t !== old && new RegExp(src).test(t);
  }, [id, re.source, before]);
}

test('/admin: show the password, and the meter judges a new one by the server rule', async () => {
  const user = 'e2epwt' + process.pid;
  const secret = addStaff(user, 'auditor');
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(BASE + '/admin');
    await page.waitForSelector('#signin:not([hidden])');
    // The sign-in form: the toggle shows and hides the characters.
    await page.fill('#password', 'abc def');
    assert.equal(await page.textContent('#password-show'), 'パスワードを表示');
    assert.equal(await page.getAttribute('#password-show', 'aria-controls'), 'password');
    await page.click('#password-show');
    assert.equal(await page.getAttribute('#password', 'type'), 'text');
    assert.equal(await page.getAttribute('#password-show', 'aria-pressed'), 'true');
    await page.keyboard.press('Space'); // the button has the focus: Space hides again
    assert.equal(await page.getAttribute('#password', 'type'), 'password');
    await signIn(page, BASE, user, secret);
    // The change form (folded under its summary) has three toggles.
    await page.click('#pw-box summary');
    for (const id of ['pw-current', 'pw-new', 'pw-again']) assert.ok(await page.isVisible('#' + id + '-show'), id);

    await typeAndWait(page, 'pw-new', 'password1234', /^使えません: /);
    assert.match(await meterText(page, 'pw-new'), /よく使われる|辞書/);
    assert.equal(await page.getAttribute('#pw-new-meter', 'value'), '0');
    await typeAndWait(page, 'pw-new', 'my ' + user + ' phrase here', /^使えません: /);
    assert.match(await meterText(page, 'pw-new'), /名前|ユーザー名|登録番号/);
    await typeAndWait(page, 'pw-new', 'tall maple rivers hum softly', /^使えます/);
    assert.match(await meterText(page, 'pw-new'), /とても強い/);
    assert.equal(await page.getAttribute('#pw-new-meter', 'value'), '4');
    await page.click('#pw-new-show');
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'password-tools-admin-ja');

    await page.click('[data-lang-toggle]');
    await page.waitForFunction(() => /^Accepted/.test(document.getElementById('pw-new-meter-text').textContent));
    assert.equal(await page.textContent('#pw-new-show'), 'Show password');
    await typeAndWait(page, 'pw-new', 'qwertyuiop12', /^Not accepted: /);
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'password-tools-admin-en');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('/me activation: the new password has the toggle and the meter, in both languages', async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(BASE + '/me');
    await page.waitForSelector('#signed-out:not([hidden])');
    assert.ok(await page.isVisible('#password-show'));
    await page.fill('#a-regno', '000123');
    await typeAndWait(page, 'a-password', 'short', /^使えません: /);
    assert.match(await meterText(page, 'a-password'), /12/);
    await typeAndWait(page, 'a-password', 'kumo no ue made aruku', /^使えます/);
    await page.click('#a-password-show');
    assert.equal(await page.getAttribute('#a-password', 'type'), 'text');
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'password-tools-me-ja');
    await page.click('[data-lang-toggle]');
    await page.waitForFunction(() => /^Accepted/.test(document.getElementById('a-password-meter-text').textContent));
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'password-tools-me-en');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
