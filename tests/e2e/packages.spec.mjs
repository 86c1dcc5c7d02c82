// The package desk /admin/packages: a psychometrician signs in at /admin, follows the link,
// sees the packages (state as text, short hash with copy, the window using one), opens a
// package's contents (blueprint per domain), compares two packages (the changed
// parameters), activates one through a confirmation dialog that names what will happen,
// and is refused — in Japanese, then in English — the retirement of a package an open
// window still uses; activating ten minutes after sign-in asks for a fresh code (step-up,
// issue 17), in both languages; an auditor sees the desk read-only. Keyboard only for the dialog;
// axe-core clean at each step; screenshots in both languages.
// e2e-private-db
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { launch, axeViolations, screenshot, BASE } from './browser.mjs';
import { addStaff, riss, signIn } from './staff.mjs';
import { tenMinutesPass, confirmStepUp } from './stepup_helpers.mjs';

const DEMO = path.join(process.env.RISS_TEST_BUILD, '..', 'item-bank', 'demo', 'items.jsonl');
const SH = ['--sh-examinees', '200', '--sh-rounds', '2'];

function psql(sql) {
  return execFileSync('psql', [process.env.RISS_TEST_DB_URL, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql], { encoding: 'utf8' }).trim();
}
function publish() { return JSON.parse(riss('bank', 'publish', '--exam', 'SG', '--json', ...SH)); }

// Two packages of the demo bank, the second after three items were recalibrated; the first
// is the package of an exam window open until 2099.
function fixtures() {
  riss('bank', 'import', DEMO, '--actor', 'e2e-psy');
  const first = publish();
  const changed = psql("SELECT string_agg(item_id, ',' ORDER BY item_id) FROM (SELECT p.item_id FROM bank.item_params p " +
                       "JOIN bank.items i ON i.id = p.item_id WHERE p.active AND i.status = 'operational' ORDER BY p.item_id LIMIT 3) x").split(',');
  psql(`UPDATE bank.item_params SET a = a * 1.25 WHERE active AND item_id IN ('${changed.join("','")}')`);
  const second = publish();
  const third = publish(); // activated in English, after a step-up (issue 17; sec3)
  psql("INSERT INTO exam.rules (exam_code) VALUES ('SG') ON CONFLICT DO NOTHING");
  const win = psql("INSERT INTO exam.windows (exam_code, name, opens_on, closes_on) VALUES ('SG', 'E2E 通年', '2026-01-01', '2099-12-31') RETURNING id");
  riss('exam', 'package', 'activate', String(first.id), '--window', win);
  return { first, second, third, changed, win };
}

const rowState = (page, id) => page.getAttribute(`#list tr[data-package="${id}"] [data-state]`, 'data-state');
const rowText = (page, id) => page.textContent(`#list tr[data-package="${id}"]`);

test('the package desk: list, contents, compare, activate with confirmation, refusal in both languages', async () => {
  const fx = fixtures();
  const user = 'e2epkg' + process.pid;
  const secret = addStaff(user, 'psychometrician');
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await signIn(page, BASE, user, secret);
    await page.click('a[href="/admin/packages"]');
    await page.waitForSelector(`#list tr[data-package="${fx.second.id}"]`);
    assert.equal(await page.textContent('h1'), '問題パッケージ');

    // The list: states as catalogue text, the short hash, the window using the first.
    assert.match(await rowText(page, fx.first.id), /公開済み/);
    assert.match(await rowText(page, fx.first.id), /E2E 通年/);
    assert.match(await rowText(page, fx.second.id), /なし/);
    assert.equal(await page.textContent(`#list tr[data-package="${fx.first.id}"] code.hash`), fx.first.sha256.slice(0, 12));
    assert.doesNotMatch(await page.textContent('#list'), /published|active|superseded|retired/);
    await page.click(`button[data-copy="${fx.first.id}"]`);
    await page.waitForFunction(() => /コピーしました/.test(document.getElementById('status').textContent));
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), fx.first.sha256);
    assert.deepEqual(await axeViolations(page), []);

    // Contents: the blueprint per domain with the catalogue's domain names.
    await page.click(`#list tr[data-package="${fx.second.id}"] button:has-text("内容")`);
    await page.waitForSelector('#detail:not([hidden])');
    assert.equal(await page.textContent('#detail-h'), `パッケージ ${fx.second.id} の内容`);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'detail-h');
    assert.equal(await page.textContent('#detail-sha256'), fx.second.sha256);
    const law = await page.$$eval('#domains tr[data-domain="law"] th, #domains tr[data-domain="law"] td', (c) => c.map((x) => x.textContent));
    assert.equal(law[0], '法規・基準');
    assert.equal(law[1], '科目A');
    assert.equal(law[2], '5〜8');
    assert.ok(Number(law[3]) >= 5, 'operational law items listed');
    const opSum = await page.$$eval('#domains tbody tr', (trs) => trs.reduce((s, tr) => s + Number(tr.cells[3].textContent.replace(/,/g, '')), 0));
    assert.equal(opSum, fx.second.operational, 'every operational item counted under one domain');
    assert.match(await page.textContent('#exposure'), /Sympson–Hetter 法/);
    assert.deepEqual(await axeViolations(page), []);

    // Compare: the three recalibrated items, nothing added or removed.
    await page.selectOption('#cmp-from', String(fx.first.id));
    await page.selectOption('#cmp-to', String(fx.second.id));
    await page.click('#compare button[type=submit]');
    await page.waitForSelector('#diff:not([hidden])');
    assert.match(await page.textContent('#diff-summary'), /追加された問題：0 問/);
    // The three recalibrated items (their slope a), listed first; the rest moved only in the
    // exposure parameter k of the new publication's simulation.
    assert.match(await page.textContent('#diff-params-n'), /項目パラメータ a・b・c が変わった問題 3 問/);
    const rows = await page.$$eval('#diff-params tbody tr', (trs) => trs.map((tr) => [tr.dataset.item, tr.cells[2].textContent]));
    assert.deepEqual(rows.slice(0, 3).map((r) => r[0]).sort(), [...fx.changed].sort());
    rows.slice(0, 3).forEach((r) => assert.match(r[1], /^-?\d+\.\d{3} → -?\d+\.\d{3}$/, 'slope a before → after'));
    rows.slice(3).forEach((r) => assert.doesNotMatch(r[1], /→/));
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'packages-desk-ja');

    // Activate the second, by keyboard: the dialog says what happens; Escape leaves all as it was.
    const activate = `#list tr[data-package="${fx.second.id}"] button.primary`;
    await page.focus(activate);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#dlg[open]');
    assert.equal(await page.textContent('#dlg-h'), `パッケージ ${fx.second.id} を有効にしますか`);
    assert.match(await page.textContent('#dlg-text'), new RegExp(fx.second.sha256.slice(0, 12)));
    // The consequence names the exam's active package that activation supersedes, not retires
    // (./deploy/dev test publishes the demo bank as the active package of the run), or says
    // there is none.
    const consequence = await page.textContent('#dlg-consequences');
    assert.match(consequence, /現在有効なパッケージ \d+ は「置換済み」になります。廃止はされない|有効なパッケージがありません/);
    const previous = (consequence.match(/現在有効なパッケージ (\d+) は/) || [])[1];
    assert.equal(await page.evaluate(() => document.activeElement.id), 'dlg-cancel');
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'packages-activate-dialog-ja');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#dlg', { state: 'hidden' });
    assert.equal(await rowState(page, fx.second.id), 'published');
    await page.focus(activate);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#dlg[open]');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'dlg-ok');
    // Step-up (issue 17; sec3): ten minutes after sign-in, activation asks for a fresh code.
    tenMinutesPass(user);
    await page.keyboard.press('Enter');
    await confirmStepUp(page, secret, 'ja', 'step-up-packages-ja');
    await page.waitForFunction(() => /を有効にしました/.test(document.getElementById('status').textContent));
    await page.waitForFunction((id) => document.querySelector(`#list tr[data-package="${id}"] [data-state]`).dataset.state === 'active', fx.second.id);
    assert.match(await rowText(page, fx.second.id), /有効/);
    assert.match(await rowText(page, fx.second.id), /\d{4}-\d\d-\d\d \d\d:\d\d/);  // activated at, Japan time
    if (previous) assert.equal(await rowState(page, Number(previous)), 'superseded');

    // Retire the first, which the open window uses: the server refuses, in Japanese.
    await page.click(`#list tr[data-package="${fx.first.id}"] button.danger`);
    await page.waitForSelector('#dlg[open]');
    assert.match(await page.textContent('#dlg-consequences'), /E2E 通年/);
    assert.match(await page.textContent('#dlg-consequences'), /元に戻せません/);
    await page.click('#dlg-ok');
    await page.waitForFunction(() => document.getElementById('dlg-error').textContent !== '');
    const refusal = await page.textContent('#dlg-error');
    assert.match(refusal, /廃止できません/);
    assert.match(refusal, /試験期間「E2E 通年」/);
    assert.equal(await page.textContent('#dlg-cancel'), '閉じる');
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'packages-retire-refused-ja');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#dlg', { state: 'hidden' });
    assert.equal(await rowState(page, fx.first.id), 'published');

    // English: the catalogue's words, the states, and the refusal.
    await page.click('[data-lang-toggle]');
    await page.waitForFunction(() => document.querySelector('h1').textContent === 'Exam packages');
    await page.waitForFunction((id) => /Active/.test(document.querySelector(`#list tr[data-package="${id}"]`).textContent), fx.second.id);
    assert.match(await rowText(page, fx.first.id), /Published/);
    await page.waitForFunction((id) => document.getElementById('detail-h').textContent === `Contents of package ${id}`, fx.second.id);
    await page.waitForFunction(() => /^Items with changed/.test(document.getElementById('diff-params-n').textContent));
    assert.equal(await page.textContent('#domains tr[data-domain="law"] th'), 'Law, regulation and standards');
    assert.match(await page.textContent('#diff-params-n'), /item parameters a, b, c changed: 3/);
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'packages-desk-en');
    await page.click(`#list tr[data-package="${fx.first.id}"] button.danger`);
    await page.waitForSelector('#dlg[open]');
    assert.equal(await page.textContent('#dlg-h'), `Retire package ${fx.first.id}?`);
    await page.click('#dlg-ok');
    await page.waitForFunction(() => document.getElementById('dlg-error').textContent !== '');
    assert.match(await page.textContent('#dlg-error'), /cannot be retired: window "E2E 通年"/);
    await screenshot(page, 'packages-retire-refused-en');
    await page.click('#dlg-cancel');
    // Activating the third, in English, ten minutes later: the step-up dialog speaks English.
    tenMinutesPass(user);
    await page.click(`#list tr[data-package="${fx.third.id}"] button.primary`);
    await page.waitForSelector('#dlg[open]');
    await page.click('#dlg-ok');
    await confirmStepUp(page, secret, 'en', 'step-up-packages-en');
    await page.waitForFunction((id) => document.querySelector(`#list tr[data-package="${id}"] [data-state]`).dataset.state === 'active', fx.third.id);

    // An auditor sees the same desk, read-only: no activation or retirement offered.
    const auditor = 'e2epkgaud' + process.pid;
    const audSecret = addStaff(auditor, 'auditor');
    const audPage = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    audPage.on('pageerror', (e) => errors.push(String(e)));
    await signIn(audPage, BASE, auditor, audSecret);
    await audPage.goto(BASE + '/admin/packages');
    await audPage.waitForSelector(`#list tr[data-package="${fx.first.id}"]`);
    assert.equal(await audPage.isVisible('#read-only'), true);
    assert.equal(await audPage.$$eval('#list button.primary, #list button.danger', (b) => b.length), 0);
    assert.match(await audPage.textContent(`#list tr[data-package="${fx.first.id}"]`), /公開済み/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
