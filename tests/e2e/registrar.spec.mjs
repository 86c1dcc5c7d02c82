// The registrar's desk and the public register as people use them, in a real browser: the
// registrar searches by kana and pages through 23 matches, opens one and sees only the
// actions its state allows, issues a credential and sees its QR and URL, suspends and then
// cancels it through dialogs (取消し needs the number typed; each change names the public
// reason from the catalogue's list, which the register and the entry then show), is warned of a duplicate person
// before registering; the public finds a person with full-width digits, an IME space,
// hiragana, no space and the given name alone, and follows the link to the register entry;
// a registration dated in the future verifies as not yet valid; the card of a suspended
// registration says so; the suspension (ja) and the cancellation (en) ten minutes after
// sign-in ask for a fresh authenticator code first (step-up, issue 17). Every screen in Japanese has no English, every state is axe-clean,
// and the main screens are saved in both languages to build-san/e2e-screenshots/.
// rissd-set: signd_socket=var/run/e2e-registrar-signd.sock
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, axeViolations, BASE } from './browser.mjs';
import { addStaff, totp, PASSWORD } from './staff.mjs';
import { tenMinutesPass, confirmStepUp } from './stepup_helpers.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BUILD = process.env.RISS_TEST_BUILD;
const CONFIG = process.env.RISS_TEST_CONFIG;
const SOCK = path.join(ROOT, 'var', 'run', 'e2e-registrar-signd.sock');
const SHOTS = path.join(BUILD, 'e2e-screenshots');
const RUN = Date.now().toString(36).replace(/[0-9]/g, (d) => 'abcdefghij'[d]);
// A name part unique to this run, in kanji and katakana, so that searches find only ours.
const K = '一二三四五六七八九十';
const kan = Array.from({ length: 4 }, () => K[Math.floor(Math.random() * 10)]).join('');
const KATA = 'アイウエオカキクケコサシスセソタチツテト';
const kata = Array.from({ length: 5 }, () => KATA[Math.floor(Math.random() * KATA.length)]).join('');
const hira = [...kata].map((c) => String.fromCharCode(c.charCodeAt(0) - 0x60)).join('');
let browser, ctx, csrf, signd, user, secret;
const regnos = [];

function configValue(name) {
  const m = new RegExp('^' + name + '\\s*=\\s*"?([^"\\n]*)"?', 'm').exec(readFileSync(CONFIG, 'utf8'));
  return m ? m[1] : '';
}
function psql(sql) {
  return execFileSync('psql', [process.env.RISS_TEST_DB_URL || configValue('db_url'), '-X', '-At', '-v', 'ON_ERROR_STOP=1', '-c', sql],
    { encoding: 'utf8' }).trim();
}
async function api(method, p, body, lang) {
  const r = await ctx.request.fetch(BASE + p, {
    method, data: body, headers: { 'X-CSRF-Token': csrf || '', 'Content-Type': 'application/json', 'Accept-Language': lang || 'ja' },
  });
  return { status: r.status(), body: await r.json() };
}
async function setLang(page, lang) {
  if ((await page.getAttribute('html', 'lang')) !== lang) await page.click('[data-lang-toggle]');
  assert.equal(await page.getAttribute('html', 'lang'), lang);
}
async function noAxe(page, where) {
  assert.deepEqual(await axeViolations(page), [], 'axe on ' + where);
}
async function shot(page, name) {
  // A modal dialog is drawn where the viewport is: take the viewport then, else the page.
  const modal = await page.evaluate(() => !!document.querySelector('dialog[open]'));
  await page.screenshot({ path: path.join(SHOTS, name + '.png'), fullPage: !modal });
}
// Japanese screens carry no English sentence and no raw state code.
async function noEnglish(page, where) {
  const text = await page.evaluate(() => {
    const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const out = [];
    for (let n = w.nextNode(); n; n = w.nextNode()) {
      const el = n.parentElement;
      if (el.closest('[hidden], script, style, dialog:not([open])')) continue;
      out.push(n.textContent);
    }
    return out.join(' ');
  });
  const bad = text.match(/\b(active|suspended|cancelled|lapsed|deregistered|pending|valid|submitted|approved)\b|[A-Za-z]{3,} [a-z]{3,} [a-z]{3,}/g) || [];
  // romaji names and the button that switches to English are allowed
  const left = bad.filter((b) => !/Hanako|Taro|Yamada|English|Reg /.test(b));
  assert.deepEqual(left, [], 'English on the Japanese screen ' + where + ': ' + left.join(' | '));
}
function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // The 403 step-up answer of a status change is expected (the step-up dialog is asserted).
  const stepUp = (m) => /status of 403/.test(m.text()) && m.location().url.endsWith('/api/v1/registry/status');
  page.on('console', (m) => { if (m.type() === 'error' && !stepUp(m)) errors.push(m.text()); });
  return errors;
}

// n registrants straight into the register (numbers from the gapless counter), reg_date given;
// the first born on dob, each next one a day later.
function seed(n, regDate, dob) {
  const rows = psql(`WITH c AS (UPDATE registry.regno_counter SET last_number = last_number + ${n} RETURNING last_number)
    INSERT INTO registry.registrants (regno, name, name_kana, name_latn, date_of_birth, exam_result_ref, exam_pass_date,
      reg_date, valid_from, valid_until, published_fields)
    SELECT lpad((c.last_number - ${n} + i)::text, 6, '0'), '山田 太郎${kan}' || i, '${kata} タロウ', 'Yamada Taro ${RUN}',
      DATE '${dob}' + (i - 1), 'e2e-reg-${RUN}-' || i || '-${regDate}', DATE '2026-06-20', DATE '${regDate}', DATE '${regDate}',
      (DATE '${regDate}' + interval '3 years' - interval '1 day')::date, ARRAY['name','name_kana','name_latn','reg_date','valid_until']
    FROM c, generate_series(1, ${n}) i RETURNING regno`);
  return rows.split('\n').sort();
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  mkdirSync(path.dirname(SOCK), { recursive: true });
  rmSync(SOCK, { force: true });
  signd = spawn(path.join(BUILD, 'certs', 'riss-signd'), ['--keys', configValue('keys_dir'), '--socket', SOCK], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(SOCK); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(existsSync(SOCK), 'riss-signd did not start');
  browser = await launch();
  ctx = await browser.newContext();
  user = 'e2ereg' + RUN;
  secret = addStaff(user, 'registrar');
  const login = await ctx.request.post(BASE + '/api/v1/staff/login', { data: { username: user, password: PASSWORD, totp: totp(secret) } });
  assert.equal(login.status(), 200, await login.text());
  csrf = (await login.json()).csrf;
  regnos.push(...seed(23, '2026-10-01', '1985-05-05'));
});

after(async () => {
  if (browser) await browser.close();
  if (signd) signd.kill('SIGTERM');
});

test('the desk: kana search, paging, state-aware actions, issue with QR, suspend, typed 取消し', async () => {
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await page.goto(BASE + '/admin/registry');
  await setLang(page, 'ja');
  await page.waitForSelector('#regs:not([hidden])');
  // Search by the reading in hiragana: all 23 found, 20 a page.
  await page.getByLabel('登録番号または氏名（漢字・かな・ローマ字）').fill(hira);
  await page.getByRole('button', { name: '検索', exact: true }).click();
  await page.waitForFunction(() => /23 件中 1〜20 件目/.test(document.getElementById('count').textContent));
  assert.equal(await page.locator('#regs-rows tr').count(), 20);
  assert.match(await page.textContent('#page-of'), /1 \/ 2 ページ/);
  await noAxe(page, 'desk list (ja)');
  await noEnglish(page, 'desk list');
  await shot(page, 'desk-list-ja');
  await setLang(page, 'en');
  assert.match(await page.textContent('#count'), /1–20 of 23/);
  await noAxe(page, 'desk list (en)');
  await shot(page, 'desk-list-en');
  await setLang(page, 'ja');
  await page.getByRole('button', { name: '次へ' }).click();
  await page.waitForFunction(() => /23 件中 21〜23 件目/.test(document.getElementById('count').textContent));
  assert.equal(await page.locator('#regs-rows tr').count(), 3);
  const first = (await page.textContent('#regs-rows tr td')).trim();
  assert.equal(first, regnos[2]); // newest number first: page 2 holds the three oldest
  // Status filter: none of ours is suspended.
  await page.selectOption('#st', 'suspended');
  await page.getByRole('button', { name: '検索', exact: true }).click();
  await page.waitForFunction(() => /該当する登録者はいません/.test(document.getElementById('count').textContent));

  // One active registrant: only what an active registration allows.
  const regno = regnos[22];
  await page.selectOption('#st', '');
  await page.getByLabel('登録番号または氏名（漢字・かな・ローマ字）').fill(regno);
  await page.getByRole('button', { name: '検索', exact: true }).click();
  await page.waitForFunction(() => /1 件中 1〜1 件目/.test(document.getElementById('count').textContent));
  await page.getByRole('button', { name: new RegExp(regno + ' .*の詳細') }).click();
  await page.waitForSelector('#detail:not([hidden])');
  const actions = () => page.$$eval('#d-buttons button', (bs) => bs.map((b) => b.getAttribute('data-action')));
  assert.deepEqual(await actions(), ['issue', 'suspend', 'cancel', 'deregister']);
  assert.match(await page.textContent('#d-state'), /状態: 有効/);

  // Issue: feedback, the QR (it loads) and the verify URL.
  await page.getByRole('button', { name: '資格証を発行' }).click();
  await page.waitForSelector('#issued:not([hidden])');
  assert.match(await page.textContent('#status'), new RegExp(regno + ' の資格証を発行しました'));
  const url = await page.inputValue('#issued-url');
  assert.ok(url.startsWith(configValue('public_base_url') + '/v/'), url);
  await page.waitForFunction(() => { const q = document.getElementById('issued-qr'); return q.complete && q.naturalWidth > 0; });
  await noAxe(page, 'desk detail after issue (ja)');
  await noEnglish(page, 'desk detail');
  await shot(page, 'desk-detail-issued-ja');

  // Suspend: a dialog that names the consequence; a reason is required.
  await page.getByRole('button', { name: '一時停止', exact: true }).click();
  const dlg = page.locator('dialog#dlg');
  await dlg.waitFor({ state: 'visible' });
  assert.match(await dlg.textContent(), /直ちに「一時停止」/);
  assert.equal(await page.isDisabled('#dlg-ok'), true);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'dlg-reason');
  await page.keyboard.type('調査のため');
  // The public reason (issue 17, finding 8): chosen from the catalogue's fixed list, each
  // option the sentence the public will read; the typed reason stays with staff.
  assert.equal(await page.isDisabled('#dlg-ok'), true, 'no public reason chosen yet');
  const options = await page.$$eval('#dlg-public option', (os) => os.map((o) => [o.value, o.textContent]));
  assert.deepEqual(options.map((o) => o[0]), ['', 'suspended.holder_request', 'suspended.training_overdue',
    'suspended.under_review', 'suspended']);
  assert.match(options[3][1], /登録事務局が登録の内容を確認しているため/);
  assert.match(await dlg.textContent(), /上の理由は職員だけが見られます/);
  await page.getByLabel('公開する理由').selectOption('suspended.under_review');
  assert.equal(await page.isDisabled('#dlg-ok'), false);
  await noAxe(page, 'suspend dialog (ja)');
  await noEnglish(page, 'suspend dialog');
  await shot(page, 'desk-suspend-dialog-ja');
  // Step-up (issue 17; sec3): ten minutes after sign-in a status change asks for a fresh code.
  tenMinutesPass(user, process.env.RISS_TEST_DB_URL || configValue('db_url'));
  await page.click('#dlg-ok');
  await confirmStepUp(page, secret, 'ja', 'step-up-registry-ja');
  await page.waitForFunction((r) => document.getElementById('status').textContent.includes(r + ' を一時停止しました'), regno);
  await page.waitForFunction(() => /状態: 一時停止/.test(document.getElementById('d-state').textContent));
  assert.deepEqual(await actions(), ['reinstate', 'cancel', 'deregister']);
  assert.match(await page.textContent('#d-public'), /公開されている理由: 登録事務局が登録の内容を確認しているため/);
  assert.match(await page.textContent('#d-history'), /調査のため/);
  // The public register and the register entry show the chosen sentence in the reader's
  // language, never the registrar's words.
  const pub = await ctx.newPage();
  await pub.goto(BASE + '/register');
  await pub.fill('#q', regno);
  await pub.press('#q', 'Enter');
  await pub.waitForFunction(() => /件見つかりました/.test(document.getElementById('status').textContent));
  assert.match(await pub.textContent('#rows'), /一時停止.*登録事務局が登録の内容を確認しているため、一時停止されています。/);
  assert.doesNotMatch(await pub.textContent('body'), /調査のため/);
  await noAxe(pub, 'register with a public reason (ja)');
  await noEnglish(pub, 'register with a public reason');
  await shot(pub, 'register-public-reason-ja');
  await setLang(pub, 'en');
  assert.match(await pub.textContent('#rows'), /The registration is suspended while the registry office reviews it\./);
  await shot(pub, 'register-public-reason-en');
  await pub.goto(BASE + '/verify?regno=' + regno);
  await pub.waitForFunction(() => /registry office reviews it/.test(document.getElementById('fields').textContent));
  await shot(pub, 'verify-entry-public-reason-en');
  await setLang(pub, 'ja');
  await pub.waitForFunction(() => /登録事務局が登録の内容を確認している/.test(document.getElementById('fields').textContent));
  assert.doesNotMatch(await pub.textContent('body'), /調査のため/);
  await noEnglish(pub, 'verify entry with a public reason');
  await shot(pub, 'verify-entry-public-reason-ja');
  await pub.close();

  // 取消し: irreversible, so the number must be typed; the dialog says what follows.
  await page.getByRole('button', { name: '登録を取消し' }).click();
  await dlg.waitFor({ state: 'visible' });
  const text = await dlg.textContent();
  assert.match(text, /取り消せません/);
  assert.match(text, /資格証は直ちに無効/);
  assert.match(text, /2 年間、再び登録できません/);
  await page.fill('#dlg-reason', '不正受験の判明');
  await page.selectOption('#dlg-public', 'cancelled.false_registration');
  assert.equal(await page.isDisabled('#dlg-ok'), true, 'no typed confirmation yet');
  await page.getByLabel(new RegExp('確認のため、登録番号 ' + regno)).fill('000000');
  assert.equal(await page.isDisabled('#dlg-ok'), true, 'wrong number typed');
  await page.getByLabel(new RegExp('確認のため、登録番号 ' + regno)).fill(regno);
  assert.equal(await page.isDisabled('#dlg-ok'), false);
  await noAxe(page, 'cancel dialog (ja)');
  await shot(page, 'desk-cancel-dialog-ja');
  // Escape steps back without a change, focus returns to the button.
  await page.keyboard.press('Escape');
  await dlg.waitFor({ state: 'hidden' });
  assert.match(await page.textContent('#status'), /何も変更していません/);
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('data-action')), 'cancel');
  await setLang(page, 'en');
  await page.getByRole('button', { name: 'Cancel the registration' }).click();
  await dlg.waitFor({ state: 'visible' });
  assert.match(await dlg.textContent(), /may not register again for 2 years/);
  await noAxe(page, 'cancel dialog (en)');
  await shot(page, 'desk-cancel-dialog-en');
  await page.fill('#dlg-reason', '不正の判明');
  await page.selectOption('#dlg-public', 'cancelled.false_registration');
  await page.fill('#dlg-type', '取消し');
  tenMinutesPass(user, process.env.RISS_TEST_DB_URL || configValue('db_url'));
  await page.click('#dlg-ok');
  await confirmStepUp(page, secret, 'en', 'step-up-registry-en');
  await page.waitForFunction(() => /Status: Cancelled/.test(document.getElementById('d-state').textContent));
  assert.match(await page.textContent('#d-public'), /Reason shown to the public: The registration was cancelled: it had been obtained by deception/);
  assert.deepEqual(await actions(), []);
  assert.equal(await page.isHidden('#d-noactions'), false);
  await noAxe(page, 'desk detail cancelled (en)');
  await shot(page, 'desk-detail-cancelled-en');
  await setLang(page, 'ja');
  await noEnglish(page, 'desk detail cancelled');
  await shot(page, 'desk-detail-cancelled-ja');

  // A refused change comes back in Japanese, never as English or a code.
  const refused = await api('POST', '/api/v1/registry/status', { regno, action: 'reinstate' });
  assert.equal(refused.status, 409);
  assert.match(refused.body.detail, /この操作はできません/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the duplicate-person warning before registering', async () => {
  // Same date of birth, the same name typed with an IME space and hiragana.
  const r = await api('POST', '/api/v1/registry/applications', {
    exam_result_ref: 'e2e-dup-' + RUN, exam_pass_date: '2026-06-20', name: '山田　太郎' + kan + '1',
    name_kana: hira + '　たろう', name_latn: 'YAMADA TARO ' + RUN, date_of_birth: '1985-05-05',
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal((await api('POST', '/api/v1/registry/review', { id: r.body.id, approve: true, note: '' })).status, 200);
  const page = await ctx.newPage();
  await page.goto(BASE + '/admin/registry');
  const item = page.locator('#apps li', { hasText: '申請 ' + r.body.id + ':' });
  await item.waitFor();
  assert.match(await item.textContent(), /同じ生年月日で氏名の似た登録者がすでにいます/);
  await item.getByRole('button', { name: '登録', exact: true }).click();
  await page.locator('dialog#dlg').waitFor({ state: 'visible' });
  assert.match(await page.textContent('#dlg-similar'), new RegExp(regnos[0]));
  assert.equal(await page.isDisabled('#dlg-ok'), true, 'registering needs the check acknowledged');
  await page.check('#dlg-ack');
  assert.equal(await page.isDisabled('#dlg-ok'), false);
  await noAxe(page, 'register dialog with duplicate warning (ja)');
  await shot(page, 'desk-duplicate-warning-ja');
  await page.click('#dlg-cancel');
  await page.close();
});

test('the public register takes Japanese as typed and links to the register entry', async () => {
  const regno = regnos[0];
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await page.goto(BASE + '/register');
  await setLang(page, 'ja');
  const label = '登録番号（6桁）または氏名（漢字・かな・ローマ字、姓または名だけでも可）';
  const search = async (q) => {
    await page.getByLabel(label).fill(q);
    await page.getByRole('button', { name: '検索' }).click();
    await page.waitForFunction(() => /件見つかりました|該当者はいません/.test(document.getElementById('status').textContent));
    return page.$$eval('#rows tr', (rows) => rows.map((r) => r.cells[0].textContent));
  };
  const wide = regno.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)));
  for (const q of [wide, `山田　太郎${kan}1`, hira, `山田太郎${kan}1`, `太郎${kan}1`, `${hira} たろう`]) {
    assert.ok((await search(q)).includes(regno), 'not found by ' + q);
  }
  await noAxe(page, '/register results (ja)');
  await noEnglish(page, '/register results');
  await shot(page, 'register-results-ja');
  await setLang(page, 'en');
  await shot(page, 'register-results-en');
  await noAxe(page, '/register results (en)');
  await setLang(page, 'ja');
  await page.getByRole('link', { name: `登録番号 ${regno} の登録内容を確認` }).click();
  await page.waitForSelector('#result:not([hidden])');
  assert.match(await page.textContent('#kind'), /登録簿の記載/);
  assert.equal((await page.textContent('#verdict')).trim(), '有効');
  assert.ok((await page.textContent('#fields')).includes(regno));
  await noAxe(page, '/verify?regno (ja)');
  await shot(page, 'verify-register-entry-ja');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a registration dated in the future is not yet valid; a suspended card says so', async () => {
  const [future] = seed(1, '2099-04-01', '1970-01-01');
  const issued = await api('POST', '/api/v1/registry/issue', { regno: future });
  assert.equal(issued.status, 201, JSON.stringify(issued.body));
  const page = await ctx.newPage();
  await page.goto(BASE + '/v/' + issued.body.token);
  await setLang(page, 'ja');
  await page.reload();
  await page.waitForSelector('#result:not([hidden])');
  assert.equal((await page.textContent('#verdict')).trim(), 'まだ有効ではありません');
  assert.match(await page.textContent('#reason'), /2099-04-01 から有効/);
  assert.match(await page.textContent('#fields'), /登録日前/);
  await noEnglish(page, '/v/ pending');
  await noAxe(page, '/v/ pending (ja)');
  await shot(page, 'verify-pending-ja');
  await setLang(page, 'en');
  assert.equal((await page.textContent('#verdict')).trim(), 'Not yet valid');
  await shot(page, 'verify-pending-en');
  // The public register shows it as pending too.
  const s = await (await ctx.request.get(BASE + '/api/v1/register/search?q=' + future)).json();
  assert.equal(s.results[0].status, 'pending');

  const regno = regnos[1];
  assert.equal((await api('POST', '/api/v1/registry/issue', { regno })).status, 201);
  await page.goto(BASE + '/card?regno=' + regno);
  await page.waitForSelector('#card:not([hidden])');
  await setLang(page, 'ja');
  assert.equal(await page.isHidden('#void'), true);
  await shot(page, 'card-active-ja');
  assert.equal((await api('POST', '/api/v1/registry/status', { regno, action: 'suspend', reason: '調査中' })).status, 200);
  await page.reload();
  await page.waitForSelector('#card:not([hidden])');
  assert.match(await page.textContent('#void'), /この登録は「一時停止」です/);
  assert.equal(await page.isHidden('#qr'), true, 'no QR to rely on while suspended');
  await noAxe(page, '/card suspended (ja)');
  await shot(page, 'card-suspended-ja');
  await setLang(page, 'en');
  assert.match(await page.textContent('#void'), /This registration is Suspended/);
  await noAxe(page, '/card suspended (en)');
  await shot(page, 'card-suspended-en');
  await setLang(page, 'ja');
  await page.close();
});
