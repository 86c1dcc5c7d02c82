// The password-change form of /admin and /me (security, issue 17): the current password, the
// new one twice and a fresh one-time code; the server checks the rule (length, cracklib's
// dictionary, runs, own names) and ends every other session. Words from the catalogue
// (security.pw.*); the server's refusals arrive in the page's language.
(function () {
  'use strict';
  // form: the <form> with #pw-current, #pw-new, #pw-again, #pw-totp and #pw-status inside;
  // send(current, fresh, totp) returns a Promise that rejects with an Error whose message is
  // the server's detail.
  function wire(form, send) {
    var q = function (id) { return form.querySelector('#' + id); };
    var t = function (id) { return window.rissI18n.t(id); };
    // The last word said: a catalogue id is said again in the new language; a server's
    // sentence (in the old language) is cleared rather than left in the wrong one.
    var last = null;
    function show() {
      q('pw-status').textContent = last && last.id ? t(last.id) : last ? last.text : '';
      q('pw-status').className = last && last.bad ? 'error' : 'ok';
    }
    function say(id, bad) { last = { id: id, bad: bad }; show(); }
    function sayText(text) { last = { text: text, bad: true }; show(); }
    document.addEventListener('riss:lang', function () { if (last && !last.id) last = null; show(); });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      if (q('pw-new').value !== q('pw-again').value) {
        say('security.pw.mismatch', true);
        q('pw-again').focus();
        return;
      }
      say('security.pw.changing', false);
      send(q('pw-current').value, q('pw-new').value, q('pw-totp').value).then(function () {
        ['pw-current', 'pw-new', 'pw-again', 'pw-totp'].forEach(function (id) { q(id).value = ''; });
        say('security.pw.changed', false);
      }).catch(function (e) {
        q('pw-totp').value = '';
        sayText(e.message);
      });
    });
  }
  // ---- Show the password while typing (ASVS 2.1.12) and the strength meter (ASVS 2.1.8);
  // issue 17, sec3. Words from the catalogue (sec3.pw.*).
  // After every password field of root: a toggle button (aria-pressed) that shows the
  // characters; a form's submit hides them again.
  function toggles(root) {
    root.querySelectorAll('input[type=password]').forEach(function (inp) {
      if (!inp.id || inp.getAttribute('data-pw-toggle')) return;
      inp.setAttribute('data-pw-toggle', '1');
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'pw-show';
      b.id = inp.id + '-show';
      b.setAttribute('aria-controls', inp.id);
      b.setAttribute('aria-pressed', 'false');
      b.setAttribute('data-i18n', 'sec3.pw.show');
      b.textContent = window.rissI18n.t('sec3.pw.show');
      b.addEventListener('click', function () {
        var show = inp.type === 'password';
        inp.type = show ? 'text' : 'password';
        b.setAttribute('aria-pressed', show ? 'true' : 'false');
      });
      inp.insertAdjacentElement('afterend', b);
      if (inp.form) inp.form.addEventListener('submit', function () {
        inp.type = 'password';
        b.setAttribute('aria-pressed', 'false');
      }, true);
    });
  }
  // A meter under the new-password field inp: check(password) returns a Promise of the
  // server's {acceptable, strength 0-4, detail} (POST /api/v1/password/check): the server's
  // own rule judges, the page holds no copy of it. Asked 300 ms after typing stops, and
  // again when the language changes (the detail comes in the page's language).
  function meter(inp, check) {
    if (!inp || inp.getAttribute('data-pw-meter')) return;
    inp.setAttribute('data-pw-meter', '1');
    var box = document.createElement('div');
    box.className = 'pw-meter';
    var label = document.createElement('span');
    label.id = inp.id + '-meter-label';
    label.setAttribute('data-i18n', 'sec3.pw.meter');
    label.textContent = window.rissI18n.t('sec3.pw.meter');
    var m = document.createElement('meter');
    m.id = inp.id + '-meter';
    m.min = 0; m.max = 4; m.low = 2; m.high = 3; m.optimum = 4; m.value = 0;
    m.setAttribute('aria-labelledby', label.id);
    var text = document.createElement('span');
    text.id = inp.id + '-meter-text';
    text.setAttribute('aria-live', 'polite');
    box.appendChild(label);
    box.appendChild(document.createTextNode(' '));
    box.appendChild(m);
    box.appendChild(document.createTextNode(' '));
    box.appendChild(text);
    var hint = inp.getAttribute('aria-describedby');
    var after = (hint && document.getElementById(hint)) || inp.nextElementSibling || inp;
    after.insertAdjacentElement('afterend', box);
    inp.setAttribute('aria-describedby', ((hint ? hint + ' ' : '') + text.id));
    var timer = null, asked = 0;
    function ask() {
      var mine = ++asked, value = inp.value;
      if (!value) { m.value = 0; text.textContent = ''; return; }
      check(value).then(function (r) {
        if (mine !== asked) return; // an older answer
        m.value = r.strength;
        text.textContent = r.acceptable ? window.rissI18n.t('sec3.pw.strength.' + r.strength)
                                        : window.rissI18n.t('sec3.pw.strength.0', [r.detail]);
      }).catch(function () { if (mine === asked) text.textContent = ''; });
    }
    inp.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(ask, 300); });
    document.addEventListener('riss:lang', ask);
    if (inp.form) inp.form.addEventListener('reset', function () { m.value = 0; text.textContent = ''; });
    return { refresh: ask };
  }
  document.addEventListener('DOMContentLoaded', function () { toggles(document); });
  window.rissPassword = { wire: wire, toggles: toggles, meter: meter };
})();
