// Exam day in a real browser: a proctor signs in (password + TOTP) at /proctor, checks a
// candidate's identity and admits them; the candidate enters the admission code and answers
// the whole (short) exam at /exam with the keyboard alone, then sees the score report.
// axe-core checks every page and state on the way, including the accommodations.
// rissd-set: exam_definition=tests/e2e/data/exam-short.json
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { launch, BASE } from './browser.mjs';
import { ROOT, freshProctor, totp, assertAxe, tabTo } from './exam_helpers.mjs';

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
    const watch = (p) => {
      p.on('pageerror', (e) => errors.push(String(e)));
      p.on('console', (m) => { if (m.type() === 'error' && !/status of 40[19]/.test(m.text())) errors.push(m.text()); });
    };

    // --- Proctor: sign in with password and TOTP.
    const proctorCtx = await browser.newContext();
    const proctor = await proctorCtx.newPage();
    watch(proctor);
    await proctor.goto(BASE + '/proctor');
    await proctor.waitForSelector('#signin:not([hidden])');
    assert.equal(await proctor.getAttribute('html', 'lang'), 'ja');
    await assertAxe(proctor, 'proctor sign-in');
    await proctor.fill('#u', user);
    await proctor.fill('#pw', 'wrong-password-xx');
    await proctor.fill('#otp', totp(SECRET));
    await proctor.press('#otp', 'Enter');
    await proctor.waitForFunction(() => document.getElementById('status').textContent.length > 0);
    assert.equal(await proctor.isVisible('#console'), false, 'a wrong password does not sign in');
    await proctor.fill('#pw', PASSWORD);
    await proctor.press('#otp', 'Enter');
    await proctor.waitForSelector('#console:not([hidden])');
    assert.equal(await proctor.textContent('#centre'), centre);
    await proctor.waitForSelector('#rows tr');
    assert.equal(await proctor.locator('#rows tr').count(), 1);
    assert.match(await proctor.textContent('#rows tr'), /山田 太郎/);
    await assertAxe(proctor, 'proctor bookings');

    // Identity check, then admission to seat B-3: the console shows a 10-digit code.
    await proctor.getByRole('button', { name: /本人確認済みにする/ }).click();
    await proctor.waitForFunction(() => /本人確認済み/.test(document.querySelector('#rows tr').textContent));
    await proctor.fill('#rows input', 'B-3');
    await proctor.getByRole('button', { name: /入室させる/ }).click();
    await proctor.waitForSelector('#last-code');
    const code = (await proctor.textContent('#last-code')).trim();
    assert.match(code, /^\d{10}$/);
    await proctor.waitForFunction(() => /admitted/.test(document.querySelector('#rows tr').textContent));
    await assertAxe(proctor, 'proctor bookings after admission');

    // --- Candidate workstation: keyboard only from here on.
    const candCtx = await browser.newContext();
    const page = await candCtx.newPage();
    watch(page);
    await page.goto(BASE + '/exam');
    await page.waitForSelector('#s-code:not([hidden])');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'code');
    await assertAxe(page, 'admission code');
    await page.keyboard.type(code);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#s-intro:not([hidden])');
    assert.match(await page.textContent('#s-intro h1'), /受験の説明/);
    await assertAxe(page, 'instructions');

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
      if (answered === 0) await assertAxe(page, 'first item');
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
    await assertAxe(page, 'score report');
    // A reload shows the same report (the server holds the state).
    await page.reload();
    await page.waitForFunction(() => document.getElementById('r-score').textContent !== '');
    assert.equal(await page.textContent('#r-pass'), '合格');

    // The proctor sees the session finished.
    await proctor.getByRole('button', { name: '更新' }).click();
    await proctor.waitForFunction(() => /finished/.test(document.querySelector('#rows tr').textContent));
    await assertAxe(proctor, 'proctor bookings at the end');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
