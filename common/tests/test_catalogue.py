#!/usr/bin/env python3
"""The message catalogue covers everything a person reads. Walks the tree and fails on:
* a catalogue id named in C (rs_error_msg, web_reply_msg, rs_msg_*, RS_MSG_ID) or in the
  pages (rissI18n.t, data-i18n keys with a dot, 'state.…'-style literals) that does not exist;
* a problem type the server can answer (web_reply_*, dlv_slug_set, "/problems/…") without
  problem.<type> and problem.<type>.detail;
* a state code in a state/status CHECK constraint of deploy/migrations without
  state.<kind>.<code> (a staff role without role.<code>) (every such column is mapped to its kind below: a new one fails until
  it is mapped), and a credential verdict (reg_jws_verdict) without state.credential.<code>;
* a verify reason code (reg_jws_reason_code) without verify.reason.<code>;
* a domain or part of exam-engine/exams/*.json without domain.<code> / part.<code>;
* a Japanese text with no Japanese in it (gen_messages.py refuses them too);
* a legacy web_reply_problem( call in web/ (English detail; Japanese readers get only the
  generic text), and a page with its own English (#i18n-en, t('ja', 'en'), en() ? …);
* a problem title in docs/api.md that differs from the catalogue.
Checks whose entries belong to another area that has not landed yet are listed in PENDING:
they are reported and do not fail until the first entry of the area exists (then every
missing one fails); legacy calls and pages of files in PENDING_LEGACY / PENDING_PAGES are
reported only: remove a file from those once its owner has converted it.
Run from meson with the source root as argument."""
import glob
import json
import os
import re
import sys

root = sys.argv[1]

# Areas still being converted by their owners (issue 18): reported, not failed.
PENDING = {
    'verify.reason': 'registrar (registry.tsv)',
    'domain': 'exam (domains.tsv)',
    'part': 'exam (domains.tsv)',
}
# Files whose web_reply_problem calls their owner still converts (reported, not failed).
PENDING_LEGACY = {
    'web/credential_pages.c', 'web/exam_answer.c', 'web/exam_auth.c', 'web/exam_start.c',
    'web/proctor_action.c', 'web/register_search.c', 'web/registry_admin.c', 'web/verify.c',
    'web/exam_current.c', 'web/exam_report.c', 'web/proctor_day.c', 'web/registry_ctx.c',
}

# Pages that still carry their own English (#i18n-en catalogs, t('ja', 'en') pairs): listed,
# not failed, until their owner moves them into the catalogue.
PENDING_PAGES = {
    'web/static/exam/', 'web/static/proctor/', 'web/static/register/', 'web/static/verify/',
    'web/static/card/', 'web/static/admin/registry/',
}
INLINE_EN = [
    (re.compile(r'id="i18n-en"'), 'an inline #i18n-en catalog'),
    (re.compile(r'''\bt\(\s*'[^']*[\u3040-\u30ff\u4e00-\u9fff][^']*'\s*,\s*'[^']*'\s*\)'''), "t('Japanese', 'English') pairs"),
    (re.compile(r'''\ben\(\)\s*\?'''), "en() ? 'English' : 'Japanese' choices"),
]

# Every state/status column of the schema and the kind of its catalogue ids. Values of a
# smallint column are named by CODE_NAMES.
STATE_KINDS = {
    ('exam.bookings', 'status'): 'booking',
    ('exam.sessions', 'status'): 'session',
    ('registry.registrants', 'status'): 'registration',
    ('registry.status_history', 'old_status'): 'registration',
    ('registry.status_history', 'new_status'): 'registration',
    ('registry.applications', 'state'): 'application',
    ('registry.status_entries', 'status'): 'credential',
    ('bank.items', 'status'): 'item',
    ('bank.transitions', 'to_status'): 'item',
    ('bank.packages', 'state'): 'package',  # exam packages (0021)
    # CPD (cpd-core and cpd-life helpers, migrations 0050-0057, not yet on this branch).
    ('cpd.providers', 'state'): 'cpd_provider',
    ('cpd.completions', 'state'): 'cpd_completion',
    ('cpd.renewal_applications', 'state'): 'renewal',
    ('cpd.cases', 'state'): 'case',
    ('cpd.reminders', 'state'): 'reminder',
}
# Mapped ahead of the branch that brings their migration: not failed while absent.
COMING = {k for k in STATE_KINDS if k[0].startswith('cpd.')}
CODE_NAMES = {('registry.status_entries', 'status'): {'0': 'valid', '1': 'revoked', '2': 'suspended'}}


def rel(path):
    return os.path.relpath(path, root)


def read(path):
    with open(path, encoding='utf-8', errors='replace') as f:
        return f.read()


cat, order = {}, []
for path in sorted(glob.glob(os.path.join(root, 'common', 'messages', '*.tsv'))):
    for n, line in enumerate(read(path).split('\n'), 1):
        if line and not line.startswith('#'):
            mid, ja, en = line.split('\t')
            cat[mid] = (ja, en, '%s:%d' % (rel(path), n))
            order.append(mid)


def api_table():
    """The problem types table of docs/api.md, generated from the catalogue."""
    rows = ['| type | English title | 日本語 |', '|---|---|---|']
    for mid in order:
        if mid.startswith('problem.') and not mid.endswith('.detail'):
            rows.append('| `/problems/%s` | %s | %s |' % (mid[len('problem.'):], cat[mid][1], cat[mid][0]))
    return '\n'.join(rows) + '\n'


if len(sys.argv) > 2 and sys.argv[2] == '--api-table':
    sys.stdout.write(api_table())
    sys.exit(0)

failures, pending = [], []


def need(mid, why):
    """Fail (or report, for a pending area) when mid is not in the catalogue."""
    if mid in cat:
        return
    area = next((a for a in PENDING if mid.startswith(a + '.')), None)
    # An area stays pending only until its owner lands the first entry of it; from then
    # on a missing one fails.
    if area and not any(k.startswith(area + '.') for k in cat):
        pending.append('%s: no %s (%s)' % (why, mid, PENDING[area]))
    else:
        failures.append('%s: no catalogue entry %s' % (why, mid))


# --- ids named in the code and the pages ---------------------------------------------------
C_PATTERNS = [
    re.compile(r'rs_error_msg\(\s*"([^"]+)"'),
    re.compile(r'web_reply_msg\(\s*\w+\s*,[^,]+,\s*"[^"]+"\s*,\s*"([^"]+)"'),
    re.compile(r'RS_MSG_ID\(\s*"([^"]+)"'),
    re.compile(r'rs_msg_(?:text|find)\(\s*"([^"]+)"'),
    re.compile(r'rs_msg_format\([^,]+,[^,]+,\s*"([^"]+)"'),
    # Any literal of an area whose ids cannot be mistaken for something else (audit actions
    # such as "exam.booking.import" share the exam., staff. and registry. prefixes).
    re.compile(r'"((?:csv|schedule|http|tlog|statuslist|json|state|problem|page|role|verify|domain|part)'
               r'\.[a-z0-9_-]+(?:\.[a-z0-9_-]+)*)"'),
]
PROBLEM_TYPE = [
    re.compile(r'web_reply_(?:problem|msg|error)\(\s*\w+\s*,[^,]+,\s*"([a-z-]+)"'),
    re.compile(r'_slug_set\(\s*"([a-z-]+)"'),
    re.compile(r'"/problems/([a-z-]+)"'),
]
JS_PATTERNS = [
    re.compile(r'''rissI18n\.t\(\s*['"]([^'"]+)['"]'''),
    re.compile(r'''\bt\(\s*['"]((?:page|state|problem|role|verify|domain|part|staff|common)\.[a-z0-9_.-]*[a-z0-9_-])['"]'''),
    re.compile(r'''data-i18n(?:-placeholder|-aria-label|-title)?="([a-z0-9_-]+\.[a-z0-9_.-]+)"'''),
    re.compile(r'''['"]((?:csv|schedule|stats|http|state|problem|page|role|verify|domain|part)\.[a-z0-9_-]+(?:\.[a-z0-9_-]+)*)['"]'''),
]
STATE_CALL = re.compile(r'''rissI18n\.state\(\s*['"]([a-z_]+)['"]''')
LEGACY = re.compile(r'\bweb_reply_problem\(')
types, legacy = set(), {}
skip = {'node_modules', 'var', '.git', 'vendor', 'subprojects'}
for dirpath, dirnames, filenames in os.walk(root):
    dirnames[:] = [d for d in dirnames if d not in skip and not d.startswith('build')]
    for fn in filenames:
        path = os.path.join(dirpath, fn)
        r = rel(path)
        if fn.endswith('.c') and 'tests' not in r.split(os.sep):
            text = read(path)
            for p in C_PATTERNS:
                for m in p.finditer(text):
                    need(m.group(1), r)
            if r.startswith(('web' + os.sep, 'delivery' + os.sep, 'registry' + os.sep, 'cpd-tracker' + os.sep)):
                for p in PROBLEM_TYPE:
                    types.update(p.findall(text))
            if r.startswith('web' + os.sep) and r != os.path.join('web', 'reply.c'):
                n = len(LEGACY.findall(text))
                if n:
                    legacy[r] = n
        elif fn.endswith(('.js', '.html')) and r.startswith(os.path.join('web', 'static')):
            text = read(path)
            for p, what in INLINE_EN:
                n = len(p.findall(text))
                if n:
                    line = '%s: %s (%d); move the texts into common/messages/' % (r, what, n)
                    owned = any(r.replace(os.sep, '/').startswith(d) for d in PENDING_PAGES)
                    (pending if owned else failures).append(line)
            for kind in STATE_CALL.findall(text):
                if not any(k.startswith('state.%s.' % kind) for k in cat):
                    failures.append("%s: rissI18n.state('%s', …) but the catalogue has no state.%s.*" % (r, kind, kind))
            for p in JS_PATTERNS:
                for m in p.finditer(text):
                    if not m.group(1).endswith('.'):  # 'state.booking.' + code: a prefix
                        need(m.group(1), r)
for t in sorted(types):
    need('problem.' + t, 'problem type ' + t)
    need('problem.' + t + '.detail', 'problem type ' + t)

# --- states in the schema ----------------------------------------------------------------
STMT_TABLE = re.compile(r'^\s*(?:CREATE\s+TABLE|ALTER\s+TABLE)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?(?:ONLY\s+)?([a-z_]+\.[a-z_]+)',
                        re.I | re.S)
ROLE_LIST = re.compile(r'\b(role)\s+IN\s*\(([^)]*)\)', re.I)  # staff roles: role.<code>
IN_LIST = re.compile(r'\b([a-z_]*(?:state|status))\s+IN\s*\(([^)]*)\)', re.I)
seen_cols = set()
for path in sorted(glob.glob(os.path.join(root, 'deploy', 'migrations', '*.sql'))):
    text = re.sub(r'--[^\n]*', '', read(path))
    for stmt in text.split(';'):
        if re.search(r'CREATE\s+TYPE\s+\S+\s+AS\s+ENUM', stmt, re.I):
            failures.append('%s: an enum type; map its values to state.<kind>.<code> in this test' % rel(path))
        m = STMT_TABLE.match(stmt)
        if not m or not re.search(r'\bCHECK\b', stmt, re.I):
            continue
        table = m.group(1)
        if re.match(r'\s*CREATE\s+INDEX', stmt, re.I):
            continue
        for col, values in ROLE_LIST.findall(stmt):
            for code in re.findall(r"'([^']*)'", values):
                need('role.' + code, '%s %s.%s' % (rel(path), table, col))
        for col, values in IN_LIST.findall(stmt):
            key = (table, col.lower())
            kind = STATE_KINDS.get(key)
            if not kind:
                failures.append('%s: %s.%s holds states but has no kind in STATE_KINDS of this test' % (rel(path), table, col))
                continue
            seen_cols.add(key)
            for v in re.findall(r"'([^']*)'|(\d+)", values):
                code = v[0] or CODE_NAMES.get(key, {}).get(v[1], v[1])
                need('state.%s.%s' % (kind, code), '%s %s.%s' % (rel(path), table, col))
for key in sorted(set(STATE_KINDS) - seen_cols):
    if key in COMING:
        pending.append('STATE_KINDS maps %s.%s, whose migration has not landed yet' % key)
    else:
        failures.append('STATE_KINDS maps %s.%s, which no migration constrains any more' % key)


# --- credential verdicts and verify reasons (registry/reg_jws.c) --------------------------
def returns_of(text, func):
    m = re.search(r'\n[^\n]*\b' + func + r'\([^)]*\)\s*\{(.*?)\n\}', text, re.S)
    return re.findall(r'return\s+"([a-z_]+)"', m.group(1)) if m else None


jws = read(os.path.join(root, 'registry', 'reg_jws.c'))
for func, fmt in (('reg_jws_verdict', 'state.credential.%s'), ('reg_jws_reason_code', 'verify.reason.%s')):
    codes = returns_of(jws, func)
    if not codes:
        failures.append('registry/reg_jws.c: %s not found; where are the codes now?' % func)
        continue
    for code in codes:
        need(fmt % code, 'registry/reg_jws.c %s' % func)

# --- domains and parts of the exams -------------------------------------------------------
for path in sorted(glob.glob(os.path.join(root, 'exam-engine', 'exams', '*.json'))):
    spec = json.loads(read(path))
    for d in spec.get('domains', []):
        need('domain.' + d['name'], rel(path))
    for p in spec.get('parts', []):
        need('part.' + p['name'].lower(), rel(path))  # ids are lower case (gen_messages.py ID_RE)

# --- Japanese that is not Japanese ---------------------------------------------------------
for mid, (ja, en, where) in sorted(cat.items()):
    if all(ord(c) < 128 for c in ja) and not (ja == en and len(ja) <= 12 and ' ' not in ja):
        failures.append('%s: the Japanese text of %s is English only' % (where, mid))

# --- legacy English details ---------------------------------------------------------------
for r, n in sorted(legacy.items()):
    line = '%s: %d web_reply_problem call(s) left (English detail)' % (r, n)
    (pending if r.replace(os.sep, '/') in PENDING_LEGACY else failures).append(line)

# --- docs/api.md problem table is the catalogue's -------------------------------------------
api = read(os.path.join(root, 'docs', 'api.md'))
m = re.search(r'^\| type \| English title \| 日本語 \|\n(?:\|[^\n]*\n)*', api, re.M)
if not m or m.group(0) != api_table():
    failures.append('docs/api.md: the problem types table is not the catalogue\'s; regenerate it with '
                    'python3 common/tests/test_catalogue.py . --api-table')
documented = set(re.findall(r'^\| `/problems/([a-z-]+)`', m.group(0) if m else '', re.M))
for t in sorted(types - documented):
    failures.append('docs/api.md: problem type %s is not in the table' % t)

if pending:
    print('pending (owned by areas still converting; not failing):')
    print('\n'.join('  ' + m for m in pending))
if failures:
    print('the message catalogue does not cover what a person reads:')
    print('\n'.join('  ' + m for m in failures))
    sys.exit(1)
print('catalogue: %d entries; every id used, %d problem types, %d state columns covered'
      % (len(cat), len(types), len(seen_cols)))
