// Proctor console: the day's bookings at the proctor's centre and the actions on them.
// Every action is a JSON POST with the CSRF token; the server audits each one. Every word
// comes from the message catalogue (states as state.session.* / state.booking.*).
(function () {
  'use strict';
  var csrf = '', centre = '', bookings = [], refreshTimer = null, endFor = null;
  var codeSaid = false; // the status line holds a "code issued" message
  var codes = {};   // booking -> admission code issued from this console (shown in its row)
  var DOCS = ['driver_licence', 'my_number_card', 'passport', 'residence_card', 'health_insurance', 'other'];
  var $ = function (id) { return document.getElementById(id); };
  function t(id, args) { return window.rissI18n.t(id, args); }
  function en() { return window.rissI18n.current() === 'en'; }
  function say(m) { $('status').textContent = m; }
  function problem(m) { $('problem').textContent = m; }
  function api(method, path, body) {
    var h = {};
    if (body) h['Content-Type'] = 'application/json';
    if (method !== 'GET' && csrf) h['X-CSRF-Token'] = csrf;
    return fetch(path, { method: method, headers: h, body: body ? JSON.stringify(body) : undefined, credentials: 'same-origin' })
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (j) { return { status: r.status, body: j }; }); });
  }
  function detail(r) { return window.rissI18n.problem(r.body, r.status); }
  // An admission code read out in groups of four (REAY-KFGC-QG5T); the workstation takes it
  // with or without the hyphens.
  function grouped(code) { return String(code).replace(/(.{4})(?=.)/g, '$1-'); }
  function el(tag, text, attrs) {
    var e = document.createElement(tag);
    if (text) e.textContent = text;
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  function button(label, labelFor, name, onClick) {
    var b = el('button', t(label), { type: 'button', 'aria-label': t(labelFor, [name]) });
    b.addEventListener('click', onClick);
    return b;
  }
  function act(verb, body, then) {
    problem('');
    api('POST', '/api/v1/proctor/' + verb, body).then(function (r) {
      if (r.status !== 200) { problem(detail(r)); return; }
      if (then) then(r.body); else say(t('page.proctor.done'));
      load();
    });
  }
  function personName(b) { return en() ? b.name_latn : b.name; }

  function stateCell(b) {
    var td = el('td'), s = b.session;
    if (s) {
      td.appendChild(el('p', window.rissI18n.state('session', s.status), { class: 'state' }));
      var facts = [t('page.proctor.seat', [s.seat]), t('page.proctor.answered', [s.answered])];
      if (s.remaining_s !== undefined) facts.push(t('page.proctor.left', [Math.floor(s.remaining_s / 60)]));
      td.appendChild(el('p', facts.join(' · ')));
      if (s.move_pending) td.appendChild(el('p', t('page.proctor.moved'), { class: 'moved' }));
    } else {
      td.appendChild(el('p', window.rissI18n.state('booking', b.status), { class: 'state' }));
    }
    if (b.identity) td.appendChild(el('p', t('page.proctor.identity_done', [t('doc.' + b.identity.document), b.identity.number_tail])));
    else if (b.identity_checked) td.appendChild(el('p', t('page.proctor.identity_done_plain')));
    else if (!s) td.appendChild(el('p', t('page.proctor.identity_needed')));
    return td;
  }

  function row(b) {
    var tr = el('tr', '', { 'data-booking': String(b.booking) });
    var name = personName(b);
    tr.appendChild(el('td', b.starts_at));
    var nameTd = el('td');
    nameTd.appendChild(el('p', b.name + '（' + b.name_kana + '）' + b.name_latn));
    var s = b.session;
    // The admission code sits by the name it belongs to, until the workstation redeems it.
    if (codes[b.booking] && (!s || s.code_pending)) {
      nameTd.appendChild(el('p', t('page.proctor.code', [grouped(codes[b.booking].code)]), { class: 'code', 'data-code': codes[b.booking].code }));
      nameTd.appendChild(el('p', t('page.proctor.code_hint')));
    }
    tr.appendChild(nameTd);
    tr.appendChild(el('td', b.birth_date));
    var acc = [];
    if (b.extra_minutes) acc.push(t('page.proctor.acc_extra', [b.extra_minutes]));
    if (b.large_text) acc.push(t('page.proctor.acc_large'));
    if (b.high_contrast) acc.push(t('page.proctor.acc_contrast'));
    tr.appendChild(el('td', acc.join(t('page.proctor.list_sep')) || t('page.proctor.acc_none')));
    tr.appendChild(stateCell(b));

    var td = el('td');
    if (!s && !b.identity_checked) {
      var docId = 'doc-' + b.booking, tailId = 'tail-' + b.booking;
      var f1 = el('span', '', { class: 'field' });
      f1.appendChild(el('label', t('page.proctor.doc_label'), { for: docId }));
      var sel = el('select', '', { id: docId });
      sel.appendChild(el('option', t('page.proctor.doc_choose'), { value: '' }));
      DOCS.forEach(function (d) { sel.appendChild(el('option', t('doc.' + d), { value: d })); });
      f1.appendChild(sel);
      td.appendChild(f1);
      var f2 = el('span', '', { class: 'field' });
      f2.appendChild(el('label', t('page.proctor.tail_label'), { for: tailId }));
      var tail = el('input', '', { id: tailId, maxlength: '4', inputmode: 'text', autocomplete: 'off', size: '4' });
      f2.appendChild(tail);
      td.appendChild(f2);
      td.appendChild(button('page.proctor.identity_btn', 'page.proctor.identity_btn_for', name, function () {
        act('identity', { booking: b.booking, document: sel.value || 'none', number_tail: tail.value.trim() || '-' });
      }));
    }
    var live = s && (s.status === 'admitted' || s.status === 'running' || s.status === 'paused');
    if ((!s && b.identity_checked) || live) {
      var seatId = 'seat-' + b.booking;
      var f3 = el('span', '', { class: 'field' });
      f3.appendChild(el('label', t('page.proctor.seat_label'), { for: seatId }));
      var seat = el('input', '', { id: seatId, maxlength: '16', size: '5' });
      seat.value = s ? s.seat : '';
      f3.appendChild(seat);
      td.appendChild(f3);
      var verb = s ? 'move' : 'admit';
      td.appendChild(button(s ? 'page.proctor.move' : 'page.proctor.admit', s ? 'page.proctor.move_for' : 'page.proctor.admit_for', name, function () {
        if (!seat.value.trim()) { problem(t('proctor.invalid_seat')); seat.focus(); return; }
        act(verb, { booking: b.booking, seat: seat.value.trim() }, function (res) {
          codes[b.booking] = { code: res.code };
          say(t('page.proctor.code_issued', [name, grouped(res.code)]));
          codeSaid = true;
        });
      }));
    }
    if (s && (s.status === 'running' || s.status === 'paused')) {
      var pausing = s.status === 'running';
      td.appendChild(button(pausing ? 'page.proctor.pause' : 'page.proctor.resume',
        pausing ? 'page.proctor.pause_for' : 'page.proctor.resume_for', name, function () {
          act(pausing ? 'pause' : 'resume', { session: s.id });
        }));
      td.appendChild(button('page.proctor.extra', 'page.proctor.extra_for', name, function () {
        act('extra-time', { session: s.id, minutes: 10 });
      }));
    }
    if (live) {
      td.appendChild(button('page.proctor.end', 'page.proctor.end_for', name, function () { openEnd(b); }));
    }
    tr.appendChild(td);
    return tr;
  }

  // Rebuild the table, keeping what the proctor was typing and where the focus was.
  function draw() {
    var tb = $('rows');
    var keep = {};
    tb.querySelectorAll('input, select').forEach(function (i) { keep[i.id] = i.value; });
    var focus = document.activeElement && tb.contains(document.activeElement) ? document.activeElement : null;
    var focusKey = focus ? (focus.id || focus.getAttribute('aria-label')) : null;
    while (tb.firstChild) tb.removeChild(tb.firstChild);
    bookings.forEach(function (b) { tb.appendChild(row(b)); });
    Object.keys(keep).forEach(function (id) { var i = $(id); if (i && keep[id] !== '') i.value = keep[id]; });
    if (focusKey) {
      var again = $(focusKey) || Array.prototype.find.call(tb.querySelectorAll('button'), function (x) { return x.getAttribute('aria-label') === focusKey; });
      if (again) again.focus();
    }
    $('centre').textContent = centre ? t('page.proctor.centre', [centre]) : '';
    // The "code issued" line goes once no row shows a code any more.
    if (codeSaid && !tb.querySelector('.code')) { say(''); codeSaid = false; }
  }

  function signedIn(me) {
    csrf = me.csrf; centre = me.centre_code || '';
    // The centre is known from the sign-in: show it with the console, before the rows load.
    $('centre').textContent = centre ? t('page.proctor.centre', [centre]) : '';
    $('signin').hidden = true; $('console').hidden = false; $('signout').hidden = false;
    // Every 5 s, but not while the proctor is typing or choosing in a row (that would close
    // an open list) or the End dialog is open.
    if (!refreshTimer) refreshTimer = setInterval(function () {
      var a = document.activeElement;
      var editing = a && $('rows').contains(a) && /^(INPUT|SELECT|TEXTAREA)$/.test(a.tagName);
      if (!$('end-dialog').open && !editing) load();
    }, 5000);
  }
  function signedOut() {
    csrf = ''; centre = ''; bookings = []; codes = {};
    if (refreshTimer) clearInterval(refreshTimer);
    refreshTimer = null;
    while ($('rows').firstChild) $('rows').removeChild($('rows').firstChild);
    $('signin').hidden = false; $('console').hidden = true; $('signout').hidden = true;
  }
  function load() {
    return api('GET', '/api/v1/proctor/bookings').then(function (r) {
      if (r.status === 401 || r.status === 403) { signedOut(); return; }
      if (r.status !== 200) { problem(detail(r)); return; }
      bookings = r.body.bookings;
      draw();
      if (!bookings.length) say(t('page.proctor.none_today'));
    });
  }

  function openEnd(b) {
    endFor = b;
    $('end-title').textContent = t('page.proctor.end_title', [personName(b)]);
    $('end-reason').value = '';
    $('end-error').textContent = '';
    $('end-dialog').showModal();
    $('end-reason').focus();
  }

  document.addEventListener('DOMContentLoaded', function () {
    api('GET', '/api/v1/staff/me').then(function (r) {
      if (r.status === 200) { signedIn(r.body); load(); } else signedOut();
    });
    $('login').addEventListener('submit', function (e) {
      e.preventDefault();
      problem('');
      api('POST', '/api/v1/staff/login', { username: $('u').value, password: $('pw').value, totp: $('otp').value }).then(function (r) {
        if (r.status !== 200) { problem(detail(r)); return; }
        $('pw').value = ''; $('otp').value = '';
        signedIn(r.body); say(''); load();
      });
    });
    $('signout').addEventListener('click', function () {
      api('POST', '/api/v1/staff/logout').then(function () {
        signedOut();
        say(t('page.proctor.signed_out'));
        $('u').focus();
      });
    });
    $('reload').addEventListener('click', function () { load(); });
    $('end-form').addEventListener('submit', function (e) {
      e.preventDefault();
      var reason = $('end-reason').value.trim();
      if (!reason) { $('end-error').textContent = t('page.proctor.end_need_reason'); $('end-reason').focus(); return; }
      var b = endFor;
      $('end-dialog').close();
      act('end', { session: b.session.id, reason: reason });
    });
    $('end-cancel').addEventListener('click', function () { $('end-dialog').close(); });
    document.addEventListener('riss:lang', function () {
      say(''); problem(''); codeSaid = false;   // said in the other language
      if (!$('console').hidden) draw();
    });
  });
})();
