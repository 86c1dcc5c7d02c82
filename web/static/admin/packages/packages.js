// /admin/packages: the psychometrician's and auditor's desk for exam packages — the list
// (state, hash, publisher, times in Japan time, the windows using each), a package's contents
// (blueprint per part and domain, item counts, exposure control), the comparison of two
// packages, and activation and retirement after a dialog that says what will happen (the
// server's refusal is shown in the page's language). Rendered with textContent only.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var t = function (id, args) { return window.rissI18n.t(id, args); };
  var call = function (m, p, b) { return window.rissStaff.call(m, p, b); };
  var canChange = false;
  var packages = [];   // as GET /api/v1/bank/packages lists them, newest first
  var windows = [];    // GET /api/v1/bank/packages/windows
  var shown = null;    // id of the package whose contents are shown
  var compared = null; // [from, to] of the comparison shown

  function status(text, isError) {
    $('status').textContent = text || '';
    $('status').className = isError ? 'error' : '';
  }
  function fail(e) { status(e.message, true); }
  function el(tag, text, attrs) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function cell(tr, content, cls) {
    var td = el('td', null, cls ? { class: cls } : undefined);
    if (content instanceof Node) td.appendChild(content); else td.textContent = content === null || content === undefined ? '' : String(content);
    tr.appendChild(td);
    return td;
  }
  function num(n) { return Number(n).toLocaleString(window.rissI18n.current() === 'en' ? 'en-GB' : 'ja-JP'); }
  function fixed(x, d) { return x === null || x === undefined ? '' : Number(x).toFixed(d); }
  // An instant as YYYY-MM-DD HH:MM in Japan time (the page says all times are Japan time).
  function jst(iso) {
    if (!iso) return '';
    var parts = {};
    new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit',
                                       hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(iso)).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + '-' + parts.month + '-' + parts.day + ' ' + parts.hour + ':' + parts.minute;
  }
  function stateText(s) { return window.rissI18n.state('package', s); }
  function who(actor) { return (actor || '').replace(/^staff:/, ''); }
  function windowsOf(id) { return windows.filter(function (w) { return w.package === id; }); }
  function windowName(w) { return w.open ? w.name : t('pkgdesk.window_closed', [w.name]); }
  // Between names in a list: the Japanese comma, or ", " in English.
  function sep() { return window.rissI18n.current() === 'en' ? ', ' : '、'; }
  function byId(id) { return packages.filter(function (p) { return p.id === id; })[0]; }

  function copyHash(p, button) {
    var done = function () { status(t('pkgdesk.copied', [p.id])); };
    var fallback = function () {
      var ta = el('textarea', p.sha256, { 'aria-hidden': 'true', readonly: '' });
      ta.style.position = 'fixed'; ta.style.opacity = '0';
      document.body.appendChild(ta);
      ta.select();
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (x) { ok = false; }
      document.body.removeChild(ta);
      button.focus();
      if (ok) done(); else status(t('pkgdesk.copy_failed'), true);
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(p.sha256).then(done, fallback);
    else fallback();
  }
  function hashCell(p) {
    var box = el('span', null, { class: 'hashbox' });
    box.appendChild(el('code', p.sha256.slice(0, 12), { class: 'hash', 'data-sha256': p.sha256 }));
    box.appendChild(document.createTextNode(' '));
    var b = el('button', t('pkgdesk.copy'), { type: 'button', 'aria-label': t('pkgdesk.copy_label', [p.id]), 'data-copy': String(p.id) });
    b.addEventListener('click', function () { copyHash(p, b); });
    box.appendChild(b);
    return box;
  }
  function actionButton(text, label, onClick, cls) {
    var b = el('button', t(text), { type: 'button', 'aria-label': label });
    if (cls) b.className = cls;
    b.addEventListener('click', onClick);
    return b;
  }

  function renderList() {
    var tb = $('list').tBodies[0];
    clear(tb);
    $('none').hidden = packages.length > 0;
    $('list-box').hidden = packages.length === 0;
    packages.forEach(function (p) {
      var tr = el('tr', null, { 'data-package': String(p.id) });
      cell(tr, String(p.id), 'num');
      cell(tr, p.exam);
      cell(tr, el('span', stateText(p.state), { class: 'state-' + p.state, 'data-state': p.state }));
      cell(tr, num(p.items), 'num');
      cell(tr, hashCell(p));
      cell(tr, who(p.publisher));
      cell(tr, jst(p.created_at));
      cell(tr, jst(p.activated_at));
      cell(tr, jst(p.retired_at));
      var ws = windowsOf(p.id);
      cell(tr, ws.length ? ws.map(windowName).join(sep()) : t('pkgdesk.no_window'), 'windows');
      var acts = el('span', null, { class: 'actions' });
      acts.appendChild(actionButton('pkgdesk.show', t('pkgdesk.show_label', [p.id]), function () { showDetail(p.id); }));
      if (canChange && p.state === 'published')
        acts.appendChild(actionButton('pkgdesk.activate', t('pkgdesk.activate_label', [p.id]), function () { confirmStep(p, 'activate'); }, 'primary'));
      if (canChange && p.state !== 'retired')
        acts.appendChild(actionButton('pkgdesk.retire', t('pkgdesk.retire_label', [p.id]), function () { confirmStep(p, 'retire'); }, 'danger'));
      cell(tr, acts);
      tb.appendChild(tr);
    });
    renderCompareChoices();
  }
  function renderCompareChoices() {
    ['cmp-from', 'cmp-to'].forEach(function (id, k) {
      var sel = $(id), was = sel.value;
      clear(sel);
      packages.forEach(function (p) {
        sel.appendChild(el('option', t('pkgdesk.compare.option', [p.id, p.exam, stateText(p.state)]), { value: String(p.id) }));
      });
      // By default the newest package against the one before it.
      var dflt = packages[k === 0 ? Math.min(1, packages.length - 1) : 0];
      sel.value = was && byId(Number(was)) ? was : dflt ? String(dflt.id) : '';
    });
  }
  function load() {
    return Promise.all([call('GET', '/api/v1/bank/packages'), call('GET', '/api/v1/bank/packages/windows')])
      .then(function (r) {
        packages = r[0].packages || [];
        windows = r[1].windows || [];
        renderList();
      });
  }

  function fact(dl, term, value) {
    dl.appendChild(el('dt', t(term)));
    var dd = el('dd');
    if (value instanceof Node) dd.appendChild(value); else dd.textContent = value;
    dl.appendChild(dd);
    return dd;
  }
  function partLabel(name) { return t('part.' + String(name).toLowerCase()); }
  function domainLabel(name) { return window.rissI18n.has('domain.' + name) ? t('domain.' + name) : t('state.unknown'); }
  function renderDetail(s) {
    $('detail-h').textContent = t('pkgdesk.detail_h', [s.id]);
    var dl = $('detail-summary');
    clear(dl);
    fact(dl, 'pkgdesk.col.state', stateText(s.state));
    var full = el('span');
    full.appendChild(el('code', s.sha256, { class: 'hash full', id: 'detail-sha256' }));
    full.appendChild(document.createTextNode(' '));
    var p = byId(s.id) || { id: s.id, sha256: s.sha256 };
    var b = el('button', t('pkgdesk.copy'), { type: 'button', 'aria-label': t('pkgdesk.copy_label', [s.id]) });
    b.addEventListener('click', function () { copyHash(p, b); });
    full.appendChild(b);
    fact(dl, 'pkgdesk.detail.sha256', full);
    fact(dl, 'pkgdesk.col.exam', s.exam);
    var examName = window.rissI18n.has('pkgdesk.exam_name.' + s.exam.toLowerCase()) ? t('pkgdesk.exam_name.' + s.exam.toLowerCase()) : s.exam;
    fact(dl, 'pkgdesk.detail.definition', t('pkgdesk.detail.definition_v', [examName, s.definition.version]));
    fact(dl, 'pkgdesk.detail.items', t('pkgdesk.detail.items_v', [num(s.items), num(s.operational), num(s.pretest)]));
    fact(dl, 'pkgdesk.detail.models', Object.keys(s.models).sort().map(function (m) {
      var name = window.rissI18n.has('pkgdesk.model.' + m) ? t('pkgdesk.model.' + m) : t('state.unknown');
      return t('pkgdesk.model_count', [name, num(s.models[m])]);
    }).join(sep()));
    fact(dl, 'pkgdesk.detail.length', t('pkgdesk.detail.length_v', [s.definition.min_items, s.definition.max_items, s.definition.pretest_items]));
    if (s.definition.time_limit_s) fact(dl, 'pkgdesk.detail.time', t('pkgdesk.detail.time_v', [Math.round(s.definition.time_limit_s / 60)]));
    fact(dl, 'pkgdesk.col.publisher', who(s.publisher));
    fact(dl, 'pkgdesk.col.published', jst(s.created_at));
    if (s.activated_at) fact(dl, 'pkgdesk.col.activated', jst(s.activated_at));
    if (s.superseded_at) fact(dl, 'pkgdesk.col.superseded', jst(s.superseded_at));
    if (s.retired_at) fact(dl, 'pkgdesk.col.retired', jst(s.retired_at));
    var ws = windowsOf(s.id);
    fact(dl, 'pkgdesk.col.windows', ws.length ? ws.map(windowName).join(sep()) : t('pkgdesk.no_window'));
    fact(dl, 'pkgdesk.detail.versions', el('code', s.exam_version + ' / ' + s.bank_version, { class: 'hash' }));

    var tb = $('parts').tBodies[0];
    clear(tb);
    s.parts.forEach(function (pt) {
      var tr = el('tr');
      tr.appendChild(el('th', partLabel(pt.name), { scope: 'row' }));
      cell(tr, t('pkgdesk.detail.range', [pt.min, pt.max]), 'num');
      cell(tr, num(pt.trial), 'num');
      cell(tr, num(pt.operational), 'num');
      cell(tr, num(pt.pretest), 'num');
      tb.appendChild(tr);
    });
    tb = $('domains').tBodies[0];
    clear(tb);
    s.domains.forEach(function (d) {
      var tr = el('tr', null, { 'data-domain': d.name });
      tr.appendChild(el('th', domainLabel(d.name), { scope: 'row' }));
      cell(tr, partLabel(d.part));
      cell(tr, t('pkgdesk.detail.range', [d.min, d.max]), 'num');
      cell(tr, num(d.operational), 'num');
      cell(tr, num(d.pretest), 'num');
      tb.appendChild(tr);
    });
    var x = s.exposure, ex = $('exposure');
    clear(ex);
    fact(ex, 'pkgdesk.detail.method', window.rissI18n.has('pkgdesk.method.' + x.method) ? t('pkgdesk.method.' + x.method) : t('state.unknown'));
    if (x.method === 'sympson-hetter') {
      fact(ex, 'pkgdesk.detail.target', fixed(x.target, 2));
      fact(ex, 'pkgdesk.detail.sh_k', [fixed(x.sh_k_min, 3), fixed(x.sh_k_mean, 3), fixed(x.sh_k_max, 3)].join(' / '));
      fact(ex, 'pkgdesk.detail.sh_below', num(x.sh_k_below_1));
      if (x.rounds !== null && x.rounds !== undefined)
        fact(ex, 'pkgdesk.detail.sh_rounds', t('pkgdesk.detail.sh_rounds_v', [x.rounds, fixed(x.max_exposure, 3)]) + ' — ' +
             t(x.reached ? 'pkgdesk.detail.reached' : 'pkgdesk.detail.not_reached'));
    } else if (x.method === 'randomesque') {
      fact(ex, 'pkgdesk.detail.method', t('pkgdesk.detail.randomesque_k', [x.randomesque_k]));
    }
    $('detail').hidden = false;
  }
  function showDetail(id, keepFocus) {
    if (!keepFocus) status(t('pkgdesk.loading'));
    return call('GET', '/api/v1/bank/packages/show?id=' + encodeURIComponent(id)).then(function (s) {
      shown = id;
      renderDetail(s);
      if (!keepFocus) { status(''); $('detail-h').focus(); }
    }).catch(fail);
  }

  function params(p) {
    return { a: fixed(p.a, 3), b: fixed(p.b, 3), c: fixed(p.c, 3), k: fixed(p.sh_k, 3) };
  }
  function renderDiff(d) {
    $('diff-h').textContent = t('pkgdesk.compare.result_h', [d.from, d.to]);
    var ul = $('diff-summary');
    clear(ul);
    ul.appendChild(el('li', t('pkgdesk.compare.added', [d.added.length])));
    ul.appendChild(el('li', t('pkgdesk.compare.removed', [d.removed.length])));
    // Recalibrated items (a, b, c or the model) apart from those whose exposure parameter k
    // alone moved (a new Sympson-Hetter simulation at publication moves many).
    var irt = function (c) { return c.from.model !== c.to.model || ['a', 'b', 'c'].some(function (k) { return fixed(c.from[k], 3) !== fixed(c.to[k], 3); }); };
    var changed = d.parameters_changed.filter(irt), kOnly = d.parameters_changed.filter(function (c) { return !irt(c); });
    var n = d.parameters_changed.length;
    ul.appendChild(el('li', n ? t('pkgdesk.compare.params_detail', [n, changed.length, kOnly.length]) : t('pkgdesk.compare.params', [0]),
                      { id: 'diff-params-n' }));
    ul.appendChild(el('li', t('pkgdesk.compare.content', [d.content_changed.length])));
    ul.appendChild(el('li', t(d.exam_changed ? 'pkgdesk.compare.exam_changed' : 'pkgdesk.compare.exam_same')));
    if (!d.added.length && !d.removed.length && !d.parameters_changed.length && !d.content_changed.length)
      ul.appendChild(el('li', t('pkgdesk.compare.identical')));
    var lists = $('diff-lists');
    clear(lists);
    [['added', 'pkgdesk.compare.added'], ['removed', 'pkgdesk.compare.removed'], ['content_changed', 'pkgdesk.compare.content']]
      .forEach(function (k) {
        if (!d[k[0]].length) return;
        var p = el('p', null, { 'data-list': k[0] });
        p.appendChild(el('strong', t(k[1], [d[k[0]].length])));
        p.appendChild(document.createTextNode(' '));
        p.appendChild(el('code', d[k[0]].join(', ')));
        lists.appendChild(p);
      });
    var table = $('diff-params'), tb = table.tBodies[0];
    clear(tb);
    table.hidden = changed.length === 0;
    changed.forEach(function (c) {
      var a = params(c.from), b = params(c.to);
      var tr = el('tr', null, { 'data-item': c.id });
      tr.appendChild(el('th', c.id, { scope: 'row' }));
      var m = c.from.model === c.to.model ? c.from.model : c.from.model + ' → ' + c.to.model;
      cell(tr, m.toUpperCase());
      ['a', 'b', 'c', 'k'].forEach(function (k) {
        cell(tr, a[k] === b[k] ? a[k] : a[k] + ' → ' + b[k], 'num' + (a[k] === b[k] ? '' : ' changed'));
      });
      tb.appendChild(tr);
    });
    // The items whose k alone moved: folded away, they are many and expected.
    var kb = $('diff-k').tBodies[0];
    clear(kb);
    $('diff-k-box').hidden = kOnly.length === 0;
    $('diff-k-summary').textContent = t('pkgdesk.compare.k_show', [kOnly.length]);
    kOnly.forEach(function (c) {
      var tr = el('tr', null, { 'data-item': c.id });
      tr.appendChild(el('th', c.id, { scope: 'row' }));
      cell(tr, fixed(c.from.sh_k, 3), 'num');
      cell(tr, fixed(c.to.sh_k, 3), 'num');
      kb.appendChild(tr);
    });
    $('diff').hidden = false;
  }
  function compare(from, to, focus) {
    return call('GET', '/api/v1/bank/packages/compare?from=' + from + '&to=' + to).then(function (d) {
      compared = [from, to];
      renderDiff(d);
      status('');
      if (focus) $('diff-h').focus();
    });
  }

  // The confirmation: what the act will do, then the server's answer (its refusal, in the
  // page's language, stays in the dialog).
  function confirmStep(p, act) {
    var d = $('dlg'), opener = document.activeElement;
    var short = p.sha256.slice(0, 12);
    var lines = [];
    if (act === 'activate') {
      $('dlg-h').textContent = t('pkgdesk.dlg.activate_h', [p.id]);
      $('dlg-text').textContent = t('pkgdesk.dlg.activate_text', [p.id, p.exam, num(p.items), short]);
      var cur = packages.filter(function (q) { return q.exam === p.exam && q.state === 'active'; })[0];
      lines.push(cur ? t('pkgdesk.dlg.supersede', [cur.id]) : t('pkgdesk.dlg.no_active', [p.exam]));
      var kept = cur ? windowsOf(cur.id).filter(function (w) { return w.open; }) : [];
      if (kept.length) lines.push(t('pkgdesk.dlg.supersede_windows', [cur.id, kept.map(function (w) { return w.name; }).join(sep())]));
      lines.push(t('pkgdesk.dlg.windows_keep'));
      $('dlg-ok').textContent = t('pkgdesk.dlg.activate_ok');
      $('dlg-ok').className = 'primary';
    } else {
      $('dlg-h').textContent = t('pkgdesk.dlg.retire_h', [p.id]);
      $('dlg-text').textContent = t('pkgdesk.dlg.retire_text', [p.id, p.exam, num(p.items), short]);
      lines.push(t('pkgdesk.dlg.retire_final'));
      if (p.state === 'active') lines.push(t('pkgdesk.dlg.retire_active', [p.exam]));
      var ws = windowsOf(p.id).filter(function (w) { return w.open; });
      if (ws.length) lines.push(t('pkgdesk.dlg.retire_windows', [ws.map(function (w) { return w.name; }).join(sep())]));
      $('dlg-ok').textContent = t('pkgdesk.dlg.retire_ok');
      $('dlg-ok').className = 'danger';
    }
    lines.push(t('pkgdesk.dlg.audited'));
    var ul = $('dlg-consequences');
    clear(ul);
    lines.forEach(function (l) { ul.appendChild(el('li', l)); });
    $('dlg-error').textContent = '';
    $('dlg-ok').hidden = false;
    $('dlg-ok').disabled = false;
    $('dlg-cancel').textContent = t('pkgdesk.dlg.cancel');
    function finish() {
      $('dlg-form').removeEventListener('submit', onSubmit);
      $('dlg-cancel').removeEventListener('click', onCancel);
      d.removeEventListener('close', onClose);
    }
    function onClose() { finish(); if (opener && document.body.contains(opener)) opener.focus(); }
    function onCancel() { d.close(); }
    function onSubmit(ev) {
      ev.preventDefault();
      $('dlg-ok').disabled = true;
      call('POST', '/api/v1/bank/packages/' + act, { package: p.id }).then(function () {
        finish();
        d.close();
        status(t(act === 'activate' ? 'pkgdesk.activated' : 'pkgdesk.retired_done', [p.id]));
        return load().then(function () {
          if (shown !== null) return showDetail(shown, true);
        }).then(function () {
          var row = document.querySelector('#list tr[data-package="' + p.id + '"] button');
          if (row) row.focus();
        });
      }).catch(function (e) {
        // Refused: the server's reason, in the page's language; only closing is left.
        $('dlg-error').textContent = t('pkgdesk.refused', [e.message]);
        $('dlg-ok').hidden = true;
        $('dlg-cancel').textContent = t('pkgdesk.dlg.close');
        $('dlg-cancel').focus();
      });
    }
    $('dlg-form').addEventListener('submit', onSubmit);
    $('dlg-cancel').addEventListener('click', onCancel);
    d.addEventListener('close', onClose);
    d.showModal();
    $('dlg-cancel').focus();
  }

  document.addEventListener('riss:lang', function () {
    if ($('desk').hidden) return;
    var again = [load()];
    if (shown !== null) again.push(call('GET', '/api/v1/bank/packages/show?id=' + shown).then(renderDetail));
    if (compared) again.push(compare(compared[0], compared[1], false));
    Promise.all(again).catch(fail);
  });
  document.addEventListener('DOMContentLoaded', function () {
    status(t('pkgdesk.loading'));
    window.rissStaff.me().then(function (m) {
      if (m.role !== 'psychometrician' && m.role !== 'auditor') { var e = new Error(t('pkgdesk.signin_needed')); e.status = 403; throw e; }
      canChange = m.role === 'psychometrician';
      $('read-only').hidden = canChange;
      $('desk').hidden = false;
      return load().then(function () { status(''); });
    }).catch(function (e) {
      if (e.status === 401 || e.status === 403) { status(t('pkgdesk.signin_needed'), true); $('signin').hidden = false; }
      else fail(e);
    });
    $('detail-close').addEventListener('click', function () {
      $('detail').hidden = true;
      var b = document.querySelector('#list tr[data-package="' + shown + '"] button');
      shown = null;
      if (b) b.focus();
    });
    $('compare').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var from = Number($('cmp-from').value), to = Number($('cmp-to').value);
      if (from === to) { status(t('pkgdesk.compare.same'), true); return; }
      status(t('pkgdesk.loading'));
      compare(from, to, true).catch(fail);
    });
  });
})();
