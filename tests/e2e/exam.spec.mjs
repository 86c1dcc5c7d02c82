// Exam day in a real browser: a proctor signs in (password + TOTP) at /proctor, checks a
// candidate's identity and admits them; the candidate enters the admission code and answers
// the whole (short) exam at /exam with the keyboard alone, then sees the score report.
// axe-core checks every page and state on the way, including the accommodations; the score
// report names the domains in the page's language, and closing it leaves the workstation with
// nothing of the candidate. Screenshots of the main screens in both languages are saved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { launch, BASE } from './browser.mjs';
import { ROOT, freshProctor, totp, assertAxe, tabTo, shot, watchErrors } from './exam_helpers.mjs';

const PASSWORD = 'riss-e2e-password-1';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

// Choose option k of a radio group with the keyboard: Tab into the group, then arrows.
async function chooseByKeyboard(page, name, k) {
  await tabTo(page, `input[name=${name}]`);
  const first = await page.evaluate(() => Number(document.activeElement.value));
  if (first === k) await page.keyboard.press('Space');
  for (let i = first; i < k; i++) await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate((n) => document.querySelector(`input[name=${n}]:checked`).value, name), String(k));
}

const keys = new Map();
for (const line of readFileSync(path.join(ROOT, 'item-bank', 'demo', 'items.jsonl'), 'utf8').split('\n')) {
  if (!line) continue;
  const o = JSON.parse(line);
  if (o.record === 'item') keys.set(o.id, o.key);
}

test('proctor admits, candidate sits the whole exam by keyboard, score report; axe-clean throughout', async () => {
  const tag = Date.now().toString(36);
  const { centre, user } = freshProctor(tag, PASSWORD, SECRET);
  const browser = await launch();
  try {
    const errors = [];
    const watch = (p) => watchErrors(p, errors);

    // --- Proctor: sign in with password and TOTP.
    const proctorCtx = await browser.newContext();
    const proctor = await proctorCtx.newPage();
    watch(proctor);
    await proctor.goto(BASE + '/proctor');
    await proctor.waitForSelector('#signin:not([hidden])');
    assert.equal(await proctor.getAttribute('html', 'lang'), 'ja');
    await assertAxe(proctor, 'proctor sign-in');
    await shot(proctor, 'proctor-signin-ja');
    await proctor.fill('#u', user);
    await proctor.fill('#pw', 'wrong-password-xx');
    await proctor.fill('#otp', totp(SECRET));
    await proctor.press('#otp', 'Enter');
    await proctor.waitForFunction(() => document.getElementById('problem').textContent.length > 0);
    assert.match(await proctor.textContent('#problem'), /パスワード/, 'the refusal is in Japanese');
    assert.equal(await proctor.isVisible('#console'), false, 'a wrong password does not sign in');
    await proctor.fill('#pw', PASSWORD);
    await proctor.press('#otp', 'Enter');
    await proctor.waitForSelector('#console:not([hidden])');
    assert.equal(await proctor.textContent('#centre'), '試験会場: ' + centre);
    await proctor.waitForSelector('#rows tr');
    assert.equal(await proctor.locator('#rows tr').count(), 1);
    assert.match(await proctor.textContent('#rows tr'), /山田 太郎/);
    await assertAxe(proctor, 'proctor bookings');

    assert.match(await proctor.textContent('#rows tr'), /予約済み/, 'the booking state through the catalogue');
    await shot(proctor, 'proctor-bookings-ja');

    // Identity check (document type and the last 4 of its number), then admission to seat
    // B-3: the candidate's row shows the 12-character code beside the name.
    await proctor.selectOption('#rows select', 'my_number_card');
    await proctor.fill('#rows input[id^=tail-]', '7788');
    await proctor.getByRole('button', { name: /本人確認を記録/ }).click();
    await proctor.waitForFunction(() => /本人確認済み: マイナンバーカード（番号末尾 7788）/.test(document.querySelector('#rows tr').textContent));
    await proctor.fill('#rows input[id^=seat-]', 'B-3');
    await proctor.getByRole('button', { name: /入室させる/ }).click();
    await proctor.waitForSelector('#rows tr td:nth-child(2) .code');
    const code = await proctor.getAttribute('#rows tr .code', 'data-code');
    assert.match(code, /^[2-9A-HJKMNP-Z]{12}$/);
    await proctor.waitForFunction(() => /入室済み（開始前）/.test(document.querySelector('#rows tr').textContent));
    await assertAxe(proctor, 'proctor bookings after admission');
    await shot(proctor, 'proctor-admitted-ja');

    // --- Candidate workstation: keyboard only from here on.
    const candCtx = await browser.newContext();
    const page = await candCtx.newPage();
    watch(page);
    await page.goto(BASE + '/exam');
    await page.waitForSelector('#s-code:not([hidden])');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'code');
    await assertAxe(page, 'admission code');
    await shot(page, 'exam-code-ja');
    await page.keyboard.type(code);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#s-intro:not([hidden])');
    assert.match(await page.textContent('#s-intro h1'), /受験の説明/);
    await assertAxe(page, 'instructions');
    await shot(page, 'exam-intro-ja');

    // Practice item: choose イ (the right answer) and check it.
    await chooseByKeyboard(page, 'p', 1);
    await tabTo(page, '#practice button[type=submit]');
    await page.keyboard.press('Enter');
    assert.match(await page.textContent('#practice-result'), /正解です/);
    await assertAxe(page, 'practice item answered');

    // Begin: the first item appears with the countdown and progress.
    await tabTo(page, '#begin');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#s-item:not([hidden])');
    let answered = 0, sawScenario = false, checkedModes = false;
    for (;;) {
      const done = await page.evaluate(() => !document.getElementById('s-result').hidden);
      if (done) break;
      await page.waitForFunction((n) => document.getElementById('item-heading').textContent.includes(String(n + 1)), answered);
      assert.match(await page.textContent('#progress'), new RegExp(`解答済み ${answered} 問`));
      assert.match(await page.textContent('#timer'), /残り時間 \d+:\d\d/);
      const item = await page.evaluate(() => ({
        id: document.getElementById('answer-form').dataset.item,
        scenario: !document.getElementById('scenario').hidden,
        options: document.querySelectorAll('#options input').length,
      }));
      assert.equal(item.options, 4);
      assert.ok(keys.has(item.id), 'the page names the item it shows');
      if (answered === 0) { await assertAxe(page, 'first item'); await shot(page, 'exam-item-ja'); }
      if (item.scenario && !sawScenario) {
        sawScenario = true;
        assert.ok((await page.textContent('#scenario-text')).length > 20);
        await assertAxe(page, 'part-B item with scenario');
      }
      if (answered === 1 && !checkedModes) {
        // Accommodations by keyboard: larger text, high contrast, both; then English.
        checkedModes = true;
        await tabTo(page, '#large');
        await page.keyboard.press('Enter');
        assert.equal(await page.getAttribute('#large', 'aria-pressed'), 'true');
        await assertAxe(page, 'large-text mode');
        await tabTo(page, '#contrast');
        await page.keyboard.press('Enter');
        assert.equal(await page.getAttribute('#contrast', 'aria-pressed'), 'true');
        await assertAxe(page, 'large text + high contrast');
        await tabTo(page, '#large');
        await page.keyboard.press('Enter');
        await assertAxe(page, 'high-contrast mode');
        await tabTo(page, '[data-lang-toggle]');
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => /Question/.test(document.getElementById('item-heading').textContent));
        assert.equal(await page.getAttribute('html', 'lang'), 'en');
        await assertAxe(page, 'item in English, high contrast');
        await shot(page, 'exam-item-contrast-en');
        await tabTo(page, '[data-lang-toggle]');
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => /問/.test(document.getElementById('item-heading').textContent));
        await tabTo(page, '#contrast');
        await page.keyboard.press('Enter');
        assert.equal(await page.getAttribute('#contrast', 'aria-pressed'), 'false');
      }
      await chooseByKeyboard(page, 'choice', keys.get(item.id));
      await tabTo(page, '#confirm');
      await page.keyboard.press('Enter');
      answered++;
      await page.waitForFunction((n) => !document.getElementById('s-result').hidden ||
        document.getElementById('item-heading').textContent.includes(String(n + 1)), answered);
    }
    assert.equal(answered, 8, 'the short form has 8 items and every one was answered');
    assert.ok(sawScenario, 'a part-B item showed its scenario');

    // Score report: all 8 answered correctly, so a pass above the 600 cut.
    await page.waitForFunction(() => document.getElementById('r-score').textContent !== '');
    assert.match(await page.textContent('#r-name'), /山田 太郎 \(Yamada Taro\)/);
    assert.ok(Number(await page.textContent('#r-score')) >= 600);
    assert.equal(await page.textContent('#r-pass'), '合格');
    assert.ok(await page.locator('#r-table tr').count() >= 3);
    // Domain names in Japanese on the Japanese report, in English on the English one.
    const domainsJa = await page.$$eval('#r-table tr td:first-child', (tds) => tds.map((td) => td.textContent));
    assert.ok(domainsJa.length >= 3 && domainsJa.every((d) => !/[A-Za-z]{2,}/.test(d)), 'Japanese domain names: ' + domainsJa);
    assert.ok(domainsJa.includes('科目B（事例問題）'));
    await assertAxe(page, 'score report');
    await shot(page, 'exam-report-ja');
    // A reload shows the same report (the server holds the state).
    await page.reload();
    await page.waitForFunction(() => document.getElementById('r-score').textContent !== '');
    assert.equal(await page.textContent('#r-pass'), '合格');
    await tabTo(page, '[data-lang-toggle]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('r-pass').textContent === 'Pass');
    const domainsEn = await page.$$eval('#r-table tr td:first-child', (tds) => tds.map((td) => td.textContent));
    assert.ok(domainsEn.includes('Part B scenario items') && domainsEn.every((d) => /^[ -~]+$/.test(d)), 'English domain names: ' + domainsEn);
    await assertAxe(page, 'score report in English');
    await shot(page, 'exam-report-en');

    // Close the report: back to the code entry, in Japanese, with nothing of the candidate left.
    await tabTo(page, '#close');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#s-code:not([hidden]) #neutral:not([hidden])');
    assert.equal(await page.getAttribute('html', 'lang'), 'ja');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'code');
    const left = await page.evaluate(() => ({
      body: document.body.innerText, storage: sessionStorage.length + localStorage.length,
      cells: document.querySelectorAll('#r-table tr').length,
    }));
    assert.ok(!/山田|Yamada/.test(left.body), 'no name left on the page');
    assert.equal(left.storage, 0);
    assert.equal(left.cells, 0);
    const status = await page.evaluate(() => fetch('/api/v1/exam/status').then((r) => r.json()));
    assert.deepEqual(status, { state: 'none' }, 'the workstation has no sitting any more');
    await page.reload();
    await page.waitForSelector('#s-code:not([hidden])');
    assert.ok(!/山田|Yamada/.test(await page.evaluate(() => document.body.innerText)));
    await assertAxe(page, 'neutral code entry');
    await shot(page, 'exam-neutral-ja');

    // The proctor sees the session finished, with no time left shown; in English the table is English.
    await proctor.getByRole('button', { name: '更新' }).click();
    await proctor.waitForFunction(() => document.querySelector('#rows tr .state').textContent === '終了');
    assert.ok(!/残り/.test(await proctor.textContent('#rows tr')), 'a finished row shows no time left');
    await assertAxe(proctor, 'proctor bookings at the end');
    await shot(proctor, 'proctor-finished-ja');
    await proctor.click('[data-lang-toggle]');
    await proctor.waitForFunction(() => document.querySelector('#rows tr .state').textContent === 'Finished');
    const stateEn = await proctor.textContent('#rows tr td:nth-child(5)');
    assert.ok(!/[\u3040-\u30ff\u4e00-\u9fff]/.test(stateEn), 'English state cell: ' + stateEn);
    assert.equal(await proctor.textContent('thead th:nth-child(5)'), 'State');
    await assertAxe(proctor, 'proctor bookings in English');
    await shot(proctor, 'proctor-finished-en');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
