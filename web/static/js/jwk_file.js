// A JWK file a desk reads for a statement-signing key (/provider and /admin/cpd): at most
// 16 KiB, one JSON object. rissJwkFile(file) resolves to the parsed JWK or rejects with the
// catalogue's reason in the page's language (the server checks it all again).
(function () {
  'use strict';
  window.rissJwkFile = function (f) {
    var t = function (id) { return window.rissI18n.t(id); };
    if (!f) return Promise.reject(new Error(t('provider.no_file')));
    if (f.size > 16384) return Promise.reject(new Error(t('xapi2.keys.jwk')));
    return f.text().then(function (text) {
      var jwk;
      try { jwk = JSON.parse(text); } catch (err) { jwk = null; }
      if (!jwk || typeof jwk !== 'object' || Array.isArray(jwk)) throw new Error(t('xapi2.keys.jwk'));
      return jwk;
    });
  };
})();
