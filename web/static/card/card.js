// Printable registration card for /card?regno=NNNNNN (registrars): fields, QR, colour by
// renewal count; a registration that is not in force (suspended, cancelled, lapsed,
// deregistered, or not yet begun) says so across the card and prints no QR to rely on.
(function () {
  'use strict';
  function $(id) { return document.getElementById(id); }
  function t(id, args) { return window.rissI18n.t(id, args); }
  var card = null;
  var COLOUR = { green: 'page.card.colour-green', blue: 'page.card.colour-blue', gold: 'page.card.colour-gold' };
  var VOID = { pending: 'page.card.void-pending', suspended: 'page.card.void-suspended', ended: 'page.card.void-ended' };
  function label() {
    if (!card) return;
    var st = card.effective_status || card.status;
    $('qr').alt = t('page.card.qr-alt');
    $('card').setAttribute('aria-label', t('page.card.aria', [t(COLOUR[card.colour] || 'page.card.colour-green')]));
    var inForce = st === 'active';
    $('void').hidden = inForce;
    if (!inForce) {
      $('void-h').textContent = t('page.card.void-h', [window.rissI18n.state('registration', st)]);
      // The public reason's sentence (the registrar's choice, else the status's own).
      var code = card.status === 'lapsed' || !card.public_reason ? card.status : card.public_reason;
      var why = st !== 'pending' && window.rissI18n.has('verify.status_reason.' + code) ? ' ' + t('verify.status_reason.' + code) : '';
      $('void-text').textContent = t(VOID[st === 'pending' || st === 'suspended' ? st : 'ended'], [card.reg_date]) + why;
    }
  }
  document.addEventListener('DOMContentLoaded', function () {
    $('print').addEventListener('click', function () { window.print(); });
    document.addEventListener('riss:lang', label);
    var regno = new URLSearchParams(window.location.search).get('regno') || '';
    fetch('/api/v1/registry/card?regno=' + encodeURIComponent(regno), { credentials: 'same-origin' }).then(function (r) {
      return r.json().then(function (c) {
        if (!r.ok) throw new Error(c.detail || c.title || String(r.status));
        ['regno', 'date_of_birth', 'reg_date', 'renewal_count', 'valid_until', 'exam_pass_date'].forEach(function (k) {
          $(k).textContent = String(c[k]);
        });
        $('name').textContent = c.name + '（' + c.name_kana + '） ' + c.name_latn;
        var st = c.effective_status || c.status;
        $('card').className = 'card ' + c.colour + (st === 'active' ? '' : ' not-in-force st-' + st);
        card = c;
        label();
        if (c.verify_url && st === 'active') {
          $('qr').src = '/api/v1/registry/card/qr.svg?regno=' + encodeURIComponent(regno);
          $('qr').hidden = false;
        }
        $('card').hidden = false;
      });
    }).catch(function (e) { $('status').textContent = e.message; });
  });
})();
