#!/usr/bin/env python3
"""Pass/fail counts of an ADL LRS conformance suite run, in total and per resource.

usage: summary.py LOGFILE  (the JSON log console_runner.js writes under logs/; with -z it
holds the failing tests only, so the totals come from its summary and the per-file counts
of failures from its tree)."""
import json
import sys


def failures(node, out, path):
    """Collect (top-level describe, title) of every failed leaf under node."""
    kids = node.get("tests") or []
    if not kids:
        if node.get("status") == "failed":
            out.append((path[0] if path else node.get("title", "?"), node.get("title", "?")))
        return
    for k in kids:
        failures(k, out, path + [node.get("title", "")] if node.get("title") else path)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        log = json.load(f)
    summary = log.get("summary") or {}
    print("conformance: total %s, passed %s, failed %s" % (summary.get("total"), summary.get("passed"),
                                                          summary.get("failed")))
    out = []
    root = log.get("log") or {}
    for top in root.get("tests") or []:
        failures(top, out, [])
    by = {}
    for group, _ in out:
        by[group] = by.get(group, 0) + 1
    for group in sorted(by):
        print("  failed %4d  %s" % (by[group], group))


if __name__ == "__main__":
    main()
