// Staff session helpers shared by the staff pages: who is signed in, the CSRF token, and
// JSON calls whose failures carry the problem+json detail in the page's language.
(function () {
  'use strict';
  var csrf = '';
  // A 403 step-up-required (a dangerous act, issue 17) asks for a fresh code once
  // (js/stepup.js) and sends the request again.
  function call(method, path, body) {
    return send(method, path, body).catch(function (e) {
      if (!window.rissStepUp || !window.rissStepUp.needed(e)) throw e;
      return window.rissStepUp.ask(e.problem, csrf).then(function () { return send(method, path, body); });
    });
  }
  function send(method, path, body) {
    // Messages come back in the language the page shows.
    var h = { 'Accept': 'application/json', 'Accept-Language': document.documentElement.lang === 'en' ? 'en' : 'ja' };
    if (body !== undefined) h['Content-Type'] = 'application/json';
    if (method !== 'GET' && csrf) h['X-CSRF-Token'] = csrf;
    return fetch(path, { method: method, headers: h, credentials: 'same-origin',
                         body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (r) {
        return r.text().then(function (t) {
          var data = null;
          try { data = t ? JSON.parse(t) : null; } catch (x) { data = null; }
          if (!r.ok) { var e = new Error(window.rissI18n.problem(data, r.status)); e.status = r.status; e.problem = data; throw e; }
          return data;
        });
      });
  }
  function me() {
    return call('GET', '/api/v1/staff/me').then(function (m) { csrf = m.csrf; return m; });
  }
  function signIn(username, password, totp) {
    return call('POST', '/api/v1/staff/login', { username: username, password: password, totp: totp })
      .then(function (m) { csrf = m.csrf; return m; });
  }
  function signOut() { return call('POST', '/api/v1/staff/logout').then(function () { csrf = ''; }); }
  window.rissStaff = { call: call, me: me, signIn: signIn, signOut: signOut };
})();
