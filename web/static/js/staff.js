// Staff session helpers shared by the staff pages: who is signed in, the CSRF token, and
// JSON calls whose failures carry the problem+json detail in the page's language.
(function () {
  'use strict';
  var csrf = '';
  function call(method, path, body) {
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
