#!/usr/bin/env python3
"""Interim checker for the RISS item interchange format (docs/item-format.md).

Validates a JSON Lines item file against the documented format, reports every
bad line as FILE:LINE: member: problem, and (with --demo, the default for the
shipped demo bank) enforces the demo-bank policy as well. Prints counts per
domain and part. Exit status: 0 valid, 1 invalid, 2 usage error.
Python 3 standard library only. The C validator (`riss bank validate`) will
replace this script as the authority.
"""

import argparse
import collections
import json
import os
import re
import sys
import unicodedata

MAX_LINE = 65536
MAX_LINES = 100000
MAX_FILE = 64 * 1024 * 1024

DOMAINS = ["basics", "management", "measures", "law", "technology",
           "it_management", "strategy"]
STATUSES = ["draft", "review", "pretest", "operational", "retired"]
MODELS = ["rasch", "1pl", "2pl", "3pl"]
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
EXAM_RE = re.compile(r"^[A-Za-z0-9]{1,16}$")

ITEM_KEYS = ["record", "id", "version", "exam", "status", "type", "domain",
             "part", "scenario", "enemy", "stem", "options", "key",
             "rationale", "author", "reviewer", "params"]
SCEN_KEYS = ["record", "id", "version", "exam", "title", "passage", "author",
             "reviewer"]
META_KEYS = ["record", "format", "format_version", "exam", "title"]
PARAM_KEYS = ["model", "a", "b", "c"]

TEXT_BOUNDS = {"stem": 4096, "option": 1024, "rationale": 4096,
               "title": 256, "passage": 16384}

JA_CHAR = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
KANA = re.compile(r"[\u3040-\u30ff]")


class Checker:
    def __init__(self, path):
        self.path = path
        self.errors = []
        self.warnings = []

    def err(self, line, member, msg):
        self.errors.append("%s:%d: %s: %s" % (self.path, line, member, msg))

    def warn(self, line, member, msg):
        self.warnings.append("%s:%d: %s: warning: %s"
                             % (self.path, line, member, msg))


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v):
    return (isinstance(v, (int, float)) and not isinstance(v, bool))


def check_text(ck, ln, member, v, bound, multiline):
    """A text is {"ja","en"}, both non-empty, trimmed, NFC, within bound."""
    if not isinstance(v, dict):
        ck.err(ln, member, "must be an object {\"ja\", \"en\"}")
        return False
    ok = True
    for k in v:
        if k not in ("ja", "en"):
            ck.err(ln, member, "unknown member %r" % k)
            ok = False
    for lang in ("ja", "en"):
        s = v.get(lang)
        m = "%s.%s" % (member, lang)
        if not isinstance(s, str) or s == "":
            ck.err(ln, m, "missing or empty")
            ok = False
            continue
        if s != s.strip():
            ck.err(ln, m, "leading or trailing white space")
            ok = False
        if unicodedata.normalize("NFC", s) != s:
            ck.err(ln, m, "not Unicode NFC")
            ok = False
        if len(s.encode("utf-8")) > bound:
            ck.err(ln, m, "longer than %d bytes" % bound)
            ok = False
        if not multiline and "\n" in s:
            ck.err(ln, m, "must be one line")
            ok = False
        if any(ord(ch) < 0x20 and ch != "\n" for ch in s):
            ck.err(ln, m, "control character")
            ok = False
        if (lang == "ja" and not member.startswith("options")
                and not JA_CHAR.search(s)):
            ck.err(ln, m, "no Japanese text")
            ok = False
        if lang == "en" and KANA.search(s):
            ck.err(ln, m, "English text contains kana")
            ok = False
    return ok


def check_staff(ck, ln, member, v, required):
    if v is None:
        if required:
            ck.err(ln, member, "required")
        return
    if not isinstance(v, str) or not (1 <= len(v.encode("utf-8")) <= 64):
        ck.err(ln, member, "must be a string of 1-64 bytes")


def check_params(ck, ln, p, demo):
    if not isinstance(p, dict):
        ck.err(ln, "params", "must be an object")
        return
    for k in p:
        if k not in PARAM_KEYS:
            ck.err(ln, "params", "unknown member %r" % k)
    model = p.get("model")
    if model not in MODELS:
        ck.err(ln, "params.model", "must be one of %s" % ", ".join(MODELS))
    a, b, c = p.get("a"), p.get("b"), p.get("c")
    for name, v in (("a", a), ("b", b), ("c", c)):
        if not is_num(v):
            ck.err(ln, "params." + name, "missing or not a number")
            return
        if v != v or v in (float("inf"), float("-inf")):
            ck.err(ln, "params." + name, "not finite")
            return
    if not (0 < a <= 4):
        ck.err(ln, "params.a", "must be in (0, 4]")
    if not (-6 <= b <= 6):
        ck.err(ln, "params.b", "must be in [-6, 6]")
    if not (0 <= c < 0.5):
        ck.err(ln, "params.c", "must be in [0, 0.5)")
    if model != "3pl" and c != 0:
        ck.err(ln, "params.c", "must be 0.0 unless model is 3pl")
    if model == "rasch" and a != 1:
        ck.err(ln, "params.a", "must be 1.0 for rasch")
    if a < 0.4 or a > 2.5:
        ck.warn(ln, "params.a", "unusual slope %g" % a)
    if abs(b) > 3:
        ck.warn(ln, "params.b", "unusual difficulty %g" % b)
    if c > 0.35:
        ck.warn(ln, "params.c", "unusual lower asymptote %g" % c)
    if demo:
        if model != "3pl":
            ck.err(ln, "params.model", "demo policy: 3pl")
        if not (0.6 <= a <= 2.0):
            ck.err(ln, "params.a", "demo policy: a in [0.6, 2.0]")
        if not (-2.5 <= b <= 2.5):
            ck.err(ln, "params.b", "demo policy: b in [-2.5, 2.5]")
        if not (0.10 <= c <= 0.25):
            ck.err(ln, "params.c", "demo policy: c in [0.10, 0.25]")


def check_order(ck, ln, obj, order):
    keys = list(obj.keys())
    want = [k for k in order if k in obj]
    if keys != want:
        ck.warn(ln, "record", "members not in canonical order")


def check_file(path, demo):
    ck = Checker(path)
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE:
            ck.err(0, "file", "larger than %d bytes" % MAX_FILE)
            return ck, None
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        ck.err(0, "file", "cannot read: %s" % e.strerror)
        return ck, None
    if data.startswith(b"\xef\xbb\xbf"):
        ck.err(1, "file", "byte-order mark not allowed")
        data = data[3:]
    if data == b"":
        ck.err(0, "file", "empty file")
        return ck, None
    if not data.endswith(b"\n"):
        ck.err(data.count(b"\n") + 1, "file", "last line does not end in \\n")
    raw_lines = data.split(b"\n")
    if raw_lines and raw_lines[-1] == b"":
        raw_lines.pop()
    if len(raw_lines) > MAX_LINES:
        ck.err(MAX_LINES + 1, "file", "more than %d lines" % MAX_LINES)
        return ck, None

    ids = {}            # id -> (line, kind)
    scenarios = {}      # id -> line
    scen_used = collections.Counter()
    items = []          # (line, obj)
    meta_exam = None

    for ln, raw in enumerate(raw_lines, start=1):
        if len(raw) > MAX_LINE:
            ck.err(ln, "line", "longer than %d bytes" % MAX_LINE)
            continue
        if raw.endswith(b"\r"):
            ck.err(ln, "line", "carriage return before end of line")
            continue
        if raw.strip() == b"":
            ck.err(ln, "line", "empty line")
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            ck.err(ln, "line", "invalid UTF-8 at byte %d" % e.start)
            continue
        try:
            obj = json.loads(text, object_pairs_hook=dup_check)
        except ValueError as e:
            ck.err(ln, "line", "invalid JSON: %s" % e)
            continue
        if not isinstance(obj, dict):
            ck.err(ln, "line", "must be a JSON object")
            continue
        rec = obj.get("record")
        if rec == "meta":
            if ln != 1:
                ck.err(ln, "record", "meta record only allowed on line 1")
                continue
            for k in obj:
                if k not in META_KEYS:
                    ck.err(ln, k, "unknown member")
            if obj.get("format") != "riss-items":
                ck.err(ln, "format", "must be \"riss-items\"")
            if obj.get("format_version") != 1:
                ck.err(ln, "format_version", "unsupported (this reader knows 1)")
            meta_exam = obj.get("exam")
            if not isinstance(meta_exam, str) or not EXAM_RE.match(meta_exam):
                ck.err(ln, "exam", "must be an exam code")
                meta_exam = None
            t = obj.get("title")
            if t is not None and (not isinstance(t, str)
                                  or len(t.encode("utf-8")) > 200):
                ck.err(ln, "title", "must be a string of at most 200 bytes")
            continue
        if rec not in ("item", "scenario"):
            ck.err(ln, "record", "must be \"meta\", \"scenario\" or \"item\"")
            continue
        keys = SCEN_KEYS if rec == "scenario" else ITEM_KEYS
        for k in obj:
            if k not in keys:
                ck.err(ln, k, "unknown member")
        check_order(ck, ln, obj, keys)
        # common members
        oid = obj.get("id")
        if not isinstance(oid, str) or not ID_RE.match(oid):
            ck.err(ln, "id", "missing or not a valid id")
            oid = None
        elif oid in ids:
            ck.err(ln, "id", "duplicate id %r (first on line %d)"
                   % (oid, ids[oid][0]))
        else:
            ids[oid] = (ln, rec)
        if not is_int(obj.get("version")) or obj.get("version") < 1:
            ck.err(ln, "version", "must be an integer >= 1")
        exam = obj.get("exam")
        if not isinstance(exam, str) or not EXAM_RE.match(exam):
            ck.err(ln, "exam", "missing or not an exam code")
        elif meta_exam is not None and exam != meta_exam:
            ck.err(ln, "exam", "%r differs from the meta record's %r"
                   % (exam, meta_exam))
        check_staff(ck, ln, "author", obj.get("author"), True)
        reviewer = obj.get("reviewer")
        if rec == "scenario":
            check_text(ck, ln, "title", obj.get("title"), TEXT_BOUNDS["title"],
                       False)
            check_text(ck, ln, "passage", obj.get("passage"),
                       TEXT_BOUNDS["passage"], True)
            check_staff(ck, ln, "reviewer", reviewer, False)
            if reviewer is not None and reviewer == obj.get("author"):
                ck.err(ln, "reviewer", "must differ from author")
            if oid is not None and ids.get(oid, (0,))[0] == ln:
                scenarios[oid] = ln
            continue

        # item
        status = obj.get("status")
        if status not in STATUSES:
            ck.err(ln, "status", "must be one of %s" % ", ".join(STATUSES))
        if obj.get("type") != "single_choice":
            ck.err(ln, "type", "must be \"single_choice\"")
        if obj.get("domain") not in DOMAINS:
            ck.err(ln, "domain", "must be one of %s" % ", ".join(DOMAINS))
        part = obj.get("part")
        if part not in ("A", "B"):
            ck.err(ln, "part", "must be \"A\" or \"B\"")
        sc = obj.get("scenario")
        if part == "B":
            if sc is None:
                ck.err(ln, "scenario", "required for part B")
            elif not isinstance(sc, str) or sc not in scenarios:
                ck.err(ln, "scenario", "%r is not a scenario defined on an "
                       "earlier line" % (sc,))
            else:
                scen_used[sc] += 1
        elif part == "A" and "scenario" in obj:
            ck.err(ln, "scenario", "not allowed for part A")
        enemy = obj.get("enemy", [])
        if not isinstance(enemy, list) or not all(
                isinstance(e, str) and ID_RE.match(e) for e in enemy):
            ck.err(ln, "enemy", "must be an array of item ids")
            enemy = []
        elif oid is not None and oid in enemy:
            ck.err(ln, "enemy", "an item may not list itself")
        elif len(set(enemy)) != len(enemy):
            ck.err(ln, "enemy", "duplicate id")
        check_text(ck, ln, "stem", obj.get("stem"), TEXT_BOUNDS["stem"], True)
        opts = obj.get("options")
        if not isinstance(opts, list) or len(opts) != 4:
            ck.err(ln, "options", "must be an array of exactly 4 texts")
        else:
            good = True
            for i, o in enumerate(opts):
                good &= check_text(ck, ln, "options[%d]" % i, o,
                                   TEXT_BOUNDS["option"], False)
            if good:
                for lang in ("ja", "en"):
                    vals = [o[lang] for o in opts]
                    if len(set(vals)) != 4:
                        ck.err(ln, "options", "two options have the same %s "
                               "text" % lang)
        key = obj.get("key")
        if not is_int(key) or not (0 <= key <= 3):
            ck.err(ln, "key", "must be an integer 0-3")
        check_text(ck, ln, "rationale", obj.get("rationale"),
                   TEXT_BOUNDS["rationale"], True)
        need_rev = status in ("pretest", "operational", "retired")
        check_staff(ck, ln, "reviewer", reviewer, need_rev)
        if reviewer is not None and reviewer == obj.get("author"):
            ck.err(ln, "reviewer", "must differ from author (four-eyes rule)")
        params = obj.get("params")
        if params is None:
            if status == "operational":
                ck.err(ln, "params", "required for operational items")
        else:
            check_params(ck, ln, params, demo)
        items.append((ln, obj, enemy))

    # cross-line checks
    item_ids = {i for i, (l, k) in ids.items() if k == "item"}
    for ln, obj, enemy in items:
        for e in enemy:
            if e not in item_ids:
                ck.err(ln, "enemy", "%r is not an item in this file" % e)
    for sid, ln in scenarios.items():
        if scen_used[sid] == 0:
            ck.err(ln, "id", "scenario %r has no items" % sid)
    return ck, (items, scenarios, scen_used)


def dup_check(pairs):
    seen = set()
    for k, _ in pairs:
        if k in seen:
            raise ValueError("duplicate member %r" % k)
        seen.add(k)
    return dict(pairs)


def demo_policy(ck, summary):
    items, scenarios, scen_used = summary
    if len(items) < 150:
        ck.err(0, "file", "demo policy: at least 150 items (found %d)"
               % len(items))
    part_a = collections.Counter(o.get("domain") for _, o, _ in items
                                 if o.get("part") == "A")
    for d in DOMAINS:
        if part_a[d] == 0:
            ck.err(0, "file", "demo policy: no part-A item in domain %s" % d)
    if len(scenarios) < 8:
        ck.err(0, "file", "demo policy: at least 8 scenarios (found %d)"
               % len(scenarios))
    for sid, ln in scenarios.items():
        if not (4 <= scen_used[sid] <= 6):
            ck.err(ln, "id", "demo policy: scenario %r has %d items (want 4-6)"
                   % (sid, scen_used[sid]))
    for ln, o, _ in items:
        if o.get("status") in ("pretest", "operational") and not o.get("params"):
            ck.err(ln, "params", "demo policy: pretest and operational items "
                   "carry parameters")
    keys = collections.Counter(o.get("key") for _, o, _ in items)
    n = max(1, len(items))
    for k in range(4):
        if keys[k] / n > 0.4 or keys[k] / n < 0.1:
            ck.warn(0, "key", "key %d used by %.0f%% of items" %
                    (k, 100.0 * keys[k] / n))


def report(summary, out):
    items, scenarios, scen_used = summary
    tab = collections.defaultdict(collections.Counter)
    status = collections.Counter()
    keys = collections.Counter()
    bsum = collections.defaultdict(list)
    for _, o, _ in items:
        tab[o.get("domain")][o.get("part")] += 1
        status[o.get("status")] += 1
        keys[o.get("key")] += 1
        p = o.get("params")
        if p:
            bsum[o.get("part")].append(p.get("b", 0))
    out.write("%-14s %5s %5s %5s\n" % ("domain", "A", "B", "total"))
    ta = tb = 0
    for d in DOMAINS:
        a, b = tab[d]["A"], tab[d]["B"]
        ta += a
        tb += b
        out.write("%-14s %5d %5d %5d\n" % (d, a, b, a + b))
    out.write("%-14s %5d %5d %5d\n" % ("total", ta, tb, ta + tb))
    out.write("scenarios: %d (%s items each)\n" % (
        len(scenarios), ", ".join(str(scen_used[s]) for s in scenarios)))
    out.write("status: %s\n" % ", ".join("%s %d" % (s, status[s])
                                         for s in STATUSES if status[s]))
    out.write("keys: %s\n" % ", ".join("%d:%d" % (k, keys[k])
                                       for k in range(4)))
    for part in ("A", "B"):
        bs = bsum[part]
        if bs:
            out.write("part %s mean b %.2f (min %.2f, max %.2f)\n" % (
                part, sum(bs) / len(bs), min(bs), max(bs)))


def main(argv):
    ap = argparse.ArgumentParser(
        description="Validate a RISS JSON Lines item file "
                    "(docs/item-format.md).")
    ap.add_argument("file", nargs="?",
                    default=os.path.join(os.path.dirname(
                        os.path.abspath(__file__)), "items.jsonl"),
                    help="item file (default: the demo bank items.jsonl)")
    ap.add_argument("--no-demo", action="store_true",
                    help="check the format only, not the demo-bank policy")
    ap.add_argument("-q", "--quiet", action="store_true",
                    help="print problems only, no counts")
    args = ap.parse_args(argv)
    demo = not args.no_demo
    ck, summary = check_file(args.file, demo)
    if summary is not None and demo:
        demo_policy(ck, summary)
    for w in ck.warnings:
        sys.stderr.write(w + "\n")
    for e in ck.errors:
        sys.stderr.write(e + "\n")
    if summary is not None and not args.quiet:
        report(summary, sys.stdout)
    if ck.errors:
        sys.stderr.write("%s: %d error(s); the file is not valid\n"
                         % (args.file, len(ck.errors)))
        return 1
    if not args.quiet:
        print("%s: valid (%d warning(s))" % (args.file, len(ck.warnings)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
