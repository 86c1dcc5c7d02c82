// Registrar desk: find registrants (number, name in any script, status; paged), open one to
// see its record and only the actions its state allows, confirm each in a <dialog> that names
// the consequence (取消し and 登録抹消 typed), see the issued credential with its QR and URL;
// applications from passed results, review and registration with the duplicate-person
// warning. Needs a registrar session (sign in at /admin). Renders with textContent only;
// every word from the message catalogue (page.registry.*, state.*).
(function () {
  'use strict';
  var csrf = '';
  var PAGE = 20;
  var find = { q: '', status: '', offset: 0, total: 0 };
  var current = null;       // the registrant shown in the detail view
  function $(id) { return document.getElementById(id); }
  function t(id, args) { return window.rissI18n.t(id, args); }
  function state(kind, code) { return window.rissI18n.state(kind, code); }
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  // Feedback: a catalogue id (shown again in the other language when it is switched) or,
  // for a server's answer, its detail as sent.
  var said = null;
  function sayText(text, kind) {
    var s = $('status');
    s.textContent = text;
    s.className = kind || '';
  }
  function say(id, args, kind) {
    said = { id: id, args: args, kind: kind };
    sayText(t(id, args), kind);
  }
  // A 403 step-up-required (cancelling or suspending, issue 17) asks for a fresh code once
  // (js/stepup.js) and sends the request again.
  function api(method, path, body) {
    return apiSend(method, path, body).catch(function (e) {
      if (!window.rissStepUp || !window.rissStepUp.needed(e)) throw e;
      return window.rissStepUp.ask(e.problem, csrf).then(function () { return apiSend(method, path, body); });
    });
  }
  function apiSend(method, path, body) {
    var h = { 'Content-Type': 'application/json' };
    if (method !== 'GET') h['X-CSRF-Token'] = csrf;
    return fetch(path, { method: method, headers: h, credentials: 'same-origin', body: body ? JSON.stringify(body) : undefined })
      .then(function (r) {
        return r.json().then(function (b) {
          if (!r.ok) { var e = new Error(b.detail || b.title || String(r.status)); e.status = r.status; e.problem = b; throw e; }
          return b;
        });
      });
  }
  function fail(e) { said = null; sayText(e.message, 'error'); }

  // ---- the confirmation dialog ----
  // opts: title, text, consequences [..], ok (label), reason (label id or null), reasonRequired,
  // publicFor (a status: the registrar must choose its public reason), typed (the exact text
  // to type, or null), similar (array), date (bool). Resolves with { reason, publicReason,
  // date } or null when the registrar steps back. Focus returns to the opener.
  function confirmDialog(opts) {
    var d = $('dlg'), opener = document.activeElement;
    $('dlg-h').textContent = opts.title;
    $('dlg-text').textContent = opts.text || '';
    var ul = $('dlg-consequences');
    clear(ul);
    (opts.consequences || []).forEach(function (c) { ul.appendChild(el('li', c)); });
    ul.hidden = !(opts.consequences || []).length;
    $('dlg-ok').textContent = opts.ok;
    $('dlg-ok').className = opts.danger ? 'danger' : 'primary';
    $('dlg-reason-p').hidden = !opts.reason;
    $('dlg-reason').value = '';
    $('dlg-reason').required = !!opts.reasonRequired;
    if (opts.reason) $('dlg-reason-l').textContent = t(opts.reason);
    $('dlg-public-p').hidden = !opts.publicFor;
    publicOptions($('dlg-public'), opts.publicFor);
    $('dlg-date-p').hidden = !opts.date;
    $('dlg-date').value = '';
    $('dlg-type-p').hidden = !opts.typed;
    $('dlg-type').value = '';
    if (opts.typed) $('dlg-type-l').textContent = t('page.registry.type-to-confirm', [opts.typed, t('page.registry.cancel-word')]);
    var sim = $('dlg-similar');
    clear(sim);
    sim.hidden = !(opts.similar && opts.similar.length);
    $('dlg-ack-p').hidden = sim.hidden;
    $('dlg-ack').checked = false;
    if (!sim.hidden) similarList(sim, opts.similar);
    $('dlg-error').textContent = '';
    function ready() {
      var ok = true;
      if (opts.typed) { var v = $('dlg-type').value.trim(); ok = v === opts.typed || v === t('page.registry.cancel-word'); }
      if (!sim.hidden && !$('dlg-ack').checked) ok = false;
      if (opts.reasonRequired && !$('dlg-reason').value.trim()) ok = false;
      if (opts.publicFor && !$('dlg-public').value) ok = false;
      $('dlg-ok').disabled = !ok;
    }
    ready();
    return new Promise(function (resolve) {
      function done(v) {
        $('dlg-type').removeEventListener('input', ready);
        $('dlg-reason').removeEventListener('input', ready);
        $('dlg-public').removeEventListener('change', ready);
        $('dlg-ack').removeEventListener('change', ready);
        $('dlg-form').removeEventListener('submit', onSubmit);
        $('dlg-cancel').removeEventListener('click', onCancel);
        d.removeEventListener('cancel', onCancel);
        if (d.open) d.close();
        if (opener && opener.focus && document.contains(opener)) opener.focus();
        resolve(v);
      }
      function onSubmit(e) {
        e.preventDefault();
        if ($('dlg-ok').disabled) return;
        var pub = opts.publicFor ? $('dlg-public').value : '';
        done({ reason: $('dlg-reason').value.trim(), publicReason: pub === opts.publicFor ? '' : pub,
               date: $('dlg-date').value });
      }
      function onCancel(e) { if (e) e.preventDefault(); done(null); }
      $('dlg-type').addEventListener('input', ready);
      $('dlg-reason').addEventListener('input', ready);
      $('dlg-public').addEventListener('change', ready);
      $('dlg-ack').addEventListener('change', ready);
      $('dlg-form').addEventListener('submit', onSubmit);
      $('dlg-cancel').addEventListener('click', onCancel);
      d.addEventListener('cancel', onCancel);
      d.showModal();
      // The first thing to fill in, in the order the dialog shows them.
      var first = [$('dlg-ack'), $('dlg-date'), $('dlg-reason'), $('dlg-type')].filter(function (x) { return !x.closest('p').hidden; })[0];
      (first || $('dlg-cancel')).focus();
    });
  }

  // The public reasons for a change to status st: the catalogue's fixed list, ids
  // verify.status_reason.<st> (the status alone) and verify.status_reason.<st>.<code>; each
  // option reads as the sentence the public will see.
  var REASON = 'verify.status_reason.';
  function publicOptions(sel, st) {
    clear(sel);
    if (!st) return;
    var first = el('option', t('security.desk.public_reason_choose'));
    first.value = '';
    sel.appendChild(first);
    Object.keys(window.RISS_MESSAGES).filter(function (id) {
      return id.indexOf(REASON + st + '.') === 0;
    }).sort().concat([REASON + st]).forEach(function (id) {
      var o = el('option', t(id));
      o.value = id.slice(REASON.length);
      sel.appendChild(o);
    });
    sel.value = '';
  }
  function publicText(code) {
    return window.rissI18n.has(REASON + code) ? t(REASON + code) : t(REASON + 'other');
  }

  function similarList(box, list) {
    box.appendChild(el('p', t('page.registry.dup-warning'), 'warn-h'));
    var ul = el('ul');
    list.forEach(function (s) {
      var li = el('li');
      var b = el('button', s.regno + ' ' + s.name + '（' + s.name_kana + '） ' + s.name_latn + ' — ' + s.date_of_birth +
        ' — ' + state('registration', s.effective_status || s.status), 'link');
      b.type = 'button';
      b.addEventListener('click', function () { if ($('dlg').open) $('dlg').close(); show(s.regno); });
      li.appendChild(b);
      ul.appendChild(li);
    });
    box.appendChild(ul);
  }

  // ---- search and paging ----
  function search() {
    var p = '/api/v1/registry/registrants?limit=' + PAGE + '&offset=' + find.offset;
    if (find.q) p += '&q=' + encodeURIComponent(find.q);
    if (find.status) p += '&status=' + encodeURIComponent(find.status);
    return api('GET', p).then(renderList).catch(fail);
  }
  var lastList = null, lastPassed = null, lastApps = null;
  function renderList(b) {
    lastList = b;
    find.total = b.total;
    var tb = $('regs-rows');
    clear(tb);
    b.registrants.forEach(function (r) {
      var tr = el('tr');
      tr.appendChild(el('td', r.regno));
      var name = el('td');
      name.appendChild(el('span', r.name));
      name.appendChild(el('span', r.name_kana + ' / ' + r.name_latn, 'sub'));
      tr.appendChild(name);
      tr.appendChild(el('td', r.date_of_birth));
      tr.appendChild(el('td', r.reg_date));
      tr.appendChild(el('td', r.valid_until));
      var st = r.effective_status || r.status;
      tr.appendChild(el('td', state('registration', st), 'st st-' + st));
      var td = el('td');
      var open = el('button', t('page.registry.open'));
      open.type = 'button';
      open.setAttribute('aria-label', t('page.registry.open-who', [r.regno, r.name]));
      open.addEventListener('click', function () { show(r.regno); });
      td.appendChild(open);
      tr.appendChild(td);
      tb.appendChild(tr);
    });
    $('regs').hidden = b.registrants.length === 0;
    $('count').textContent = b.total === 0 ? t('page.registry.none')
      : t('page.registry.count', [b.total, b.offset + 1, b.offset + b.registrants.length]);
    $('pager').hidden = b.total <= PAGE;
    $('prev').disabled = b.offset === 0;
    $('next').disabled = b.offset + b.registrants.length >= b.total;
    $('page-of').textContent = t('page.registry.page-of', [Math.floor(b.offset / PAGE) + 1, Math.max(1, Math.ceil(b.total / PAGE))]);
  }

  // ---- one registrant ----
  var DONE = { issue: 'page.registry.done-issue', suspend: 'page.registry.done-suspend',
    reinstate: 'page.registry.done-reinstate', renew: 'page.registry.done-renew',
    cancel: 'page.registry.done-cancel', deregister: 'page.registry.done-deregister' };
  var ACTION = {
    issue: { label: 'page.registry.a-issue' },
    suspend: { label: 'page.registry.a-suspend' },
    reinstate: { label: 'page.registry.a-reinstate' },
    renew: { label: 'page.registry.a-renew' },
    cancel: { label: 'page.registry.a-cancel', danger: true },
    deregister: { label: 'page.registry.a-deregister', danger: true }
  };

  function field(dl, label, value) {
    dl.appendChild(el('dt', t(label)));
    dl.appendChild(el('dd', value === undefined || value === null || value === '' ? '—' : String(value)));
  }

  function render(r) {
    current = r;
    $('detail-h').textContent = t('page.registry.detail-h', [r.regno, r.name]);
    var st = r.effective_status || r.status;
    $('d-state').textContent = t('page.registry.state-line', [state('registration', st)]) +
      (r.status_reason ? ' — ' + r.status_reason : '');
    $('d-state').className = 'state st-' + st;
    var pub = r.status === 'active' ? '' : r.status === 'lapsed' || !r.public_reason ? r.status : r.public_reason;
    $('d-public').hidden = !pub;
    $('d-public').textContent = pub ? t('security.desk.public_reason_line', [publicText(pub)]) : '';
    var dl = $('d-fields');
    clear(dl);
    field(dl, 'page.registry.name', r.name);
    field(dl, 'page.registry.kana', r.name_kana);
    field(dl, 'page.registry.latn', r.name_latn);
    field(dl, 'page.registry.dob', r.date_of_birth);
    field(dl, 'page.registry.c-reg_date', r.reg_date);
    field(dl, 'page.registry.valid', r.valid_from + ' — ' + r.valid_until);
    field(dl, 'page.registry.renewals', r.renewal_count);
    field(dl, 'page.registry.pass', r.exam_pass_date);
    field(dl, 'page.registry.ref', r.exam_result_ref);
    field(dl, 'page.registry.credentials', (r.credentials || []).length);
    var sim = $('d-similar');
    clear(sim);
    sim.hidden = !(r.similar && r.similar.length);
    if (!sim.hidden) similarList(sim, r.similar);
    var p = $('d-buttons');
    clear(p);
    (r.actions || []).forEach(function (a) {
      var spec = ACTION[a];
      if (!spec) return;
      var b = el('button', t(spec.label), spec.danger ? 'danger' : '');
      b.type = 'button';
      b.setAttribute('data-action', a);
      b.addEventListener('click', function () { act(a); });
      p.appendChild(b);
    });
    var card = el('a', t('page.registry.card'));
    card.href = '/card?regno=' + encodeURIComponent(r.regno);
    p.appendChild(card);
    $('d-noactions').hidden = (r.actions || []).length > 0;
    var hb = $('d-history');
    clear(hb);
    (r.history || []).forEach(function (h) {
      var tr = el('tr');
      tr.appendChild(el('td', h.at.slice(0, 19)));
      tr.appendChild(el('td', (h.old_status ? state('registration', h.old_status) + ' → ' : '') + state('registration', h.new_status)));
      // Reasons the system itself writes are codes; a registrar's own words stay as typed.
      var sys = { registered: 'page.registry.hr-registered', renewed: 'page.registry.hr-renewed',
                  'validity ended': 'page.registry.hr-lapsed' }[h.reason];
      tr.appendChild(el('td', sys ? t(sys) : h.reason));
      tr.appendChild(el('td', h.public_reason ? publicText(h.public_reason) : '—'));
      tr.appendChild(el('td', h.actor));
      hb.appendChild(tr);
    });
    $('detail').hidden = false;
  }

  function show(regno) {
    $('issued').hidden = true;
    return api('GET', '/api/v1/registry/registrants?regno=' + encodeURIComponent(regno)).then(function (r) {
      render(r);
      $('detail').focus();
    }).catch(fail);
  }

  function dialogFor(a, r) {
    var who = r.regno + ' ' + r.name;
    switch (a) {
    case 'issue': return null;
    case 'suspend': return { title: t('page.registry.d-suspend-h', [who]), ok: t('page.registry.a-suspend'),
      consequences: [t('page.registry.d-suspend-1'), t('page.registry.d-suspend-2')], reason: 'security.desk.staff_reason',
      reasonRequired: true, publicFor: 'suspended' };
    case 'reinstate': return { title: t('page.registry.d-reinstate-h', [who]), ok: t('page.registry.a-reinstate'),
      consequences: [t('page.registry.d-reinstate-1')] };
    case 'renew': return { title: t('page.registry.d-renew-h', [who]), ok: t('page.registry.a-renew'),
      consequences: [t('page.registry.d-renew-1')] };
    case 'cancel': return { title: t('page.registry.d-cancel-h', [who]), ok: t('page.registry.a-cancel'), danger: true,
      text: t('page.registry.d-irreversible'),
      consequences: [t('page.registry.d-cancel-1'), t('page.registry.d-cancel-2')],
      reason: 'security.desk.staff_reason', reasonRequired: true, publicFor: 'cancelled', typed: r.regno };
    case 'deregister': return { title: t('page.registry.d-deregister-h', [who]), ok: t('page.registry.a-deregister'), danger: true,
      text: t('page.registry.d-irreversible'),
      consequences: [t('page.registry.d-deregister-1')],
      reason: 'security.desk.staff_reason', reasonRequired: true, publicFor: 'deregistered', typed: r.regno };
    }
    return null;
  }

  function act(a) {
    var r = current;
    var spec = dialogFor(a, r);
    var asked = spec ? confirmDialog(spec) : Promise.resolve({});
    asked.then(function (ans) {
      if (!ans) { say('page.registry.stepped-back'); return; }
      var call;
      if (a === 'issue') call = api('POST', '/api/v1/registry/issue', { regno: r.regno });
      else if (a === 'renew') call = api('POST', '/api/v1/registry/renew', { regno: r.regno });
      else call = api('POST', '/api/v1/registry/status', { regno: r.regno, action: a, reason: ans.reason || '',
                                                         public_reason: ans.publicReason || '' });
      return call.then(function (b) {
        say(DONE[a], [r.regno], 'ok');
        return show(r.regno).then(function () {
          if (a === 'issue' || a === 'renew') issued(b);
          return search();
        });
      });
    }).catch(fail);
  }

  function issued(b) {
    $('issued-qr').src = '/api/v1/registry/card/qr.svg?regno=' + encodeURIComponent(b.regno) + '&t=' + Date.now();
    $('issued-qr').alt = t('page.registry.issued-qr', [b.regno]);
    $('issued-url').value = b.url;
    $('issued-open').href = b.url;
    $('issued').hidden = false;
  }

  // ---- applications ----
  function refreshApps() {
    api('GET', '/api/v1/registry/passed-results').then(renderPassed).catch(fail);
    api('GET', '/api/v1/registry/applications').then(renderApps).catch(fail);
  }
  function renderPassed(b) {
    lastPassed = b;
    var ul = $('passed');
    clear(ul);
    b.results.forEach(function (x) {
      var li = el('li');
      li.appendChild(el('span', t('page.registry.passed-line', [x.name, x.name_latn, x.exam_pass_date, x.scaled])));
      var fill = el('button', t('page.registry.use'));
      fill.type = 'button';
      fill.addEventListener('click', function () {
        ['exam_result_ref', 'exam_pass_date', 'name', 'name_kana', 'name_latn', 'date_of_birth'].forEach(function (k) { $(k).value = x[k]; });
        $('exam_result_ref').focus();
      });
      li.appendChild(fill);
      ul.appendChild(li);
    });
    $('passed-none').hidden = b.results.length > 0;
  }
  function renderApps(b) {
    lastApps = b;
    var ul = $('apps');
    clear(ul);
    var open = b.applications.filter(function (a) { return a.state === 'submitted' || a.state === 'approved'; });
    open.forEach(function (a) {
      var li = el('li');
      li.appendChild(el('span', t('page.registry.app-line', [a.id, a.name, a.name_latn, a.date_of_birth, state('application', a.state)])));
      if (a.similar && a.similar.length) {
        var w = el('div', null, 'warn');
        similarList(w, a.similar);
        li.appendChild(w);
      }
      var p = el('p');
      if (a.state === 'submitted') {
        p.appendChild(appButton(t('page.registry.approve'), function () {
          return api('POST', '/api/v1/registry/review', { id: a.id, approve: true, note: '' })
            .then(function () { say('page.registry.done-approve', [a.id], 'ok'); });
        }));
        p.appendChild(appButton(t('page.registry.reject'), function () {
          return confirmDialog({ title: t('page.registry.d-reject-h', [a.id, a.name]), ok: t('page.registry.reject'),
            reason: 'page.registry.note', reasonRequired: true }).then(function (ans) {
            if (!ans) { say('page.registry.stepped-back'); return; }
            return api('POST', '/api/v1/registry/review', { id: a.id, approve: false, note: ans.reason })
              .then(function () { say('page.registry.done-reject', [a.id], 'ok'); });
          });
        }));
      } else {
        p.appendChild(appButton(t('page.registry.register'), function () {
          return confirmDialog({ title: t('page.registry.d-register-h', [a.id, a.name]), ok: t('page.registry.register'),
            consequences: [t('page.registry.d-register-1')], similar: a.similar, date: true }).then(function (ans) {
            if (!ans) { say('page.registry.stepped-back'); return; }
            var body = { id: a.id };
            if (ans.date) body.reg_date = ans.date;
            return api('POST', '/api/v1/registry/register', body).then(function (r) {
              say('page.registry.done-register', [r.regno], 'ok');
              return show(r.regno);
            });
          });
        }));
      }
      li.appendChild(p);
      ul.appendChild(li);
    });
    $('apps-none').hidden = open.length > 0;
  }
  function appButton(label, fn) {
    var b = el('button', label);
    b.type = 'button';
    b.addEventListener('click', function () { fn().then(function () { refreshApps(); search(); }).catch(fail); });
    return b;
  }

  // The other language: everything shown again from what was last read, at once.
  function rerender() {
    if (said) sayText(t(said.id, said.args), said.kind);
    if (current) render(current);
    if (lastList) renderList(lastList);
    if (lastPassed) renderPassed(lastPassed);
    if (lastApps) renderApps(lastApps);
  }

  document.addEventListener('DOMContentLoaded', function () {
    api('GET', '/api/v1/staff/me').then(function (me) {
      csrf = me.csrf;
      search();
      refreshApps();
    }).catch(function () { say('page.registry.sign-in', null, 'error'); });
    $('find').addEventListener('submit', function (e) {
      e.preventDefault();
      find.q = $('q').value.trim();
      find.status = $('st').value;
      find.offset = 0;
      search();
    });
    $('prev').addEventListener('click', function () { find.offset = Math.max(0, find.offset - PAGE); search(); });
    $('next').addEventListener('click', function () { find.offset += PAGE; search(); });
    $('apply').addEventListener('submit', function (e) {
      e.preventDefault();
      var body = {};
      ['exam_result_ref', 'exam_pass_date', 'name', 'name_kana', 'name_latn', 'date_of_birth'].forEach(function (k) { body[k] = $(k).value; });
      var attrs = window.rissAttr.read('a-');
      Object.keys(attrs).forEach(function (k) { body[k] = attrs[k]; });
      api('POST', '/api/v1/registry/applications', body).then(function (b) {
        say('page.registry.done-apply', [b.id], 'ok');
        $('apply').reset();
        refreshApps();
      }).catch(fail);
    });
    document.addEventListener('riss:lang', rerender);
  });
})();
