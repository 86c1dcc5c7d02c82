// Step-up in the browser (security, issue 17; sec3): shared by the desks' specs.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { axeViolations } from './browser.mjs';
import { totp } from './staff.mjs';

// Ten minutes pass for user's sessions: the last confirmed code is ten minutes old (so a
// step_up route asks again), and so is the last TOTP step used (20 steps of 30 s ago), so the
// code the authenticator shows now is a fresh one.
export function tenMinutesPass(user, dbUrl) {
  execFileSync('psql', [dbUrl || process.env.RISS_TEST_DB_URL, '-X', '-qAt', '-v', 'ON_ERROR_STOP=1', '-c',
    `WITH a AS (UPDATE staff.accounts SET totp_last_step = totp_last_step - 20 WHERE username = '${user}' RETURNING id) ` +
    `UPDATE staff.sessions SET step_up_at = now() - interval '10 minutes' WHERE account_id IN (SELECT id FROM a)`]);
}

const WORDS = {
  ja: { title: '本人確認', why: /認証アプリ/, ok: '確認して続ける' },
  en: { title: 'Confirm it is you', why: /authenticator app/, ok: 'Confirm and continue' },
};

// The step-up dialog is open in lang: its words, focus on the code, axe-clean; saved as
// shot (the viewport: a modal is drawn there); then the fresh code carries the act out.
export async function confirmStepUp(page, secret, lang, shot) {
  await page.waitForSelector('#stepup-dlg[open]');
  assert.equal(await page.textContent('#stepup-h'), WORDS[lang].title);
  assert.match(await page.textContent('#stepup-why'), WORDS[lang].why);
  assert.equal(await page.textContent('#stepup-ok'), WORDS[lang].ok);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'stepup-code');
  assert.deepEqual(await axeViolations(page), [], 'axe on the step-up dialog ' + shot);
  const dir = process.env.RISS_SCREENSHOTS || path.join(process.env.RISS_TEST_BUILD || '.', 'e2e-screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, shot + '.png') });
  await page.fill('#stepup-code', totp(secret));
  await page.click('#stepup-ok');
  await page.waitForSelector('#stepup-dlg', { state: 'hidden' });
}
