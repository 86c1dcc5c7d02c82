// The provider portal (/provider) in a real browser: a provider approved with
// `riss provider add --json` signs in with its API key (kept in sessionStorage only), sees
// its course, uploads a CSV with a bad row (nothing imported, the row named with its line,
// column and problem), uploads the fixed file (every row recorded), sees the records it
// sent and sends a correction, which voids the old record and lists both; the correction
// reports fewer hours than the course, so it waits for the agency's review and the list says
// why. axe-core finds no violation in Japanese or English.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, axeViolations, screenshot, readerTimes, BASE } from './browser.mjs';
import { addStaff, totp, riss, PASSWORD } from './staff.mjs';

const RUN = Date.now().toString(36).replace(/[0-9]/g, (d) => 'abcdefghij'[d]);
let browser, ctx, provider, regno;
const today = new Date(Date.now() + 9 * 3600 * 1000).toISOString().slice(0, 10); // Japan
const fy = Number(today.slice(0, 4)) - (Number(today.slice(5, 7)) < 4 ? 1 : 0);

function cycleStart(d) {
  const y = Number(d.slice(0, 4)), m = Number(d.slice(5, 7));
  return m >= 10 ? `${y}-10-01` : m >= 4 ? `${y}-04-01` : `${y - 1}-10-01`;
}

before(async () => {
  browser = await launch();
  ctx = await browser.newContext();
  const user = 'e2ecpd' + RUN;
  const secret = addStaff(user, 'registrar');
  const login = await ctx.request.post(BASE + '/api/v1/staff/login',
    { data: { username: user, password: PASSWORD, totp: totp(secret) } });
  assert.equal(login.status(), 200, await login.text());
  const csrf = (await login.json()).csrf;
  const staff = (p, data) => ctx.request.post(BASE + p, { data, headers: { 'X-CSRF-Token': csrf } });
  const start = cycleStart(today);
  let r = await staff('/api/v1/registry/applications', {
    exam_result_ref: 'e2e-cpd-' + RUN, exam_pass_date: start, name: '講習 太郎', name_kana: 'コウシュウ タロウ',
    name_latn: 'Koshu Taro ' + RUN, date_of_birth: '1988-08-08',
  });
  assert.equal(r.status(), 201, await r.text());
  const id = (await r.json()).id;
  r = await staff('/api/v1/registry/review', { id, approve: true, note: 'e2e' });
  assert.equal(r.status(), 200, await r.text());
  r = await staff('/api/v1/registry/register', { id, reg_date: start });
  assert.equal(r.status(), 201, await r.text());
  regno = (await r.json()).regno;
  // The staff session stays out of the portal's requests: a fresh context for the pages.
  await ctx.close();
  // A reader in New York: the pages show times in the reader's zone, not Japan's.
  ctx = await browser.newContext({ timezoneId: 'America/New_York' });
  provider = JSON.parse(riss('provider', 'add', '演習 機関 ' + RUN, '--name-en', 'Drill Institute ' + RUN, '--json'));
  r = await ctx.request.post(BASE + '/api/v1/cpd/courses', {
    headers: { Authorization: 'Bearer ' + provider.api_key },
    data: { code: 'ONL-' + fy, kind: 'online', title_ja: fy + '年度 オンライン講習', title_en: 'Online course FY' + fy,
            hours: 6, cycle_years: [fy] },
  });
  assert.equal(r.status(), 201, await r.text());
});

after(async () => {
  if (browser) await browser.close();
});

function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // The refused upload's 422 is the browser's own network log line, not a page error.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 422/.test(m.text())) errors.push(m.text());
  });
  return errors;
}

function csv(rows) {
  return 'provider_record_id,regno,course_code,completed_on,hours\n' + rows.map((r) => r.join(',')).join('\n') + '\n';
}

test('sign in, upload a CSV with a bad row, then the fixed one, and correct a record', async () => {
  const started = Date.now();
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await page.goto(BASE + '/provider');
  assert.equal(await page.getAttribute('html', 'lang'), 'ja');
  assert.deepEqual(await axeViolations(page), [], 'axe on the sign-in form');
  await page.fill('#api-key', provider.api_key);
  await page.click('#key-form button[type=submit]');
  await page.waitForSelector('#portal:not([hidden])');
  assert.match(await page.textContent('#who'), new RegExp('演習 機関 ' + RUN));
  // The key lives in this tab's sessionStorage only: not in localStorage, not in a cookie.
  assert.equal(await page.evaluate(() => sessionStorage.getItem('riss_provider_key')), provider.api_key);
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  assert.ok(!(await ctx.cookies()).some((c) => c.value.includes(provider.api_key)));
  await page.waitForFunction(() => document.querySelector('#courses tbody').textContent.includes('ONL-'));

  const rows = [1, 2, 3].map((i) => [`E2E-${RUN}-${i}`, regno, 'ONL-' + fy, today, '6']);
  rows[1][3] = '2026-02-30';
  await page.setInputFiles('#csv-file', { name: 'records.csv', mimeType: 'text/csv', buffer: Buffer.from(csv(rows)) });
  await page.click('#upload-form button[type=submit]');
  await page.waitForSelector('#upload-errors:not([hidden])');
  const errRows = await page.$$eval('#upload-errors tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.equal(errRows.length, 1, JSON.stringify(errRows));
  assert.equal(errRows[0][0], '3');
  assert.equal(errRows[0][1], 'completed_on');
  assert.match(errRows[0][2], /2026-02-30/);
  assert.match(await page.textContent('#upload-result'), /3 行中 1 行に誤りがあります。何も取り込んでいません/);
  assert.deepEqual(await axeViolations(page), [], 'axe with the refused upload');
  await page.click('#reload');
  await page.waitForFunction(() => document.querySelector('#records tbody').textContent.includes('まだありません'));

  rows[1][3] = today;
  await page.setInputFiles('#csv-file', { name: 'records.csv', mimeType: 'text/csv', buffer: Buffer.from(csv(rows)) });
  await page.click('#upload-form button[type=submit]');
  await page.waitForFunction(() => /3 件登録/.test(document.getElementById('upload-result').textContent));
  assert.equal(await page.getAttribute('#upload-errors', 'hidden'), '');
  // Every row's own result, in file order with its line number.
  const perRow = await page.$$eval('#upload-rows tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.equal(perRow.length, 3);
  assert.deepEqual(perRow.map((r) => r[0]), ['2', '3', '4']);
  for (const r of perRow) assert.equal(r[2], '登録しました');
  await page.waitForFunction((id) => document.querySelector('#records tbody').textContent.includes(id), `E2E-${RUN}-3`);
  assert.equal(await page.$$eval('#records tbody tr', (trs) => trs.length), 3);
  // Received: in the reader's zone (New York) and the page's language, the zone named.
  const received = await page.$$eval('#records tbody tr', (trs) => trs.map((tr) => tr.cells[6].textContent));
  const ny = readerTimes(started, Date.now(), { timeZone: 'America/New_York' });
  for (const r of received) assert.ok(ny.has(r), `${r} is not New York time now (${[...ny].join(', ')})`);

  // Correct record 2: the hours were wrong — 3 of the course's 6, so it waits for review.
  await page.click(`#records button[aria-label*="E2E-${RUN}-2"]`);
  await page.fill('#x-hours', '3');
  await page.click('#correct-form button[type=submit]');
  await page.waitForFunction(() => /訂正しました/.test(document.getElementById('status').textContent));
  await page.waitForFunction(() => document.querySelectorAll('#records tbody tr').length === 4);
  const states = await page.$$eval('#records tbody tr', (trs) => trs.map((tr) => tr.cells[0].textContent + ' ' +
    tr.cells[4].textContent + ' ' + tr.cells[5].textContent));
  assert.ok(states.includes(`E2E-${RUN}-2 3 確認待ち報告された時間が講座の時間に足りません`), states.join('; '));
  assert.ok(states.includes(`E2E-${RUN}-2 6 無効（訂正済み）`), states.join('; '));
  assert.ok(states.includes(`E2E-${RUN}-1 6 受理`), states.join('; '));
  assert.deepEqual(await axeViolations(page), [], 'axe with the records');
  await screenshot(page, 'provider-pending-ja');

  await page.click('[data-lang-toggle]');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal((await page.textContent('#records-h')).trim(), 'Records sent');
  assert.match(await page.textContent('#who'), new RegExp('Signed in as Drill Institute ' + RUN));
  await page.waitForFunction(() => document.querySelector('#records tbody').textContent.includes('Voided (corrected)'));
  assert.match(await page.textContent('#records tbody'), /PendingFewer hours reported than the course has/);
  assert.deepEqual(await axeViolations(page), [], 'axe in English');
  await screenshot(page, 'provider-pending-en');
  await page.click('[data-lang-toggle]');
  // Signing out forgets the key.
  await page.click('#sign-out');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('riss_provider_key')), null);
  assert.deepEqual(errors, []);
});

// xAPI (xapi-stmt): a completed statement for an activity that is none of the provider's
// courses is stored and listed in the unmatched section with its reason, in Japanese and in
// English.
test('an xAPI statement that matches no course is listed with its reason', async () => {
  const sent = Date.now();
  const x = provider.xapi;
  const auth = 'Basic ' + Buffer.from(x.username + ':' + x.password).toString('base64');
  const stmt = {
    actor: { mbox: 'mailto:nobody-' + RUN + '@example.com' },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed' },
    object: { id: 'http://lms.example.com/activities/' + RUN },
    result: { completion: true },
  };
  const r = await ctx.request.post(BASE + '/xapi/statements',
    { data: stmt, headers: { Authorization: auth, 'X-Experience-API-Version': '1.0.3' } });
  assert.equal(r.status(), 200, await r.text());
  const [sid] = await r.json();
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await page.goto(BASE + '/provider');
  await page.fill('#api-key', provider.api_key);
  await page.click('#key-form button[type=submit]');
  await page.waitForFunction((id) => document.querySelector('#xapi-unmatched tbody').textContent.includes(id), sid);
  const row = await page.$$eval('#xapi-unmatched tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.equal(row.length, 1, JSON.stringify(row));
  assert.equal(row[0][1], sid);
  assert.ok(readerTimes(sent, Date.now(), { timeZone: 'America/New_York' }).has(row[0][0]), row[0][0]);   // the reader's zone
  assert.match(row[0][3], /nobody-/);
  assert.match(row[0][4], /アクティビティ ID が貴機関の講座/);
  assert.deepEqual(await axeViolations(page), [], 'axe with the unmatched statements');
  await screenshot(page, 'provider-xapi-ja');
  await page.click('[data-lang-toggle]');
  await page.waitForFunction(() => /The activity id is not one of your courses/.test(document.querySelector('#xapi-unmatched tbody').textContent));
  assert.equal((await page.textContent('#xapi-h')).trim(), 'xAPI: statements that became no completion');
  await screenshot(page, 'provider-xapi-en');
  await page.click('[data-lang-toggle]');
  await page.click('#sign-out');
  assert.deepEqual(errors, []);
});
