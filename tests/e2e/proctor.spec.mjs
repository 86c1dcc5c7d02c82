// The proctor console and the candidate screen that follows it, in a real browser: the
// identity record (document type, last 4 of its number), each refusal in Japanese, and the
// proctor's pause, resume, extra time, move and end reaching the candidate's screen within
// 2 s as a full-screen state (the latency is printed); the End dialog, sign-out, the
// English table; time up and the report's idle reset. axe-core checks every state;
// screenshots of each in both languages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, BASE } from './browser.mjs';
import { execFileSync } from 'node:child_process';
import { freshProctor, shortPackage, riss, assertAxe, shot, watchErrors, proctorSignIn, candidateStart, tabTo } from './exam_helpers.mjs';

const PASSWORD = 'riss-e2e-password-2';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;
const latencies = {};

// Click a console button and measure from the proctor's answer to the candidate screen
// matching selector; fails when that takes more than 2 s.
async function reaches(proctor, label, verb, candidate, selector) {
  const answered = proctor.waitForResponse((r) => r.url().endsWith('/api/v1/proctor/' + verb) && r.status() === 200);
  await proctor.locator(`#rows button[aria-label^="${label}"]`).click();
  await answered;
  const t0 = Date.now();
  await candidate.waitForSelector(selector, { timeout: 2000 });
  const ms = Date.now() - t0;
  (latencies[verb] = latencies[verb] || []).push(ms);
  return ms;
}

// Let two status polls pass (to see that something does not change).
async function twoPolls(page) {
  for (let i = 0; i < 2; i++) await page.waitForResponse((r) => r.url().endsWith('/api/v1/exam/status'));
}

async function toggleLang(page, want) {
  await page.click('[data-lang-toggle]');
  await page.waitForFunction((l) => document.documentElement.lang === l, want);
}

test('proctor actions reach the candidate screen within 2 s; identity record; End dialog; sign-out', async () => {
  const tag = Date.now().toString(36);
  const { user } = freshProctor(tag, PASSWORD, SECRET);
  const browser = await launch();
  const errors = [];
  try {
    const proctor = await (await browser.newContext()).newPage();
    watchErrors(proctor, errors);
    await proctorSignIn(proctor, BASE, user, PASSWORD, SECRET);

    // Identity: a missing document type and a short number are refused, in Japanese.
    await proctor.getByRole('button', { name: /本人確認を記録/ }).click();
    await proctor.waitForFunction(() => document.getElementById('problem').textContent !== '');
    assert.equal(await proctor.textContent('#problem'), '確認した本人確認書類の種類を選んでください。');
    await shot(proctor, 'proctor-identity-refused-ja');
    await proctor.selectOption('#rows select', 'passport');
    await proctor.fill('#rows input[id^=tail-]', '12');
    await proctor.getByRole('button', { name: /本人確認を記録/ }).click();
    await proctor.waitForFunction(() => /末尾4桁/.test(document.getElementById('problem').textContent));
    // Admission before the check is refused with the Japanese sentence the issue quoted in English.
    const refused = await proctor.evaluate(async () => {
      const me = await (await fetch('/api/v1/staff/me')).json();
      const b = Number(document.querySelector('#rows tr').dataset.booking);
      const r = await fetch('/api/v1/proctor/admit', { method: 'POST', headers: { 'Content-Type': 'application/json',
        'X-CSRF-Token': me.csrf, 'Accept-Language': 'ja' }, body: JSON.stringify({ booking: b, seat: 'A-1' }) });
      return (await r.json()).detail;
    });
    assert.equal(refused, '入室させる前に受験者の本人確認をしてください。');
    await proctor.fill('#rows input[id^=tail-]', 'X123');
    await proctor.getByRole('button', { name: /本人確認を記録/ }).click();
    await proctor.waitForFunction(() => /本人確認済み: パスポート（番号末尾 X123）/.test(document.querySelector('#rows tr').textContent));
    await assertAxe(proctor, 'identity recorded');
    await proctor.fill('#rows input[id^=seat-]', 'B-1');
    await proctor.getByRole('button', { name: /入室させる/ }).click();
    await proctor.waitForSelector('#rows tr .code');
    const code1 = await proctor.getAttribute('#rows tr .code', 'data-code');

    // A wrong admission code: a Japanese sentence on the Japanese screen.
    const seat1 = await (await browser.newContext()).newPage();
    watchErrors(seat1, errors);
    await seat1.goto(BASE + '/exam');
    await seat1.waitForSelector('#s-code:not([hidden])');
    await seat1.fill('#code', code1 === '222222222222' ? '333333333333' : '222222222222');
    await seat1.press('#code', 'Enter');
    await seat1.waitForFunction(() => document.getElementById('code-error').textContent !== '');
    const wrong = await seat1.textContent('#code-error');
    assert.ok(JAPANESE.test(wrong) && !/[A-Za-z]{3,}/.test(wrong), 'Japanese refusal: ' + wrong);
    await assertAxe(seat1, 'wrong admission code');
    await shot(seat1, 'exam-code-wrong-ja');

    await candidateStart(seat1, BASE, code1);
    await seat1.click('#begin');
    await seat1.waitForSelector('#s-item:not([hidden])');

    // Pause: a full-screen "paused" state, the item gone, the clock stopped.
    await reaches(proctor, '一時停止', 'pause', seat1, '#s-state.state-paused:not([hidden])');
    assert.equal(await seat1.isVisible('#s-item'), false, 'no item behind the paused screen');
    assert.equal(await seat1.evaluate(() => document.activeElement.id), 'state-title');
    assert.equal(await seat1.textContent('#state-title'), '試験は一時停止中です');
    const frozen = await seat1.textContent('#state-time');
    await twoPolls(seat1);
    assert.equal(await seat1.textContent('#state-time'), frozen, 'the countdown stands still while paused');
    assert.match(frozen, /停止中/);
    await assertAxe(seat1, 'paused');
    await shot(seat1, 'exam-paused-ja');
    await toggleLang(seat1, 'en');
    assert.equal(await seat1.textContent('#state-title'), 'The exam is paused');
    await assertAxe(seat1, 'paused in English');
    await shot(seat1, 'exam-paused-en');
    await toggleLang(seat1, 'ja');
    await seat1.click('#contrast');
    await assertAxe(seat1, 'paused, high contrast');
    await shot(seat1, 'exam-paused-contrast-ja');
    await seat1.click('#contrast');

    // Resume: the item comes back.
    await reaches(proctor, '再開', 'resume', seat1, '#s-item:not([hidden])');

    // Extra time: a visible notice with the new remaining time, the item stays.
    await reaches(proctor, '10分延長', 'extra-time', seat1, '#notice:not([hidden])');
    assert.match(await seat1.textContent('#notice-text'), /10 分延長されました。新しい残り時間は \d+:\d\d です。/);
    assert.equal(await seat1.isVisible('#s-item'), true);
    await assertAxe(seat1, 'extra time notice');
    await shot(seat1, 'exam-extra-ja');
    await tabTo(seat1, '#notice-ok');
    await seat1.keyboard.press('Enter');
    assert.equal(await seat1.isVisible('#notice'), false);

    // Move to seat C-4: the old workstation says so; the console says "moved — resume when seated".
    await proctor.fill('#rows input[id^=seat-]', 'C-4');
    await reaches(proctor, '端末移動を承認', 'move', seat1, '#s-state.state-moved:not([hidden])');
    assert.equal(await seat1.textContent('#state-title'), 'この端末はもう使われていません');
    assert.ok(!/山田|Yamada/.test(await seat1.evaluate(() => document.body.innerText)), 'nothing of the candidate on the old seat');
    await assertAxe(seat1, 'moved away');
    await shot(seat1, 'exam-moved-ja');
    await toggleLang(seat1, 'en');
    assert.equal(await seat1.textContent('#state-title'), 'This workstation is no longer in use');
    await shot(seat1, 'exam-moved-en');
    await toggleLang(seat1, 'ja');
    await proctor.waitForFunction(() => /移動済み — 着席したら再開してください/.test(document.querySelector('#rows tr').textContent));
    const code2 = await proctor.getAttribute('#rows tr .code', 'data-code');
    assert.notEqual(code2, code1);
    await assertAxe(proctor, 'console after a move');
    await shot(proctor, 'proctor-moved-ja');
    await toggleLang(proctor, 'en');
    assert.match(await proctor.textContent('#rows tr'), /Moved — resume when seated/);
    assert.ok(!JAPANESE.test(await proctor.textContent('#rows tr td:nth-child(5)')), 'the English state cell is English');
    await shot(proctor, 'proctor-moved-en');
    await toggleLang(proctor, 'ja');
    // The old seat goes back to the code entry.
    await seat1.click('#state-back');
    await seat1.waitForSelector('#s-code:not([hidden]) #neutral:not([hidden])');
    await assertAxe(seat1, 'neutral code entry');
    await toggleLang(seat1, 'en');
    assert.equal(await seat1.textContent('#code-title'), 'Enter the admission code');
    await shot(seat1, 'exam-neutral-en');

    // The new seat: paused until the proctor resumes there.
    const seat2 = await (await browser.newContext()).newPage();
    watchErrors(seat2, errors);
    await seat2.goto(BASE + '/exam');
    await seat2.waitForSelector('#s-code:not([hidden])');
    await seat2.fill('#code', code2);
    await seat2.press('#code', 'Enter');
    await seat2.waitForSelector('#s-state.state-paused:not([hidden])');
    await reaches(proctor, '再開', 'resume', seat2, '#s-item:not([hidden])');
    assert.ok(!/移動済み/.test(await proctor.textContent('#rows tr')));

    // End, through the console's dialog (a reason is required), reaches the candidate.
    await seat2.evaluate(() => { window.rissExamTimeouts.ended = 4; });
    await proctor.locator('#rows button[aria-label^="終了させる"]').click();
    await proctor.waitForSelector('#end-dialog[open]');
    assert.equal(await proctor.evaluate(() => document.activeElement.id), 'end-reason');
    await assertAxe(proctor, 'end dialog');
    await shot(proctor, 'proctor-end-dialog-ja');
    await proctor.click('#end-confirm');
    assert.equal(await proctor.textContent('#end-error'), '終了の理由を入力してください。');
    await proctor.fill('#end-reason', '受験者の体調不良');
    const ended = proctor.waitForResponse((r) => r.url().endsWith('/api/v1/proctor/end') && r.status() === 200);
    await proctor.click('#end-confirm');
    await ended;
    let t0 = Date.now();
    await seat2.waitForSelector('#s-state.state-ended:not([hidden])', { timeout: 2000 });
    latencies.end = [Date.now() - t0];
    assert.equal(await seat2.textContent('#state-title'), '試験は終了しました');
    await assertAxe(seat2, 'ended');
    await shot(seat2, 'exam-ended-ja');
    await toggleLang(seat2, 'en');
    assert.equal(await seat2.textContent('#state-title'), 'The exam has ended');
    await shot(seat2, 'exam-ended-en');
    // After its timeout the screen is neutral again, in Japanese.
    await seat2.waitForSelector('#s-code:not([hidden]) #neutral:not([hidden])', { timeout: 10000 });
    assert.equal(await seat2.getAttribute('html', 'lang'), 'ja');
    assert.ok(!/山田|Yamada/.test(await seat2.evaluate(() => document.body.innerText)));
    assert.deepEqual(await seat2.evaluate(() => fetch('/api/v1/exam/status').then((r) => r.json())), { state: 'none' });

    // The console: ended by the proctor, no time left.
    await proctor.waitForFunction(() => document.querySelector('#rows tr .state').textContent === '試験監督者が終了');
    assert.ok(!/残り/.test(await proctor.textContent('#rows tr')));
    await shot(proctor, 'proctor-ended-ja');

    // Sign-out: back to the sign-in form, and a reload does not bring the console back.
    await proctor.click('#signout');
    await proctor.waitForSelector('#signin:not([hidden])');
    assert.equal(await proctor.textContent('#status'), 'サインアウトしました。');
    await proctor.reload();
    await proctor.waitForSelector('#signin:not([hidden])');
    assert.equal(await proctor.isVisible('#console'), false);
    await toggleLang(proctor, 'en');
    assert.equal(await proctor.textContent('label[for=u]'), 'User name');
    await assertAxe(proctor, 'sign-in in English');
    await shot(proctor, 'proctor-signin-en');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    console.log('proctor action -> candidate screen (ms): ' + JSON.stringify(latencies));
  }
});

test('time up: the candidate sees it full-screen, then the report, which resets itself when left idle', async () => {
  const tag = Date.now().toString(36) + 't';
  const centre = 'E2E-' + tag.toUpperCase();
  // A window of its own that serves the short form's package.
  const seeded = JSON.parse(riss(['exam', 'seed', '--centre', centre, '--count', '1', '--prefix', 'e2e' + tag, '--checked',
                                  '--window', 'E2E short ' + tag, '--package', String(shortPackage()), '--json']));
  const adm = JSON.parse(riss(['exam', 'admit', '--booking', String(seeded.bookings[0]), '--seat', 'T-1', '--json']));
  const browser = await launch();
  const errors = [];
  try {
    const page = await (await browser.newContext()).newPage();
    watchErrors(page, errors);
    await candidateStart(page, BASE, adm.code);
    await page.click('#begin');
    await page.waitForSelector('#s-item:not([hidden])');
    await page.evaluate(() => { window.rissExamTimeouts.report = 3; });
    // Two seconds of the time limit left (the server's clock; nobody waits 20 minutes).
    execFileSync('psql', [process.env.RISS_TEST_DB_URL, '-qc',
      `UPDATE exam.sessions SET used_ms = (time_limit_s + extra_s) * 1000 - 2000, running_since = now() WHERE id = ${adm.session}`]);
    await page.waitForSelector('#s-state.state-timeup:not([hidden])', { timeout: 6000 });
    assert.equal(await page.textContent('#state-title'), '試験時間が終了しました');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'state-title');
    await assertAxe(page, 'time up');
    await shot(page, 'exam-timeup-ja');
    await page.waitForSelector('#s-result:not([hidden])', { timeout: 10000 });
    await page.waitForFunction(() => document.getElementById('r-score').textContent !== '');
    assert.equal(await page.textContent('#r-pass'), '不合格');
    // Left alone, the report gives way to the neutral code entry.
    await page.waitForSelector('#s-code:not([hidden]) #neutral:not([hidden])', { timeout: 10000 });
    assert.equal(await page.textContent('#r-score'), '');
    assert.deepEqual(await page.evaluate(() => fetch('/api/v1/exam/status').then((r) => r.json())), { state: 'none' });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
