// Agency scheduling page: exam windows, test centres, candidates and bookings through the
// schedule API, and the all-or-nothing CSV booking import that lists every bad row.
// Needs a registrar (or auditor, read-only) session; renders with textContent only.
(function () {
  'use strict';
  var csrf = '';
  var $ = function (id) { return document.getElementById(id); };
  function en() { return window.rissI18n && window.rissI18n.current() === 'en'; }
  function t(ja, e) { return en() ? e : ja; }
  function say(m, cls) { var s = $('status'); s.textContent = m; s.className = cls || ''; }
  function api(method, path, body, type) {
    var h = {};
    if (body !== undefined) h['Content-Type'] = type || 'application/json';
    if (method !== 'GET' && csrf) h['X-CSRF-Token'] = csrf;
    return fetch(path, { method: method, headers: h, credentials: 'same-origin',
      body: body === undefined ? undefined : (type ? body : JSON.stringify(body)) })
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (j) { return { status: r.status, body: j }; }); });
  }
  function problem(r) { return r.body.detail || r.body.title || ('HTTP ' + r.status); }
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
  var states = { booked: ['予約済み', 'booked'], admitted: ['入室済み', 'admitted'], ended: ['終了（監督）', 'ended by proctor'], sitting: ['受験中', 'sitting'], finished: ['受験済み', 'finished'],
    cancelled: ['取消', 'cancelled'], no_show: ['欠席', 'no show'] };
  function load() {
    api('GET', '/api/v1/schedule/windows').then(function (r) {
      if (r.status === 401 || r.status === 403) { $('signin').hidden = false; $('desk').hidden = true; return; }
      if (r.status !== 200) { say(problem(r), 'bad'); return; }
      $('signin').hidden = true; $('desk').hidden = false;
      fill('windows-rows', r.body.items, ['id', 'exam', 'name', 'opens_on', 'closes_on']);
      options('b-window', r.body.items, 'id', function (w) { return w.name + ' (' + w.opens_on + ' – ' + w.closes_on + ')'; });
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
          function (o) { var s = states[o.status]; return s ? t(s[0], s[1]) : o.status; }]);
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

  // CSV import messages: the server's stable English texts, in Japanese for the default page.
  var fields = { name_kanji: ['氏名（漢字）', 'Name (kanji)'], name_kana: ['氏名（カナ）', 'Name (kana)'],
    name_romaji: ['氏名（ローマ字）', 'Name (romaji)'], birth_date: ['生年月日', 'Date of birth'], email: ['メール', 'E-mail'],
    phone: ['電話番号', 'Phone'], centre: ['テストセンター', 'Test centre'], window: ['試験期間', 'Exam window'],
    sit_on: ['受験日', 'Exam date'], starts_at: ['開始時刻', 'Start time'], extra_minutes: ['時間延長', 'Extra time'],
    large_text: ['拡大文字', 'Large text'], high_contrast: ['ハイコントラスト', 'High contrast'], candidate: ['受験者', 'Candidate'],
    header: ['見出し行', 'Header'], row: ['行全体', 'Whole row'], file: ['ファイル', 'File'] };
  var messages = {
    'required': '入力が必要です',
    'letters, spaces, dots, hyphens and apostrophes only': '英字・空白・ピリオド・ハイフン・アポストロフィのみ使えます',
    'not a date (YYYY-MM-DD)': '日付（YYYY-MM-DD）ではありません',
    'not an e-mail address': 'メールアドレスではありません',
    'digits, spaces, + ( ) - only, at most 24': '数字・空白・+ ( ) - のみ、24文字まで',
    'not a centre code (upper-case letters, digits, hyphens)': 'テストセンターのコード（英大文字・数字・ハイフン）ではありません',
    'not a time (HH:MM)': '時刻（HH:MM）ではありません',
    'a whole number from 0 to 240': '0〜240 の整数にしてください',
    'true or false': 'true または false にしてください',
    'not valid UTF-8 text': 'UTF-8 の文字として読めません',
    'no booking rows': '予約の行がありません',
    'more than 20000 rows': '20000 行を超えています',
    'the file is larger than 4 MiB': 'ファイルが 4 MiB を超えています',
    'a quoted field is not closed': '引用符で始まる項目が閉じられていません',
    'a field is longer than 256 bytes': '256 バイトを超える項目があります',
    'the candidate fields were refused (name, date of birth or e-mail format)': '受験者の項目（氏名・生年月日・メール）が受け付けられませんでした',
    'no exam window has this name': 'この名称の試験期間はありません',
    'the candidate already has a booking on this day': 'この受験者は同じ日に予約があります',
    'unknown test centre or a value out of range': '存在しないテストセンター、または範囲外の値です',
    'the date is outside the window or inside the retake waiting period': '受験日が試験期間外、または再受験の待機期間中です'
  };
  function jaMessage(m) {
    if (messages[m]) return messages[m];
    var x = /^expected (\d+) fields, found (\d+)$/.exec(m);
    if (x) return '項目数が ' + x[2] + ' です（' + x[1] + ' 必要です）';
    if (/^the header must be/.test(m)) return '見出し行が予約の見出しと違います';
    return m;
  }
  var lastImport = null;
  function showImport(r) {
    lastImport = r;
    $('import-result').hidden = false;
    var errs = (r.body && r.body.errors) || [];
    if (r.status === 200) {
      $('import-summary').textContent = t(r.body.imported + ' 件の予約を取り込みました。', 'Imported ' + r.body.imported + ' bookings.');
      $('import-summary').className = 'ok';
    } else {
      $('import-summary').textContent = errs.length
        ? t(errs.length + ' 件の誤りがあるため、何も取り込んでいません。', errs.length + ' problems found; nothing was imported.')
        : problem(r);
      $('import-summary').className = 'bad';
    }
    $('import-errors').hidden = errs.length === 0;
    fill('import-rows', errs, [function (e) { return String(e.line); },
      function (e) { var f = fields[e.field]; return f ? t(f[0], f[1]) : e.field; },
      function (e) { return en() ? e.message : jaMessage(e.message); }]);
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
    }, function (w) { return t('試験期間を登録しました: ', 'Window saved: ') + w.name; });
    submit('centre-form', '/api/v1/schedule/centres', function () {
      return { code: $('c-code').value, name: $('c-name').value, prefecture: $('c-pref').value, seats: Number($('c-seats').value) };
    }, function (c) { return t('テストセンターを登録しました: ', 'Test centre saved: ') + c.code; });
    submit('candidate-form', '/api/v1/schedule/candidates', function () {
      var b = { name_kanji: $('k-kanji').value, name_kana: $('k-kana').value, name_romaji: $('k-romaji').value,
        birth_date: $('k-dob').value, email: $('k-email').value };
      if ($('k-phone').value) b.phone = $('k-phone').value;
      return b;
    }, function (c) { return t('受験者を登録しました（ID ', 'Candidate saved (ID ') + c.id + ')'; });
    submit('booking-form', '/api/v1/schedule/bookings', function () {
      return { candidate: Number($('b-cand').value), window: Number($('b-window').value), centre: $('b-centre').value,
        sit_on: $('b-sit').value, starts_at: $('b-start').value, extra_minutes: Number($('b-extra').value || 0),
        large_text: $('b-large').checked, high_contrast: $('b-contrast').checked };
    }, function (b) { return t('予約を登録しました（ID ', 'Booking saved (ID ') + b.id + ')'; });
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
    document.querySelectorAll('[data-lang-toggle]').forEach(function (b) {
      b.addEventListener('click', function () { load(); if (lastImport) showImport(lastImport); });
    });
  });
})();
