// Every screen in the reader's language (issue 18), on the home page, the staff sign-in at
// /admin, /admin/schedule and /admin/stats: the server's problems come in Japanese by
// default and in English after the language switch, never the other language or a code;
// states through the catalogue. axe-clean in each state; screenshots of every screen in
// both languages go to <build>/e2e-screenshots/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, axeViolations, screenshot, BASE } from './browser.mjs';
import { addStaff, addWindowAndCentre, totp, PASSWORD } from './staff.mjs';

const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;
// Latin text that may stand in a Japanese screen: formats, codes (centre codes such as
// TC-OSAKA-01), command names.
const TOKENS = /English|YYYY-MM-DD|HH:MM|UTF-8|MiB|CSV|JSON|true|false|ID|RISS|\b[A-Z0-9]+(?:-[A-Z0-9]+)+\b|riss bank|calibrate|analyze|docs\/calibration\.md|\/admin/g;

// Japanese text with no English sentence in it: after the allowed tokens, no run of
// three latin letters remains.
function assertJapanese(text, what) {
  assert.match(text, JAPANESE, `${what} is not Japanese: ${text}`);
  assert.doesNotMatch(text.replace(TOKENS, ''), /[A-Za-z]{3,}/, `${what} has English in it: ${text}`);
}
function assertEnglish(text, what) {
  assert.doesNotMatch(text, JAPANESE, `${what} has Japanese in it: ${text}`);
  assert.match(text, /[A-Za-z]{3,}/, `${what} is empty: ${text}`);
}
async function clean(page, what) {
  assert.deepEqual(await axeViolations(page), [], what);
}
async function switchTo(page, lang) {
  await page.click('[data-lang-toggle]');
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
}
// A new page (its own cookies, a Japanese browser as at the agency) whose script errors and
// catalogue misses land in errors.
async function watched(browser, errors) {
  const page = await browser.newPage({ locale: 'ja-JP' });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (/catalogue/.test(m.text())) errors.push(m.text()); });
  return page;
}
// The visible text of the page body (what a reader sees).
const bodyText = (page) => page.evaluate(() => document.body.innerText);

test('home and staff sign-in: Japanese first, English after the switch', async () => {
  const user = 'e2ei18n' + process.pid;
  addStaff(user, 'statistician');
  const browser = await launch({ lang: 'ja' });
  try {
    const errors = [];
    const page = await watched(browser, errors);

    await page.goto(BASE + '/');
    await page.waitForFunction(() => window.rissI18n && document.querySelector('[data-lang-toggle]').textContent === 'English');
    assert.equal(await page.textContent('h1'), '試験・登録システム');
    assertJapanese(await bodyText(page), 'the home page');
    await clean(page, 'home ja');
    await screenshot(page, 'home-ja');
    await switchTo(page, 'en');
    assert.equal(await page.textContent('h1'), 'Exam and register system');
    assert.equal(await page.title(), 'RISS exam and register system');
    assertEnglish((await bodyText(page)).replace('日本語', ''), 'the English home page');
    await clean(page, 'home en');
    await screenshot(page, 'home-en');
    await switchTo(page, 'ja');

    // A wrong sign-in: the server's message in Japanese, nothing English.
    await page.goto(BASE + '/admin');
    await page.waitForSelector('#signin:not([hidden])');
    await page.fill('#username', user);
    await page.fill('#password', 'not the password');
    await page.fill('#totp', '000000');
    await page.click('#signin button[type=submit]');
    await page.waitForSelector('#status.error');
    const ja = await page.textContent('#status');
    assert.equal(ja, 'ユーザー名、パスワードまたはワンタイムコードが正しくないか、アカウントがロックされています。');
    assertJapanese(await bodyText(page), 'the /admin page after a wrong sign-in');
    await clean(page, 'admin sign-in refused ja');
    await screenshot(page, 'admin-signin-refused-ja');

    // The same in English after the switch: labels and the server's message.
    await switchTo(page, 'en');
    assert.equal(await page.textContent('label[for=username]'), 'User name');
    await page.fill('#password', 'still not the password');
    await page.fill('#totp', '000000');
    await page.click('#signin button[type=submit]');
    await page.waitForFunction(() => /Wrong user name/.test(document.getElementById('status').textContent));
    assertEnglish(await page.textContent('#status'), 'the English sign-in refusal');
    assertEnglish((await bodyText(page)).replace('日本語', ''), 'the English /admin page');
    await clean(page, 'admin sign-in refused en');
    await screenshot(page, 'admin-signin-refused-en');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('schedule import and statistics: per-row problems, states and dates in both languages', async () => {
  const tag = process.pid.toString(36) + Date.now().toString(36).slice(-4);
  const reg = 'e2eir' + tag, stat = 'e2eis' + tag;
  const regSecret = addStaff(reg, 'registrar');
  const statSecret = addStaff(stat, 'statistician');
  const browser = await launch({ lang: 'ja' });
  try {
    const errors = [];
    const page = await watched(browser, errors);

    await page.goto(BASE + '/admin/schedule');
    await page.waitForSelector('#signin:not([hidden])');
    await page.fill('#u', reg);
    await page.fill('#pw', PASSWORD);
    await page.fill('#otp', totp(regSecret));
    await page.press('#otp', 'Enter');
    await page.waitForSelector('#desk:not([hidden])');

    // A window and a centre, then a booking: its state is the catalogue's label.
    const centre = 'TC-I18N-' + tag.toUpperCase().slice(-6), win = 'i18n window ' + tag;
    const today = new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 10);
    await addWindowAndCentre(page, win, centre, '名古屋テストセンター', '愛知県', 8);

    const head = 'name_kanji,name_kana,name_romaji,birth_date,email,phone,centre,window,sit_on,starts_at,extra_minutes,large_text,high_contrast\n';
    const row = (name, dob, mail, start, extra) => `${name},ナマエ,Namae,${dob},${mail},,${centre},${win},${today},${start},${extra},false,false\n`;
    const bad = head + row('良い', '1990-01-01', `good-${tag}@example.jp`, '10:00', '0') +
      row('悪い', '1990-02-30', 'no-address', '25:00', '999') + 'short,row\n';
    await page.setInputFiles('#csv', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await page.click('#import-form button');
    await page.waitForSelector('#import-result:not([hidden])');
    const rows = () => page.$$eval('#import-rows tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
    assert.deepEqual(await rows(), [
      ['3', '生年月日', '日付（YYYY-MM-DD）ではありません'],
      ['3', 'メール', 'メールアドレスではありません'],
      ['3', '開始時刻', '時刻（HH:MM）ではありません'],
      ['3', '時間延長', '0〜240 の整数にしてください'],
      ['4', '行全体', '項目数が 2 です（13 必要です）'],
    ]);
    assertJapanese(await page.textContent('#import-result'), 'the import problems');
    await page.click('a[href="#import-h"]');
    await clean(page, 'schedule import refused ja');
    await screenshot(page, 'schedule-import-refused-ja');
    // The API answers in the reader's language too, with the catalogue id of each problem.
    const api = await page.evaluate(async (csv) => {
      const r = await fetch('/api/v1/schedule/bookings/import', { method: 'POST', body: csv,
        headers: { 'Content-Type': 'text/csv', 'Accept-Language': 'ja', 'X-CSRF-Token': (await (await fetch('/api/v1/staff/me')).json()).csrf } });
      return { status: r.status, lang: r.headers.get('Content-Language'), body: await r.json() };
    }, bad);
    assert.equal(api.status, 422);
    assert.equal(api.lang, 'ja');
    assert.equal(api.body.title, '取り込みできませんでした');
    assertJapanese(api.body.detail, 'the import problem detail');
    assert.equal(api.body.errors[0].message_id, 'csv.not_date');
    assert.equal(api.body.errors[0].message, '日付（YYYY-MM-DD）ではありません');

    await switchTo(page, 'en');
    assert.deepEqual(await rows(), [
      ['3', 'Date of birth', 'not a date (YYYY-MM-DD)'],
      ['3', 'E-mail', 'not an e-mail address'],
      ['3', 'Start time', 'not a time (HH:MM)'],
      ['3', 'Extra time', 'a whole number from 0 to 240'],
      ['4', 'Whole row', 'expected 13 fields, found 2'],
    ]);
    assertEnglish(await page.textContent('#import-result'), 'the English import problems');
    await clean(page, 'schedule import refused en');
    await screenshot(page, 'schedule-import-refused-en');

    // A good file: the bookings' state is a label in either language, never the code.
    const good = head + row('良い', '1990-01-01', `good-${tag}@example.jp`, '10:00', '0');
    await page.setInputFiles('#csv', { name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
    await page.click('#import-form button');
    await page.waitForFunction(() => /Imported 1 bookings/.test(document.getElementById('import-summary').textContent));
    const stateOf = () => page.$$eval('#bookings-rows tr', (trs, c) => trs.filter((tr) => tr.cells[2].textContent === c)
      .map((tr) => tr.cells[5].textContent), centre);
    await page.waitForFunction((c) => [...document.querySelectorAll('#bookings-rows tr')].some((tr) => tr.cells[2].textContent === c), centre);
    assert.deepEqual(await stateOf(), ['Booked']);
    await page.click('a[href="#bookings-h"]');
    await screenshot(page, 'schedule-bookings-en');
    await switchTo(page, 'ja');
    await page.waitForFunction((c) => [...document.querySelectorAll('#bookings-rows tr')]
      .some((tr) => tr.cells[2].textContent === c && tr.cells[5].textContent === '予約済み'), centre);
    assertJapanese(await page.textContent('#bookings-h'), 'the bookings heading');

    // A booking before the window opens is refused with the reason, in the reader's language.
    const cand = await page.$$eval('#candidates-rows tr', (trs, m) => trs.find((tr) => tr.cells[5].textContent === m).cells[0].textContent,
      `good-${tag}@example.jp`);
    const winId = await page.$eval('#b-window', (sel, w) => [...sel.options].find((o) => o.text.startsWith(w)).value, win);
    const refuse = async () => {
      await page.evaluate(() => { document.getElementById('status').className = ''; });
      await page.fill('#b-cand', cand);
      await page.selectOption('#b-window', winId);
      await page.selectOption('#b-centre', centre);
      await page.fill('#b-sit', '2025-12-31');
      await page.click('#booking-form button');
      await page.waitForSelector('#status.bad');
      return page.textContent('#status');
    };
    assert.equal(await refuse(), '予約できませんでした。受験日が試験期間外か、試験期間が存在しないか、再受験の待機期間中です。');
    await clean(page, 'schedule booking refused ja');
    await screenshot(page, 'schedule-bookings-ja');
    await switchTo(page, 'en');
    assert.match(await refuse(), /^No booking made: the date is outside the window/);
    await switchTo(page, 'ja');

    // Statistics with a date that is not one: the reason in the reader's language.
    const stats = await watched(browser, errors);
    await stats.goto(BASE + '/admin');
    await stats.waitForSelector('#signin:not([hidden])');
    await stats.fill('#username', stat);
    await stats.fill('#password', PASSWORD);
    await stats.fill('#totp', totp(statSecret));
    await stats.press('#totp', 'Enter');
    await stats.waitForSelector('#desk:not([hidden])');
    assert.match(await stats.textContent('#who'), new RegExp(stat + '（統計担当者）'));
    await clean(stats, 'admin desk ja');
    await screenshot(stats, 'admin-desk-ja');
    await switchTo(stats, 'en');
    assert.match(await stats.textContent('#who'), new RegExp(stat + ' \\(Statistician\\)'));
    await screenshot(stats, 'admin-desk-en');
    await switchTo(stats, 'ja');
    await stats.click('a[href="/admin/stats"]');
    await stats.waitForSelector('#results:not([hidden])');
    await stats.waitForSelector('#t-register_by_pass_year');
    // Everything but the data (window and centre names are as registered; skill-framework
    // elements are named as their publisher names them: NICE and ECSF publish English only).
    const statsData = () => stats.evaluate(() => [...document.querySelectorAll(
      '#t-exam_by_window tbody tr:not([data-key="total"]) th, #t-exam_by_centre tbody tr:not([data-key="total"]) th, ' +
      '#t-skills_by_claim tbody tr:not([data-key="total"]) th, ' +
      '#t-cpd_completions tbody tr:not([data-key="total"]) th, #centre option:not([value=""])')].map((e) => e.innerText));
    const withoutData = async () => {
      let text = await bodyText(stats);
      // Longest first: a short name inside a longer one must not break the longer one's removal.
      for (const d of (await statsData()).sort((a, b) => b.length - a.length)) if (d) text = text.split(d).join('');
      return text;
    };
    assertJapanese(await withoutData(), 'the statistics page');
    await clean(stats, 'stats ja');
    await screenshot(stats, 'stats-ja');
    const badDate = () => stats.evaluate(() => window.rissStaff.call('GET', '/api/v1/stats/exam_by_month?from=2026-02-30')
      .then(() => 'accepted', (e) => e.message));
    const jaDate = await badDate();
    assert.equal(jaDate, '開始日と終了日は 2026-04-01 のように年-月-日で入力してください。');
    await switchTo(stats, 'en');
    assert.equal(await stats.textContent('h1'), 'Statistics');
    const statsEn = (await withoutData()).replace('日本語', '');
    assertEnglish(statsEn, 'the English statistics page');
    assert.equal(await badDate(), 'Write the from and to dates as YYYY-MM-DD, for example 2026-04-01.');
    await clean(stats, 'stats en');
    await screenshot(stats, 'stats-en');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
