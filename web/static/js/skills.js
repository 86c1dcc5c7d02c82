// Skill profile rendering shared by /me and the verify page: the claims with their
// framework release, level, strength and evidence; the published pay beside the claims'
// frameworks (year, source, unverified marked); the evidence no mapping uses (/me only).
// textContent only; every word from the catalogue.
(function () {
  'use strict';
  function t(id, args) { return window.rissI18n.t(id, args); }
  function has(id) { return window.rissI18n.has(id); }
  function lang() { return window.rissI18n.current(); }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function loc(o, base) { return (o && (o[base + '_' + lang()] || o[base + '_en'] || o[base])) || ''; }
  // A framework's own name for an element, level or organisation: on a Japanese screen the
  // Japanese name when the data has one; otherwise the English proper name, labelled as such
  // from the catalogue (skills.name_en_only), never bare English (docs/ARCHITECTURE.md).
  function named(o, base) {
    if (!o) return '';
    if (lang() === 'en') return o[base + '_en'] || o[base] || o[base + '_ja'] || '';
    if (o[base + '_ja']) return o[base + '_ja'];
    var en = o[base + '_en'] || o[base];
    return en ? t('skills.name_en_only', [en]) : '';
  }
  function evidenceText(e) {
    if (e.kind === 'exam_domain') {
      var d = has('domain.' + e.key) ? t('domain.' + e.key) : e.key;
      return t('skills.evidence.exam_domain', [d, t('skills.band.' + e.band)]);
    }
    return t('skills.evidence.' + e.kind, [e.key]) + (e.date ? ' — ' + e.date : '');
  }
  function money(amount, cur) {
    try {
      return new Intl.NumberFormat(lang() === 'en' ? 'en-US' : 'ja-JP', { style: 'currency', currency: cur,
        maximumFractionDigits: 0 }).format(Number(amount));
    } catch (x) { return cur + ' ' + amount; }
  }
  function payList(rows) {
    var ul = el('ul', null, 'skills-pay');
    rows.forEach(function (r) {
      var li = el('li');
      li.appendChild(el('span', t('page.skills.pay_row', [loc(r, 'occupation') + (r.occupation_code ? ' (' + r.occupation_code + ')' : ''),
        t('skills.stat.' + r.statistic), money(r.amount, r.currency), r.pay_kind === 'earned' ? t('skills.pay.earned') :
        t('skills.pay.advertised'), String(r.survey_year)])));
      var note = loc(r, 'note');
      if (note) li.appendChild(el('span', ' ' + note));
      li.appendChild(document.createTextNode(' '));
      var a = el('a', t('page.skills.source') + ': ' + (lang() === 'en' ? r.source : r.source_ja));
      a.href = r.url;
      a.rel = 'noopener';
      li.appendChild(a);
      if (!r.verified) li.appendChild(el('span', ' ' + t('page.skills.pay_unverified'), 'unverified'));
      ul.appendChild(li);
    });
    return ul;
  }
  // Render profile p into box (emptied first); opts.unmapped shows the evidence not mapped.
  function render(box, p, opts) {
    while (box.firstChild) box.removeChild(box.firstChild);
    if (p.mapping_set) {
      box.appendChild(el('p', t('page.skills.mapping_by', [named(p.mapping_set, 'asserted_by'), p.mapping_set.asserted_on]),
        'skills-set'));
    }
    if (!p.claims.length) {
      box.appendChild(el('p', t('page.skills.none')));
    } else {
      var table = el('table', null, 'skills-claims');
      var head = table.createTHead().insertRow();
      ['page.skills.framework', 'page.skills.element', 'page.skills.level', 'page.skills.strength',
        'page.skills.evidence'].forEach(function (id) {
        var th = el('th', t(id));
        th.scope = 'col';
        head.appendChild(th);
      });
      var body = table.createTBody();
      p.claims.forEach(function (c) {
        var tr = body.insertRow();
        var th = el('th', t('page.skills.fw_version', [named(c, 'framework_name'), c.version]));
        th.scope = 'row';
        tr.appendChild(th);
        var td = el('td');
        var a = el('a', named(c, 'title') + ' (' + c.ident + ')');
        a.href = c.source_url;
        a.rel = 'noopener';
        td.appendChild(a);
        if (c.verified === false) td.appendChild(el('span', ' ' + t('page.skills.unverified_row'), 'unverified'));
        tr.appendChild(td);
        tr.appendChild(el('td', c.level && c.level.ident !== c.ident ? named(c.level, 'title') : '', 'level'));
        tr.appendChild(el('td', t('skills.strength.' + c.strength)));
        var ev = el('td');
        var ul = el('ul');
        c.evidence.forEach(function (e) { ul.appendChild(el('li', evidenceText(e))); });
        ev.appendChild(ul);
        tr.appendChild(ev);
      });
      box.appendChild(table);
      box.appendChild(el('p', t('page.skills.strength_note'), 'note'));
    }
    // The releases the claims use, each with whether it was checked against the publisher's
    // own publication (and, when not, why).
    if (p.frameworks && p.frameworks.length) {
      box.appendChild(el('h3', t('page.skills.sources_h')));
      var fl = el('ul', null, 'skills-sources');
      p.frameworks.forEach(function (f) {
        var li = el('li');
        var a = el('a', t('page.skills.fw_version', [named(f, 'name'), f.version]));
        a.href = f.source_url;
        a.rel = 'noopener';
        li.appendChild(a);
        li.appendChild(el('span', ' — ' + t(f.verified ? 'page.skills.release_verified' : 'page.skills.release_unverified'),
          f.verified ? 'verified' : 'unverified'));
        var why = loc(f, 'verified_note');
        if (!f.verified && why) li.appendChild(el('span', ' ' + why, 'note'));
        fl.appendChild(li);
      });
      box.appendChild(fl);
    }
    var fws = {};
    p.claims.forEach(function (c) { fws[c.framework] = true; });
    var graded = p.pay.filter(function (r) { return r.framework && fws[r.framework]; });
    var other = p.pay.filter(function (r) { return !r.framework; });
    if (graded.length) {
      box.appendChild(el('h3', t('page.skills.pay_h')));
      box.appendChild(payList(graded));
    }
    if (other.length && p.claims.length) {
      box.appendChild(el('h3', t('page.skills.pay_reference')));
      box.appendChild(payList(other));
    }
    if (opts && opts.unmapped && p.unmapped && p.unmapped.length) {
      box.appendChild(el('h3', t('page.skills.unmapped_h')));
      box.appendChild(el('p', t('page.skills.unmapped_note'), 'note'));
      var ul = el('ul');
      p.unmapped.forEach(function (e) { ul.appendChild(el('li', evidenceText(e))); });
      box.appendChild(ul);
    }
  }
  window.rissSkills = { render: render };
})();
