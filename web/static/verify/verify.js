// The verify page: /verify (paste or scan) and /v/<JWS> (checks at once). Renders with
// textContent only.
(function () {
  'use strict';
  var JA = {
    'v-valid': '有効', 'v-suspended': '停止中', 'v-revoked': '取消済み', 'v-expired': '期限切れ', 'v-not_genuine': '真正ではありません',
    't-valid': '登録された情報処理安全確保支援士です。登録は有効です。',
    't-suspended': '登録は停止されています。現在は有効な資格として扱えません。',
    't-revoked': '登録は取り消されています。',
    't-expired': 'この資格証は有効期限を過ぎています。最新のものを確認してください。',
    't-not_genuine': '登録機関が発行した資格証ではありません。',
    'f-regno': '登録番号', 'f-name': '氏名', 'f-name_kana': '氏名（カナ）', 'f-name_latn': '氏名（ローマ字）',
    'f-reg_date': '登録日', 'f-valid_until': '有効期限', 'f-renewal_count': '更新回数', 'f-exam_pass_date': '試験合格日',
    'f-status': '登録の状態', 'f-status_reason': '状態の理由', 'f-qual': '資格',
    's-checking': '確認しています…', 's-camera': 'QR コードをカメラに向けてください。',
    's-nocamera': 'この端末ではカメラを使えません。トークンを貼り付けてください。',
    's-error': '確認できませんでした。もう一度お試しください。', 's-empty': 'トークンを貼り付けてください。'
  };
  var STATUS_JA = { active: '有効', suspended: '停止', lapsed: '失効', cancelled: '取消', deregistered: '登録抹消' };
  function en() { return window.rissI18n && window.rissI18n.current() === 'en'; }
  function t(key) {
    if (en()) {
      var cat = document.getElementById('i18n-en');
      var m = cat ? JSON.parse(cat.textContent) : {};
      if (m[key]) return m[key];
    }
    return JA[key] || key;
  }
  function $(id) { return document.getElementById(id); }
  var last = null;

  function render(r) {
    last = r;
    var box = $('result');
    var v = ['valid', 'suspended', 'revoked', 'expired', 'not_genuine'].indexOf(r.verdict) >= 0 ? r.verdict : 'not_genuine';
    box.className = 'result ' + v;
    $('verdict').textContent = t('v-' + v) + (en() ? '' : ' / ' + v.replace('_', ' ').toUpperCase());
    $('verdict-text').textContent = t('t-' + v);
    $('reason').textContent = r.reason + (r.message ? ' — ' + r.message : '');
    var dl = $('fields');
    while (dl.firstChild) dl.removeChild(dl.firstChild);
    var reg = r.registrant || {};
    ['regno', 'name', 'name_kana', 'name_latn', 'qual', 'reg_date', 'valid_until', 'renewal_count', 'exam_pass_date', 'status', 'status_reason']
      .forEach(function (k) {
        if (reg[k] === undefined || reg[k] === null) return;
        var dt = document.createElement('dt');
        dt.textContent = t('f-' + k);
        var dd = document.createElement('dd');
        var val = String(reg[k]);
        if (k === 'status' && !en() && STATUS_JA[val]) val = STATUS_JA[val];
        dd.textContent = val;
        dl.appendChild(dt);
        dl.appendChild(dd);
      });
    box.hidden = false;
    box.focus();
  }

  function check(token) {
    token = (token || '').trim();
    if (!token) { $('status').textContent = t('s-empty'); return; }
    $('status').textContent = t('s-checking');
    // Verification is public: send no cookies, so that a signed-in registrar (whose session
    // cookie would make this a CSRF-checked staff request) can verify like anyone else.
    fetch('/api/v1/verify', {
      method: 'POST', credentials: 'omit', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: token })
    }).then(function (resp) {
      return resp.json().then(function (body) {
        if (!resp.ok) throw new Error(body && body.detail ? body.detail : resp.status);
        $('status').textContent = '';
        render(body);
      });
    }).catch(function (e) { $('status').textContent = t('s-error') + ' (' + e.message + ')'; });
  }

  var stream = null, timer = null;
  function stopScan() {
    if (timer) { cancelAnimationFrame(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (tr) { tr.stop(); }); stream = null; }
    $('camera').hidden = true; $('stop').hidden = true; $('scan').hidden = false;
  }
  function scan() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || typeof window.jsQR !== 'function') {
      $('status').textContent = t('s-nocamera'); return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } }).then(function (s) {
      stream = s;
      var video = $('video'), canvas = $('canvas'), ctx = canvas.getContext('2d');
      video.srcObject = s; video.play();
      $('camera').hidden = false; $('stop').hidden = false; $('scan').hidden = true;
      $('status').textContent = t('s-camera');
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
    }).catch(function () { $('status').textContent = t('s-nocamera'); });
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('paste-form').addEventListener('submit', function (e) { e.preventDefault(); check($('token').value); });
    $('scan').addEventListener('click', scan);
    $('stop').addEventListener('click', stopScan);
    document.querySelectorAll('[data-lang-toggle]').forEach(function (b) {
      b.addEventListener('click', function () { if (last) setTimeout(function () { render(last); }, 0); });
    });
    var m = /^\/v\/(.+)$/.exec(window.location.pathname);
    if (m) { $('token').value = m[1]; check(m[1]); }
  });
})();
