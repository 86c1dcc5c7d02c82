// The statistical attributes the agency collects at application (issue 15): fills every
// <select data-attr="prefecture|occupation|industry|employer_type"> with its coded list
// (the codes of common/rs_attr.h, served in /i18n/messages.js), labels from the catalogue
// (attr.<kind>.<code>, in the page's language, redrawn on a language switch), first the
// choice "回答しない / Prefer not to answer" (value ""). rissAttr.read(prefix) gives the
// answers of the selects whose ids are prefix + field name, leaving unanswered ones out.
(function () {
  'use strict';
  // The code lists come from the server (common/rs_attr.h, via /i18n/messages.js), the one
  // table the answers are checked against.
  var LISTS = window.RISS_ATTR_CODES || {};
  var PREFIX = { prefecture: 'attr.prefecture.', occupation: 'attr.occupation.', industry: 'attr.industry.',
    employer_type: 'attr.employer.' };
  function label(kind, code) {
    if (!code) return window.rissI18n.t('attr.unanswered');
    return window.rissI18n.t(PREFIX[kind] + String(code).toLowerCase());
  }
  function fill(sel) {
    var kind = sel.getAttribute('data-attr'), keep = sel.value;
    if (!LISTS[kind]) return;
    while (sel.firstChild) sel.removeChild(sel.firstChild);
    [''].concat(LISTS[kind]).forEach(function (code) {
      var op = document.createElement('option');
      op.value = code;
      op.textContent = kind === 'industry' && code ? code + ' ' + label(kind, code) : label(kind, code);
      sel.appendChild(op);
    });
    sel.value = keep;
  }
  function fillAll() { document.querySelectorAll('select[data-attr]').forEach(fill); }
  function read(prefix) {
    var out = {};
    Object.keys(LISTS).forEach(function (k) {
      var el = document.getElementById(prefix + k);
      if (el && el.value) out[k] = el.value;
    });
    return out;
  }
  document.addEventListener('DOMContentLoaded', fillAll);
  document.addEventListener('riss:lang', fillAll);
  window.rissAttr = { lists: LISTS, label: label, read: read, fill: fillAll };
})();
