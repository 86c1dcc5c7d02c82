// Printable registration card for /card?regno=NNNNNN (registrars): fields, QR, colour.
(function () {
  'use strict';
  function $(id) { return document.getElementById(id); }
  function en() { return window.rissI18n && window.rissI18n.current() === 'en'; }
  var COLOUR = { green: ['緑（初回登録）', 'green (first registration)'], blue: ['青（更新 1 回）', 'blue (renewed once)'],
                 gold: ['金（更新 2 回以上）', 'gold (renewed twice or more)'] };
  var colour = null;
  // Texts that are attributes, not element text, follow the page language too.
  function label() {
    $('qr').alt = en() ? 'QR code to verify this registration' : 'この登録を確認する QR コード';
    if (colour && COLOUR[colour]) $('card').setAttribute('aria-label', (en() ? 'Registration card, ' : '登録証、') + COLOUR[colour][en() ? 1 : 0]);
  }
  document.addEventListener('DOMContentLoaded', function () {
    $('print').addEventListener('click', function () { window.print(); });
    document.querySelectorAll('[data-lang-toggle]').forEach(function (b) {
      b.addEventListener('click', function () { setTimeout(label, 0); });
    });
    var regno = new URLSearchParams(window.location.search).get('regno') || '';
    fetch('/api/v1/registry/card?regno=' + encodeURIComponent(regno), { credentials: 'same-origin' }).then(function (r) {
      return r.json().then(function (c) {
        if (!r.ok) throw new Error(c.detail || r.status);
        ['regno', 'date_of_birth', 'reg_date', 'renewal_count', 'valid_until', 'exam_pass_date'].forEach(function (k) {
          $(k).textContent = String(c[k]);
        });
        $('name').textContent = c.name + '（' + c.name_kana + '） ' + c.name_latn;
        $('card').className = 'card ' + c.colour;
        colour = c.colour;
        label();
        if (c.verify_url) {
          $('qr').src = '/api/v1/registry/card/qr.svg?regno=' + encodeURIComponent(regno);
          $('qr').hidden = false;
        }
        $('card').hidden = false;
      });
    }).catch(function (e) { $('status').textContent = e.message; });
  });
})();
