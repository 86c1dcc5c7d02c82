// Candidate exam page: renders the server's view with textContent only. The server holds
// the clock and the engine state; this page only shows what it is sent and posts answers.
(function () {
  'use strict';
  var csrf = '', view = null, deadline = 0, tick = null, busy = false;
  var $ = function (id) { return document.getElementById(id); };
  function en() { return window.rissI18n && window.rissI18n.current() === 'en'; }
  function t(ja, enText) { return en() ? enText : ja; }
  function txt(o) { return o ? (en() ? o.en : o.ja) : ''; }
  function show(id) {
    ['s-code', 's-intro', 's-item', 's-wait', 's-result'].forEach(function (s) { $(s).hidden = s !== id; });
  }
  function say(msg) { $('status').textContent = msg; }

  function api(method, path, body) {
    var h = {};
    if (body) h['Content-Type'] = 'application/json';
    if (method !== 'GET' && csrf) h['X-CSRF-Token'] = csrf;
    return fetch(path, { method: method, headers: h, body: body ? JSON.stringify(body) : undefined,
      credentials: 'same-origin' }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) { return { status: r.status, body: j }; });
    });
  }

  function wait(msg) {
    show('s-wait');
    $('wait-text').textContent = msg;
    setTimeout(load, 2000);
  }

  function handle(r) {
    if (r.status === 503) return wait(t('サーバーに接続できません。解答は保存されています。自動的に再開します。',
      'The server cannot be reached. Your answers are saved. The exam resumes automatically.'));
    if (r.status === 401) { show('s-code'); $('code').focus(); return; }
    if (r.status !== 200) { say(r.body.detail || r.body.title || ('HTTP ' + r.status)); return load(); }
    render(r.body);
  }

  function load() { api('GET', '/api/v1/exam/current').then(handle, function () { wait(t('接続を待っています…', 'Waiting for the connection…')); }); }

  function applyAccommodations(a) {
    if (a.large_text) document.body.classList.add('large');
    if (a.high_contrast) document.body.classList.add('contrast');
    $('large').setAttribute('aria-pressed', document.body.classList.contains('large'));
    $('contrast').setAttribute('aria-pressed', document.body.classList.contains('contrast'));
  }

  function fmt(s) {
    s = Math.max(0, s);
    var h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), x = s % 60;
    return (h ? h + ':' : '') + (m < 10 && h ? '0' : '') + m + ':' + (x < 10 ? '0' : '') + x;
  }
  function startTimer(rem) {
    deadline = Date.now() + rem * 1000;
    if (tick) clearInterval(tick);
    var warned = false;
    tick = setInterval(function () {
      var left = Math.round((deadline - Date.now()) / 1000);
      $('timer').textContent = t('残り時間 ', 'Time left ') + fmt(left);
      if (left <= 300 && !warned) { warned = true; say(t('残り5分です。', '5 minutes left.')); }
      if (left <= 0) { clearInterval(tick); load(); }
    }, 1000);
  }

  function render(v) {
    view = v;
    if (v.csrf) csrf = v.csrf;
    applyAccommodations(v.accommodations || {});
    if (v.result) return renderResult();
    if (v.status === 'admitted') { show('s-intro'); return; }
    if (v.status === 'paused' || !v.item) {
      return wait(t('試験監督により一時停止されています。時間は止まっています。', 'The proctor has paused the exam. The clock is stopped.'));
    }
    var it = v.item;
    show('s-item');
    $('progress').textContent = t('解答済み ' + v.answered + ' 問（最大 ' + v.max_items + ' 問）',
      v.answered + ' answered (at most ' + v.max_items + ')');
    startTimer(v.remaining_s);
    $('timer').textContent = t('残り時間 ', 'Time left ') + fmt(v.remaining_s);
    $('item-heading').textContent = t('問 ' + (it.position + 1), 'Question ' + (it.position + 1));
    $('scenario').hidden = !it.scenario;
    if (it.scenario) {
      $('scenario-title').textContent = txt(it.scenario.title);
      $('scenario-text').textContent = txt(it.scenario.passage);
    }
    $('stem').textContent = txt(it.stem);
    $('answer-form').dataset.item = it.item_id;
    var box = $('options');
    while (box.firstChild) box.removeChild(box.firstChild);
    var labels = en() ? ['a', 'b', 'c', 'd'] : ['ア', 'イ', 'ウ', 'エ'];
    it.options.forEach(function (o, i) {
      var d = document.createElement('div');
      var inp = document.createElement('input');
      inp.type = 'radio'; inp.name = 'choice'; inp.id = 'o' + i; inp.value = String(i);
      var lab = document.createElement('label');
      lab.htmlFor = 'o' + i;
      lab.textContent = labels[i] + '　' + txt(o);
      d.appendChild(inp); d.appendChild(lab); box.appendChild(d);
    });
    $('item-heading').focus();
  }

  function renderResult() {
    show('s-result');
    if (tick) clearInterval(tick);
    api('GET', '/api/v1/exam/report').then(function (r) {
      if (r.status !== 200) return;
      var rep = r.body, res = rep.result;
      $('r-name').textContent = rep.name + ' (' + rep.name_latn + ')';
      $('r-date').textContent = res.date;
      $('r-score').textContent = String(res.scaled);
      $('r-pass').textContent = res.passed ? t('合格', 'Pass') : t('不合格', 'Fail');
      var tb = $('r-table');
      while (tb.firstChild) tb.removeChild(tb.firstChild);
      var bands = { above: t('基準以上', 'Above the standard'), near: t('基準付近', 'Near the standard'), below: t('基準未満', 'Below the standard') };
      res.domains.forEach(function (d) {
        var tr = document.createElement('tr');
        [d.label, String(d.items), bands[d.band]].forEach(function (c) {
          var td = document.createElement('td'); td.textContent = c; tr.appendChild(td);
        });
        tb.appendChild(tr);
      });
      say(t('試験が終了しました。', 'The exam has ended.'));
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('code-form').addEventListener('submit', function (e) {
      e.preventDefault();
      api('POST', '/api/v1/exam/start', { code: $('code').value.trim() }).then(function (r) {
        if (r.status === 200) { csrf = r.body.csrf; say(''); load(); } else say(r.body.detail || r.body.title);
      });
    });
    $('practice').addEventListener('submit', function (e) {
      e.preventDefault();
      var c = document.querySelector('input[name=p]:checked');
      $('practice-result').textContent = !c ? t('選択肢を選んでください。', 'Choose an option.')
        : c.value === '1' ? t('正解です（イ）。', 'Correct (b).') : t('不正解です。正解はイです。', 'Not correct. The answer is b.');
    });
    $('begin').addEventListener('click', function () { api('POST', '/api/v1/exam/begin').then(handle); });
    $('answer-form').addEventListener('submit', function (e) {
      e.preventDefault();
      if (busy) return;
      var c = document.querySelector('input[name=choice]:checked');
      if (!c) { say(t('選択肢を選んでから確定してください。', 'Choose an option before confirming.')); return; }
      busy = true;
      var body = { position: view.item.position, item_id: view.item.item_id, choice: Number(c.value) };
      var send = function () {
        api('POST', '/api/v1/exam/answer', body).then(function (r) {
          if (r.status === 503) { say(t('しばらくお待ちください（再送します）', 'Please wait (retrying)')); return setTimeout(send, 2000); }
          busy = false; say(''); handle(r);
        }, function () { setTimeout(send, 2000); });
      };
      send();
    });
    $('large').addEventListener('click', function () { document.body.classList.toggle('large'); applyAccommodations({}); });
    $('contrast').addEventListener('click', function () { document.body.classList.toggle('contrast'); applyAccommodations({}); });
    $('print').addEventListener('click', function () { window.print(); });
    document.querySelectorAll('[data-lang-toggle]').forEach(function (b) {
      b.addEventListener('click', function () { if (view) render(view); });
    });
    load();
  });
})();
