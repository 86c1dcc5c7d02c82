// Registrar desk: applications -> review -> registration; suspend, reinstate, cancel, renew,
// issue, card. Needs a registrar session (sign in at /admin); renders with textContent.
(function () {
  'use strict';
  var csrf = '';
  function $(id) { return document.getElementById(id); }
  function say(t) { $('status').textContent = t; }
  function api(method, path, body) {
    var h = { 'Content-Type': 'application/json' };
    if (method !== 'GET') h['X-CSRF-Token'] = csrf;
    return fetch(path, { method: method, headers: h, credentials: 'same-origin', body: body ? JSON.stringify(body) : undefined })
      .then(function (r) { return r.json().then(function (b) { if (!r.ok) throw new Error(b.detail || r.status); return b; }); });
  }
  function button(label, fn) {
    var b = document.createElement('button'); b.type = 'button'; b.textContent = label;
    b.addEventListener('click', function () { fn().then(refresh).catch(function (e) { say(e.message); }); });
    return b;
  }
  function refresh() {
    // Passed exam results waiting for an application: one button fills the form from it.
    api('GET', '/api/v1/registry/passed-results').then(function (b) {
      var ul = $('passed'); while (ul.firstChild) ul.removeChild(ul.firstChild);
      b.results.forEach(function (x) {
        var li = document.createElement('li');
        li.textContent = x.exam_result_ref + ' ' + x.name + ' (' + x.name_latn + ') ' + x.exam_pass_date + ' ' + x.scaled + ' ';
        var fill = document.createElement('button'); fill.type = 'button'; fill.textContent = '申請に転記 / Use for application';
        fill.addEventListener('click', function () {
          ['exam_result_ref', 'exam_pass_date', 'name', 'name_kana', 'name_latn', 'date_of_birth'].forEach(function (k) { $(k).value = x[k]; });
          $('exam_result_ref').focus();
        });
        li.appendChild(fill);
        ul.appendChild(li);
      });
    }).catch(function (e) { say(e.message); });
    api('GET', '/api/v1/registry/applications').then(function (b) {
      var ul = $('apps'); while (ul.firstChild) ul.removeChild(ul.firstChild);
      b.applications.filter(function (a) { return a.state === 'submitted' || a.state === 'approved'; }).forEach(function (a) {
        var li = document.createElement('li');
        li.textContent = '#' + a.id + ' ' + a.name + ' (' + a.name_latn + ') ' + a.exam_result_ref + ' — ' + a.state + ' ';
        if (a.state === 'submitted') {
          li.appendChild(button('承認 / Approve', function () { return api('POST', '/api/v1/registry/review', { id: a.id, approve: true, note: '' }); }));
          li.appendChild(button('却下 / Reject', function () {
            var note = window.prompt('理由 / Reason'); return api('POST', '/api/v1/registry/review', { id: a.id, approve: false, note: note || '' });
          }));
        } else {
          li.appendChild(button('登録 / Register', function () { return api('POST', '/api/v1/registry/register', { id: a.id }); }));
        }
        ul.appendChild(li);
      });
    }).catch(function (e) { say(e.message); });
    api('GET', '/api/v1/registry/registrants').then(function (b) {
      var ul = $('regs'); while (ul.firstChild) ul.removeChild(ul.firstChild);
      b.registrants.forEach(function (r) {
        var li = document.createElement('li');
        li.textContent = r.regno + ' ' + r.name + ' — ' + r.status + ' (' + r.valid_until + ', ' + r.renewal_count + ') ';
        var act = function (a) { return function () {
          var reason = a === 'reinstate' ? '' : window.prompt('理由 / Reason');
          return api('POST', '/api/v1/registry/status', { regno: r.regno, action: a, reason: reason || '' });
        }; };
        li.appendChild(button('発行 / Issue', function () { return api('POST', '/api/v1/registry/issue', { regno: r.regno }); }));
        li.appendChild(button('停止 / Suspend', act('suspend')));
        li.appendChild(button('再開 / Reinstate', act('reinstate')));
        li.appendChild(button('取消 / Cancel', act('cancel')));
        li.appendChild(button('更新 / Renew', function () { return api('POST', '/api/v1/registry/renew', { regno: r.regno }); }));
        var a = document.createElement('a'); a.href = '/card?regno=' + encodeURIComponent(r.regno); a.textContent = '登録証 / Card';
        li.appendChild(a);
        ul.appendChild(li);
      });
    }).catch(function (e) { say(e.message); });
  }
  document.addEventListener('DOMContentLoaded', function () {
    api('GET', '/api/v1/staff/me').then(function (me) { csrf = me.csrf; refresh(); })
      .catch(function () { say('サインインしてください（/admin） / Sign in at /admin first.'); });
    $('apply').addEventListener('submit', function (e) {
      e.preventDefault();
      var body = {};
      ['exam_result_ref', 'exam_pass_date', 'name', 'name_kana', 'name_latn', 'date_of_birth'].forEach(function (k) { body[k] = $(k).value; });
      api('POST', '/api/v1/registry/applications', body).then(function () { say('OK'); refresh(); }).catch(function (x) { say(x.message); });
    });
    $('lapse').addEventListener('click', function () {
      api('POST', '/api/v1/registry/lapse', {}).then(function (b) { say('lapsed: ' + b.lapsed); refresh(); }).catch(function (x) { say(x.message); });
    });
  });
})();
