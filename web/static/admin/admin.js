// /admin: staff sign-in (password + TOTP) and the desks for the signed-in role.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  function status(text, isError) {
    $('status').textContent = text;
    $('status').className = isError ? 'error' : '';
  }
  function showDesk(m) {
    $('signin').hidden = true;
    $('desk').hidden = false;
    who = m;
    showWho();
    document.querySelectorAll('#links li').forEach(function (li) {
      li.hidden = li.getAttribute('data-roles').split(' ').indexOf(m.role) < 0;
    });
    status('');
    $('desk-h').focus();
  }
  var who = null;
  function showWho() {
    if (who) $('who').textContent = window.rissI18n.t('page.admin.who', [who.actor.replace(/^staff:/, ''), window.rissI18n.t('role.' + who.role)]);
  }
  function showSignIn() {
    $('desk').hidden = true;
    $('signin').hidden = false;
  }
  document.addEventListener('DOMContentLoaded', function () {
    $('desk-h').tabIndex = -1;
    document.addEventListener('riss:lang', showWho);
    window.rissStaff.me().then(showDesk, showSignIn);
    $('signin').addEventListener('submit', function (ev) {
      ev.preventDefault();
      status(window.rissI18n.t('page.staff.signing_in'));
      window.rissStaff.signIn($('username').value, $('password').value, $('totp').value)
        .then(function () { return window.rissStaff.me(); })
        .then(function (m) { $('password').value = ''; $('totp').value = ''; showDesk(m); })
        .catch(function (e) { status(e.message, true); $('totp').value = ''; $('password').focus(); });
    });
    window.rissPassword.wire($('pw-form'), function (current, fresh, totp) {
      return window.rissStaff.call('POST', '/api/v1/staff/password', { current_password: current, new_password: fresh, totp: totp });
    });
    // The strength meter (ASVS 2.1.8; sec3): the server's rule, with the account's own name.
    window.rissPassword.meter($('pw-new'), function (pw) {
      return window.rissStaff.call('POST', '/api/v1/password/check',
        { password: pw, names: who ? who.actor.replace(/^staff:/, '') + ' ' + (who.display_name || '') : '' });
    });
    // Your own sessions (ASVS 3.3.4): listed when the box opens and after a change of language.
    var sessions = [];
    function drawSessions() {
      var tb = $('sess-table').tBodies[0];
      tb.textContent = '';
      sessions.forEach(function (s) {
        var tr = tb.insertRow();
        [s.signed_in_at, s.last_used_at, s.ends_at].forEach(function (ts, i) {
          var cell = i === 0 ? document.createElement('th') : tr.insertCell();
          if (i === 0) { cell.scope = 'row'; tr.appendChild(cell); }
          cell.textContent = window.rissI18n.datetime(ts);
          if (i === 0 && s.current) {
            var mark = document.createElement('strong');
            mark.className = 'this-device';
            mark.textContent = ' ' + window.rissI18n.t('sessions.this_device');
            cell.appendChild(mark);
          }
        });
        tr.insertCell().textContent = s.client || window.rissI18n.t('sessions.client_unknown');
        if (s.current) tr.dataset.current = 'true';
      });
      $('sess-end').disabled = sessions.length < 2;
      // The last outcome, kept as catalogue id and arguments so it follows the language.
      $('sess-status').textContent = sessStatus ? window.rissI18n.t(sessStatus[0], sessStatus[1]) : '';
    }
    var sessStatus = null;
    function loadSessions() {
      return window.rissStaff.call('GET', '/api/v1/staff/sessions').then(function (b) {
        sessions = b.sessions;
        drawSessions();
      }).catch(function (e) { $('sess-status').textContent = e.message; });
    }
    $('sess-box').addEventListener('toggle', function () { if ($('sess-box').open) loadSessions(); });
    document.addEventListener('riss:lang', drawSessions);
    $('sess-end').addEventListener('click', function () {
      if (!window.confirm(window.rissI18n.t('sessions.confirm'))) return;
      window.rissStaff.call('POST', '/api/v1/staff/sessions/end-others', {}).then(function (b) {
        sessStatus = b.ended > 0 ? ['sessions.ended', [String(b.ended)]] : ['sessions.none_other', []];
        return loadSessions();
      }).catch(function (e) { $('sess-status').textContent = e.message; });
    });
    $('signout').addEventListener('click', function () {
      window.rissStaff.signOut().then(function () { showSignIn(); who = null; status(window.rissI18n.t('page.staff.signed_out')); });
    });
  });
})();
