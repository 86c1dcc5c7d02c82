// Skill profiles in the browser: a registrant whose SG result led to the registration sees
// on /me the claims with their evidence (ITSS level 4 from the registration, level 2 from
// the exam) and the published pay beside them, in Japanese and English; the verify page of
// their credential shows the profile only after they tick "publish" on /me, and not after
// they untick it. axe-core finds no violation; screenshots of /me and the verify page in
// both languages go to the screenshot folder.
// rissd-set: jobs_interval=0
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launch, axeViolations, screenshot, BASE } from './browser.mjs';
import { addStaff, totp, PASSWORD } from './staff.mjs';

const BUILD = process.env.RISS_TEST_BUILD;
const CONFIG = process.env.RISS_TEST_CONFIG;
const RUN = String(process.pid);
const tmp = mkdtempSync(path.join(tmpdir(), 'riss-e2e-skills-'));
const sock = path.join(tmp, 'signd.sock');
let browser, signd, regno, token, secret;

function configValue(name) {
  const m = new RegExp('^' + name + '\\s*=\\s*"?([^"\\n]*)"?', 'm').exec(readFileSync(CONFIG, 'utf8'));
  return m ? m[1] : '';
}

function psql(sql) {
  return execFileSync('psql', [process.env.RISS_TEST_DB_URL || configValue('db_url'), '-X', '-At', '-v',
    'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' }).trim().split('\n').filter((l) => /^\d+$/.test(l)).pop();
}

async function registrar() {
  const user = 'e2eskills' + RUN;
  const s = addStaff(user, 'registrar');
  const r = await fetch(BASE + '/api/v1/staff/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user, password: PASSWORD, totp: totp(s) }),
  });
  const body = await r.json();
  const cookie = r.headers.get('set-cookie').split(';')[0];
  return async (method, p, obj) => {
    const res = await fetch(BASE + p, {
      method, headers: { 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': body.csrf },
      body: obj === undefined ? undefined : JSON.stringify(obj),
    });
    const data = await res.json();
    assert.ok(res.ok, `${p}: ${JSON.stringify(data)}`);
    return data;
  };
}

before(async () => {
  signd = spawn(path.join(BUILD, 'certs', 'riss-signd'), ['--keys', configValue('keys_dir'), '--socket', sock],
    { stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(existsSync(sock), 'riss-signd did not start');
  // A finished SG sitting with its domain bands, as exam delivery stores it.
  const domains = JSON.stringify([{ name: 'management', label: '管理', items: 12, band: 'above' },
    { name: 'technology', label: 'テクノロジ', items: 8, band: 'near' }]);
  const sid = psql(`
INSERT INTO exam.rules (exam_code) VALUES ('SG') ON CONFLICT DO NOTHING;
INSERT INTO exam.centres (code, name, prefecture, seats) VALUES ('EK${RUN}', 'スキル画面試験場', '東京都', 5) ON CONFLICT DO NOTHING;
INSERT INTO exam.windows (exam_code, name, opens_on, closes_on) VALUES ('SG', 'EK${RUN}', '2026-01-01', '2026-12-31');
WITH c AS (INSERT INTO exam.candidates (name_kanji, name_kana, name_romaji, birth_date, email)
           VALUES ('技能 画面${RUN}', 'ぎのう', 'Ginou Gamen', '1992-05-06', 'ek${RUN}@example.jp') RETURNING id),
     b AS (INSERT INTO exam.bookings (candidate_id, window_id, centre_code, sit_on, starts_at)
           SELECT c.id, (SELECT id FROM exam.windows WHERE name = 'EK${RUN}'), 'EK${RUN}', '2026-03-10', '09:00'
           FROM c RETURNING id, candidate_id),
     s AS (INSERT INTO exam.sessions (booking_id, exam_code, exam_version, bank_version, seed, seat, time_limit_s, status)
           SELECT b.id, 'SG', '0123456789abcdef', '0123456789abcdef', 3, 'S1', 7200, 'finished' FROM b RETURNING id, booking_id)
INSERT INTO exam.results (session_id, candidate_id, exam_code, scaled, passed, complete, theta, se, stop_reason,
                          operational, pretest, domains, finished_at)
SELECT s.id, b.candidate_id, 'SG', 700, true, true, 0.7, 0.3, 'se', 54, 6, '${domains}', '2026-03-10 12:00+09'
FROM s JOIN b ON b.id = s.booking_id RETURNING session_id`);
  const admin = await registrar();
  const app = await admin('POST', '/api/v1/registry/applications', {
    exam_result_ref: 'exam:' + sid, exam_pass_date: '2026-03-10', name: '技能 画面' + RUN, name_kana: 'ギノウ ガメン',
    name_latn: 'Ginou Gamen', date_of_birth: '1992-05-06',
  });
  await admin('POST', '/api/v1/registry/review', { id: app.id, approve: true, note: 'ok' });
  regno = (await admin('POST', '/api/v1/registry/register', { id: app.id, reg_date: '2026-10-01' })).regno;
  const out = path.join(tmp, 'cred');
  execFileSync(path.join(BUILD, 'cli', 'riss'), ['credential', 'issue', regno, '--out-dir', out], {
    env: { ...process.env, RISS_CONFIG: CONFIG, RISS_SIGND_SOCKET: sock }, encoding: 'utf8',
  });
  token = readFileSync(path.join(out, 'token.jws'), 'utf8').trim();
  const { code } = await admin('POST', '/api/v1/registry/activation-code', { regno, lang: 'ja' });
  const act = await fetch(BASE + '/api/v1/me/activate', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ regno, code, password: PASSWORD }),
  });
  assert.equal(act.status, 200);
  secret = (await act.json()).totp_secret;
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (signd) signd.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
});

async function setLang(page, lang) {
  if ((await page.getAttribute('html', 'lang')) !== lang) await page.click('[data-lang-toggle]');
  assert.equal(await page.getAttribute('html', 'lang'), lang);
}

// The verify page of the credential; resolves once the verdict (and any profile) is drawn.
async function verifyPage(page) {
  await page.goto(BASE + '/v/' + token);
  await page.waitForSelector('#result:not([hidden])');
  // The profile is asked for right after the verdict; the section says when it is settled.
  await page.waitForSelector('#skills-sec[data-skills]', { state: 'attached' });
  return page.getAttribute('#skills-sec', 'data-skills');
}

async function publish(page, on) {
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/me/skills/publish') && r.status() === 200),
    on ? page.check('#skills-publish') : page.uncheck('#skills-publish'),
  ]);
}

test('the opt-in on /me controls what the verify page shows of the skill profile', async () => {
  const me = await browser.newPage();
  const errors = [];
  me.on('pageerror', (e) => errors.push(String(e)));
  await me.goto(BASE + '/me');
  await me.waitForSelector('#signed-out:not([hidden])');
  await me.fill('#regno', regno);
  await me.fill('#password', PASSWORD);
  await me.fill('#totp', totp(secret));
  await me.keyboard.press('Enter');
  await me.waitForSelector('#skills table.skills-claims');
  const rows = await me.$$eval('#skills table.skills-claims tbody tr',
    (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  const l4 = rows.find((r) => r[1].includes('(L4)'));
  assert.ok(l4, JSON.stringify(rows));
  assert.equal(l4[1], 'ITSSレベル4 (L4)');
  assert.equal(l4[3], '公式');
  assert.match(l4[4], /^登録（RISS）/);
  const l2 = rows.find((r) => r[1].includes('(L2)'));
  assert.match(l2[4], /^試験合格（SG）/);
  // Nothing English on the Japanese page but a foreign element's proper name, labelled as such
  // (a test's mapping set may add ECSF or NICE claims); no mapping set code either.
  for (const r of rows) assert.match(r[1], /[\u3040-\u30ff\u4e00-\u9fff]/, JSON.stringify(r));
  assert.match(await me.textContent('#skills .skills-set'), /^対応付けの根拠: [^a-z]*（\d{4}-\d\d-\d\d）$/);
  // Exam domains are named with their band (under a claim, or as evidence not mapped).
  assert.match(await me.textContent('#skills'), /試験分野「情報セキュリティ管理・リスク」（合格水準を上回る）/);
  // Pay beside the ITSS grades: METI 2017, from a secondary source.
  assert.match(await me.textContent('#skills .skills-pay'), /2017年調査/);
  assert.match(await me.textContent('#skills .skills-pay'), /未確認/);
  // The ITSS release is marked unverified (its exam tiers come from secondary pages), with why.
  assert.match(await me.textContent('#skills .skills-sources'), /ITスキル標準（ITSS）（版 3） — 未検証: 公式の公表資料では確認していません レベルはIPAのページによる。試験区分/);
  assert.equal(await me.isChecked('#skills-publish'), false);
  assert.deepEqual(await axeViolations(me), []);
  await screenshot(me, 'skills-me-ja');
  await setLang(me, 'en');
  assert.match(await me.textContent('#skills-h'), /Skills in international frameworks/);
  assert.match(await me.textContent('#skills'), /Registration \(RISS\)/);
  assert.match(await me.textContent('#skills'), /survey year 2017/);
  assert.match(await me.textContent('#skills .skills-sources'), /Unverified: not checked against the official publication The levels are from IPA/);
  assert.deepEqual(await axeViolations(me), []);
  await screenshot(me, 'skills-me-en');
  await setLang(me, 'ja');

  // Not published: the verify page shows the verdict and nothing of the profile.
  const v = await browser.newPage();
  v.on('pageerror', (e) => errors.push(String(e)));
  assert.equal(await verifyPage(v), 'none');
  assert.equal(await v.isHidden('#skills-sec'), true);

  // Publish on /me: the verify page now shows the claims (without the unmapped evidence).
  await publish(me, true);
  await me.waitForFunction(() => /保存しました/.test(document.getElementById('status').textContent));
  assert.equal(await verifyPage(v), 'shown');
  assert.equal(await v.isHidden('#skills-sec'), false);
  assert.match(await v.textContent('#skills-sec'), /ITSSレベル4/);
  assert.doesNotMatch(await v.textContent('#skills-sec'), /対応付けられていない/);
  assert.deepEqual(await axeViolations(v), []);
  await screenshot(v, 'skills-verify-ja');
  await setLang(v, 'en');
  assert.match(await v.textContent('#skills-sec'), /Skill profile \(published by the holder\)/);
  assert.match(await v.textContent('#skills-sec'), /ITSS level 4/);
  assert.match(await v.textContent('#skills-sec .skills-sources'), /Unverified/);
  assert.deepEqual(await axeViolations(v), []);
  await screenshot(v, 'skills-verify-en');
  await setLang(v, 'ja');

  // Withdraw: gone again.
  await publish(me, false);
  assert.equal(await verifyPage(v), 'none');
  assert.equal(await v.isHidden('#skills-sec'), true);
  assert.deepEqual(errors, []);
});
