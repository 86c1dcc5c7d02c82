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
  window.rissPassword = { wire: wire };
})();
