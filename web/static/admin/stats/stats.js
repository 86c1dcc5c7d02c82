// /admin/stats: exam-result statistics from GET /api/v1/stats/results, rendered with textContent.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var t = function (id, args) { return window.rissI18n.t(id, args); };
  var last = null;
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
      td.textContent = t('page.stats.withheld');
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
    last = doc;
    var total = $('total');
    total.textContent = '';
    var rows = doc.total.suppressed ? [[t('page.stats.n'), t('page.stats.withheld')]] : [
      [t('page.stats.n'), String(doc.total.sittings)],
      [t('page.stats.passed'), String(doc.total.passed)],
      [t('page.stats.rate'), (doc.total.pass_rate * 100).toFixed(1) + '%'],
      [t('page.stats.mean'), doc.total.mean_scaled.toFixed(1)],
      [t('page.stats.median'), doc.total.median_scaled.toFixed(1)],
      [t('page.stats.sd'), doc.total.sd_scaled.toFixed(1)]];
    rows.forEach(function (r) { var tr = document.createElement('tr'); cell(tr, r[0], false, true); cell(tr, r[1], true); total.appendChild(tr); });
    fill($('centres'), doc.by_centre, function (tr, g) { cell(tr, g.centre, false, true); cell(tr, g.prefecture); figures(tr, g); });
    fill($('months'), doc.by_month, function (tr, g) { cell(tr, g.month, false, true); figures(tr, g); });
    fill($('hist'), doc.score_histogram, function (tr, h) {
      cell(tr, h.from + '–' + h.to, false, true);
      cell(tr, h.suppressed ? t('page.stats.few') : String(h.count), true);
    });
    $('results').hidden = false;
  }
  function load() {
    var q = [];
    if ($('from').value) q.push('from=' + encodeURIComponent($('from').value));
    if ($('to').value) q.push('to=' + encodeURIComponent($('to').value));
    $('status').textContent = t('page.stats.loading');
    $('status').className = '';
    window.rissStaff.call('GET', '/api/v1/stats/results' + (q.length ? '?' + q.join('&') : ''))
      .then(function (doc) { $('status').textContent = ''; show(doc); })
      .catch(function (e) {
        $('status').textContent = e.status === 401 ? t('page.staff.sign_in_first') : e.message;
        $('status').className = 'error';
      });
  }
  document.addEventListener('DOMContentLoaded', function () {
    $('filter').addEventListener('submit', function (ev) { ev.preventDefault(); load(); });
    document.addEventListener('riss:lang', function () { if (last) show(last); });
    load();
  });
})();
