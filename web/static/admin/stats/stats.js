// /admin/stats: exam-result statistics from GET /api/v1/stats/results, rendered with textContent.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  function en() { return document.documentElement.lang === 'en'; }
  function cell(tr, text, num, header) {
    var td = document.createElement(header ? 'th' : 'td');
    if (header) td.scope = 'row';
    td.textContent = text;
    if (num) td.className = 'num';
    tr.appendChild(td);
  }
  function figures(tr, g) {
    if (g.suppressed) {
      var td = document.createElement('td');
      td.colSpan = 4;
      td.textContent = en() ? 'withheld (fewer than 5)' : '非公表（5 人未満）';
      tr.appendChild(td);
      return;
    }
    cell(tr, String(g.sittings), true);
    cell(tr, String(g.passed), true);
    cell(tr, (g.pass_rate * 100).toFixed(1) + '%', true);
    cell(tr, g.mean_scaled.toFixed(1), true);
  }
  function fill(body, rows, render) {
    body.textContent = '';
    rows.forEach(function (r) { var tr = document.createElement('tr'); render(tr, r); body.appendChild(tr); });
  }
  function show(doc) {
    var t = $('total');
    t.textContent = '';
    var rows = doc.total.suppressed ? [[en() ? 'Sittings' : '受験者数', en() ? 'withheld (fewer than 5)' : '非公表（5 人未満）']] : [
      [en() ? 'Sittings' : '受験者数', String(doc.total.sittings)],
      [en() ? 'Passed' : '合格者数', String(doc.total.passed)],
      [en() ? 'Pass rate' : '合格率', (doc.total.pass_rate * 100).toFixed(1) + '%'],
      [en() ? 'Mean score' : '平均スコア', doc.total.mean_scaled.toFixed(1)],
      [en() ? 'Median score' : 'スコア中央値', doc.total.median_scaled.toFixed(1)],
      [en() ? 'Standard deviation' : '標準偏差', doc.total.sd_scaled.toFixed(1)]];
    rows.forEach(function (r) { var tr = document.createElement('tr'); cell(tr, r[0], false, true); cell(tr, r[1], true); t.appendChild(tr); });
    fill($('centres'), doc.by_centre, function (tr, g) { cell(tr, g.centre, false, true); cell(tr, g.prefecture); figures(tr, g); });
    fill($('months'), doc.by_month, function (tr, g) { cell(tr, g.month, false, true); figures(tr, g); });
    fill($('hist'), doc.score_histogram, function (tr, h) {
      cell(tr, h.from + '–' + h.to, false, true);
      cell(tr, h.suppressed ? (en() ? '1–4' : '1〜4') : String(h.count), true);
    });
    $('results').hidden = false;
  }
  function load() {
    var q = [];
    if ($('from').value) q.push('from=' + encodeURIComponent($('from').value));
    if ($('to').value) q.push('to=' + encodeURIComponent($('to').value));
    $('status').textContent = en() ? 'Loading…' : '集計しています…';
    window.rissStaff.call('GET', '/api/v1/stats/results' + (q.length ? '?' + q.join('&') : ''))
      .then(function (doc) { $('status').textContent = ''; show(doc); })
      .catch(function (e) {
        $('status').textContent = e.status === 401 ? (en() ? 'Please sign in at /admin first.' : '先に /admin でサインインしてください。') : e.message;
      });
  }
  document.addEventListener('DOMContentLoaded', function () {
    $('filter').addEventListener('submit', function (ev) { ev.preventDefault(); load(); });
    load();
  });
})();
