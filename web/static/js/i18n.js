// Japanese is the page's own text; English comes from the page's #i18n-en catalog.
// The choice is kept in a cookie ("lang") that the server also reads for error messages.
(function () {
  'use strict';
  function current() {
    return /(?:^|; )lang=en(?:;|$)/.test(document.cookie) ? 'en' : 'ja';
  }
  function apply(lang) {
    var cat = document.getElementById('i18n-en');
    var en = cat ? JSON.parse(cat.textContent) : {};
    document.documentElement.lang = lang;
    document.querySelectorAll('[data-i18n]').forEach(function (el) {
      var key = el.getAttribute('data-i18n');
      if (!el.hasAttribute('data-ja')) el.setAttribute('data-ja', el.textContent);
      el.textContent = lang === 'en' && en[key] ? en[key] : el.getAttribute('data-ja');
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
  }
  window.rissI18n = { current: current, apply: apply };

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
