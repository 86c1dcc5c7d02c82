// Candidate exam page: renders the server's view with textContent only. The server holds
// the clock and the engine state; this page shows what it is sent, posts answers, and polls
// GET /api/v1/exam/status once a second to follow the proctor (pause, resume, extra time,
// end, move) with a full-screen state for each. Every word comes from the message catalogue.
(function () {
  'use strict';
  // Seconds before an idle screen returns to the code entry; tests may shorten them.
  var T = window.rissExamTimeouts = { report: 120, ended: 20, moved: 30, timeup: 3, poll: 1000 };
  var csrf = '', view = null, report = null, screen = 'init', stateKind = null, last = null, busy = false;
  var remaining = 0, remainingAt = 0, running = false, warned = false, extraShown = null;
  var pollTimer = null, clockTimer = null, resetTimer = null, resetLeft = 0, resetWhere = null, polling = false;
  var $ = function (id) { return document.getElementById(id); };
  function t(id, args) { return window.rissI18n.t(id, args); }
  function en() { return window.rissI18n && window.rissI18n.current() === 'en'; }
  function txt(o) { return o ? (en() ? o.en : o.ja) : ''; }
  var SECTIONS = ['s-code', 's-intro', 's-item', 's-state', 's-result'];
  function show(id) {
    SECTIONS.forEach(function (s) { $(s).hidden = s !== id; });
    screen = id;
    if (id !== 's-state') stateKind = null;
  }
  function say(msg) { $('status').textContent = msg; }
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); }

  function api(method, path, body) {
    var h = {};
    if (body) h['Content-Type'] = 'application/json';
    if (method !== 'GET' && csrf) h['X-CSRF-Token'] = csrf;
    return fetch(path, { method: method, headers: h, body: body ? JSON.stringify(body) : undefined,
      credentials: 'same-origin', cache: 'no-store' }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) { return { status: r.status, body: j }; });
    });
  }
  function detail(r) { return window.rissI18n.problem(r.body, r.status); }

  // --- The clock: the remaining seconds the server last reported, counted down locally
  // only while the server says the sitting runs (a pause stops it).
  function fmt(s) {
    s = Math.max(0, s);
    var h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), x = s % 60;
    return (h ? h + ':' : '') + (m < 10 && h ? '0' : '') + m + ':' + (x < 10 ? '0' : '') + x;
  }
  function left() { return running ? remaining - Math.floor((Date.now() - remainingAt) / 1000) : remaining; }
  function setClock(rem, isRunning) {
    remaining = rem; remainingAt = Date.now(); running = isRunning;
    drawClock();
    if (!clockTimer) clockTimer = setInterval(drawClock, 250);
  }
  function drawClock() {
    var l = left();
    $('timer').textContent = t('page.exam.timer', [fmt(l)]);
    if (stateKind === 'paused') $('state-time').textContent = t('page.exam.paused_left', [fmt(l)]);
    if (running && l <= 300 && !warned && screen === 's-item') { warned = true; say(t('page.exam.five_left')); }
  }

  // --- Following the proctor: one small GET a second.
  function startPolling() { if (!pollTimer) pollTimer = setInterval(poll, T.poll); }
  function stopPolling() { if (pollTimer) clearInterval(pollTimer); pollTimer = null; }
  function poll() {
    if (polling) return;
    polling = true;
    api('GET', '/api/v1/exam/status').then(function (r) {
      polling = false;
      if (r.status === 200) onStatus(r.body);
      else if (r.status === 503 && screen === 's-item') showState('offline');
    }, function () {
      polling = false;
      if (screen === 's-item') showState('offline');
    });
  }
  function onStatus(s) {
    var prev = last;
    last = s;
    if (s.state === 'none') {
      if (screen !== 's-code') { if (screen === 'init') showCode(false); else resetToStart(); }
      return;
    }
    if (s.state === 'moved') { if (stateKind !== 'moved') showState('moved'); return; }
    if (s.state === 'ended') { if (stateKind !== 'ended') showState('ended'); return; }
    if (s.state === 'finished') { if (screen !== 's-result' && stateKind !== 'timeup') load(); return; }
    setClock(s.remaining_s, s.state === 'running');
    if (s.state === 'paused') { if (stateKind !== 'paused') showState('paused'); return; }
    if (s.state === 'admitted') { if (screen !== 's-intro') load(); return; }
    // Running.
    if (s.remaining_s <= 0) {
      if (stateKind !== 'timeup') { showState('timeup'); setTimeout(load, T.timeup * 1000); }
      return;
    }
    var changed = prev && prev.session === s.session && prev.version !== s.version;
    if (screen !== 's-item' || changed) {
      if (prev && prev.session === s.session && s.extra_s > prev.extra_s) extraShown = s.extra_s - prev.extra_s;
      load();
    }
  }

  // --- Full-screen states.
  var STATES = {
    paused: ['page.exam.paused_title', 'page.exam.paused_text'],
    ended: ['page.exam.ended_title', 'page.exam.ended_text'],
    moved: ['page.exam.moved_title', 'page.exam.moved_text'],
    timeup: ['page.exam.timeup_title', 'page.exam.timeup_text'],
    offline: ['page.exam.wait_title', 'page.exam.offline'],
  };
  function showState(kind) {
    cancelReset();
    say('');
    show('s-state');
    stateKind = kind;
    $('s-state').className = 'fullscreen state-' + kind;
    drawState();
    $('state-time').textContent = '';
    if (kind === 'paused') drawClock();
    $('state-back').hidden = !(kind === 'ended' || kind === 'moved');
    if (kind === 'ended' || kind === 'moved') {
      stopPolling();
      scheduleReset(kind === 'ended' ? T.ended : T.moved, 'state-reset');
      forgetCandidate();
    }
    if (kind === 'offline') setTimeout(load, 2000);
    $('state-title').focus();
  }
  function drawState() {
    var k = STATES[stateKind];
    if (!k) return;
    $('state-title').textContent = t(k[0]);
    $('state-text').textContent = t(k[1]);
  }

  // --- Back to the code entry with nothing of the previous candidate left.
  function scheduleReset(seconds, where) {
    cancelReset();
    resetLeft = seconds; resetWhere = where;
    $(where).textContent = t('page.exam.reset_soon', [resetLeft]);
    resetTimer = setInterval(function () {
      resetLeft--;
      $(where).textContent = t('page.exam.reset_soon', [Math.max(0, resetLeft)]);
      if (resetLeft <= 0) resetToStart();
    }, 1000);
  }
  function cancelReset() {
    if (resetTimer) clearInterval(resetTimer);
    resetTimer = null;
    if (resetWhere) $(resetWhere).textContent = '';
    resetWhere = null;
  }
  // The candidate's own data off the page (the item, the report, choices, accommodations).
  function forgetCandidate() {
    ['r-name', 'r-date', 'r-score', 'r-pass', 'r-table', 'stem', 'options', 'scenario-title', 'scenario-text',
     'item-heading', 'progress', 'timer', 'practice-result', 'notice-text', 'status', 'code-error'].forEach(function (id) { clear($(id)); });
    $('scenario').hidden = true;
    $('notice').hidden = true;
    document.querySelectorAll('input[type=radio]').forEach(function (i) { i.checked = false; });
    view = null; report = null; extraShown = null; warned = false;
    document.body.classList.remove('large', 'contrast');
    applyAccommodations({});
    try { window.sessionStorage.clear(); window.localStorage.clear(); } catch (e) { /* storage disabled */ }
  }
  function resetToStart() {
    cancelReset();
    stopPolling();
    if (clockTimer) clearInterval(clockTimer);
    clockTimer = null; running = false; last = null;
    var done = function () {
      csrf = '';
      forgetCandidate();
      // The next person starts in Japanese, the default.
      document.cookie = 'lang=ja; path=/; SameSite=Strict; max-age=31536000';
      window.rissI18n.apply('ja');
      showCode(true);
    };
    api('POST', '/api/v1/exam/close').then(done, done);
  }
  function showCode(neutral) {
    show('s-code');
    $('neutral').hidden = !neutral;
    $('code').value = '';
    $('code').focus();
  }

  // --- The server's view.
  function handle(r) {
    if (r.status === 503) return showState('offline');
    if (r.status === 401) {
      // No sitting here any more: the status says whether it moved or was closed.
      return api('GET', '/api/v1/exam/status').then(function (s) {
        if (s.status === 200 && s.body.state !== 'none') onStatus(s.body);
        else if (screen === 'init' || screen === 's-code') showCode(false);
        else resetToStart();
      });
    }
    // A refusal (paused, not the current item, ...): say it, then show what the server holds
    // now; a lasting problem is retried every 2 s, not in a tight loop.
    if (r.status !== 200) { say(detail(r)); return setTimeout(load, r.status === 409 ? 0 : 2000); }
    render(r.body, true);
  }
  // One /current at a time; a change seen meanwhile asks for one more when it returns.
  var loading = false, again = false;
  function load() {
    if (loading) { again = true; return; }
    loading = true;
    var done = function () { loading = false; if (again) { again = false; load(); } };
    api('GET', '/api/v1/exam/current').then(function (r) { done(); handle(r); },
      function () { done(); showState('offline'); });
  }

  function applyAccommodations(a) {
    if (a.large_text) document.body.classList.add('large');
    if (a.high_contrast) document.body.classList.add('contrast');
    $('large').setAttribute('aria-pressed', document.body.classList.contains('large'));
    $('contrast').setAttribute('aria-pressed', document.body.classList.contains('contrast'));
  }

  function render(v, fresh) {
    var before = screen;
    view = v;
    if (v.csrf) csrf = v.csrf;
    startPolling();
    if (fresh) applyAccommodations(v.accommodations || {});
    if (v.status === 'ended') { if (stateKind !== 'ended') showState('ended'); return; }
    if (v.result) return renderResult(fresh);
    // Over but not yet closed: the page asks for the close (a GET changes nothing).
    if (v.finishing) {
      if (v.finishing === 'time_up' && stateKind !== 'timeup') showState('timeup');
      return api('POST', '/api/v1/exam/begin').then(handle);
    }
    setClock(v.remaining_s, v.status === 'running');
    if (v.status === 'admitted') {
      show('s-intro');
      if (before !== 's-intro') $('intro-title').focus();
      return;
    }
    if (v.status === 'paused' || !v.item) { if (stateKind !== 'paused') showState('paused'); return; }
    var it = v.item;
    var sameItem = before === 's-item' && $('answer-form').dataset.item === it.item_id &&
      $('answer-form').dataset.position === String(it.position);
    show('s-item');
    $('progress').textContent = t('page.exam.progress', [v.answered, v.max_items]);
    $('item-heading').textContent = t('page.exam.question', [it.position + 1]);
    $('scenario').hidden = !it.scenario;
    if (it.scenario) {
      $('scenario-title').textContent = txt(it.scenario.title);
      $('scenario-text').textContent = txt(it.scenario.passage);
    }
    $('stem').textContent = txt(it.stem);
    $('answer-form').dataset.item = it.item_id;
    $('answer-form').dataset.position = String(it.position);
    var box = $('options');
    var chosen = sameItem ? document.querySelector('input[name=choice]:checked') : null;
    var keep = chosen ? chosen.value : null;
    clear(box);
    var labels = t('page.exam.option_labels').split(',');
    it.options.forEach(function (o, i) {
      var d = document.createElement('div');
      var inp = document.createElement('input');
      inp.type = 'radio'; inp.name = 'choice'; inp.id = 'o' + i; inp.value = String(i);
      if (keep === String(i)) inp.checked = true;
      var lab = document.createElement('label');
      lab.htmlFor = 'o' + i;
      lab.textContent = labels[i] + '　' + txt(o);
      d.appendChild(inp); d.appendChild(lab); box.appendChild(d);
    });
    if (extraShown) {
      var mins = Math.round(extraShown / 60);
      extraShown = null;
      $('notice-text').textContent = t('page.exam.extra_text', [mins, fmt(v.remaining_s)]);
      $('notice').hidden = false;
      $('notice-title').focus();
    } else if (!sameItem) {
      $('item-heading').focus();
    }
  }

  function renderResult(fresh) {
    if (clockTimer) clearInterval(clockTimer);
    clockTimer = null; running = false;
    stopPolling();
    var first = screen !== 's-result';
    show('s-result');
    if (first) { $('result-title').focus(); scheduleReset(T.report, 'result-reset'); }
    if (report && !fresh) return drawReport();
    api('GET', '/api/v1/exam/report').then(function (r) {
      if (r.status !== 200) return;
      report = r.body;
      drawReport();
      say(t('page.exam.done'));
    });
  }
  function drawReport() {
    var rep = report, res = rep.result;
    $('r-name').textContent = rep.name + ' (' + rep.name_latn + ')';
    $('r-date').textContent = res.date;
    $('r-score').textContent = String(res.scaled);
    $('r-pass').textContent = res.passed ? t('page.exam.pass') : t('page.exam.fail');
    var tb = $('r-table');
    clear(tb);
    res.domains.forEach(function (d) {
      var tr = document.createElement('tr');
      // the catalogue's SG domain names, else the exam file's label in the page's language
      var name = window.rissI18n.has('domain.' + d.name) ? t('domain.' + d.name)
        : (window.rissI18n.current() === 'en' && d.label_en) || d.label || d.name;
      [name, String(d.items), t('page.exam.band.' + d.band)].forEach(function (c) {
        var td = document.createElement('td'); td.textContent = c; tr.appendChild(td);
      });
      tb.appendChild(tr);
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('code-form').addEventListener('submit', function (e) {
      e.preventDefault();
      var code = $('code').value.trim();
      $('code-error').textContent = '';
      if (!code) { $('code-error').textContent = t('page.exam.code_empty'); return; }
      api('POST', '/api/v1/exam/start', { code: code }).then(function (r) {
        if (r.status === 200) { csrf = r.body.csrf; say(''); $('neutral').hidden = true; load(); }
        else { $('code-error').textContent = detail(r); $('code').focus(); }
      });
    });
    $('practice').addEventListener('submit', function (e) {
      e.preventDefault();
      var c = document.querySelector('input[name=p]:checked');
      $('practice-result').textContent = !c ? t('page.exam.practice_none')
        : c.value === '1' ? t('page.exam.practice_right') : t('page.exam.practice_wrong');
    });
    $('begin').addEventListener('click', function () { api('POST', '/api/v1/exam/begin').then(handle); });
    $('answer-form').addEventListener('submit', function (e) {
      e.preventDefault();
      if (busy || !view || !view.item) return;
      var c = document.querySelector('input[name=choice]:checked');
      if (!c) { say(t('page.exam.choose_first')); return; }
      busy = true;
      var body = { position: view.item.position, item_id: view.item.item_id, choice: Number(c.value) };
      var send = function () {
        api('POST', '/api/v1/exam/answer', body).then(function (r) {
          if (r.status === 503) { say(t('page.exam.retrying')); return setTimeout(send, 2000); }
          busy = false; say(''); handle(r);
        }, function () { setTimeout(send, 2000); });
      };
      send();
    });
    $('notice-ok').addEventListener('click', function () { $('notice').hidden = true; $('item-heading').focus(); });
    $('state-back').addEventListener('click', resetToStart);
    $('close').addEventListener('click', resetToStart);
    $('large').addEventListener('click', function () { document.body.classList.toggle('large'); applyAccommodations({}); });
    $('contrast').addEventListener('click', function () { document.body.classList.toggle('contrast'); applyAccommodations({}); });
    $('print').addEventListener('click', function () { window.print(); });
    // Any key or pointer on the report restarts its idle timeout.
    ['keydown', 'pointerdown'].forEach(function (ev) {
      document.addEventListener(ev, function () {
        if (resetTimer && resetWhere === 'result-reset') scheduleReset(T.report, 'result-reset');
      });
    });
    document.addEventListener('riss:lang', function () {
      say(''); $('code-error').textContent = '';   // said in the other language
      if (screen === 's-item' && view) render(view, false);
      else if (screen === 's-result' && report) drawReport();
      else if (screen === 's-state') { drawState(); drawClock(); }
      if (resetWhere) $(resetWhere).textContent = t('page.exam.reset_soon', [Math.max(0, resetLeft)]);
      drawClock();
    });
    // Where this workstation stands: a sitting to continue, a moved one, or none.
    api('GET', '/api/v1/exam/status').then(function (r) {
      if (r.status === 200 && r.body.state !== 'none') { last = r.body; load(); }
      else if (r.status === 200) showCode(false);
      else showState('offline');
    }, function () { showState('offline'); });
  });
})();
