// Public register search: renders published fields with textContent only.
(function () {
  'use strict';
  function $(id) { return document.getElementById(id); }
  function en() { return window.rissI18n && window.rissI18n.current() === 'en'; }
  var ST = { active: '有効', suspended: '停止', lapsed: '失効', cancelled: '取消', deregistered: '登録抹消' };
  document.addEventListener('DOMContentLoaded', function () {
    $('search-form').addEventListener('submit', function (e) {
      e.preventDefault();
      $('status').textContent = en() ? 'Searching…' : '検索しています…';
      fetch('/api/v1/register/search?q=' + encodeURIComponent($('q').value.trim())).then(function (r) {
        return r.json().then(function (b) {
          if (!r.ok) throw new Error(b.detail || r.status);
          var tb = $('rows');
          while (tb.firstChild) tb.removeChild(tb.firstChild);
          b.results.forEach(function (p) {
            var tr = document.createElement('tr');
            var name = [p.name, p.name_kana, p.name_latn].filter(Boolean).join(' / ') || '—';
            [p.regno, name, p.reg_date || '—', p.valid_until || '—', en() ? p.status : (ST[p.status] || p.status)]
              .forEach(function (v) { var td = document.createElement('td'); td.textContent = v; tr.appendChild(td); });
            tb.appendChild(tr);
          });
          $('results').hidden = b.results.length === 0;
          $('status').textContent = b.results.length === 0 ? (en() ? 'No match.' : '該当者はいません。')
            : (en() ? b.results.length + ' found.' : b.results.length + ' 件見つかりました。');
        });
      }).catch(function (err) { $('status').textContent = err.message; });
    });
  });
})();
