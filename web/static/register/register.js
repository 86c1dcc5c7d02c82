// Public register search: a number or any part of a published name as people type it (the
// server normalises); each result links to the public verify view of that registration.
// Renders with textContent only; words from the catalogue (page.register.*, state.*).
(function () {
  'use strict';
  function $(id) { return document.getElementById(id); }
  function t(id, args) { return window.rissI18n.t(id, args); }
  function state(code) { return window.rissI18n.state('registration', code); }
  var last = null;
  function render(b) {
    last = b;
    var tb = $('rows');
    while (tb.firstChild) tb.removeChild(tb.firstChild);
    b.results.forEach(function (p) {
      var tr = document.createElement('tr');
      var num = document.createElement('td');
      var a = document.createElement('a');
      a.href = '/verify?regno=' + encodeURIComponent(p.regno);
      a.textContent = p.regno;
      a.setAttribute('aria-label', t('page.register.open', [p.regno]));
      num.appendChild(a);
      tr.appendChild(num);
      var name = document.createElement('td');
      name.textContent = p.name || p.name_latn || p.name_kana || '—';
      [p.name ? p.name_kana : null, p.name || p.name_kana ? p.name_latn : null].filter(Boolean).forEach(function (s) {
        var sp = document.createElement('span');
        sp.className = 'sub';
        sp.textContent = s;
        name.appendChild(sp);
      });
      tr.appendChild(name);
      [p.reg_date || '—', p.valid_until || '—'].forEach(function (v) {
        var td = document.createElement('td'); td.textContent = v; tr.appendChild(td);
      });
      var st = document.createElement('td');
      st.className = 'st st-' + p.status;
      st.textContent = state(p.status);
      // Why a registration is not in force: the public reason's sentence from the catalogue.
      if (p.status_reason) {
        var why = document.createElement('span');
        why.className = 'sub reason';
        var rid = 'verify.status_reason.' + p.status_reason;
        why.textContent = window.rissI18n.has(rid) ? t(rid) : t('verify.status_reason.other');
        st.appendChild(why);
      }
      tr.appendChild(st);
      tb.appendChild(tr);
    });
    $('results').hidden = b.results.length === 0;
    $('status').textContent = b.results.length === 0 ? t('page.register.none') : t('page.register.found', [b.results.length]);
  }
  document.addEventListener('DOMContentLoaded', function () {
    $('search-form').addEventListener('submit', function (e) {
      e.preventDefault();
      $('status').textContent = t('page.register.searching');
      fetch('/api/v1/register/search?q=' + encodeURIComponent($('q').value.trim()), { credentials: 'omit' }).then(function (r) {
        return r.json().then(function (b) {
          if (!r.ok) throw new Error(b.detail || b.title || String(r.status));
          render(b);
        });
      }).catch(function (err) { $('status').textContent = err.message; });
    });
    document.addEventListener('riss:lang', function () { if (last) render(last); });
  });
})();
