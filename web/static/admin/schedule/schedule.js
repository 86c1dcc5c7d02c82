// Agency scheduling page: exam windows, test centres, candidates and bookings through the
// schedule API, and the all-or-nothing CSV booking import that lists every bad row.
// Needs a registrar (or auditor, read-only) session; renders with textContent only.
(function () {
  'use strict';
  var csrf = '';
  var $ = function (id) { return document.getElementById(id); };
  function t(id, args) { return window.rissI18n.t(id, args); }
  var lastSaid = null; // a catalogue message shown in #status, shown again on a language switch
  function say(m, cls) { var s = $('status'); s.textContent = m; s.className = cls || ''; lastSaid = null; }
  function sayMsg(id, args, cls) { say(t(id, args), cls); lastSaid = [id, args, cls]; }
  function api(method, path, body, type) {
    var h = {};
    if (body !== undefined) h['Content-Type'] = type || 'application/json';
    if (method !== 'GET' && csrf) h['X-CSRF-Token'] = csrf;
    return fetch(path, { method: method, headers: h, credentials: 'same-origin',
      body: body === undefined ? undefined : (type ? body : JSON.stringify(body)) })
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (j) { return { status: r.status, body: j }; }); });
  }
  function problem(r) { return window.rissI18n.problem(r.body, r.status); }
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); }
  function fill(id, items, cols) {
    var tb = $(id);
    clear(tb);
    items.forEach(function (o) {
      var tr = document.createElement('tr');
      cols.forEach(function (c) {
        var td = document.createElement('td');
        td.textContent = typeof c === 'function' ? c(o) : (o[c] === null || o[c] === undefined ? '' : String(o[c]));
        tr.appendChild(td);
      });
      tb.appendChild(tr);
    });
  }
  function options(id, items, value, label) {
    var sel = $(id), keep = sel.value;
    clear(sel);
    items.forEach(function (o) {
      var op = document.createElement('option');
      op.value = String(o[value]);
      op.textContent = label(o);
      sel.appendChild(op);
    });
    if (keep) sel.value = keep;
  }
  // Each window's exam package (id, short hash, state) and, while no sitting has started,
  // a choice of another published or active package of the same exam.
  function packageText(id, sha, state) {
    if (!id) return t('page.schedule.package_none');
    return t('page.schedule.package_cell', [id, (sha || '').slice(0, 12), state ? window.rissI18n.state('package', state) : '']);
  }
  function windowRows(wins, pkgs) {
    fill('windows-rows', wins, ['id', 'exam', 'name', 'opens_on', 'closes_on',
      function (w) { return packageText(w.package, w.package_sha256, w.package_state); }, function () { return ''; }]);
    var rows = $('windows-rows').rows;
    wins.forEach(function (w, i) {
      var td = rows[i].cells[6];
      td.setAttribute('data-window', String(w.id));
      var mine = pkgs.filter(function (p) { return p.exam === w.exam; });
      if (w.sittings > 0 || mine.length === 0) {
        td.textContent = w.sittings > 0 ? t('page.schedule.package_fixed') : '';
        return;
      }
      var sel = document.createElement('select');
      sel.setAttribute('aria-label', t('page.schedule.package_pick', [w.name]));
      mine.forEach(function (p) {
        var op = document.createElement('option');
        op.value = String(p.id);
        op.textContent = packageText(p.id, p.sha256, p.state);
        sel.appendChild(op);
      });
      sel.value = String(w.package || mine[0].id);
      var btn = document.createElement('button');
      btn.type = 'button';
      btn.textContent = t('page.schedule.package_change');
      btn.addEventListener('click', function () {
        api('POST', '/api/v1/schedule/windows/package', { window: w.id, package: Number(sel.value) }).then(function (x) {
          if (x.status !== 200) { say(problem(x), 'bad'); return; }
          sayMsg('page.schedule.package_saved', [w.name, x.body.package], 'ok');
          load();
        });
      });
      td.appendChild(sel);
      td.appendChild(btn);
    });
  }
  function load() {
    api('GET', '/api/v1/schedule/windows').then(function (r) {
      if (r.status === 401 || r.status === 403) { $('signin').hidden = false; $('desk').hidden = true; return; }
      if (r.status !== 200) { say(problem(r), 'bad'); return; }
      $('signin').hidden = true; $('desk').hidden = false;
      var wins = r.body.items;
      api('GET', '/api/v1/schedule/packages').then(function (p) { windowRows(wins, p.status === 200 ? p.body.items : []); });
      options('b-window', r.body.items, 'id', function (w) { return t('page.schedule.window_option', [w.name, w.opens_on, w.closes_on]); });
      api('GET', '/api/v1/schedule/centres').then(function (c) {
        if (c.status !== 200) return;
        fill('centres-rows', c.body.items, ['code', 'name', 'prefecture', 'seats']);
        options('b-centre', c.body.items, 'code', function (x) { return x.code + ' ' + x.name; });
      });
      api('GET', '/api/v1/schedule/candidates').then(function (c) {
        if (c.status === 200) fill('candidates-rows', c.body.items, ['id', 'name_kanji', 'name_kana', 'name_romaji', 'birth_date', 'email']);
      });
      api('GET', '/api/v1/schedule/bookings').then(function (b) {
        if (b.status === 200) fill('bookings-rows', b.body.items, ['id', 'name', 'centre', 'sit_on', 'starts_at',
          function (o) { return window.rissI18n.state('booking', o.status); }]);
      });
    });
  }
  function submit(formId, path, body, done) {
    $(formId).addEventListener('submit', function (e) {
      e.preventDefault();
      api('POST', path, body()).then(function (r) {
        if (r.status !== 201 && r.status !== 200) { say(problem(r), 'bad'); return; }
        say(done(r.body), 'ok');
        $(formId).reset();
        load();
      });
    });
  }

  // CSV import problems: each row's message_id (and args) from the catalogue, so a language
  // switch shows them again in the other language without asking the server.
  function rowMessage(e) { return e.message_id && window.rissI18n.has(e.message_id) ? t(e.message_id, e.args) : e.message; }
  function fieldLabel(f) {
    var id = 'page.schedule.col.' + f;
    if (!window.rissI18n.has(id) && window.rissI18n.has('attr.field.' + f)) id = 'attr.field.' + f;
    return window.rissI18n.has(id) ? t(id) : f;
  }
  var lastImport = null;
  function showImport(r) {
    lastImport = r;
    $('import-result').hidden = false;
    var errs = (r.body && r.body.errors) || [];
    if (r.status === 200) {
      $('import-summary').textContent = t('page.schedule.imported', [r.body.imported]);
      $('import-summary').className = 'ok';
    } else {
      $('import-summary').textContent = errs.length ? t('csv.problems_found', [errs.length]) : problem(r);
      $('import-summary').className = 'bad';
    }
    $('import-errors').hidden = errs.length === 0;
    fill('import-rows', errs, [function (e) { return String(e.line); },
      function (e) { return fieldLabel(e.field); }, rowMessage]);
  }

  document.addEventListener('DOMContentLoaded', function () {
    api('GET', '/api/v1/staff/me').then(function (r) {
      if (r.status === 200) csrf = r.body.csrf;
      load();
    });
    $('login').addEventListener('submit', function (e) {
      e.preventDefault();
      api('POST', '/api/v1/staff/login', { username: $('u').value, password: $('pw').value, totp: $('otp').value }).then(function (r) {
        if (r.status !== 200) { say(problem(r), 'bad'); return; }
        csrf = r.body.csrf; say(''); load();
      });
    });
    submit('window-form', '/api/v1/schedule/windows', function () {
      return { exam: $('w-exam').value, name: $('w-name').value, opens_on: $('w-opens').value, closes_on: $('w-closes').value };
    }, function (w) { return t('page.schedule.window_saved', [w.name]); });
    submit('centre-form', '/api/v1/schedule/centres', function () {
      var c = { code: $('c-code').value, name: $('c-name').value, prefecture: $('c-pref').value, seats: Number($('c-seats').value) };
      if ($('c-prefecture_code').value) c.prefecture_code = $('c-prefecture_code').value;
      return c;
    }, function (c) { return t('page.schedule.centre_saved', [c.code]); });
    submit('candidate-form', '/api/v1/schedule/candidates', function () {
      var b = { name_kanji: $('k-kanji').value, name_kana: $('k-kana').value, name_romaji: $('k-romaji').value,
        birth_date: $('k-dob').value, email: $('k-email').value };
      if ($('k-phone').value) b.phone = $('k-phone').value;
      var attrs = window.rissAttr.read('k-');
      Object.keys(attrs).forEach(function (k) { b[k] = attrs[k]; });
      return b;
    }, function (c) { return t('page.schedule.candidate_saved', [c.id]); });
    submit('booking-form', '/api/v1/schedule/bookings', function () {
      return { candidate: Number($('b-cand').value), window: Number($('b-window').value), centre: $('b-centre').value,
        sit_on: $('b-sit').value, starts_at: $('b-start').value, extra_minutes: Number($('b-extra').value || 0),
        large_text: $('b-large').checked, high_contrast: $('b-contrast').checked };
    }, function (b) { return t('page.schedule.booking_saved', [b.id]); });
    $('import-form').addEventListener('submit', function (e) {
      e.preventDefault();
      var file = $('csv').files[0];
      if (!file) return;
      file.text().then(function (text) {
        return api('POST', '/api/v1/schedule/bookings/import', text, 'text/csv; charset=utf-8');
      }).then(function (r) {
        showImport(r);
        if (r.status === 200) { $('import-form').reset(); load(); }
      });
    });
    document.addEventListener('riss:lang', function () {
      load();
      if (lastImport) showImport(lastImport);
      if (lastSaid) sayMsg(lastSaid[0], lastSaid[1], lastSaid[2]);
    });
  });
})();
