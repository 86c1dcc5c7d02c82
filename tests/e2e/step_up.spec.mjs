// Step-up for dangerous acts (security, issue 17) on the registrar's CPD desk: ten minutes
// after sign-in (simulated by moving the session's step_up_at back) adding a training
// provider (it makes an API key) opens a dialog asking for the authenticator code; a wrong
// code is said so in the dialog, the right one carries the act out; in English the dialog
// speaks English and cancelling leaves nothing done. axe-core clean, screenshots ja/en.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { launch, axeViolations, screenshot, BASE } from './browser.mjs';
import { addStaff, totp, signIn } from './staff.mjs';

const RUN = String(process.pid);

function age(user) {
  execFileSync('psql', [process.env.RISS_TEST_DB_URL, '-X', '-qAt', '-v', 'ON_ERROR_STOP=1', '-c',
    `UPDATE staff.sessions SET step_up_at = now() - interval '10 minutes' WHERE account_id = ` +
    `(SELECT id FROM staff.accounts WHERE username = '${user}')`]);
}

test('a stale registrar session confirms a code in a dialog before a provider key is made', async () => {
  const user = 'e2estep' + RUN;
  const secret = addStaff(user, 'registrar');
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await signIn(page, BASE, user, secret);
    await page.click('a[href="/admin/cpd"]');
    await page.waitForSelector('#desk:not([hidden])');
    age(user);

    await page.fill('#p-name-ja', '段階 機関' + RUN);
    await page.fill('#p-name-en', 'Step Institute ' + RUN);
    await page.click('#provider-add button[type=submit]');
    await page.waitForSelector('#stepup-dlg[open]');
    assert.equal(await page.textContent('#stepup-h'), '本人確認');
    assert.match(await page.textContent('#stepup-why'), /認証アプリ/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'stepup-code');
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'step-up-ja');

    const wrong = String((Number(totp(secret, 1)) + 1) % 1000000).padStart(6, '0');
    await page.fill('#stepup-code', wrong);
    await page.click('#stepup-ok');
    await page.waitForFunction(() => document.getElementById('stepup-err').textContent !== '');
    assert.match(await page.textContent('#stepup-err'), /確認コード/);
    assert.ok(await page.isVisible('#stepup-dlg[open]'));

    await page.fill('#stepup-code', totp(secret, 1));
    await page.click('#stepup-ok');
    await page.waitForSelector('#stepup-dlg', { state: 'hidden' });
    await page.waitForFunction(() => /rpk_/.test(document.getElementById('status').textContent));

    // English, stale again: the dialog speaks English; cancelling does nothing.
    await page.click('[data-lang-toggle]');
    age(user);
    await page.fill('#p-name-ja', '取消 機関' + RUN);
    await page.fill('#p-name-en', 'Cancelled Institute ' + RUN);
    await page.click('#provider-add button[type=submit]');
    await page.waitForSelector('#stepup-dlg[open]');
    assert.equal(await page.textContent('#stepup-h'), 'Confirm it is you');
    assert.match(await page.textContent('#stepup-why'), /authenticator app/);
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'step-up-en');
    await page.click('#stepup-cancel');
    await page.waitForSelector('#stepup-dlg', { state: 'hidden' });
    await page.waitForFunction(() => /not carried out/.test(document.getElementById('status').textContent));
    const names = await page.evaluate(() => fetch('/api/v1/cpd/providers').then((r) => r.json())
      .then((b) => b.providers.map((p) => p.name_ja)));
    assert.ok(names.includes('段階 機関' + RUN));
    assert.ok(!names.includes('取消 機関' + RUN));
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
