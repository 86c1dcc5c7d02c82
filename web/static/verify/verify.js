// The verify page: /verify (paste or scan), /v/<JWS> (checks at once) and /verify?regno=N (the
// public register's entry for a number: its status and published fields). Renders with
// textContent only; every word from the catalogue (page.verify.*, state.*, verify.reason.*).
(function () {
  'use strict';
  var VERDICTS = ['valid', 'not_yet_valid', 'suspended', 'revoked', 'expired', 'not_genuine'];
  var FIELDS = { regno: 'page.verify.f-regno', name: 'page.verify.f-name', name_kana: 'page.verify.f-name_kana',
    name_latn: 'page.verify.f-name_latn', qual: 'page.verify.f-qual', reg_date: 'page.verify.f-reg_date',
    valid_until: 'page.verify.f-valid_until', renewal_count: 'page.verify.f-renewal_count',
    exam_pass_date: 'page.verify.f-exam_pass_date', status: 'page.verify.f-status',
    status_reason: 'page.verify.f-status_reason' };
  var TEXTS = { valid: 'page.verify.t-valid', not_yet_valid: 'page.verify.t-not_yet_valid',
    suspended: 'page.verify.t-suspended', revoked: 'page.verify.t-revoked', expired: 'page.verify.t-expired',
    not_genuine: 'page.verify.t-not_genuine' };
  function $(id) { return document.getElementById(id); }
  function t(id, args) { return window.rissI18n.t(id, args); }
  function has(id) { return window.rissI18n.has(id); }
  var last = null;

  function fields(reg) {
    var dl = $('fields');
    while (dl.firstChild) dl.removeChild(dl.firstChild);
    Object.keys(FIELDS).forEach(function (k) {
      if (!reg || reg[k] === undefined || reg[k] === null) return;
      var dt = document.createElement('dt');
      dt.textContent = t(FIELDS[k]);
      var dd = document.createElement('dd');
      var val = String(reg[k]);
      if (k === 'status') val = window.rissI18n.state('registration', val);
      if (k === 'status_reason') val = has('verify.status_reason.' + val) ? t('verify.status_reason.' + val) : t('verify.status_reason.other');
      if (k === 'qual' && val === 'RISS') val = t('page.verify.qual-riss');
      dd.textContent = val;
      dl.appendChild(dt);
      dl.appendChild(dd);
    });
  }

  // A credential's verdict.
  function render(r) {
    last = { kind: 'token', r: r };
    var box = $('result');
    var v = VERDICTS.indexOf(r.verdict) >= 0 ? r.verdict : 'not_genuine';
    box.className = 'result ' + v;
    $('kind').textContent = t('page.verify.kind-token');
    $('verdict').textContent = window.rissI18n.state('credential', v);
    $('verdict-text').textContent = t(TEXTS[v]);
    var reg = r.registrant || {};
    var reasonId = 'verify.reason.' + r.reason;
    $('reason').textContent = has(reasonId) ? t(reasonId, [reg.regno || '', reg.reg_date || '']) : t('verify.reason.unknown');
    $('reason').parentNode.hidden = false;
    fields(r.registrant);
    box.hidden = false;
    box.focus();
  }

  // The register's entry for a number (no credential was shown).
  function renderEntry(p, regno) {
    last = { kind: 'entry', p: p, regno: regno };
    var box = $('result');
    $('kind').textContent = t('page.verify.kind-register');
    if (!p) {
      box.className = 'result not_genuine';
      $('verdict').textContent = t('page.verify.no-entry', [regno]);
      $('verdict-text').textContent = '';
      fields(null);
    } else {
      var st = p.status;
      box.className = 'result ' + (st === 'active' ? 'valid' : st === 'pending' ? 'not_yet_valid' :
        st === 'suspended' ? 'suspended' : 'revoked');
      $('verdict').textContent = window.rissI18n.state('registration', st);
      $('verdict-text').textContent = t('page.verify.entry-text');
      fields(p);
    }
    $('reason').parentNode.hidden = true;
    box.hidden = false;
    box.focus();
  }

  function problem(resp, body) {
    return new Error(body && body.detail ? body.detail : String(resp.status));
  }

  function check(token) {
    token = (token || '').trim();
    if (!token) { $('status').textContent = t('page.verify.s-empty'); return; }
    $('status').textContent = t('page.verify.s-checking');
    // Verification is public: send no cookies, so that a signed-in registrar (whose session
    // cookie would make this a CSRF-checked staff request) can verify like anyone else.
    fetch('/api/v1/verify', {
      method: 'POST', credentials: 'omit', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: token })
    }).then(function (resp) {
      return resp.json().then(function (body) {
        if (!resp.ok) throw problem(resp, body);
        $('status').textContent = '';
        render(body);
      });
    }).catch(function (e) { $('status').textContent = t('page.verify.s-error', [e.message]); });
  }

  function entry(regno) {
    $('status').textContent = t('page.verify.s-checking');
    fetch('/api/v1/register/search?q=' + encodeURIComponent(regno), { credentials: 'omit' }).then(function (resp) {
      return resp.json().then(function (body) {
        if (!resp.ok) throw problem(resp, body);
        $('status').textContent = '';
        var hit = (body.results || []).filter(function (x) { return x.regno === regno; })[0] || null;
        renderEntry(hit, regno);
      });
    }).catch(function (e) { $('status').textContent = t('page.verify.s-error', [e.message]); });
  }

  var stream = null, timer = null;
  function stopScan() {
    if (timer) { cancelAnimationFrame(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (tr) { tr.stop(); }); stream = null; }
    $('camera').hidden = true; $('stop').hidden = true; $('scan').hidden = false;
  }
  function scan() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || typeof window.jsQR !== 'function') {
      $('status').textContent = t('page.verify.s-nocamera'); return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } }).then(function (s) {
      stream = s;
      var video = $('video'), canvas = $('canvas'), ctx = canvas.getContext('2d');
      video.srcObject = s; video.play();
      $('camera').hidden = false; $('stop').hidden = false; $('scan').hidden = true;
      $('status').textContent = t('page.verify.s-camera');
      var tick = function () {
        if (video.readyState === video.HAVE_ENOUGH_DATA) {
          canvas.width = video.videoWidth; canvas.height = video.videoHeight;
          ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
          var img = ctx.getImageData(0, 0, canvas.width, canvas.height);
          var code = window.jsQR(img.data, img.width, img.height, { inversionAttempts: 'dontInvert' });
          if (code && code.data) { stopScan(); $('token').value = code.data; check(code.data); return; }
        }
        timer = requestAnimationFrame(tick);
      };
      timer = requestAnimationFrame(tick);
    }).catch(function () { $('status').textContent = t('page.verify.s-nocamera'); });
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('paste-form').addEventListener('submit', function (e) { e.preventDefault(); check($('token').value); });
    $('scan').addEventListener('click', scan);
    $('stop').addEventListener('click', stopScan);
    document.addEventListener('riss:lang', function () {
      if (!last) return;
      if (last.kind === 'token') render(last.r); else renderEntry(last.p, last.regno);
    });
    var m = /^\/v\/(.+)$/.exec(window.location.pathname);
    var regno = new URLSearchParams(window.location.search).get('regno');
    if (m) { $('token').value = m[1]; check(m[1]); }
    else if (regno && /^[0-9]{6}$/.test(regno)) entry(regno);
  });
})();
