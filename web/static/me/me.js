// /me: a registrant's own page — sign-in (password + TOTP), activation with the registrar's
// code, validity, each duty with its deadline and what filled it, completions, renewal,
// the credential (QR PNG/SVG, token) and the card. Text comes from the catalogue.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var t = function (id, args) { return window.rissI18n.t(id, args); };
  var csrf = '';
  var view = null;
  function status(text, isError) {
    $('status').textContent = text || '';
    $('status').className = isError ? 'error' : '';
  }
  function call(method, path, body) {
    var h = { 'Accept': 'application/json' };
    if (body !== undefined) h['Content-Type'] = 'application/json';
    if (method !== 'GET' && csrf) h['X-CSRF-Token'] = csrf;
    return fetch(path, { method: method, headers: h, credentials: 'same-origin',
                         body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (r) {
        return r.text().then(function (txt) {
          var data = txt ? JSON.parse(txt) : null;
          if (!r.ok) { var e = new Error((data && (data.detail || data.title)) || r.statusText); e.status = r.status; throw e; }
          return data;
        });
      });
  }
  function cell(tr, text, cls) {
    var td = document.createElement('td');
    td.textContent = text === undefined || text === null || text === '' ? t('me.none') : text;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }
  function fill(tbody, rows, fn) {
    while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
    rows.forEach(function (r) { var tr = document.createElement('tr'); fn(tr, r); tbody.appendChild(tr); });
  }
  // A field the records carry in both languages (title_ja / title_en), in the page's.
  function field(o, base) { return o ? o[base + '_' + window.rissI18n.current()] : ''; }
  function courseTitle(c) { return field(c, 'title'); }
  function providerName(c) { return field(c, 'provider_name'); }
  var when = function (ts) { return window.rissI18n.datetime(ts); };
  function render() {
    var v = view;
    if (!v) return;
    $('f-regno').textContent = v.regno;
    $('f-name').textContent = v.name + ' (' + v.name_latn + ')';
    $('f-reg-date').textContent = v.reg_date;
    $('f-validity').textContent = t('me.validity_range', [v.valid_from, v.valid_until]);
    $('f-renewals').textContent = String(v.renewal_count);
    $('f-status').textContent = rissI18n.state('registration', v.status);
    $('mail-lang').value = v.lang;
    var s = v.standing;
    $('f-standing').textContent = t('state.cpd.' + s.state);
    $('f-standing').className = 'badge state-' + s.state;
    $('f-app-deadline').textContent = s.application_deadline;
    fill($('duties').tBodies[0], s.duties, function (tr, d) {
      var th = document.createElement('th');
      th.scope = 'row';
      th.textContent = d.kind === 'online' ? t('me.duty.online', [d.cycle_year]) : t('me.duty.practical');
      tr.appendChild(th);
      cell(tr, t('me.validity_range', [d.window.from, d.window.until]));
      cell(tr, d.deadline);
      cell(tr, t('state.cpd_duty.' + d.state), 'state-' + d.state);
      cell(tr, d.completion ? courseTitle(d.completion) + ' — ' + providerName(d.completion) + ' (' + d.completion.completed_on + ')' : '');
    });
    $('no-completions').hidden = v.completions.length > 0;
    $('completions').hidden = v.completions.length === 0;
    fill($('completions').tBodies[0], v.completions, function (tr, c) {
      cell(tr, c.completed_on);
      cell(tr, courseTitle(c));
      cell(tr, providerName(c));
      if (c.state === 'pending') {
        // Received, not credited yet: the agency's CPD desk reviews it (reasons from the catalogue).
        var td = cell(tr, t('me.completion.pending'), 'state-pending');
        (c.holds || []).forEach(function (h) {
          var p = document.createElement('span');
          p.className = 'hold';
          p.textContent = t('cpd.hold.' + h);
          td.appendChild(p);
        });
      } else if (c.state === 'rejected') {
        cell(tr, t('state.cpd_completion.rejected'), 'state-overdue');
      } else {
        cell(tr, when(c.posted_at));
      }
    });
    $('apply').hidden = !v.may_apply;
    var last = v.renewal_applications[0];
    $('renewal-msg').textContent = v.may_apply ? t('me.renewal.can')
      : (v.applied && last ? t('me.renewal.applied', [last.id]) : t('me.renewal.cannot'));
    $('apps').hidden = v.renewal_applications.length === 0;
    fill($('apps').tBodies[0], v.renewal_applications, function (tr, a) {
      cell(tr, when(a.submitted_at));
      cell(tr, a.new_valid_until ? t('me.validity_range', [a.valid_until, a.new_valid_until]) : a.valid_until);
      cell(tr, t('state.renewal.' + a.state));
    });
    renderMboxes();
    var live = v.credentials.length > 0;
    $('cred').hidden = !live;
    $('no-cred').hidden = live;
    if (live) {
      $('qr').src = '/api/v1/me/credential/qr.svg?v=' + encodeURIComponent(v.credentials[0].iat || '');
      $('qr').alt = t('me.credential.qr_alt');
    }
    $('card').className = 'card ' + v.card_colour;
    $('c-regno').textContent = v.regno;
    $('c-name').textContent = v.name;
    $('c-dob').textContent = v.date_of_birth;
    $('c-reg-date').textContent = v.reg_date;
    $('c-renewals').textContent = String(v.renewal_count);
    $('c-valid-until').textContent = v.valid_until;
    $('c-exam').textContent = v.exam_pass_date;
    if (skills) {
      window.rissSkills.render($('skills'), skills, { unmapped: true });
      $('skills-publish').checked = !!skills.published;
    }
  }
  // E-mail addresses as xAPI identities (a provider's LMS names the registrant by one).
  var mboxes = null;
  function renderMboxes() {
    if (!mboxes) return;
    $('mbox-none').hidden = mboxes.length > 0;
    $('mboxes').hidden = mboxes.length === 0;
    fill($('mboxes').tBodies[0], mboxes, function (tr, m) {
      cell(tr, m.address);
      cell(tr, t('state.mbox.' + m.state), 'state-' + m.state);
      cell(tr, when(m.added_at));
      var td = document.createElement('td');
      var b = document.createElement('button');
      b.type = 'button';
      b.textContent = t('page.me.mbox.remove');
      b.setAttribute('aria-label', t('page.me.mbox.remove') + ' ' + m.address);
      b.addEventListener('click', function () {
        call('POST', '/api/v1/me/mboxes/remove', { address: m.address })
          .then(function () { return loadMboxes(); })
          .then(function () { status(t('page.me.mbox.removed', [m.address])); })
          .catch(function (e) { status(e.message, true); });
      });
      td.appendChild(b);
      tr.appendChild(td);
    });
  }
  function loadMboxes() {
    return call('GET', '/api/v1/me/mboxes').then(function (r) { mboxes = r.mboxes; renderMboxes(); });
  }
  var skills = null;
  function loadSkills() {
    return call('GET', '/api/v1/me/skills').then(function (p) { skills = p; render(); });
  }
  function load() {
    return call('GET', '/api/v1/me').then(function (v) {
      csrf = v.csrf;
      view = v;
      loadSkills().catch(function (e) { status(e.message, true); });
      loadMboxes().catch(function (e) { status(e.message, true); });
      $('signed-out').hidden = true;
      $('signed-in').hidden = false;
      render();
      status('');
    });
  }
  function signedOut() {
    view = null;
    skills = null;
    mboxes = null;
    $('signed-in').hidden = true;
    $('signed-out').hidden = false;
  }
  document.addEventListener('riss:lang', render);
  document.addEventListener('DOMContentLoaded', function () {
    status(t('me.loading'));
    load().catch(function (e) { signedOut(); status(e.status === 401 ? '' : e.message, e.status !== 401); });
    $('signin').addEventListener('submit', function (ev) {
      ev.preventDefault();
      status(t('me.signing_in'));
      call('POST', '/api/v1/me/login', { regno: $('regno').value, password: $('password').value, totp: $('totp').value })
        .then(function () { $('password').value = ''; $('totp').value = ''; return load(); })
        .then(function () { $('reg-h').focus(); })
        .catch(function (e) { status(e.message, true); $('totp').value = ''; });
    });
    $('activate').addEventListener('submit', function (ev) {
      ev.preventDefault();
      call('POST', '/api/v1/me/activate', { regno: $('a-regno').value, code: $('a-code').value, password: $('a-password').value })
        .then(function (r) {
          $('a-password').value = '';
          $('secret').textContent = r.totp_secret;
          $('activated').hidden = false;
          $('regno').value = r.regno;
          status(t('me.activated'));
        })
        .catch(function (e) { status(e.message, true); });
    });
    $('apply').addEventListener('click', function () {
      call('POST', '/api/v1/me/renewal').then(function (r) {
        return load().then(function () { status(t('me.renewal.applied', [r.id])); });
      }).catch(function (e) { status(e.message, true); });
    });
    $('mail-lang').addEventListener('change', function () {
      call('POST', '/api/v1/me/language', { lang: $('mail-lang').value })
        .then(function () { status(t('me.mail_lang.saved')); })
        .catch(function (e) { status(e.message, true); });
    });
    window.rissPassword.wire($('pw-form'), function (current, fresh, totp) {
      return call('POST', '/api/v1/me/password', { current_password: current, new_password: fresh, totp: totp });
    });
    // The strength meter (ASVS 2.1.8; sec3): the server's rule, with the registration number.
    window.rissPassword.meter($('pw-new'), function (pw) {
      return call('POST', '/api/v1/password/check', { password: pw, names: $('f-regno').textContent });
    });
    window.rissPassword.meter($('a-password'), function (pw) {
      return call('POST', '/api/v1/password/check', { password: pw, names: $('a-regno').value });
    });
    $('signout').addEventListener('click', function () {
      call('POST', '/api/v1/me/logout').then(function () { csrf = ''; signedOut(); status(''); });
    });
    $('print').addEventListener('click', function () { window.print(); });
    var linkCode = new URLSearchParams(window.location.search).get('mbox_code');
    if (linkCode) {
      $('mbox-code').value = linkCode.slice(0, 20);
      $('mbox-link-hint').hidden = false;
    }
    $('mbox-add').addEventListener('submit', function (ev) {
      ev.preventDefault();
      call('POST', '/api/v1/me/mboxes', { address: $('mbox-address').value })
        .then(function (r) {
          $('mbox-address').value = '';
          return loadMboxes().then(function () { status(t('page.me.mbox.sent', [r.address])); $('mbox-code').focus(); });
        })
        .catch(function (e) { status(e.message, true); });
    });
    $('mbox-confirm').addEventListener('submit', function (ev) {
      ev.preventDefault();
      call('POST', '/api/v1/me/mboxes/confirm', { code: $('mbox-code').value })
        .then(function (r) {
          $('mbox-code').value = '';
          $('mbox-link-hint').hidden = true;
          // Statements a provider sent before the confirmation may have become completions (xapi2).
          return (r.credited ? load() : Promise.resolve()).then(loadMboxes).then(function () {
            status(t('page.me.mbox.confirmed', [r.address]) +
              (r.credited ? ' ' + t('xapi2.me.credited', [String(r.credited)]) : ''));
          });
        })
        .catch(function (e) { status(e.message, true); });
    });
    $('skills-publish').addEventListener('change', function () {
      call('POST', '/api/v1/me/skills/publish', { publish: $('skills-publish').checked })
        .then(function () { return loadSkills(); })
        .then(function () { status(t('page.skills.publish_saved')); })
        .catch(function (e) { status(e.message, true); });
    });
    $('skills-ob3').addEventListener('click', function () {
      fetch('/api/v1/me/credential/openbadge.jwt', { method: 'POST', credentials: 'same-origin',
        headers: { 'X-CSRF-Token': csrf } }).then(function (r) {
        return r.text().then(function (txt) {
          if (!r.ok) { var b = {}; try { b = JSON.parse(txt); } catch (x) { /* not JSON */ } throw new Error(b.detail || String(r.status)); }
          var a = document.createElement('a');
          a.href = URL.createObjectURL(new Blob([txt], { type: 'application/vc+jwt' }));
          a.download = 'riss-openbadge.jwt';
          document.body.appendChild(a);
          a.click();
          a.remove();
          status(t('page.skills.ob3_done'));
        });
      }).catch(function (e) { status(e.message, true); });
    });
    $('reg-h').tabIndex = -1;
  });
})();
