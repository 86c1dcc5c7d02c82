// The registrar's training and renewal desk in the browser: an activation code made with a
// button, an overdue case from the renewal job ending in 取消し only after the registration
// number is typed again; axe-core clean in Japanese and English.
// rissd-set: jobs_interval=0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, axeViolations, BASE } from './browser.mjs';
import { addStaff, totp, riss, PASSWORD } from './staff.mjs';

const RUN = String(process.pid);

test('a registrar makes an activation code and ends an overdue case in cancellation', async () => {
  const user = 'e2ecpd' + RUN;
  const secret = addStaff(user, 'registrar');
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(BASE + '/admin');
    await page.waitForSelector('#signin:not([hidden])');
    await page.fill('#username', user);
    await page.fill('#password', PASSWORD);
    await page.fill('#totp', totp(secret));
    await page.keyboard.press('Enter');
    await page.waitForSelector('#desk:not([hidden])');
    // A registration whose first-year course was missed (through the registrar API).
    const csrf = await page.evaluate(() => fetch('/api/v1/staff/me').then((r) => r.json()).then((m) => m.csrf));
    const api = (path, body) => page.evaluate(([p, b, c]) => fetch(p, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': c }, body: JSON.stringify(b),
    }).then((r) => r.json()), [path, body, csrf]);
    const y = new Date().getUTCFullYear() - 2;
    const app = await api('/api/v1/registry/applications', {
      exam_result_ref: 'e2e-cpd-' + RUN, exam_pass_date: `${y - 1}-12-01`, name: '期限 超過' + RUN, name_kana: 'キゲン',
      name_latn: 'Kigen Choka', date_of_birth: '1980-05-05',
    });
    await api('/api/v1/registry/review', { id: app.id, approve: true, note: 'ok' });
    const reg = await api('/api/v1/registry/register', { id: app.id, reg_date: `${y}-04-01` });
    riss('jobs', 'run', '--no-mail');

    await page.click('a[href="/admin/cpd"]');
    await page.waitForSelector('#desk:not([hidden])');
    assert.equal(await page.textContent('h1'), '講習・更新の事務');
    assert.deepEqual(await axeViolations(page), []);

    await page.fill('#code-regno', reg.regno);
    await page.click('#code button[type=submit]');
    await page.waitForSelector('#code-out:not([hidden])');
    assert.match(await page.textContent('#code-value'), /^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);

    const row = page.locator('#cases tbody tr', { hasText: reg.regno });
    assert.match(await row.textContent(), /オンライン講習（1 年目）/);
    await row.locator('button.danger').click();
    await page.waitForSelector('#cancel:not([hidden])');
    assert.match(await page.textContent('#cancel-warn'), new RegExp(`${reg.regno}.*2 年間`));
    assert.deepEqual(await axeViolations(page), []);
    // The wrong number is refused, and nothing happens.
    await page.fill('#cancel-confirm', '999999');
    await page.fill('#cancel-reason', '講習未受講');
    await page.click('#cancel button[type=submit]');
    await page.waitForSelector('#status.error');
    assert.match(await page.textContent('#status'), new RegExp(reg.regno));
    await page.fill('#cancel-confirm', reg.regno);
    await page.click('#cancel button[type=submit]');
    await page.waitForSelector('#cancel', { state: 'hidden' });
    assert.match(await page.textContent('#status'), new RegExp(`登録番号 ${reg.regno} の登録を取り消しました。この方が再び登録できるのは \\d{4}-\\d{2}-\\d{2} からです。`));
    const st = await page.evaluate((r) => fetch('/api/v1/registry/registrants?regno=' + r).then((x) => x.json()), reg.regno);
    assert.equal(st.status, 'cancelled');

    await page.click('[data-lang-toggle]');
    await page.waitForFunction(() => document.querySelector('h1').textContent === 'Training and renewal desk');
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
