// The statistics dashboard /admin/stats: a statistician filters by centre and prefecture and
// the charts change; every chart names a table on the page with its figures; the CSV download
// of a table says what the table shows; Japanese by default, English on the switch; axe-core
// clean; screenshots in both languages and of the printed report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { launch, axeViolations, screenshot, BASE } from './browser.mjs';
import { addStaff, riss, totp, PASSWORD } from './staff.mjs';

const TAG = String(process.pid);
const CENTRE = 'E2S-' + TAG;

// 300 sittings at a centre of this test, in 2025 (other tests write 2026), from three
// prefectures; then the job's refresh of the aggregates.
function fixtures() {
  const sql = `
INSERT INTO exam.rules (exam_code) VALUES ('SG') ON CONFLICT DO NOTHING;
INSERT INTO exam.centres (code, name, prefecture, seats, prefecture_code) VALUES ('${CENTRE}', '統計テスト会場', '福岡県', 50, '40');
INSERT INTO exam.windows (exam_code, name, opens_on, closes_on) VALUES ('SG', '統計テスト ${TAG}', '2025-01-01', '2025-12-31');
WITH c AS (
  INSERT INTO exam.candidates (name_kanji, name_kana, name_romaji, birth_date, email, prefecture, occupation, industry)
  SELECT '受験者', 'じゅけんしゃ', 'Person A', date '1965-01-01' + (g * 97 % 13000), 'e2s${TAG}-' || g || '@example.jp',
         CASE g % 3 WHEN 0 THEN '40' WHEN 1 THEN '13' ELSE '27' END, 'it_security', 'G'
    FROM generate_series(1, 300) g RETURNING id, email),
b AS (
  INSERT INTO exam.bookings (candidate_id, window_id, centre_code, sit_on, starts_at, status)
  SELECT c.id, (SELECT id FROM exam.windows WHERE name = '統計テスト ${TAG}'), '${CENTRE}',
         date '2025-01-10' + (substring(c.email FROM '-([0-9]+)@')::int % 6) * 30, '09:00', 'finished' FROM c
  RETURNING id, candidate_id),
s AS (
  INSERT INTO exam.sessions (booking_id, exam_code, exam_version, bank_version, seed, seat, time_limit_s, status)
  SELECT b.id, 'SG', '0123456789abcdef', '0123456789abcdef', b.id, 'S' || b.id % 1000, 7200, 'finished' FROM b
  RETURNING id, booking_id)
INSERT INTO exam.results (session_id, candidate_id, exam_code, scaled, passed, complete, theta, se, stop_reason,
                          operational, pretest, domains, finished_at)
SELECT s.id, b.candidate_id, 'SG', 250 + (b.id * 7919 % 650), 250 + (b.id * 7919 % 650) >= 600, true, 0, 0.3, 'se', 54, 6, '{}', now()
  FROM s JOIN b ON b.id = s.booking_id;`;
  execFileSync('psql', [process.env.RISS_TEST_DB_URL, '-v', 'ON_ERROR_STOP=1', '-q'], { input: sql });
  riss('stats', 'refresh');
}

// The figures a chart draws, and its table's column for them (suppressed = null).
async function chartAndTable(page, canvas, col) {
  return page.evaluate(([id, c]) => {
    const cv = document.getElementById(id);
    const table = document.getElementById(cv.dataset.table);
    const cells = [...table.querySelectorAll('tbody tr:not([data-key="total"]) td[data-col="' + c + '"]')]
      .map((td) => (td.textContent === 'x' ? null : Number(td.textContent.replace(/[,%]/g, ''))));
    return { points: JSON.parse(cv.dataset.points), cells, table: !!table };
  }, [canvas, col]);
}

test('the statistics dashboard: filters, charts with their tables, CSV, both languages', async () => {
  fixtures();
  const user = 'e2edash' + TAG;
  const secret = addStaff(user, 'statistician');
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(BASE + '/admin');
    await page.waitForSelector('#signin:not([hidden])');
    await page.fill('#username', user);
    await page.fill('#password', PASSWORD);
    await page.fill('#totp', totp(secret));
    await page.press('#totp', 'Enter');
    await page.waitForSelector('#desk:not([hidden])');
    await page.goto(BASE + '/admin/stats');
    await page.waitForSelector('#results:not([hidden])');
    await page.waitForSelector('#t-register_by_pass_year');
    assert.equal(await page.textContent('h1'), '統計');
    assert.match(await page.textContent('#s-exam_by_month .meta'), /時点の集計/); // how fresh

    // Every chart names a table on the page and draws its figures.
    for (const [id, col] of [['c-month', 'examinees'], ['c-scores', 'examinees'], ['c-pref', 'examinees']]) {
      const r = await chartAndTable(page, id, col);
      assert.ok(r.table, id + ' has its table');
      assert.deepEqual(r.points, r.cells, id + ' draws what its table shows');
    }
    assert.deepEqual(await axeViolations(page), []);

    // Filter: this test's centre — the month chart now shows its six months (January to June 2025).
    const before = await chartAndTable(page, 'c-month', 'examinees');
    await page.selectOption('#centre', CENTRE);
    await page.click('#filter button[type=submit]');
    await page.waitForFunction(() => /centre=/.test(document.getElementById('results').dataset.query || ''));
    // A filtered table is protected together with the whole and the other centres (stats8): with
    // other tests' sittings in the database it may hold some months back (null, not drawn), or
    // be not releasable at all — then the table's place and the chart say so.
    const monthRefused = await page.$('#s-exam_by_month[data-not-releasable]') !== null;
    if (monthRefused) {
      assert.match(await page.textContent('#s-exam_by_month .not-releasable'), /公表できません/);
      assert.match(await page.textContent('#c-month-why'), /公表できません/);
      assert.equal(await page.getAttribute('#c-month', 'data-points'), null, 'nothing drawn');
    } else {
      const month = await chartAndTable(page, 'c-month', 'examinees');
      // (The unfiltered chart differs only when other tests' sittings share the database.)
      if (before.points.length !== 6) assert.notDeepEqual(month.points, before.points);
      assert.equal(month.points.length, 6);
      assert.ok(month.points.every((v) => v === null || v === 50), JSON.stringify(month.points));
      assert.deepEqual(month.points, month.cells);
      const labels = await page.$$eval('#t-exam_by_month tbody th', (ths) => ths.map((th) => th.textContent));
      assert.deepEqual(labels, ['2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06', '計']);
    }
    if (await page.$('#s-exam_by_prefecture[data-not-releasable]') === null) {
      const prefs = await page.$$eval('#t-exam_by_prefecture tbody th', (ths) => ths.map((th) => th.textContent));
      assert.deepEqual(prefs, ['東京都', '大阪府', '福岡県', '計']);
      const byPref = await chartAndTable(page, 'c-pref', 'examinees');
      assert.ok(byPref.points.length === 3 && byPref.points.every((v) => v === null || v === 100), JSON.stringify(byPref.points));
      assert.deepEqual(byPref.points, byPref.cells);
    } else {
      assert.match(await page.textContent('#c-pref-why'), /公表できません/);
    }

    // A published period (the only date filters: fiscal years, halves, quarters). A filtered
    // table is by fiscal year (stats8): with the centre chosen, halves and quarters are not
    // offered. FY2024 is April 2024 to March 2025: three of the six months.
    assert.ok(await page.$eval('#period option[value="2024-Q4"]', (o) => o.disabled), 'no quarter with a filter');
    assert.ok(!(await page.$eval('#period option[value="2024"]', (o) => o.disabled)));
    await page.selectOption('#period', '2024');
    await page.click('#filter button[type=submit]');
    await page.waitForFunction(() => /period=2024(&|$)/.test(document.getElementById('results').dataset.query || ''));
    if (await page.$('#s-exam_by_month[data-not-releasable]') === null) {
      const quarter = await chartAndTable(page, 'c-month', 'examinees');
      assert.equal(quarter.points.length, 3);
      assert.ok(quarter.points.every((v) => v === null || v === 50), JSON.stringify(quarter.points));
      assert.deepEqual(quarter.points, quarter.cells);
      assert.deepEqual(await page.$$eval('#t-exam_by_month tbody th', (ths) => ths.map((th) => th.textContent)),
        ['2025-01', '2025-02', '2025-03', '計']);
    }
    assert.deepEqual(await axeViolations(page), []);
    await page.selectOption('#period', '');

    // And one prefecture: one filter at a time (stats7), so the centre is cleared; the
    // prefecture chart has one bar, what its table shows.
    await page.selectOption('#prefecture', '40');
    assert.equal(await page.inputValue('#centre'), '');
    await page.click('#filter button[type=submit]');
    await page.waitForFunction(() => /prefecture=40/.test(document.getElementById('results').dataset.query || ''));
    assert.doesNotMatch(await page.$eval('#results', (e) => e.dataset.query), /centre=/);
    if (await page.$('#s-exam_by_prefecture[data-not-releasable]') === null) {
      const pref = await chartAndTable(page, 'c-pref', 'examinees');
      assert.equal(pref.points.length, 1);
      assert.deepEqual(pref.points, pref.cells);
      assert.ok(pref.points[0] === null || pref.points[0] >= 100, 'at least this test\'s 100 from Fukuoka, or held back');
    } else {
      assert.match(await page.textContent('#c-pref-why'), /公表できません/);
    }
    assert.deepEqual(await axeViolations(page), []);

    // Back to the whole tables (released whatever the other tests wrote) for the downloads and
    // the languages.
    await page.selectOption('#prefecture', '');
    await page.click('#filter button[type=submit]');
    await page.waitForFunction(() => {
      const q = document.getElementById('results').getAttribute('data-query');
      return q !== null && !/prefecture=/.test(q);
    });

    // The CSV download says what the table shows (the link carries the filters).
    const csv = await page.evaluate(async () => {
      const a = document.querySelector('#s-exam_by_month a[data-format=csv]');
      return (await fetch(a.href)).text();
    });
    const lines = csv.trim().split('\r\n').map((l) => l.split(','));
    assert.deepEqual(lines[0], ['key', 'label', 'applicants', 'examinees', 'passers', 'pass_rate', 'mean_scaled']);
    const rows = await page.$$eval('#t-exam_by_month tbody tr', (trs) => trs.map((tr) =>
      [tr.querySelector('th').textContent, ...[...tr.querySelectorAll('td')].map((td) => td.textContent)]));
    assert.equal(lines.length - 1, rows.length);
    lines.slice(1).forEach((l, i) => {
      assert.equal(l[1], rows[i][0]);
      assert.deepEqual(l.slice(2, 5), rows[i].slice(1, 4).map((v) => v.replace(/,/g, '')));
      assert.equal(l[5] === 'x' ? 'x' : (Number(l[5]) * 100).toFixed(1) + '%', rows[i][4]);
    });
    const json = await page.evaluate(async () => {
      const a = document.querySelector('#s-exam_by_month a[data-format=json]');
      return (await fetch(a.href)).json();
    });
    assert.equal(json.rows.length + 1, rows.length);
    await screenshot(page, 'stats-dashboard-ja');

    // English from the catalogue: headings, labels and the table's words.
    await page.click('[data-lang-toggle]');
    await page.waitForFunction(() => document.querySelector('h1').textContent === 'Statistics');
    const prefsEn = await page.$$eval('#t-exam_by_prefecture tbody th', (ths) => ths.map((th) => th.textContent));
    assert.ok(prefsEn.includes('Fukuoka') && prefsEn.includes('Tokyo') && prefsEn.at(-1) === 'Total', JSON.stringify(prefsEn));
    assert.match(await page.textContent('#s-exam_by_month .meta'), /Figures as of/);
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'stats-dashboard-en');

    // The printed report: no buttons, the charts and tables.
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.$eval('#filter .actions', (e) => getComputedStyle(e).display), 'none');
    await screenshot(page, 'stats-dashboard-print');
    await page.emulateMedia({ media: 'screen' });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
