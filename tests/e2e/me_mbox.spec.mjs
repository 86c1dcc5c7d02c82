// A registrant at /me adds an e-mail address for training providers' LMSs (xAPI), gets the
// confirmation mail from the real SMTP server on loopback, opens its link and confirms; the
// section in Japanese and English, axe-core clean in each state. A completion a provider's LMS
// sent by that address before the confirmation shows up on /me with it (xapi2).
// Screenshots me-mbox-ja/en.
// rissd-set: jobs_interval=0
// smtp-sink
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { launch, axeViolations, screenshot, BASE } from './browser.mjs';
import { staffClient, totp, riss, PASSWORD } from './staff.mjs';

const RUN = String(process.pid);

// The text of the n-th mail (0-based) the sink received, once it is there.
async function mail(n) {
  const file = path.join(process.env.RISS_SMTP_SINK, `${n}.eml`);
  for (let i = 0; i < 100 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 100));
  const raw = readFileSync(file, 'utf8');
  const cut = raw.indexOf('\r\n\r\n');
  return Buffer.from(raw.slice(cut + 4).replace(/\s+/g, ''), 'base64').toString('utf8');
}

test('a registrant confirms an e-mail address for xAPI at /me through the mailed link', async () => {
  const admin = await staffClient('e2embox' + RUN, 'registrar', BASE);
  const app = await admin('POST', '/api/v1/registry/applications', {
    exam_result_ref: 'e2e-mbox-' + RUN, exam_pass_date: '2025-01-15', name: '宛先 一郎' + RUN,
    name_kana: 'アテサキ イチロウ', name_latn: 'Atesaki Ichiro', date_of_birth: '1990-04-05',
  });
  await admin('POST', '/api/v1/registry/review', { id: app.id, approve: true, note: 'ok' });
  const { regno } = await admin('POST', '/api/v1/registry/register', { id: app.id, reg_date: '2025-04-01' });
  const { code } = await admin('POST', '/api/v1/registry/activation-code', { regno, lang: 'ja' });
  const act = await (await fetch(BASE + '/api/v1/me/activate', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ regno, code, password: PASSWORD }),
  })).json();

  const browser = await launch();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(BASE + '/me');
    await page.waitForSelector('#signed-out:not([hidden])');
    await page.fill('#regno', regno);
    await page.fill('#password', PASSWORD);
    await page.fill('#totp', totp(act.totp_secret));
    await page.keyboard.press('Enter');
    await page.waitForSelector('#signed-in:not([hidden])');
    await page.waitForSelector('#mbox-none:not([hidden])');
    assert.equal(await page.textContent('#mbox-h'), '講習機関への届出メールアドレス（xAPI）');

    // Add: the mail goes out and the address is listed as awaiting confirmation.
    const addr = `hanako.${RUN}@example.jp`;
    await page.fill('#mbox-address', addr.toUpperCase());
    await page.click('#mbox-add button[type=submit]');
    await page.waitForSelector('#mboxes:not([hidden])');
    assert.match(await page.textContent('#status'), new RegExp(`${addr.replace(/\./g, '\\.')} に確認メールを送りました`));
    assert.deepEqual(await page.$$eval('#mboxes tbody tr', (trs) => trs.map((tr) => [...tr.children].slice(0, 2).map((c) => c.textContent))),
                     [[addr, '確認待ち']]);
    const text = await mail(0);
    assert.match(text, /講習機関からの修了報告（xAPI）/);
    const link = text.match(/https?:\/\/\S+\/me\?mbox_code=([A-Z0-9-]{14})/);
    assert.ok(link, text);
    assert.deepEqual(await axeViolations(page), []);

    // A provider's LMS reports a completion by this address before it is confirmed.
    const prov = JSON.parse(riss('provider', 'add', '宛先講習 ' + RUN, '--name-en', 'Mbox courses ' + RUN, '--json'));
    const fy = new Date().getFullYear();
    const course = await fetch(BASE + '/api/v1/cpd/courses', {
      method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + prov.api_key },
      body: JSON.stringify({ code: 'XME', kind: 'online', title_ja: '講座 XME ' + RUN, title_en: 'Course XME', hours: 2,
                             cycle_years: [fy - 2, fy - 1, fy, fy + 1] }),
    });
    assert.equal(course.status, 201, await course.text());
    const base = prov.xapi.endpoint.replace(/\/xapi\/?$/, ''); // public_base_url: the course's activity id
    const stmt = await fetch(BASE + '/xapi/statements', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Experience-API-Version': '1.0.3',
                 Authorization: 'Basic ' + Buffer.from(prov.xapi.username + ':' + prov.xapi.password).toString('base64') },
      body: JSON.stringify({ actor: { mbox: 'mailto:' + addr }, verb: { id: 'http://adlnet.gov/expapi/verbs/completed' },
                             object: { id: base + '/courses/XME' }, result: { completion: true } }),
    });
    assert.equal(stmt.status, 200, await stmt.text());

    // The link opens /me with the code filled in; Confirm confirms.
    await page.goto(BASE + '/me?mbox_code=' + link[1]);
    await page.waitForSelector('#mbox-link-hint:not([hidden])');
    assert.equal(await page.inputValue('#mbox-code'), link[1]);
    await page.waitForSelector('#mboxes:not([hidden])');
    await page.click('#mbox-confirm button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#mboxes tbody td:nth-child(2)')?.textContent === '確認済み');
    // The status line follows once the records and the list have been reloaded.
    await page.waitForFunction(() => /を確認しました/.test(document.getElementById('status').textContent));
    assert.match(await page.textContent('#status'), /確認前に講習機関から届いていた 1 件の修了を受講記録に反映しました/);
    await page.waitForFunction((r) => document.getElementById('completions').textContent.includes('講座 XME ' + r), RUN);
    assert.deepEqual(await axeViolations(page), []);
    await page.locator('#mbox-h').scrollIntoViewIfNeeded();
    await screenshot(page, 'me-mbox-ja');

    // English.
    await page.click('[data-lang-toggle]');
    assert.equal(await page.textContent('#mbox-h'), 'E-mail addresses for training providers (xAPI)');
    assert.equal(await page.textContent('#mboxes tbody td:nth-child(2)'), 'Confirmed');
    // A wrong code is refused in the reader's language.
    await page.fill('#mbox-code', 'AAAA-BBBB-CCCC');
    await page.click('#mbox-confirm button[type=submit]');
    await page.waitForFunction(() => /confirmation code is wrong/.test(document.querySelector('#status').textContent));
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'me-mbox-en');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
