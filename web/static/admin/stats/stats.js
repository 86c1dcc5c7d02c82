// /admin/stats: the agency's statistics tables (GET /api/v1/stats/<table>, after disclosure
// control on the server) as tables and charts (Chart.js, web/frontend's lock file), rendered
// with textContent; every chart draws the figures of a table on the page (data-table).
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var t = function (id, args) { return window.rissI18n.t(id, args); };
  var lang = function () { return window.rissI18n.current(); };
  var tables = [];   // [{name, title, section}]
  var docs = {};     // name -> the last released table
  var charts = {};   // canvas id -> Chart
  var k = 10;
  var centresFilled = false;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (a) { e.setAttribute(a, attrs[a]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function query(extra) {
    var q = [];
    [['period', $('period').value], ['exam', $('exam').value], ['centre', $('centre').value],
      ['prefecture', $('prefecture').value]].forEach(function (p) {
      if (p[1]) q.push(p[0] + '=' + encodeURIComponent(p[1]));
    });
    if (extra) q.push(extra);
    return q.length ? '?' + q.join('&') : '';
  }
  function label(row) { return row.label_id ? t(row.label_id) : (lang() === 'en' && row.label_en) || row.label; }
  function fmt(v, type) {
    if (v === null || v === undefined) return 'x';
    if (type === 'rate') return (v * 100).toFixed(1) + '%';
    if (type === 'score') return v.toFixed(1);
    return v.toLocaleString(lang() === 'en' ? 'en-GB' : 'ja-JP');
  }
  function asOf(doc) {
    if (!doc.as_of) return t('stats.page.never');
    var d = new Date(doc.as_of);
    return t('stats.page.as_of', [d.toLocaleString(lang() === 'en' ? 'en-GB' : 'ja-JP', { timeZone: 'Asia/Tokyo' })]);
  }

  function renderTable(doc) {
    var box = el('section', { class: 'stat', id: 's-' + doc.table, 'aria-labelledby': 'h-' + doc.table });
    box.appendChild(el('h3', { id: 'h-' + doc.table }, t(doc.title)));
    if (doc.not_releasable) {
      // Disclosure control cannot release this table under the filters (409 not-releasable,
      // stats5): said in its place; the other tables are shown as usual.
      box.setAttribute('data-not-releasable', '1');
      box.appendChild(el('p', { class: 'not-releasable', role: 'note' }, t('stats5.table_not_releasable')));
      return box;
    }
    box.appendChild(el('p', { class: 'meta', 'data-as-of': doc.as_of || '' },
      asOf(doc) + (doc.disclosure.applies ? ' · ' + t('stats.page.k', [String(doc.disclosure.k)]) + ' · ' + t('stats.page.suppressed') : '')));
    var dl = el('p', { class: 'dl' });
    var base = '/api/v1/stats/' + doc.table;
    dl.appendChild(el('a', { href: base + query('format=csv'), download: doc.table + '.csv', 'data-format': 'csv' },
      t('stats.page.download_csv')));
    dl.appendChild(el('a', { href: base + query('format=json'), download: doc.table + '.json', 'data-format': 'json' },
      t('stats.page.download_json')));
    box.appendChild(dl);
    var table = el('table', { id: 't-' + doc.table, 'aria-labelledby': 'h-' + doc.table });
    var head = el('tr');
    head.appendChild(el('th', { scope: 'col' }, t('stats.page.group')));
    doc.columns.forEach(function (c) { head.appendChild(el('th', { scope: 'col' }, t(c.label_id))); });
    table.appendChild(el('thead')).appendChild(head);
    var body = el('tbody');
    doc.rows.concat([doc.total]).forEach(function (r) {
      var tr = el('tr', { 'data-key': r.key });
      tr.appendChild(el('th', { scope: 'row' }, label(r)));
      doc.columns.forEach(function (c) {
        var v = r.values[c.key];
        tr.appendChild(el('td', { class: v === null ? 'num x' : 'num', 'data-col': c.key }, fmt(v, c.type)));
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    box.appendChild(table);
    return box;
  }

  function chart(id, config) {
    if (charts[id]) charts[id].destroy();
    charts[id] = new window.Chart($(id), config);
  }
  function values(doc, key) { return doc.rows.map(function (r) { return r.values[key]; }); }
  function drawCharts() {
    var shown = function (d, id) {
      // A table not releasable under the filters has no chart either (not the last one's).
      if (d && !d.not_releasable) return d;
      if (charts[id]) { charts[id].destroy(); delete charts[id]; $(id).removeAttribute('data-points'); }
      return null;
    };
    var m = shown(docs.exam_by_month, 'c-month'), s = shown(docs.exam_scores, 'c-scores'),
      p = shown(docs.exam_by_prefecture, 'c-pref');
    var common = { responsive: true, maintainAspectRatio: false, animation: false };
    if (m) {
      chart('c-month', {
        data: {
          labels: m.rows.map(label),
          datasets: [
            { type: 'bar', label: t('stats.col.examinees'), data: values(m, 'examinees'), backgroundColor: '#0b4f9c', yAxisID: 'y' },
            { type: 'line', label: t('stats.col.pass_rate'), data: values(m, 'pass_rate').map(function (v) { return v === null ? null : v * 100; }),
              borderColor: '#a4141a', backgroundColor: '#a4141a', yAxisID: 'y1' }]
        },
        options: Object.assign({}, common, {
          scales: { y: { beginAtZero: true, title: { display: true, text: t('stats.col.examinees') } },
            y1: { position: 'right', min: 0, max: 100, grid: { drawOnChartArea: false }, title: { display: true, text: t('stats.col.pass_rate') + ' (%)' } } }
        })
      });
    }
    if (s) {
      chart('c-scores', {
        type: 'bar',
        data: { labels: s.rows.map(label), datasets: [{ label: t('stats.col.examinees'), data: values(s, 'examinees'), backgroundColor: '#0b4f9c' }] },
        options: Object.assign({}, common, { plugins: { legend: { display: false } } })
      });
    }
    if (p) {
      chart('c-pref', {
        type: 'bar',
        data: { labels: p.rows.map(label), datasets: [{ label: t('stats.col.examinees'), data: values(p, 'examinees'), backgroundColor: '#0b4f9c' }] },
        options: Object.assign({}, common, { plugins: { legend: { display: false } } })
      });
    }
    // What the charts show, for the tests and for anyone who reads the page's state.
    Object.keys(charts).forEach(function (id) {
      $(id).setAttribute('data-points', JSON.stringify(charts[id].data.datasets[0].data));
    });
    // A chart with nothing to draw says why (not releasable under the filters, or every
    // figure suppressed) instead of standing empty.
    [['c-month', docs.exam_by_month], ['c-scores', docs.exam_scores], ['c-pref', docs.exam_by_prefecture]].forEach(function (c) {
      var why = '';
      if (c[1] && c[1].not_releasable) why = t('stats5.table_not_releasable');
      else if (c[1] && charts[c[0]] && !charts[c[0]].data.datasets[0].data.some(function (v) { return v !== null; }))
        why = t('stats8.chart_nothing_to_draw');
      var note = $(c[0] + '-why');
      if (!note) {
        note = el('p', { id: c[0] + '-why', class: 'chart-why', role: 'note' }, '');
        $(c[0]).parentNode.parentNode.appendChild(note);
      }
      note.textContent = why;
      note.hidden = !why;
    });
  }

  function render() {
    ['exam', 'register', 'cpd', 'pool', 'skills'].forEach(function (section) {
      var box = $('tables-' + section);
      box.textContent = '';
      tables.forEach(function (tb) { if (tb.section === section && docs[tb.name]) box.appendChild(renderTable(docs[tb.name])); });
    });
    drawCharts();
    $('results').hidden = false;
  }

  function fillCentres(doc) {
    if (centresFilled || !doc) return;
    centresFilled = true;
    doc.rows.forEach(function (r) { $('centre').appendChild(el('option', { value: r.key }, r.label + ' (' + r.key + ')')); });
  }

  function load() {
    $('status').textContent = t('stats.page.loading');
    $('status').className = '';
    var q = query();
    return Promise.all(tables.map(function (tb) {
      return window.rissStaff.call('GET', '/api/v1/stats/' + tb.name + q).then(function (d) { docs[tb.name] = d; },
        function (e) {
          var type = e.problem && e.problem.type || '';
          if (e.status !== 409 || !/\/not-releasable$/.test(type)) throw e;
          docs[tb.name] = { table: tb.name, title: 'stats.table.' + tb.name, section: tb.section, not_releasable: true };
        });
    })).then(function () {
      if (!$('centre').value && docs.exam_by_centre && !docs.exam_by_centre.not_releasable) fillCentres(docs.exam_by_centre);
      $('status').textContent = '';
      $('results').setAttribute('data-query', q);
      render();
    }).catch(function (e) {
      $('status').textContent = e.status === 401 ? t('page.staff.sign_in_first') : e.message;
      $('status').className = 'error';
    });
  }

  function fillPrefectures() {
    var sel = $('prefecture');
    while (sel.options.length > 1) sel.remove(1);
    for (var i = 1; i <= 47; i++) {
      var code = (i < 10 ? '0' : '') + i;
      sel.appendChild(el('option', { value: code }, t('attr.prefecture.' + code)));
    }
  }

  // The published periods (the only date filters the server accepts: stats3): all time, then
  // for the current fiscal year (April-March, Japan) and the three before it the year, its
  // halves and its quarters.
  function fillPeriods() {
    var sel = $('period');
    var keep = sel.value;
    while (sel.children.length > 1) sel.removeChild(sel.lastChild);
    var now = new Date(Date.now() + 9 * 3600 * 1000); // Japan
    var fy = now.getUTCMonth() >= 3 ? now.getUTCFullYear() : now.getUTCFullYear() - 1;
    for (var y = fy; y > fy - 4; y--) {
      var group = el('optgroup', { label: t('stats3.period.fy', [String(y)]) });
      [['', 'fy'], ['-H1', 'h1'], ['-H2', 'h2'], ['-Q1', 'q1'], ['-Q2', 'q2'], ['-Q3', 'q3'], ['-Q4', 'q4']].forEach(function (p) {
        group.appendChild(el('option', { value: y + p[0] }, t('stats3.period.' + p[1], [String(y)])));
      });
      sel.appendChild(group);
    }
    sel.value = keep;
    periodsForFilter();
  }

  // A filtered table is published by fiscal year or for all time (stats8: its slice is protected
  // against the whole over the years only): with a filter, halves and quarters are not offered
  // and a half or quarter chosen before becomes its fiscal year.
  function periodsForFilter() {
    var filtered = !!($('exam').value || $('centre').value || $('prefecture').value);
    var sel = $('period');
    Array.prototype.forEach.call(sel.querySelectorAll('option'), function (o) {
      o.disabled = filtered && o.value.indexOf('-') > 0;
    });
    if (filtered && sel.value.indexOf('-') > 0) sel.value = sel.value.slice(0, 4);
  }

  document.addEventListener('DOMContentLoaded', function () {
    fillPrefectures();
    fillPeriods();
    $('filter').addEventListener('submit', function (ev) { ev.preventDefault(); load(); });
    // One of exam, centre, prefecture at a time (stats7: each filter value's table is protected
    // against the whole and the other values, not a slice of a slice): choosing one clears the others.
    ['exam', 'centre', 'prefecture'].forEach(function (id) {
      $(id).addEventListener('change', function () {
        if ($(id).value)
          ['exam', 'centre', 'prefecture'].forEach(function (other) { if (other !== id) $(other).value = ''; });
        periodsForFilter();
      });
    });
    $('print').addEventListener('click', function () { window.print(); });
    window.addEventListener('beforeprint', function () {
      $('printed').textContent = t('stats.page.printed', [new Date().toLocaleString(lang() === 'en' ? 'en-GB' : 'ja-JP', { timeZone: 'Asia/Tokyo' })]);
    });
    document.addEventListener('riss:lang', function () {
      var keep = $('prefecture').value;
      fillPrefectures();
      $('prefecture').value = keep;
      fillPeriods();
      $('note').textContent = t('stats.page.note', [String(k)]);
      if (Object.keys(docs).length) render();
    });
    window.rissStaff.call('GET', '/api/v1/stats').then(function (l) {
      tables = l.tables;
      k = l.k;
      $('note').textContent = t('stats.page.note', [String(k)]);
      return load();
    }).catch(function (e) {
      $('status').textContent = e.status === 401 ? t('page.staff.sign_in_first') : e.message;
      $('status').className = 'error';
    });
  });
})();
