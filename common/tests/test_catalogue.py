#!/usr/bin/env python3
"""The message catalogue covers what the code shows: every catalogue id named in C
(rs_error_msg, web_reply_msg) and in the pages (rissI18n.t, data-i18n keys with a dot) exists,
and every problem type the server can answer has a title and a generic detail in both
languages. Run from meson with the source root as argument."""
import os
import re
import sys

root = sys.argv[1]
cat = {}
for name in sorted(os.listdir(os.path.join(root, 'common', 'messages'))):
    if not name.endswith('.tsv'):
        continue
    for line in open(os.path.join(root, 'common', 'messages', name), encoding='utf-8'):
        line = line.rstrip('\n')
        if line and not line.startswith('#'):
            mid, ja, en = line.split('\t')
            cat[mid] = (ja, en)

C_PATTERNS = [
    re.compile(r'rs_error_msg\(\s*"([^"]+)"'),
    re.compile(r'web_reply_msg\(\s*\w+\s*,[^,]+,\s*"[^"]+"\s*,\s*"([^"]+)"'),
    re.compile(r'RS_MSG_ID\(\s*"([^"]+)"'),
]
PROBLEM_TYPE = re.compile(r'web_reply_(?:problem|msg|error)\(\s*\w+\s*,[^,]+,\s*"([a-z-]+)"')
JS_PATTERNS = [
    re.compile(r'''rissI18n\.t\(\s*['"]([^'"]+)['"]'''),
    re.compile(r'''data-i18n(?:-placeholder|-aria-label)?="([a-z0-9_-]+\.[a-z0-9_.-]+)"'''),
]
missing, types = [], set()
skip = {'build', 'build-san', 'build-release', 'node_modules', 'var', '.git', 'vendor'}
for dirpath, dirnames, filenames in os.walk(root):
    dirnames[:] = [d for d in dirnames if d not in skip and not d.startswith('build')]
    for fn in filenames:
        path = os.path.join(dirpath, fn)
        rel = os.path.relpath(path, root)
        if fn.endswith('.c'):
            text = open(path, encoding='utf-8', errors='replace').read()
            for p in C_PATTERNS:
                for m in p.finditer(text):
                    if m.group(1) not in cat:
                        missing.append('%s: %s' % (rel, m.group(1)))
            if rel.startswith('web' + os.sep):
                types.update(PROBLEM_TYPE.findall(text))
        elif fn.endswith(('.js', '.html', '.mjs')) and rel.startswith(os.path.join('web', 'static')):
            text = open(path, encoding='utf-8', errors='replace').read()
            for p in JS_PATTERNS:
                for m in p.finditer(text):
                    if m.group(1) not in cat:
                        missing.append('%s: %s' % (rel, m.group(1)))
for t in sorted(types):
    for mid in ('problem.' + t, 'problem.' + t + '.detail'):
        if mid not in cat:
            missing.append('problem type %s: no catalogue entry %s' % (t, mid))
if missing:
    print('not in the message catalogue:')
    print('\n'.join('  ' + m for m in missing))
    sys.exit(1)
print('catalogue: %d entries; every id used and %d problem types covered' % (len(cat), len(types)))
