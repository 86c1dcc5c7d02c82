// The public verify and register pages, and the printable card, in a real browser: a
// registrar registers a person, `riss credential issue` (through a riss-signd this spec
// starts on a temp socket with the test key directory) makes the credential, and then
// /v/<JWS> says VALID, NOT GENUINE for a tampered token and SUSPENDED after a suspension,
// in Japanese and English; /verify accepts a pasted token or URL; /register finds the
// person by number and by name with published fields only; /card shows the fields and a
// QR code that loads. axe-core finds no violation on any of these pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launch, axeViolations, BASE } from './browser.mjs';
import { addStaff, totp, PASSWORD } from './staff.mjs';
import jsQR from 'jsqr';

const BUILD = process.env.RISS_TEST_BUILD;
const CONFIG = process.env.RISS_TEST_CONFIG;
const tmp = mkdtempSync(path.join(tmpdir(), 'riss-e2e-verify-'));
const sock = path.join(tmp, 'signd.sock');
const RUN = Date.now().toString(36).replace(/[0-9]/g, (d) => 'abcdefghij'[d]);
const KANJI = '一二三四五六七八九十';
const kanjiSuffix = Array.from({ length: 6 }, () => KANJI[Math.floor(Math.random() * 10)]).join('');
const person = {
  name: `検証 花子${kanjiSuffix}`, name_kana: 'ケンショウ ハナコ', name_latn: `Verify Hanako ${RUN}`,
  date_of_birth: '1991-02-03',
};
let browser, ctx, csrf, signd, regno, token;

function configValue(name) {
  const m = new RegExp('^' + name + '\\s*=\\s*"?([^"\\n]*)"?', 'm').exec(readFileSync(CONFIG, 'utf8'));
  return m ? m[1] : '';
}

async function api(method, p, body) {
  const r = await ctx.request.fetch(BASE + p, {
    method, data: body, headers: { 'X-CSRF-Token': csrf || '', 'Content-Type': 'application/json' },
  });
  return { status: r.status(), body: await r.json() };
}

// Waits for the verdict of a check to be rendered, returns its text.
async function verdict(page) {
  await page.waitForFunction(() => !document.getElementById('result').hidden ||
    /できません|could not/.test(document.getElementById('status').textContent), null, { timeout: 10000 });
  assert.equal(await page.getAttribute('#result', 'hidden'), null, 'no verdict: ' + await page.textContent('#status'));
  return (await page.textContent('#verdict')).trim();
}

async function setLang(page, lang) {
  if ((await page.getAttribute('html', 'lang')) !== lang) await page.click('[data-lang-toggle]');
  assert.equal(await page.getAttribute('html', 'lang'), lang);
}

async function noAxe(page, where) {
  assert.deepEqual(await axeViolations(page), [], 'axe on ' + where);
}

before(async () => {
  // riss-signd on a temp socket with the test key directory (the one rissd publishes).
  signd = spawn(path.join(BUILD, 'certs', 'riss-signd'), ['--keys', configValue('keys_dir'), '--socket', sock],
    { stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(existsSync(sock), 'riss-signd did not start');

  browser = await launch();
  ctx = await browser.newContext();
  const user = 'e2everify' + RUN;
  const secret = addStaff(user, 'registrar');
  const login = await ctx.request.post(BASE + '/api/v1/staff/login',
    { data: { username: user, password: PASSWORD, totp: totp(secret) } });
  assert.equal(login.status(), 200, await login.text());
  csrf = (await login.json()).csrf;

  let r = await api('POST', '/api/v1/registry/applications',
    { ...person, exam_result_ref: 'e2e-verify-' + RUN, exam_pass_date: '2026-06-20' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const id = r.body.id;
  r = await api('POST', '/api/v1/registry/review', { id, approve: true, note: 'e2e' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await api('POST', '/api/v1/registry/register', { id, reg_date: '2026-10-01' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  regno = r.body.regno;

  const out = path.join(tmp, 'cred');
  execFileSync(path.join(BUILD, 'cli', 'riss'), ['credential', 'issue', regno, '--out-dir', out], {
    env: { ...process.env, RISS_CONFIG: CONFIG, RISS_SIGND_SOCKET: sock }, encoding: 'utf8',
  });
  token = readFileSync(path.join(out, 'token.jws'), 'utf8').trim();
  assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
});

after(async () => {
  if (browser) await browser.close();
  if (signd) signd.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
});

function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return errors;
}

test('/v/<JWS> says VALID in Japanese and English, with published fields only', async () => {
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await page.goto(BASE + '/v/' + token);
  await setLang(page, 'ja');
  await page.reload();
  assert.match(await verdict(page), /^有効/);
  const fields = await page.textContent('#fields');
  assert.ok(fields.includes(regno), fields);
  assert.ok(fields.includes(person.name), fields);
  assert.ok(fields.includes(person.name_latn), fields);
  assert.ok(!fields.includes(person.name_kana), 'kana is not published');
  assert.ok(!fields.includes(person.date_of_birth), 'no date of birth');
  assert.match(await page.textContent('#verdict-text'), /登録は有効です/);
  // The reason line in Japanese: no code, no English sentence.
  assert.equal(await page.textContent('#reason'), `登録番号 ${regno} の有効な資格証です。`);
  await noAxe(page, '/v/ (ja, valid)');

  await setLang(page, 'en');
  assert.equal(await verdict(page), 'Valid');
  assert.match(await page.textContent('#fields'), /Registration number/);
  await noAxe(page, '/v/ (en, valid)');
  await setLang(page, 'ja');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a tampered token is NOT GENUINE', async () => {
  const [h, p, s] = token.split('.');
  const i = Math.floor(p.length / 2);
  const tampered = [h, p.slice(0, i) + (p[i] === 'A' ? 'B' : 'A') + p.slice(i + 1), s].join('.');
  const page = await ctx.newPage();
  await page.goto(BASE + '/v/' + tampered);
  assert.match(await verdict(page), /^真正なものではありません/);
  assert.equal((await page.textContent('#fields')).trim(), '');
  await noAxe(page, '/v/ (ja, not genuine)');
  await setLang(page, 'en');
  assert.equal(await verdict(page), 'Not genuine');
  await noAxe(page, '/v/ (en, not genuine)');
  await setLang(page, 'ja');
  await page.close();
});

test('/verify accepts a pasted token and a pasted verify URL', async () => {
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await page.goto(BASE + '/verify');
  assert.equal(await page.getAttribute('html', 'lang'), 'ja');
  await noAxe(page, '/verify (empty)');
  // Keyboard only: the textarea is reachable by its label, Enter on the button submits.
  await page.getByLabel('トークン（または確認用 URL）').fill(token);
  await page.getByRole('button', { name: '確認する' }).press('Enter');
  assert.match(await verdict(page), /^有効/);
  assert.ok((await page.textContent('#fields')).includes(regno));
  await noAxe(page, '/verify (checked)');
  await page.getByLabel('トークン（または確認用 URL）').fill(configValue('public_base_url') + '/v/' + token);
  await page.getByRole('button', { name: '確認する' }).click();
  await page.waitForFunction(() => document.getElementById('status').textContent === '');
  assert.match(await verdict(page), /^有効/);
  // Empty input: told so, nothing sent.
  await page.getByLabel('トークン（または確認用 URL）').fill('');
  await page.getByRole('button', { name: '確認する' }).click();
  assert.match(await page.textContent('#status'), /貼り付けてください/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('/register finds the person by number and by name, published fields only', async () => {
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await page.goto(BASE + '/register');
  await noAxe(page, '/register (empty)');
  const search = async (q) => {
    await page.getByLabel('登録番号（6桁）または氏名（漢字・かな・ローマ字、姓または名だけでも可）').fill(q);
    await page.getByRole('button', { name: '検索' }).click();
    await page.waitForFunction(() => /件見つかりました|該当者はいません/.test(document.getElementById('status').textContent));
    return page.$$eval('#rows tr', (rows) => rows.map((r) => Array.from(r.cells, (c) => c.textContent)));
  };
  let rows = await search(regno);
  assert.equal(rows.length, 1);
  assert.equal(rows[0][0], regno);
  assert.ok(rows[0][1].includes(person.name) && rows[0][1].includes(person.name_latn), rows[0][1]);
  assert.ok(!rows[0][1].includes(person.name_kana), 'kana is not published');
  assert.equal(rows[0][2], '2026-10-01');
  assert.equal(rows[0][4], '有効');
  await noAxe(page, '/register (results)');
  rows = await search(person.name);
  assert.deepEqual(rows.map((r) => r[0]), [regno]);
  rows = await search(person.name_latn.toLowerCase());
  assert.deepEqual(rows.map((r) => r[0]), [regno]);
  rows = await search(person.name_kana); // not published: not findable by it
  assert.ok(!rows.some((r) => r[0] === regno));
  assert.ok(!(await page.content()).includes(person.date_of_birth));
  assert.deepEqual(errors, []);
  await page.close();
});

test('the printable card shows the fields and the QR code', async () => {
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await page.goto(BASE + '/card?regno=' + regno);
  await page.waitForSelector('#card:not([hidden])');
  assert.equal(await page.textContent('#regno'), regno);
  assert.ok((await page.textContent('#name')).includes(person.name_latn));
  assert.equal(await page.textContent('#date_of_birth'), person.date_of_birth);
  assert.equal(await page.textContent('#reg_date'), '2026-10-01');
  assert.equal(await page.textContent('#valid_until'), '2029-09-30');
  assert.match(await page.getAttribute('#card', 'class'), /\bgreen\b/);
  await page.waitForFunction(() => { const q = document.getElementById('qr'); return !q.hidden && q.complete && q.naturalWidth > 0; });
  // The QR drawn by the browser decodes (jsQR) to exactly the credential's verify URL.
  const img = await page.evaluate(() => {
    const q = document.getElementById('qr');
    const c = document.createElement('canvas');
    c.width = q.naturalWidth; c.height = q.naturalHeight;
    const g = c.getContext('2d');
    g.drawImage(q, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height);
    return { w: c.width, h: c.height, data: Array.from(d.data) };
  });
  const code = jsQR(Uint8ClampedArray.from(img.data), img.w, img.h);
  assert.ok(code, 'the card QR does not decode');
  assert.equal(code.data, configValue('public_base_url') + '/v/' + token);
  assert.match(await page.getAttribute('#qr', 'alt'), /QR コード/);
  assert.match(await page.getAttribute('#card', 'aria-label'), /緑/);
  await noAxe(page, '/card (ja)');
  await setLang(page, 'en');
  assert.match(await page.textContent('h1'), /registration card/);
  assert.match(await page.getAttribute('#qr', 'alt'), /QR code/);
  assert.match(await page.getAttribute('#card', 'aria-label'), /green/);
  await noAxe(page, '/card (en)');
  await setLang(page, 'ja');
  assert.deepEqual(errors, []);
  await page.close();
});

test('after a suspension /v/<JWS> says SUSPENDED with the public reason', async () => {
  const r = await api('POST', '/api/v1/registry/status', { regno, action: 'suspend', reason: '調査中 (e2e)' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const page = await ctx.newPage();
  await page.goto(BASE + '/v/' + token);
  assert.match(await verdict(page), /^一時停止中/);
  assert.equal(await page.textContent('#reason'), `登録番号 ${regno} の登録は一時停止されています。`);
  assert.match(await page.textContent('#fields'), /登録の状態一時停止/);
  // The public sees the catalogue's fixed reason, never the registrar's text (review finding 8).
  assert.match(await page.textContent('#fields'), /登録は停止されています。詳しくは登録事務局にお問い合わせください。/);
  assert.doesNotMatch(await page.textContent('#fields'), /調査中/);
  await noAxe(page, '/v/ (ja, suspended)');
  await setLang(page, 'en');
  assert.equal(await verdict(page), 'Suspended');
  await noAxe(page, '/v/ (en, suspended)');
  await setLang(page, 'ja');
  await page.close();
});

test('the registrar desk (/admin/registry) shows the person and passes axe', async () => {
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await page.goto(BASE + '/admin/registry');
  await page.waitForFunction((r) => document.body.textContent.includes(r), regno, { timeout: 10000 });
  await noAxe(page, '/admin/registry (ja)');
  await setLang(page, 'en');
  await noAxe(page, '/admin/registry (en)');
  await setLang(page, 'ja');
  assert.deepEqual(errors, []);
  await page.close();
});
