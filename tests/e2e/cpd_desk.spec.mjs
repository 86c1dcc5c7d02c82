// The registrar's training and renewal desk in the browser: an activation code made with a
// button, an overdue case from the renewal job ending in 取消し only after the registration
// number is typed again; completion records held for review listed with the reason, one
// accepted (the duty is filled at once) and one rejected; axe-core clean in Japanese and English.
// rissd-set: jobs_interval=0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, axeViolations, screenshot, BASE } from './browser.mjs';
import { addStaff, riss, signIn } from './staff.mjs';

const RUN = String(process.pid);

test('a registrar makes an activation code and ends an overdue case in cancellation', async () => {
  const user = 'e2ecpd' + RUN;
  const secret = addStaff(user, 'registrar');
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await signIn(page, BASE, user, secret);
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

test('the desk accepts a held record (the duty is filled) and rejects another with a reason', async () => {
  const user = 'e2eheld' + RUN;
  const secret = addStaff(user, 'registrar');
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await signIn(page, BASE, user, secret);
    const csrf = await page.evaluate(() => fetch('/api/v1/staff/me').then((r) => r.json()).then((m) => m.csrf));
    const api = (path, body, headers) => page.evaluate(([p, b, c, h]) => fetch(p, {
      method: 'POST', credentials: h ? 'omit' : 'same-origin',
      headers: Object.assign({ 'Content-Type': 'application/json', 'X-CSRF-Token': c }, h || {}), body: JSON.stringify(b),
    }).then((r) => r.json()), [path, body, csrf, headers]);
    // Two registrants of this cycle, a provider whose practical course is not designated.
    const today = new Date(Date.now() + 9 * 3600 * 1000).toISOString().slice(0, 10);
    const y = Number(today.slice(0, 4)), m = Number(today.slice(5, 7));
    const start = m >= 10 ? `${y}-10-01` : m >= 4 ? `${y}-04-01` : `${y - 1}-10-01`;
    const fy = m < 4 ? y - 1 : y;
    const regnos = [];
    for (const k of ['a', 'b']) {
      const app = await api('/api/v1/registry/applications', {
        exam_result_ref: `e2e-held-${RUN}-${k}`, exam_pass_date: start, name: '保留 ' + k + RUN, name_kana: 'ホリュウ',
        name_latn: 'Horyu ' + k, date_of_birth: '1985-03-03',
      });
      await api('/api/v1/registry/review', { id: app.id, approve: true, note: 'ok' });
      regnos.push((await api('/api/v1/registry/register', { id: app.id, reg_date: start })).regno);
    }
    const prov = JSON.parse(riss('provider', 'add', '保留 機関 ' + RUN, '--name-en', 'Held Institute ' + RUN, '--from', '2016-10-01', '--json'));
    const bearer = { Authorization: 'Bearer ' + prov.api_key };
    await api('/api/v1/cpd/courses', { code: 'TK-' + RUN, kind: 'practical', title_ja: '特定講習 演習', title_en: 'Specified course drill',
      hours: 6, cycle_years: [fy] }, bearer);
    const sent = await api('/api/v1/cpd/completions', { records: regnos.map((r, i) => ({
      provider_record_id: `H-${RUN}-${i}`, regno: r, course_code: 'TK-' + RUN, completed_on: today, hours: 6 })) }, bearer);
    assert.deepEqual(sent.results.map((r) => r.state), ['pending', 'pending'], JSON.stringify(sent));

    await page.click('a[href="/admin/cpd"]');
    await page.waitForSelector('#desk:not([hidden])');
    const rowA = page.locator('#held tbody tr', { hasText: regnos[0] });
    const rowB = page.locator('#held tbody tr', { hasText: regnos[1] });
    // Other records may wait too (the queue is oldest first): this registrant's only, then all.
    await page.fill('#held-regno', regnos[0]);
    await page.click('#held-filter button[type=submit]');
    await rowA.waitFor();
    await page.waitForFunction(() => document.querySelectorAll('#held tbody tr').length === 1);
    assert.match(await rowA.textContent(), /特定講習に指定されていません/);
    assert.deepEqual(await axeViolations(page), []);
    await rowA.scrollIntoViewIfNeeded();
    await screenshot(page, 'cpd-desk-held-ja');
    // Accept the first: it leaves the queue and fills the practical duty.
    await rowA.locator('button.primary').click();
    await page.waitForFunction((r) => document.getElementById('status').textContent.includes(r + ' の記録を受理'), regnos[0]);
    await rowA.waitFor({ state: 'detached' });
    const standing = await page.evaluate((r) => fetch('/api/v1/cpd/status/' + r).then((x) => x.json()), regnos[0]);
    const pra = standing.duties.find((d) => d.kind === 'practical');
    assert.equal(pra.state, 'done', JSON.stringify(standing));
    assert.equal(pra.completion.completion_id, sent.results[0].completion_id);
    // Rejecting needs a reason; with one, it is recorded.
    await page.fill('#held-regno', regnos[1]);
    await page.click('#held-filter button[type=submit]');
    await rowB.waitFor();
    await rowB.locator('button:not(.primary)').click();
    await page.waitForSelector('#status.error');
    await rowB.locator('input').fill('受講証跡が確認できない');
    await rowB.locator('button:not(.primary)').click();
    await page.waitForFunction((r) => document.getElementById('status').textContent.includes(r + ' の記録を却下'), regnos[1]);
    const rec = await page.evaluate((id) => fetch('/api/v1/cpd/completions/' + id).then((x) => x.json()), sent.results[1].completion_id);
    assert.equal(rec.state, 'rejected');
    assert.equal(rec.reason, '受講証跡が確認できない');
    assert.equal(rec.decided_by, 'staff:' + user);

    await page.click('[data-lang-toggle]');
    await page.waitForFunction(() => document.getElementById('held-h').textContent === 'Completion records awaiting review');
    assert.deepEqual(await axeViolations(page), []);
    await page.locator('#held-h').scrollIntoViewIfNeeded();
    await screenshot(page, 'cpd-desk-held-en');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
