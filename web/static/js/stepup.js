// Step-up for dangerous acts (security, issue 17): when rissd answers 403
// /problems/step-up-required, ask for a fresh code from the authenticator app in a modal
// dialog, confirm it with POST /api/v1/staff/step-up, and let the caller send its request
// again. Every word comes from the catalogue (sec2.*), in the page's language.
(function () {
  'use strict';
  var t = function (id, args) { return window.rissI18n.t(id, args); };
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) e.textContent = text;
    return e;
  }
  function needed(err) {
    return !!(err && err.status === 403 && err.problem && err.problem.type === '/problems/step-up-required');
  }
  function lang() { return document.documentElement.lang === 'en' ? 'en' : 'ja'; }
  // The dialog, made once per page.
  var dlg = null;
  function dialog() {
    if (dlg) return dlg;
    dlg = el('dialog', { id: 'stepup-dlg', 'aria-labelledby': 'stepup-h', 'aria-describedby': 'stepup-why' });
    dlg.style.maxWidth = '32rem';
    var f = el('form', { method: 'dialog', novalidate: '' });
    f.appendChild(el('h2', { id: 'stepup-h' }, t('sec2.dlg.title')));
    f.appendChild(el('p', { id: 'stepup-why' }));
    f.appendChild(el('label', { for: 'stepup-code' }, t('sec2.dlg.code')));
    var inp = el('input', { id: 'stepup-code', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code',
                            maxlength: '6', pattern: '[0-9]{6}', required: '', 'aria-describedby': 'stepup-err' });
    inp.style.display = 'block';
    inp.style.fontSize = '1.25rem';
    inp.style.margin = '0.25rem 0 0.5rem';
    f.appendChild(inp);
    var err = el('p', { id: 'stepup-err', role: 'alert' });
    err.style.color = '#a40000';
    f.appendChild(err);
    var ok = el('button', { type: 'submit', id: 'stepup-ok' }, t('sec2.dlg.confirm'));
    var no = el('button', { type: 'button', id: 'stepup-cancel' }, t('sec2.dlg.cancel'));
    no.style.marginLeft = '0.5rem';
    f.appendChild(ok);
    f.appendChild(no);
    dlg.appendChild(f);
    document.body.appendChild(dlg);
    return dlg;
  }
  // Resolves once a code has been confirmed; rejects (with the catalogue's "not carried out")
  // when the person cancels. problem: the 403 answer (unused: the catalogue says why); csrf:
  // the session's CSRF token.
  function ask(problem, csrf) {
    var d = dialog(), opener = document.activeElement;
    var form = d.querySelector('form'), inp = d.querySelector('#stepup-code'), err = d.querySelector('#stepup-err');
    // Texts set on every opening: the page's language may have been switched since.
    d.querySelector('#stepup-h').textContent = t('sec2.dlg.title');
    d.querySelector('#stepup-why').textContent = t('sec2.step_up_required');
    d.querySelector('label').textContent = t('sec2.dlg.code');
    d.querySelector('#stepup-ok').textContent = t('sec2.dlg.confirm');
    d.querySelector('#stepup-cancel').textContent = t('sec2.dlg.cancel');
    err.textContent = '';
    inp.value = '';
    inp.removeAttribute('aria-invalid');
    return new Promise(function (resolve, reject) {
      function done(ok) {
        form.onsubmit = null;
        d.querySelector('#stepup-cancel').onclick = null;
        d.oncancel = null;
        d.close();
        if (opener && opener.focus) opener.focus();
        if (ok) resolve(); else reject(new Error(t('sec2.dlg.cancelled')));
      }
      function bad(text) {
        err.textContent = text;
        inp.setAttribute('aria-invalid', 'true');
        inp.value = '';
        inp.focus();
      }
      form.onsubmit = function (ev) {
        ev.preventDefault();
        var code = inp.value.trim();
        if (!/^[0-9]{6}$/.test(code)) { bad(t('sec2.dlg.code_format')); return; }
        var h = { 'Content-Type': 'application/json', 'Accept': 'application/json', 'Accept-Language': lang() };
        if (csrf) h['X-CSRF-Token'] = csrf;
        fetch('/api/v1/staff/step-up', { method: 'POST', headers: h, credentials: 'same-origin',
                                         body: JSON.stringify({ totp: code }) })
          .then(function (r) {
            if (r.ok) { done(true); return; }
            return r.json().catch(function () { return null; }).then(function (b) {
              bad(window.rissI18n.problem(b, r.status));
            });
          }, function () { bad(t('problem.service-unavailable.detail')); });
      };
      d.querySelector('#stepup-cancel').onclick = function () { done(false); };
      d.oncancel = function (ev) { ev.preventDefault(); done(false); };
      d.showModal();
      inp.focus();
    });
  }
  window.rissStepUp = { needed: needed, ask: ask };
})();
