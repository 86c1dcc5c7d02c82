// The signing-key screen of a desk (keys for signed xAPI statements: a provider's own on
// /provider, any provider's for a registrar on /admin/cpd): the key table, the add form (a JWK
// file, read by rissJwkFile), the result line and the dialog that asks before a key goes. The
// one owner of that markup and its behaviour; the page names whose keys through its calls.
//
// rissKeyList(mount, opts) builds the screen into mount (the page's heading and note stay the
// page's) and returns { load(), say(text, bad) }:
//   opts.list()      a Promise of the keys ([{ kid, thumbprint, bits, created_at }])
//   opts.add(jwk)    a Promise of the key registered ({ kid })
//   opts.remove(kid) a Promise, resolved once the key is gone
//   (each rejects with an Error whose message is the reason in the page's language)
//   opts.actions     catalogue id of the heading of the actions column
//   opts.bad         class of the result line when it tells of a failure
//   opts.describedBy id of the note the file input is described by
//   opts.caption     optional: a function giving the table's caption, asked at each load
//   opts.hidden      true: table and form stay hidden until the first load
// load() lists the keys (rejects as opts.list does: the page says why where it says such
// things); adding and removing report in the result line, which a change of language clears.
(function () {
  'use strict';
  var t = function (id, args) { return window.rissI18n.t(id, args); };
  function el(tag, attrs, textId) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (attrs[k] !== undefined) e.setAttribute(k, attrs[k]); });
    if (textId) { e.setAttribute('data-i18n', textId); e.textContent = t(textId); }
    return e;
  }
  function cell(tr, text, cls) {
    var td = tr.appendChild(el('td'));
    td.textContent = text;
    if (cls) td.className = cls;
    return td;
  }

  window.rissKeyList = function (mount, opts) {
    var removing = null;
    var table = el('table', { id: 'xapi-keys' });
    var caption = opts.caption ? table.appendChild(el('caption', { id: 'keys-caption' })) : null;
    var head = table.appendChild(el('thead')).appendChild(el('tr'));
    ['xapi2.page.k_kid', 'xapi2.page.k_thumbprint', 'xapi2.page.k_bits', 'xapi2.page.k_created', opts.actions]
      .forEach(function (id) { head.appendChild(el('th', { scope: 'col' }, id)); });
    var tbody = table.appendChild(el('tbody'));

    var form = el('form', { id: 'key-add-form' });
    form.appendChild(el('label', { 'for': 'jwk-file' }, 'xapi2.page.k_file'));
    var file = form.appendChild(el('input', { id: 'jwk-file', type: 'file', accept: '.json,.jwk,application/json',
                                              'aria-describedby': opts.describedBy }));
    form.appendChild(el('p')).appendChild(el('button', { type: 'submit', 'class': 'primary' }, 'xapi2.page.k_add'));
    var result = el('p', { id: 'keys-result', role: 'status', 'aria-live': 'polite' });

    var dialog = el('dialog', { id: 'key-remove-dialog', 'aria-labelledby': 'key-remove-title' });
    var dform = dialog.appendChild(el('form', { method: 'dialog', id: 'key-remove-form' }));
    var title = dform.appendChild(el('h2', { id: 'key-remove-title' }));
    dform.appendChild(el('p', null, 'xapi2.page.k_remove_note'));
    dform.appendChild(el('button', { type: 'submit', 'class': 'primary', id: 'key-remove-confirm' }, 'xapi2.page.k_remove_confirm'));
    dform.appendChild(document.createTextNode(' '));  // the gap between the two buttons, as in markup
    var cancel = dform.appendChild(el('button', { type: 'button', id: 'key-remove-cancel' }, 'provider.cancel'));

    table.hidden = form.hidden = !!opts.hidden;
    [table, form, result, dialog].forEach(function (n) { mount.appendChild(n); });

    function say(text, bad) { result.textContent = text || ''; result.className = bad ? opts.bad : ''; }
    function load() {
      return opts.list().then(function (keys) {
        if (caption) caption.textContent = opts.caption();
        while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
        keys.forEach(function (k) {
          var tr = tbody.appendChild(el('tr'));
          cell(tr, k.kid, 'iri');
          cell(tr, k.thumbprint, 'iri');
          cell(tr, String(k.bits));
          cell(tr, window.rissI18n.datetime(k.created_at));
          var b = el('button', { type: 'button', 'aria-label': t('xapi2.page.k_remove_h', [k.kid]) });
          b.textContent = t('xapi2.page.k_remove');
          b.addEventListener('click', function () {
            removing = k.kid;
            title.textContent = t('xapi2.page.k_remove_h', [k.kid]);
            dialog.showModal();
          });
          cell(tr, '').appendChild(b);
        });
        if (!keys.length) cell(tbody.appendChild(el('tr')), t('xapi2.page.k_none')).colSpan = 5;
        table.hidden = form.hidden = false;
      });
    }
    function failed(e) { say(e.message, true); }

    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      window.rissJwkFile(file.files[0]).then(opts.add).then(function (r) {
        say(t('xapi2.page.k_added', [r.kid]));
        form.reset();
        return load();
      }).catch(failed);
    });
    dform.addEventListener('submit', function () {  // method=dialog: the dialog closes itself
      var kid = removing;
      opts.remove(kid).then(function () {
        say(t('xapi2.page.k_removed', [kid]));
        return load();
      }).catch(failed);
    });
    cancel.addEventListener('click', function () { removing = null; dialog.close(); });
    // A result line was written in the other language: drop it rather than leave it untranslated.
    document.addEventListener('riss:lang', function () { say(''); });
    return { load: load, say: say };
  };
})();
