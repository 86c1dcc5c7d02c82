// The provider portal: sign in with the API key (kept in sessionStorage only, sent as a
// Bearer token), list and add courses, upload a CSV and see every row's result, list the
// records sent and send a correction. Everything is rendered with textContent.
(function () {
  'use strict';
  var KEY = 'riss_provider_key';
  var t = function (id, args) { return window.rissI18n.t(id, args); };
  function $(id) { return document.getElementById(id); }
  function key() { return window.sessionStorage.getItem(KEY); }
  function say(text, bad) { var s = $('status'); s.textContent = text || ''; s.className = bad ? 'bad' : ''; }

  // A call with the key; resolves to the parsed body, rejects with the problem's detail.
  function api(method, path, body, ctype) {
    var h = { Authorization: 'Bearer ' + key() };
    if (body !== undefined) h['Content-Type'] = ctype || 'application/json';
    return fetch(path, { method: method, headers: h, body: body === undefined ? undefined : ctype ? body : JSON.stringify(body) })
      .then(function (r) {
        return r.json().then(function (b) {
          if (r.status === 401) { signOut(); }
          return { ok: r.ok, status: r.status, body: b };
        });
      });
  }
  function fail(res) { say(window.rissI18n.problem(res.body, res.status), true); }

  // A timestamp in the reader's language and time zone.
  function when(ts) { return window.rissI18n.datetime(ts); }

  function cell(tr, text) { var td = document.createElement('td'); td.textContent = text; tr.appendChild(td); return td; }
  function clear(tbody) { while (tbody.firstChild) tbody.removeChild(tbody.firstChild); }
  function emptyRow(tbody, cols) {
    var tr = document.createElement('tr'); var td = cell(tr, t('provider.none')); td.colSpan = cols; tbody.appendChild(tr);
  }
  function title(o) { return window.rissI18n.current() === 'en' ? o.title_en : o.title_ja; }

  function loadCourses() {
    return api('GET', '/api/v1/cpd/courses').then(function (res) {
      if (!res.ok) return fail(res);
      var tb = $('courses').tBodies[0];
      clear(tb);
      res.body.courses.forEach(function (c) {
        var tr = document.createElement('tr');
        cell(tr, c.code);
        cell(tr, t('cpd.kind.' + c.kind));
        cell(tr, title(c));
        cell(tr, String(c.hours));
        cell(tr, c.cycle_years.join(', '));
        cell(tr, c.designations.map(function (d) { return t('provider.designated', [d.fiscal_year, d.designation_no]); }).join(', ') || '—');
        tb.appendChild(tr);
      });
      if (!res.body.courses.length) emptyRow(tb, 6);
    });
  }

  // The state, and for a record held for the agency's CPD desk the reasons (catalogue
  // cpd.hold.<code>); a rejected record also shows the desk's note.
  function stateCell(tr, c) {
    var td = cell(tr, window.rissI18n.state('cpd_completion', c.state));
    var holds = c.state === 'pending' ? (c.holds || []) : [];
    if (holds.length) {
      var ul = document.createElement('ul');
      ul.className = 'holds';
      ul.setAttribute('aria-label', t('provider.r_holds'));
      holds.forEach(function (h) {
        var li = document.createElement('li');
        li.textContent = t('cpd.hold.' + h);
        ul.appendChild(li);
      });
      td.appendChild(ul);
    }
    if (c.state === 'rejected' && c.reason) {
      var p = document.createElement('p');
      p.className = 'holds';
      p.textContent = c.reason;
      td.appendChild(p);
    }
    return td;
  }

  var records = [];
  function loadRecords() {
    return api('GET', '/api/v1/cpd/completions?limit=200').then(function (res) {
      if (!res.ok) return fail(res);
      records = res.body.completions;
      var tb = $('records').tBodies[0];
      clear(tb);
      records.forEach(function (c, i) {
        var tr = document.createElement('tr');
        cell(tr, c.provider_record_id);
        cell(tr, c.regno);
        cell(tr, c.course_code + ' ' + title(c));
        cell(tr, c.completed_on);
        cell(tr, String(c.hours));
        stateCell(tr, c);
        cell(tr, when(c.received_at));
        var td = cell(tr, '');
        if (c.state !== 'voided') {
          var b = document.createElement('button');
          b.type = 'button';
          b.textContent = t('provider.correct');
          b.setAttribute('aria-label', t('provider.correct_h', [c.provider_record_id]));
          b.addEventListener('click', function () { openCorrection(i); });
          td.appendChild(b);
        }
        tb.appendChild(tr);
      });
      if (!records.length) emptyRow(tb, 8);
    });
  }

  var correcting = null;
  function openCorrection(i) {
    correcting = records[i];
    $('correct-h').textContent = t('provider.correct_h', [correcting.provider_record_id]);
    $('x-regno').value = correcting.regno;
    $('x-course').value = correcting.course_code;
    $('x-date').value = correcting.completed_on;
    $('x-hours').value = correcting.hours;
    $('correct-form').hidden = false;
    $('x-regno').focus();
  }

  var me = null;
  // xAPI statements that became no completion (xapi-stmt).
  function actorText(a) {
    if (!a) return '—';
    if (a.account) return a.account.name + ' (' + a.account.homePage + ')';
    return a.mbox || a.mbox_sha1sum || a.openid || a.name || '—';
  }
  function loadUnmatched() {
    return api('GET', '/api/v1/cpd/xapi/unmatched?limit=100').then(function (res) {
      if (!res.ok) return fail(res);
      var tb = $('xapi-unmatched').tBodies[0];
      clear(tb);
      res.body.unmatched.forEach(function (u) {
        var tr = document.createElement('tr');
        cell(tr, when(u.stored));
        cell(tr, u.statement_id).className = 'iri';
        cell(tr, u.activity || '—').className = 'iri';
        cell(tr, actorText(u.actor));
        cell(tr, u.message || t(u.message_id));
        tb.appendChild(tr);
      });
      if (!res.body.unmatched.length) {
        var tr = document.createElement('tr'); var td = cell(tr, t('page.provider.xapi_none')); td.colSpan = 5; tb.appendChild(tr);
      }
    });
  }

  // Keys for signed xAPI statements (xapi2): the shared key screen (/static/js/key_list.js)
  // over the provider's own key routes; created when the page is ready.
  var keys = null;
  function apiBody(method, path, body) {
    return api(method, path, body).then(function (res) {
      if (!res.ok) throw new Error(window.rissI18n.problem(res.body, res.status));
      return res.body;
    });
  }
  function loadKeys() { return keys.load().catch(function (e) { say(e.message, true); }); }

  function showWho() {
    if (me) $('who').textContent = t('provider.signed_in', [window.rissI18n.current() === 'en' ? me.name_en : me.name_ja]);
  }

  function showPortal(provider) {
    me = provider;
    $('signin').hidden = true;
    $('portal').hidden = false;
    showWho();
    say('');
    loadCourses();
    loadRecords();
    loadUnmatched();
    loadKeys();
  }

  function signIn() {
    say(t('provider.loading'));
    return api('GET', '/api/v1/cpd/provider').then(function (res) {
      if (!res.ok) { fail(res); return; }
      showPortal(res.body);
    });
  }

  function signOut() {
    window.sessionStorage.removeItem(KEY);
    $('portal').hidden = true;
    $('signin').hidden = false;
  }

  function upload(e) {
    e.preventDefault();
    var f = $('csv-file').files[0];
    var out = $('upload-result'), table = $('upload-errors'), tb = table.tBodies[0];
    var rowsTable = $('upload-rows'), rtb = rowsTable.tBodies[0];
    clear(tb);
    clear(rtb);
    table.hidden = true;
    rowsTable.hidden = true;
    out.className = '';
    if (!f) { out.textContent = t('provider.no_file'); return; }
    f.text().then(function (text) {
      return api('POST', '/api/v1/cpd/completions.csv', text, 'text/csv; charset=utf-8');
    }).then(function (res) {
      if (res.ok) {
        out.textContent = t('provider.upload_ok', [res.body.created, res.body.unchanged, res.body.corrected]) +
          (res.body.pending ? ' ' + t('provider.upload_pending', [res.body.pending]) : '');
        // The result of every row, in file order (line 1 is the header).
        (res.body.results || []).forEach(function (r, i) {
          var tr = document.createElement('tr');
          cell(tr, String(i + 2));
          cell(tr, r.provider_record_id);
          cell(tr, t('cpd.result.' + r.result));
          var st = r.state ? t('state.cpd_completion.' + r.state) : '';
          (r.holds || []).forEach(function (h) { st += ' — ' + t('cpd.hold.' + h); });
          cell(tr, st);
          rtb.appendChild(tr);
        });
        rowsTable.hidden = !rtb.rows.length;
        loadRecords();
        return;
      }
      out.className = 'bad';
      if (!res.body.errors) { out.textContent = window.rissI18n.problem(res.body, res.status); return; }
      out.textContent = res.body.detail;
      res.body.errors.forEach(function (er) {
        var tr = document.createElement('tr');
        cell(tr, String(er.line));
        cell(tr, er.column);
        cell(tr, er.detail);
        tb.appendChild(tr);
      });
      table.hidden = false;
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    keys = window.rissKeyList($('key-list'), {
      list: function () { return apiBody('GET', '/api/v1/cpd/xapi/keys').then(function (b) { return b.keys; }); },
      add: function (jwk) { return apiBody('POST', '/api/v1/cpd/xapi/keys', { jwk: jwk }); },
      remove: function (kid) { return apiBody('POST', '/api/v1/cpd/xapi/keys/remove', { kid: kid }); },
      actions: 'provider.r_action', bad: 'bad', describedBy: 'keys-note'
    });
    $('key-form').addEventListener('submit', function (e) {
      e.preventDefault();
      window.sessionStorage.setItem(KEY, $('api-key').value.trim());
      $('api-key').value = '';
      signIn();
    });
    $('sign-out').addEventListener('click', function () { signOut(); say(''); });
    $('reload').addEventListener('click', loadRecords);
    $('upload-form').addEventListener('submit', upload);
    $('course-form').addEventListener('submit', function (e) {
      e.preventDefault();
      var body = {
        code: $('c-code').value.trim(), kind: $('c-kind').value, title_ja: $('c-title-ja').value.trim(),
        title_en: $('c-title-en').value.trim(), hours: Number($('c-hours').value),
        cycle_years: $('c-years').value.split(',').map(function (y) { return Number(y.trim()); })
      };
      api('POST', '/api/v1/cpd/courses', body).then(function (res) {
        if (!res.ok) return fail(res);
        say(t('provider.course_added', [res.body.code]));
        e.target.reset();
        loadCourses();
      });
    });
    $('x-cancel').addEventListener('click', function () { $('correct-form').hidden = true; });
    $('correct-form').addEventListener('submit', function (e) {
      e.preventDefault();
      var rec = {
        provider_record_id: correcting.provider_record_id, regno: $('x-regno').value.trim(),
        course_code: $('x-course').value.trim(), completed_on: $('x-date').value, hours: Number($('x-hours').value),
        correction: true
      };
      api('POST', '/api/v1/cpd/completions', { records: [rec] }).then(function (res) {
        var r = res.body.results && res.body.results[0];
        if (!res.ok) {
          say(r && r.problems ? r.problems.map(function (p) { return p.detail; }).join(' ') : window.rissI18n.problem(res.body, res.status), true);
          return;
        }
        say(t('provider.corrected', [rec.provider_record_id]));
        $('correct-form').hidden = true;
        loadRecords();
      });
    });
    // Status lines were written in the other language: drop them rather than leave them untranslated.
    document.addEventListener('riss:lang', function () {
      say('');
      $('upload-result').textContent = '';
      if (key()) { showWho(); loadCourses(); loadRecords(); loadUnmatched(); loadKeys(); }
    });
    if (key()) signIn();
  });
})();
