// A registrant at /me in the browser: activation with the registrar's one-time code, sign-in
// with password + TOTP, every duty with its deadline and the course that filled it, the
// renewal application, the English switch; axe-core clean in every state.
// rissd-set: jobs_interval=0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { launch, axeViolations, screenshot, BASE } from './browser.mjs';
import { addStaff, totp, PASSWORD } from './staff.mjs';

const RUN = String(process.pid);

function psql(sql) {
  return execFileSync('psql', [process.env.RISS_TEST_DB_URL, '-X', '-At', '-v', 'ON_ERROR_STOP=1', '-c', sql],
                      { encoding: 'utf8' }).trim().split('\n')[0];
}

async function registrar() {
  const user = 'e2ereg' + RUN;
  const secret = addStaff(user, 'registrar');
  const r = await fetch(BASE + '/api/v1/staff/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user, password: PASSWORD, totp: totp(secret) }),
  });
  const body = await r.json();
  const cookie = r.headers.get('set-cookie').split(';')[0];
  return async (method, path, obj) => {
    const res = await fetch(BASE + path, {
      method, headers: { 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': body.csrf },
      body: obj === undefined ? undefined : JSON.stringify(obj),
    });
    const data = await res.json();
    assert.ok(res.ok, `${path}: ${JSON.stringify(data)}`);
    return data;
  };
}

// The latest 1 April / 1 October at least two years and two days back: a cycle in its 3rd year.
function cycleStart() {
  const limit = new Date(Date.now() + 9 * 3600e3 - (2 * 366 + 2) * 86400e3);
  let y = limit.getUTCFullYear();
  for (;;) {
    for (const m of [10, 4]) {
      const d = new Date(Date.UTC(y, m - 1, 1));
      if (d <= limit) return d;
    }
    y--;
  }
}
const iso = (d) => d.toISOString().slice(0, 10);
const plusDays = (d, n) => new Date(d.getTime() + n * 86400e3);
const plusYears = (d, n) => new Date(Date.UTC(d.getUTCFullYear() + n, d.getUTCMonth(), d.getUTCDate()));

test('a registrant activates /me, sees every duty filled and applies for renewal', async () => {
  const admin = await registrar();
  const start = cycleStart();
  const app = await admin('POST', '/api/v1/registry/applications', {
    exam_result_ref: 'e2e-me-' + RUN, exam_pass_date: iso(plusDays(start, -60)), name: '画面 花子' + RUN,
    name_kana: 'ガメン ハナコ', name_latn: 'Gamen Hanako', date_of_birth: '1991-02-03',
  });
  await admin('POST', '/api/v1/registry/review', { id: app.id, approve: true, note: 'ok' });
  const reg = await admin('POST', '/api/v1/registry/register', { id: app.id, reg_date: iso(start) });
  const regno = reg.regno;
  const { code } = await admin('POST', '/api/v1/registry/activation-code', { regno, lang: 'ja' });
  // A provider's records: the online course in each cycle year and a designated practical course.
  const fy = new Date().getUTCFullYear() - 4;
  const years = '{' + Array.from({ length: 8 }, (_, i) => fy + i).join(',') + '}';
  const prov = psql(`INSERT INTO cpd.providers (name_ja, name_en, approved_from, key_hash, key_hint, created_by)
    VALUES ('画面テスト研修 ${RUN}', 'Screen test training ${RUN}', '2016-10-01', sha256('e2e${RUN}'::bytea),
    'rpk_e2e${RUN.slice(-1)}', 'e2e') RETURNING id`);
  const online = psql(`INSERT INTO cpd.courses (provider_id, code, kind, title_ja, title_en, hours, cycle_years, created_by)
    VALUES (${prov}, 'ON', 'online', 'セキュリティ最新動向（オンライン）', 'Security update (online)', 6, '${years}', 'e2e') RETURNING id`);
  const practical = psql(`INSERT INTO cpd.courses (provider_id, code, kind, title_ja, title_en, hours, cycle_years, created_by)
    VALUES (${prov}, 'PR', 'practical', 'インシデント対応演習', 'Incident response exercise', 6, '${years}', 'e2e') RETURNING id`);
  psql(`INSERT INTO cpd.designations (course_id, fiscal_year, designation_no, designated_by)
    SELECT ${practical}, y, 'E${RUN}-' || y, 'e2e' FROM generate_series(${fy}, ${fy + 7}) y`);
  const done = [[online, plusDays(start, 5)], [online, plusDays(plusYears(start, 1), 5)],
                [online, plusDays(plusYears(start, 2), 1)], [practical, plusDays(plusYears(start, 1), 40)]];
  for (const [course, on] of done) {
    psql(`INSERT INTO cpd.completions (provider_id, provider_record_id, regno, course_id, completed_on, hours, via, state, posted_at)
      VALUES (${prov}, 'e2e-${course}-${iso(on)}', '${regno}', ${course}, '${iso(on)}', 6, 'api', 'accepted', now())`);
  }
  // One more record, held for the CPD desk (fewer hours than the course): awaiting review.
  psql(`INSERT INTO cpd.completions (provider_id, provider_record_id, regno, course_id, completed_on, hours, via, state, holds)
    VALUES (${prov}, 'e2e-held-${RUN}', '${regno}', ${online}, '${iso(plusDays(start, 9))}', 3, 'api', 'pending', '{hours_short}')`);

  const browser = await launch();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(BASE + '/me');
    await page.waitForSelector('#signed-out:not([hidden])');
    assert.equal(await page.textContent('h1'), '登録者マイページ');
    assert.deepEqual(await axeViolations(page), []);

    // Activation with the one-time code gives the authenticator secret.
    await page.fill('#a-regno', regno);
    await page.fill('#a-code', code.toLowerCase().replace(/-/g, ' '));
    await page.fill('#a-password', PASSWORD);
    await page.click('#activate button[type=submit]');
    await page.waitForSelector('#activated:not([hidden])');
    const secret = (await page.textContent('#secret')).trim();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.deepEqual(await axeViolations(page), []);

    // Sign in with password and TOTP (keyboard: Enter submits).
    assert.equal(await page.inputValue('#regno'), regno);
    await page.fill('#password', PASSWORD);
    await page.fill('#totp', totp(secret));
    await page.keyboard.press('Enter');
    await page.waitForSelector('#signed-in:not([hidden])');
    assert.equal(await page.textContent('#f-regno'), regno);
    assert.equal(await page.textContent('#f-standing'), '更新可能');
    const rows = await page.$$eval('#duties tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    assert.equal(rows.length, 4);
    assert.deepEqual(rows.map((r) => r[0]), ['オンライン講習（1 年目）', 'オンライン講習（2 年目）', 'オンライン講習（3 年目）',
                                             '実践講習・特定講習（3 年に 1 回）']);
    for (const r of rows) {
      assert.equal(r[3], '修了');
      assert.match(r[4], /画面テスト研修/);
      assert.match(r[2], /^\d{4}-\d{2}-\d{2}$/);
    }
    const done = await page.$$eval('#completions tbody tr', (trs) => trs.map((tr) => tr.cells[3].textContent));
    assert.equal(done.length, 5);
    assert.deepEqual(done.filter((c) => c.startsWith('機構の確認待ち')),
                     ['機構の確認待ち（まだ算入されていません）報告された時間が講座の時間に足りません']);
    await page.locator('#completions').scrollIntoViewIfNeeded();
    await screenshot(page, 'me-pending-ja');
    assert.ok(await page.isVisible('#apply'));
    assert.deepEqual(await axeViolations(page), []);

    // Apply for renewal: the page says it was received, and the button goes.
    await page.click('#apply');
    await page.waitForSelector('#apply', { state: 'hidden' });
    assert.match(await page.textContent('#renewal-msg'), /更新を申請しました（受付番号 \d+）/);
    assert.equal(await page.textContent('#apps tbody td:nth-child(3)'), '審査中');
    assert.deepEqual(await axeViolations(page), []);
    if (process.env.RISS_SCREENSHOT_DIR) await page.screenshot({ path: process.env.RISS_SCREENSHOT_DIR + '/me.png', fullPage: true });

    // English.
    await page.click('[data-lang-toggle]');
    assert.equal(await page.textContent('h1'), 'Registrant self-service');
    assert.equal(await page.textContent('#f-standing'), 'Renewable');
    assert.equal(await page.textContent('#duties tbody tr td:nth-child(4)'), 'Done');
    assert.match(await page.textContent('#duties tbody tr td:nth-child(5)'), /Security update \(online\) — Screen test training/);
    assert.match(await page.textContent('#completions tbody'), /Awaiting the agency's review \(not credited yet\)Fewer hours reported than the course has/);
    await page.locator('#completions').scrollIntoViewIfNeeded();
    await screenshot(page, 'me-pending-en');
    assert.deepEqual(await axeViolations(page), []);

    // The registrant changes the password (security, issue 17): a common one is refused in the
    // page's language; then the change goes through and the page stays signed in.
    await page.click('#pw-box summary');
    for (const [fresh, said] of [['Password123456', /too common/], ['kumo no ue de neru neko', /Password changed/]]) {
      await page.fill('#pw-current', PASSWORD);
      await page.fill('#pw-new', fresh);
      await page.fill('#pw-again', fresh);
      await page.fill('#pw-totp', totp(secret, 1));
      await page.click('#pw-form button[type=submit]');
      await page.waitForFunction(() => !/変更しています|Changing/.test(document.getElementById('pw-status').textContent));
      assert.match(await page.textContent('#pw-status'), said);
    }
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'me-password-changed-en');
    await page.click('[data-lang-toggle]');
    await page.waitForFunction(() => document.querySelector('#pw-box summary').textContent === 'パスワードの変更');
    assert.match(await page.textContent('#pw-status'), /パスワードを変更しました/, 'the message follows the language');
    await screenshot(page, 'me-password-changed-ja');
    assert.equal(await page.evaluate(async () => (await fetch('/api/v1/me')).status), 200);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
