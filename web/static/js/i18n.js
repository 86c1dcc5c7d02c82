// Text comes from the message catalogue (/i18n/messages.js, built from common/messages/*.tsv):
// an element with data-i18n="id" shows that entry in the page's language, and
// rissI18n.t(id, [args]) gives an entry with {0}.. filled in, rissI18n.state(kind, code) the
// label of a state. Older pages still carry their own #i18n-en catalog for keys the
// catalogue does not have (their Japanese is the page text); common-catalogue lists them.
// The choice is kept in a cookie ("lang") that the server also reads for error messages.
(function () {
  'use strict';
  function current() {
    return /(?:^|; )lang=en(?:;|$)/.test(document.cookie) ? 'en' : 'ja';
  }
  var catalogue = window.RISS_MESSAGES || {};
  function fill(text, args) {
    return text.replace(/\{([0-9])\}/g, function (m, k) {
      return args && args[k] !== undefined && args[k] !== null ? String(args[k]) : m;
    });
  }
  // The catalogue text of id in the page's language (or lang), or undefined when unknown.
  function lookup(id, lang) {
    var e = catalogue[id];
    if (!e) return undefined;
    return (lang || current()) === 'en' ? e[1] : e[0];
  }
  // The text of id with args filled in; a missing id shows the generic internal-error text
  // (and warns on the console) rather than a code.
  function t(id, args) {
    var text = lookup(id);
    if (text === undefined) {
      if (window.console) console.warn('message id not in the catalogue: ' + id);
      text = lookup('problem.internal-error') || '';
    }
    return fill(text, args);
  }
  function apply(lang) {
    var cat = document.getElementById('i18n-en');
    var en = cat ? JSON.parse(cat.textContent) : {};
    document.documentElement.lang = lang;
    document.querySelectorAll('[data-i18n]').forEach(function (el) {
      var key = el.getAttribute('data-i18n');
      var fromCatalogue = lookup(key, lang);
      if (fromCatalogue !== undefined) { el.textContent = fromCatalogue; return; }
      if (!el.hasAttribute('data-ja')) el.setAttribute('data-ja', el.textContent);
      el.textContent = lang === 'en' && en[key] ? en[key] : el.getAttribute('data-ja');
    });
    document.querySelectorAll('[data-i18n-placeholder]').forEach(function (el) {
      var text = lookup(el.getAttribute('data-i18n-placeholder'), lang);
      if (text !== undefined) el.setAttribute('placeholder', text);
    });
    document.querySelectorAll('[data-i18n-title]').forEach(function (el) {
      var text = lookup(el.getAttribute('data-i18n-title'), lang);
      if (text !== undefined) el.setAttribute('title', text);
    });
    document.querySelectorAll('[data-i18n-aria-label]').forEach(function (el) {
      var text = lookup(el.getAttribute('data-i18n-aria-label'), lang);
      if (text !== undefined) el.setAttribute('aria-label', text);
    });
    document.querySelectorAll('[data-lang-toggle]').forEach(function (b) {
      b.textContent = lang === 'en' ? '日本語' : 'English';
      b.setAttribute('lang', lang === 'en' ? 'ja' : 'en');
    });
  }
  function toggle() {
    var next = current() === 'en' ? 'ja' : 'en';
    document.cookie = 'lang=' + next + '; path=/; SameSite=Strict; max-age=31536000';
    apply(next);
    document.dispatchEvent(new CustomEvent('riss:lang', { detail: next }));
  }
  // The label of a state code of a kind (state.<kind>.<code>); an unknown code shows
  // state.unknown, never the code.
  function state(kind, code) {
    var text = lookup('state.' + kind + '.' + code);
    return text !== undefined ? text : t('state.unknown');
  }
  // The text of a problem+json answer: its detail (already in the page's language), else
  // the title of its type.
  function problem(body, status) {
    if (body && body.detail) return body.detail;
    if (body && body.title) return body.title;
    return t(status === 503 ? 'problem.service-unavailable.detail' : 'problem.internal-error.detail');
  }
  // CPD and renewal pages: a timestamp of the API (RFC 3339 with its offset,
  // "2026-12-02T05:30:00Z") as its reader reads one — in the page's language and the
  // browser's own time zone, the zone named ("2026/12/02 14:30 JST", "02/12/2026, 05:30 UTC").
  function datetime(ts) {
    var d = ts ? new Date(ts) : null;
    if (!d || isNaN(d.getTime())) return '';
    return new Intl.DateTimeFormat(current() === 'en' ? 'en-GB' : 'ja-JP', { year: 'numeric', month: '2-digit',
      day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' }).format(d);
  }
  window.rissI18n = { current: current, apply: apply, t: t, state: state, problem: problem, datetime: datetime,
                      has: function (id) { return id in catalogue; } };

  // API messages (problem+json details) come back in the language the page shows: every
  // same-origin fetch says so, unless the caller set Accept-Language itself.
  var plainFetch = window.fetch.bind(window);
  window.fetch = function (input, init) {
    init = init || {};
    var headers = new Headers(init.headers || (input instanceof Request ? input.headers : undefined));
    if (!headers.has('Accept-Language')) headers.set('Accept-Language', document.documentElement.lang === 'en' ? 'en' : 'ja');
    init.headers = headers;
    return plainFetch(input, init);
  };
  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('[data-lang-toggle]').forEach(function (b) { b.addEventListener('click', toggle); });
    apply(current());
  });
})();
