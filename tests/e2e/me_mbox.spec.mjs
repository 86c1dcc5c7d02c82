// A registrant at /me adds an e-mail address for training providers' LMSs (xAPI), gets the
// confirmation mail from the real SMTP server on loopback, opens its link and confirms; the
// section in Japanese and English, axe-core clean in each state. Screenshots me-mbox-ja/en.
// rissd-set: jobs_interval=0
// smtp-sink
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { launch, axeViolations, screenshot, BASE } from './browser.mjs';
import { staffClient, totp, PASSWORD } from './staff.mjs';

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

    // The link opens /me with the code filled in; Confirm confirms.
    await page.goto(BASE + '/me?mbox_code=' + link[1]);
    await page.waitForSelector('#mbox-link-hint:not([hidden])');
    assert.equal(await page.inputValue('#mbox-code'), link[1]);
    await page.waitForSelector('#mboxes:not([hidden])');
    await page.click('#mbox-confirm button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#mboxes tbody td:nth-child(2)')?.textContent === '確認済み');
    assert.match(await page.textContent('#status'), /を確認しました/);
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
