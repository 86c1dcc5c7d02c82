// Proctor console: the day's bookings at the proctor's centre and the actions on them.
// Every action is a JSON POST with the CSRF token; the server audits each one.
(function () {
  'use strict';
  var csrf = '';
  var $ = function (id) { return document.getElementById(id); };
  function en() { return window.rissI18n && window.rissI18n.current() === 'en'; }
  function t(ja, e) { return en() ? e : ja; }
  function say(m) { $('status').textContent = m; }
  function api(method, path, body) {
    var h = {};
    if (body) h['Content-Type'] = 'application/json';
    if (method !== 'GET' && csrf) h['X-CSRF-Token'] = csrf;
    return fetch(path, { method: method, headers: h, body: body ? JSON.stringify(body) : undefined, credentials: 'same-origin' })
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (j) { return { status: r.status, body: j }; }); });
  }
  function el(tag, text, attrs) {
    var e = document.createElement(tag);
    if (text) e.textContent = text;
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  function act(verb, body, then) {
    api('POST', '/api/v1/proctor/' + verb, body).then(function (r) {
      if (r.status !== 200) { say(r.body.detail || r.body.title); return; }
      if (then) then(r.body); else say(t('完了しました。', 'Done.'));
      load(then ? null : true);
    });
  }
  function row(b) {
    var tr = el('tr');
    var name = b.name + '（' + b.name_kana + '）' + b.name_latn;
    tr.appendChild(el('td', b.starts_at));
    tr.appendChild(el('td', name));
    tr.appendChild(el('td', b.birth_date));
    var acc = [];
    if (b.extra_minutes) acc.push(t('時間延長 ', 'extra ') + b.extra_minutes + t('分', ' min'));
    if (b.large_text) acc.push(t('拡大文字', 'large text'));
    if (b.high_contrast) acc.push(t('ハイコントラスト', 'high contrast'));
    tr.appendChild(el('td', acc.join(', ') || '—'));
    var s = b.session;
    tr.appendChild(el('td', s ? (s.status + ' · ' + t('席 ', 'seat ') + s.seat + ' · ' + s.answered + t('問', ' answered') + ' · ' +
      Math.floor(s.remaining_s / 60) + t('分', ' min')) : (b.identity_checked ? t('本人確認済み', 'identity checked') : b.status)));
    var td = el('td');
    var label = t(' — ' + b.name, ' — ' + b.name_latn);
    if (!s && !b.identity_checked) {
      var bi = el('button', t('本人確認済みにする', 'Identity checked'), { type: 'button', 'aria-label': t('本人確認済みにする', 'Identity checked') + label });
      bi.addEventListener('click', function () { act('identity', { booking: b.booking, document: 'photo_id' }); });
      td.appendChild(bi);
    }
    if (!s || s.status === 'admitted' || s.status === 'running' || s.status === 'paused') {
      var seatId = 'seat-' + b.booking;
      td.appendChild(el('label', t('席', 'Seat'), { for: seatId }));
      var seat = el('input', '', { id: seatId, value: s ? s.seat : '', maxlength: '16' });
      td.appendChild(seat);
      var verb = s ? 'move' : 'admit';
      var ba = el('button', s ? t('端末移動を承認', 'Approve move') : t('入室させる', 'Admit'), { type: 'button', 'aria-label': (s ? t('端末移動を承認', 'Approve move') : t('入室させる', 'Admit')) + label });
      ba.addEventListener('click', function () {
        act(verb, { booking: b.booking, seat: seat.value || 'A-1' }, function (res) {
          say(t('入室コード: ', 'Admission code: ') + res.code + t('（15分有効。受験者の端末で入力してください）', ' (valid 15 minutes; enter it on the candidate workstation)'));
          var c = $('last-code') || el('p', '', { id: 'last-code', class: 'code' });
          c.textContent = res.code;
          $('console').insertBefore(c, $('reload'));
        });
      });
      td.appendChild(ba);
    }
    if (s && (s.status === 'running' || s.status === 'paused')) {
      var bp = el('button', s.status === 'running' ? t('一時停止', 'Pause') : t('再開', 'Resume'), { type: 'button' });
      bp.addEventListener('click', function () { act(s.status === 'running' ? 'pause' : 'resume', { session: s.id }); });
      td.appendChild(bp);
      var bx = el('button', t('10分延長', '+10 minutes'), { type: 'button' });
      bx.addEventListener('click', function () { act('extra-time', { session: s.id, minutes: 10 }); });
      td.appendChild(bx);
    }
    if (s && (s.status === 'admitted' || s.status === 'running' || s.status === 'paused')) {
      var be = el('button', t('終了させる', 'End'), { type: 'button' });
      be.addEventListener('click', function () {
        var reason = window.prompt(t('終了の理由', 'Reason for ending'));
        if (reason) act('end', { session: s.id, reason: reason });
      });
      td.appendChild(be);
    }
    tr.appendChild(td);
    return tr;
  }
  function load(keepStatus) {
    api('GET', '/api/v1/proctor/bookings').then(function (r) {
      if (r.status === 401 || r.status === 403) { $('signin').hidden = false; $('console').hidden = true; return; }
      if (r.status !== 200) { say(r.body.detail || r.body.title); return; }
      $('signin').hidden = true; $('console').hidden = false;
      var tb = $('rows');
      while (tb.firstChild) tb.removeChild(tb.firstChild);
      r.body.bookings.forEach(function (b) { tb.appendChild(row(b)); });
      if (!keepStatus && !r.body.bookings.length) say(t('本日の予約はありません。', 'No bookings today.'));
    });
  }
  document.addEventListener('DOMContentLoaded', function () {
    api('GET', '/api/v1/staff/me').then(function (r) {
      if (r.status === 200) { csrf = r.body.csrf; $('centre').textContent = r.body.centre_code; }
      load();
    });
    $('login').addEventListener('submit', function (e) {
      e.preventDefault();
      api('POST', '/api/v1/staff/login', { username: $('u').value, password: $('pw').value, totp: $('otp').value }).then(function (r) {
        if (r.status !== 200) { say(r.body.detail || r.body.title); return; }
        csrf = r.body.csrf; $('centre').textContent = r.body.centre_code; say(''); load();
      });
    });
    $('reload').addEventListener('click', function () { load(); });
  });
})();
