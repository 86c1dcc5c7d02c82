// The landing page: Japanese by default, English on request, keyboard reachable, no axe violations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, axeViolations, BASE } from './browser.mjs';

test('landing page in Japanese, switches to English, passes axe', async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(BASE + '/');
    assert.equal(await page.getAttribute('html', 'lang'), 'ja');
    assert.match(await page.textContent('h1'), /試験・登録システム/);
    assert.deepEqual(await axeViolations(page), []);

    // Keyboard: Tab reaches the language switch, Enter switches to English.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.hasAttribute('data-lang-toggle')), true);
    await page.keyboard.press('Enter');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.match(await page.textContent('h1'), /Exam and register system/);
    // The choice survives a reload (cookie) and the server answers errors in English too.
    await page.reload();
    assert.match(await page.textContent('h1'), /Exam and register system/);
    assert.deepEqual(errors, []);
    const problem = await page.evaluate(async () => (await fetch('/no-such-thing')).json());
    assert.equal(problem.title, 'Not found');
  } finally {
    await browser.close();
  }
});
