// Printable registration card for /card?regno=NNNNNN (registrars): fields, QR, colour.
(function () {
  'use strict';
  function $(id) { return document.getElementById(id); }
  document.addEventListener('DOMContentLoaded', function () {
    $('print').addEventListener('click', function () { window.print(); });
    var regno = new URLSearchParams(window.location.search).get('regno') || '';
    fetch('/api/v1/registry/card?regno=' + encodeURIComponent(regno), { credentials: 'same-origin' }).then(function (r) {
      return r.json().then(function (c) {
        if (!r.ok) throw new Error(c.detail || r.status);
        ['regno', 'date_of_birth', 'reg_date', 'renewal_count', 'valid_until', 'exam_pass_date'].forEach(function (k) {
          $(k).textContent = String(c[k]);
        });
        $('name').textContent = c.name + '（' + c.name_kana + '） ' + c.name_latn;
        $('card').className = 'card ' + c.colour;
        $('card').setAttribute('aria-label', c.colour);
        if (c.verify_url) {
          $('qr').src = '/api/v1/registry/card/qr.svg?regno=' + encodeURIComponent(regno);
          $('qr').hidden = false;
        }
        $('card').hidden = false;
      });
    }).catch(function (e) { $('status').textContent = e.message; });
  });
})();
