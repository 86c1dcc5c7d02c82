// /admin/cpd: renewal applications to decide, overdue cases (closed, or 取消し with the
// registration number typed as confirmation), the audit sample, training providers.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var t = function (id, args) { return window.rissI18n.t(id, args); };
  var call = function (m, p, b) { return window.rissStaff.call(m, p, b); };
  var canChange = false;
  var cancelling = null;
  function status(text, isError) {
    $('status').textContent = text || '';
    $('status').className = isError ? 'error' : '';
  }
  function fail(e) { status(e.message, true); }
  function el(tag, text, attrs) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  function row(tbody, cells) {
    var tr = el('tr');
    cells.forEach(function (c) {
      var td = el('td');
      if (c instanceof Node) td.appendChild(c); else td.textContent = c === null || c === undefined ? '' : String(c);
      tr.appendChild(td);
    });
    tbody.appendChild(tr);
    return tr;
  }
  function clear(tbody) { while (tbody.firstChild) tbody.removeChild(tbody.firstChild); }
  function button(textId, onClick, cls) {
    var b = el('button', t(textId), { type: 'button' });
    if (cls) b.className = cls;
    b.hidden = !canChange;
    b.addEventListener('click', onClick);
    return b;
  }
  function dutyText(d) {
    var m = /^online:(\d)$/.exec(d);
    return m ? t('me.duty.online', [m[1]]) : t('me.duty.practical');
  }
  function loadRenewals() {
    return call('GET', '/api/v1/cpd/renewals?state=submitted').then(function (r) {
      var tb = $('renewals').tBodies[0];
      clear(tb);
      $('renewals-none').hidden = r.applications.length > 0;
      $('renewals').hidden = r.applications.length === 0;
      r.applications.forEach(function (a) {
        var box = el('span');
        var note = el('input', null, { 'aria-label': t('cpd_desk.note') + ' ' + a.regno, placeholder: t('cpd_desk.note'), maxlength: '500' });
        note.hidden = !canChange;
        box.appendChild(button('cpd_desk.approve', function () {
          call('POST', '/api/v1/cpd/renewals/decide', { id: a.id, approve: true })
            .then(function () { status(t('cpd_desk.approved', [a.regno])); return loadRenewals(); }).catch(fail);
        }, 'primary'));
        box.appendChild(note);
        box.appendChild(button('cpd_desk.reject', function () {
          call('POST', '/api/v1/cpd/renewals/decide', { id: a.id, approve: false, note: note.value })
            .then(function () { status(t('cpd_desk.rejected')); return loadRenewals(); }).catch(fail);
        }));
        row(tb, [a.regno, a.name, a.valid_until, when(a.submitted_at), box]);
      });
    });
  }
  // Completion records held for the desk (state pending) with the reasons; accepting one
  // credits it at once, rejecting records the desk's reason.
  // A timestamp in the reader's language and time zone.
  function when(ts) { return window.rissI18n.datetime(ts); }
  function loadHeld() {
    var only = $('held-regno').value.trim();
    var q = '/api/v1/cpd/completions?state=pending&limit=200' + (/^[0-9]{6}$/.test(only) ? '&regno=' + only : '');
    return call('GET', q).then(function (r) {
      var tb = $('held').tBodies[0];
      clear(tb);
      $('held-none').hidden = r.completions.length > 0;
      $('held').hidden = r.completions.length === 0;
      r.completions.forEach(function (c) {
        var why = el('ul', null, { 'class': 'holds' });
        (c.holds || []).forEach(function (h) { why.appendChild(el('li', t('cpd.hold.' + h))); });
        var box = el('span');
        var note = el('input', null, { 'aria-label': t('cpd_desk.held.note') + ' ' + c.provider_record_id, placeholder: t('cpd_desk.held.note'), maxlength: '500' });
        note.hidden = !canChange;
        function decide(state, done) {
          var reason = note.value.trim() || (state === 'accepted' ? t('cpd_desk.held.accepted_default') : '');
          call('POST', '/api/v1/cpd/decide', { completion_id: c.completion_id, state: state, reason: reason })
            .then(function () { status(t(done, [c.regno])); return loadHeld(); }).catch(fail);
        }
        box.appendChild(button('cpd_desk.held.accept', function () { decide('accepted', 'cpd_desk.held.accepted'); }, 'primary'));
        box.appendChild(note);
        box.appendChild(button('cpd_desk.reject', function () { decide('rejected', 'cpd_desk.held.rejected'); }));
        var title = c['title_' + window.rissI18n.current()] || '';
        row(tb, [c.regno, c.course_code + ' ' + title, c.completed_on, String(c.hours), when(c.received_at), why, box]);
      });
    });
  }
  function showCancel(c) {
    cancelling = c;
    $('cancel').hidden = false;
    $('cancel-warn').textContent = t('cpd_desk.cancel.warn', [c.regno]);
    $('cancel-confirm').value = '';
    $('cancel-reason').value = '';
    $('cancel-confirm').focus();
  }
  function loadCases() {
    return call('GET', '/api/v1/cpd/cases?state=open').then(function (r) {
      var tb = $('cases').tBodies[0];
      clear(tb);
      $('cases-none').hidden = r.cases.length > 0;
      $('cases').hidden = r.cases.length === 0;
      r.cases.forEach(function (c) {
        var box = el('span');
        var note = el('input', null, { 'aria-label': t('cpd_desk.note') + ' ' + c.regno, placeholder: t('cpd_desk.note'), maxlength: '500' });
        note.hidden = !canChange;
        box.appendChild(note);
        box.appendChild(button('cpd_desk.close', function () {
          call('POST', '/api/v1/cpd/cases/close', { id: c.id, note: note.value })
            .then(function () { status(t('cpd_desk.closed')); return loadCases(); }).catch(fail);
        }));
        box.appendChild(button('cpd_desk.cancel.h', function () { showCancel(c); }, 'danger'));
        row(tb, [c.regno, c.name, dutyText(c.duty), c.due, when(c.opened_at), box]);
      });
    });
  }
  function loadAudit() {
    return call('GET', '/api/v1/cpd/audit').then(function (r) {
      var box = $('samples');
      while (box.firstChild) box.removeChild(box.firstChild);
      $('audit-none').hidden = r.samples.length > 0;
      r.samples.forEach(function (s) {
        var table = el('table');
        table.appendChild(el('caption', t('cpd_desk.audit.sample', [s.id, when(s.drawn_at), s.deadline])));
        var head = el('tr');
        ['cpd_desk.regno', 'cpd_desk.due', 'cpd_desk.audit.outcome', 'cpd_desk.actions'].forEach(function (id) {
          head.appendChild(el('th', t(id), { scope: 'col' }));
        });
        table.appendChild(el('thead')).appendChild(head);
        var tb = table.appendChild(el('tbody'));
        (s.requests || []).forEach(function (q) {
          var act = el('span');
          if (q.outcome === 'pending') {
            var sel = el('select', null, { 'aria-label': t('cpd_desk.audit.outcome') + ' ' + q.regno });
            ['confirmed', 'not_confirmed', 'no_response'].forEach(function (o) {
              sel.appendChild(el('option', t('state.evidence.' + o), { value: o }));
            });
            sel.hidden = !canChange;
            act.appendChild(sel);
            act.appendChild(button('cpd_desk.audit.record', function () {
              call('POST', '/api/v1/cpd/audit/outcome', { id: q.id, outcome: sel.value })
                .then(loadAudit).catch(fail);
            }));
          }
          row(tb, [q.regno, q.deadline, t('state.evidence.' + q.outcome), act]);
        });
        box.appendChild(table);
      });
    });
  }
  function loadProviders() {
    return call('GET', '/api/v1/cpd/providers').then(function (r) {
      var tb = $('providers').tBodies[0];
      clear(tb);
      var list = r.providers || [];
      fillProviders(list);
      $('providers-none').hidden = list.length > 0;
      $('providers').hidden = list.length === 0;
      var en = window.rissI18n.current() === 'en';
      list.forEach(function (p) {
        var box = el('span');
        if (p.state === 'active') {
          var reason = el('input', null, { 'aria-label': t('cpd_desk.provider.reason') + ' ' + p.name_ja, placeholder: t('cpd_desk.provider.reason'), maxlength: '500' });
          reason.hidden = !canChange;
          box.appendChild(reason);
          box.appendChild(button('cpd_desk.provider.suspend', function () {
            call('POST', '/api/v1/cpd/providers/suspend', { provider_id: p.provider_id, reason: reason.value })
              .then(function () { status(t('cpd_desk.provider.changed')); return loadProviders(); }).catch(fail);
          }));
        } else {
          box.appendChild(button('cpd_desk.provider.reinstate', function () {
            call('POST', '/api/v1/cpd/providers/reinstate', { provider_id: p.provider_id })
              .then(function () { status(t('cpd_desk.provider.changed')); return loadProviders(); }).catch(fail);
          }));
        }
        var period = p.approved_until ? t('me.validity_range', [p.approved_from, p.approved_until])
                                      : t('cpd_desk.provider.open_ended', [p.approved_from]);
        row(tb, [en ? p.name_en : p.name_ja, period, t('state.cpd_provider.' + p.state), box]);
      });
    });
  }
  // Providers' keys for signed xAPI statements (xapi3): pick a provider, list its keys, add
  // one from a JWK file, remove one after the dialog asks (registrars only): the shared key
  // screen (/static/js/key_list.js) over the registrar's routes, for the provider keysOf.
  var keysOf = null, providerList = [], keys = null;
  function providerName(p) { return window.rissI18n.current() === 'en' ? p.name_en : p.name_ja; }
  function fillProviders(list) {
    providerList = list;
    var sel = $('keys-provider'), had = sel.value;
    while (sel.firstChild) sel.removeChild(sel.firstChild);
    list.forEach(function (p) { sel.appendChild(el('option', providerName(p), { value: String(p.provider_id) })); });
    if (had) sel.value = had;
  }
  function loadKeys() { return keysOf ? keys.load() : Promise.resolve(); }
  function loadAll() {
    return Promise.all([loadHeld(), loadRenewals(), loadCases(), loadAudit(), loadProviders().then(loadKeys)]);
  }
  // A status line was written in the other language: drop it rather than leave it untranslated.
  document.addEventListener('riss:lang', function () { status(''); if (!$('desk').hidden) loadAll().catch(fail); });
  document.addEventListener('DOMContentLoaded', function () {
    keys = window.rissKeyList($('key-list'), {
      list: function () {
        return call('GET', '/api/v1/cpd/providers/xapi-keys?provider_id=' + keysOf).then(function (r) { return r.keys; });
      },
      add: function (jwk) { return call('POST', '/api/v1/cpd/providers/xapi-keys', { provider_id: Number(keysOf), jwk: jwk }); },
      remove: function (kid) {
        return call('POST', '/api/v1/cpd/providers/xapi-keys/remove', { provider_id: Number(keysOf), kid: kid });
      },
      caption: function () {
        var p = providerList.filter(function (x) { return String(x.provider_id) === keysOf; })[0];
        return p ? t('xapi3.desk.keys_caption', [providerName(p)]) : '';
      },
      actions: 'cpd_desk.actions', bad: 'error', describedBy: 'keys-note', hidden: true
    });
    var d = new Date(Date.now() + 30 * 86400e3);
    $('draw-deadline').value = d.toISOString().slice(0, 10);
    window.rissStaff.me().then(function (m) {
      if (m.role !== 'registrar' && m.role !== 'auditor') throw new Error(t('cpd_desk.signin_needed'));
      canChange = m.role === 'registrar';
      ['draw', 'provider-add', 'code'].forEach(function (id) { $(id).hidden = !canChange; });
      $('keys-sec').hidden = !canChange;
      $('desk').hidden = false;
      return loadAll();
    }).catch(function (e) { status(e.status === 401 ? t('cpd_desk.signin_needed') : e.message, true); });
    $('cancel').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var c = cancelling;
      call('POST', '/api/v1/cpd/cases/cancel', { id: c.id, confirm: $('cancel-confirm').value, note: $('cancel-reason').value })
        .then(function (r) {
          $('cancel').hidden = true;
          status(t('cpd_desk.cancelled', [c.regno, r.reregistration_from]));
          return loadCases();
        })
        .catch(fail);
    });
    $('code').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var body = { regno: $('code-regno').value, lang: $('code-lang').value };
      if ($('code-email').value) body.email = $('code-email').value;
      call('POST', '/api/v1/registry/activation-code', body).then(function (r) {
        $('code-value').textContent = r.code;
        $('code-out').hidden = false;
        status(t('cpd_desk.code.valid', [r.regno, r.valid_days]));
      }).catch(fail);
    });
    $('keys-pick').addEventListener('submit', function (ev) {
      ev.preventDefault();
      keysOf = $('keys-provider').value || null;
      keys.say('');
      loadKeys().catch(fail);
    });
    $('held-filter').addEventListener('submit', function (ev) { ev.preventDefault(); loadHeld().catch(fail); });
    $('draw').addEventListener('submit', function (ev) {
      ev.preventDefault();
      call('POST', '/api/v1/cpd/audit/draw', { n: Number($('draw-n').value), deadline: $('draw-deadline').value })
        .then(function (r) { return loadAudit().then(function () { status(t('cpd_desk.audit.drawn', [$('draw-n').value, r.id])); }); })
        .catch(fail);
    });
    $('provider-add').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var body = { name_ja: $('p-name-ja').value, name_en: $('p-name-en').value };
      if ($('p-from').value) body.approved_from = $('p-from').value;
      call('POST', '/api/v1/cpd/providers', body)
        .then(function (r) { status(t('cpd_desk.provider.added', [r.api_key])); return loadProviders(); })
        .catch(fail);
    });
  });
})();
