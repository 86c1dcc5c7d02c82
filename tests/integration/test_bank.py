"""riss bank validate|import|export|publish against the real test database, as an operator
uses them: every bad line reported and nothing imported, the demo bank imported (twice,
idempotently), exported in the canonical form and published as an engine bank file that
carries no item text or key."""
import json
import os
import tempfile
import unittest

from rissd_harness import ROOT, riss, require_stack

require_stack()
riss("db", "migrate")

DEMO = os.path.join(ROOT, "item-bank", "demo", "items.jsonl")
EXAM = os.path.join(ROOT, "exam-engine", "exams", "sg.json")


def demo_lines():
    with open(DEMO, encoding="utf-8") as f:
        return f.read().splitlines(keepends=True)


class BankCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="riss-bank-")

    def path(self, name, lines):
        p = os.path.join(self.tmp, name)
        with open(p, "w", encoding="utf-8") as f:
            f.writelines(lines)
        return p

    def export(self, *args):
        r = riss("bank", "export", *args, check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.splitlines(keepends=True)

    def test_1_validate_reports_every_bad_line_and_import_takes_nothing(self):
        lines = demo_lines()
        items = [i for i, l in enumerate(lines) if '"record":"item"' in l and '"part":"A"' in l and '"enemy":[]' in l]
        bad = list(lines)
        # A new id on each bad line, so nothing of it can already be in the bank.
        a, b, c = items[10], items[20], items[30]
        bad[a] = bad[a].replace('"key":', '"key":9,"x":', 1)                              # unknown member
        bad[b] = bad[b].replace('"domain":"', '"domain":"zz', 1)                           # unknown domain
        bad[c] = bad[c][:40] + "\n"                                                        # broken JSON
        newid = json.loads(lines[items[0]])
        newid["id"] = "ZZ-NEW-0001"
        bad.append(json.dumps(newid, ensure_ascii=False, separators=(",", ":")) + "\n")    # a good new item
        p = self.path("bad.jsonl", bad)
        r = riss("bank", "validate", p, check=False)
        self.assertEqual(r.returncode, 2)
        reported = sorted(int(l.split(":")[1]) for l in r.stderr.splitlines() if l.startswith(p + ":"))
        self.assertEqual(reported, [a + 1, b + 1, c + 1])
        r = riss("bank", "import", p, check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("nothing imported", r.stderr)
        self.assertFalse(any('"id":"ZZ-NEW-0001"' in l for l in self.export()))
        j = json.loads(riss("bank", "validate", p, "--json", check=False).stdout)
        self.assertFalse(j["valid"])
        self.assertEqual(sorted(e["line"] for e in j["errors"]), [a + 1, b + 1, c + 1])

    def test_2_demo_imports_idempotently_and_exports_canonically(self):
        r = riss("bank", "validate", DEMO)
        self.assertIn("valid", r.stdout)
        riss("bank", "import", DEMO, "--actor", "it-tester")
        again = json.loads(riss("bank", "import", DEMO, "--actor", "it-tester", "--json").stdout)
        self.assertEqual(again["items_new"] + again["items_updated"], 0)
        self.assertEqual(again["transitions"], 0)
        out = set(self.export())
        # Every item and scenario line of the (canonical) demo file comes back byte for byte.
        missing = [l[:60] for l in demo_lines() if '"record":"meta"' not in l and l not in out]
        self.assertEqual(missing, [])
        pre = self.export("--status", "pretest")
        self.assertTrue(pre)
        self.assertTrue(all('"status":"pretest"' in l for l in pre if '"record":"item"' in l))

    def test_3_publish_writes_an_engine_bank_without_text(self):
        riss("bank", "import", DEMO, "--actor", "it-tester")
        out = os.path.join(self.tmp, "sg.jsonl")
        j = json.loads(riss("bank", "publish", "--exam", EXAM, "--out", out, "--json",
                            "--sh-examinees", "200", "--sh-rounds", "2").stdout)
        with open(out, encoding="utf-8") as f:
            rows = [json.loads(l) for l in f]
        self.assertEqual(len(rows), j["items"])
        self.assertGreaterEqual(j["operational"], 150)
        for row in rows:
            self.assertNotIn("stem", row)
            self.assertNotIn("key", row)
            self.assertIn(row["status"], ("operational", "pretest"))
        # The engine can score from it: `riss simulate` style consumers read the same file.
        self.assertTrue(any("enemy" in row for row in rows))

    def test_4_bad_invocations_exit_2(self):
        for args in (["bank", "validate"], ["bank", "export", "--status", "live"], ["bank", "publish"],
                     ["bank", "import", "/nonexistent.jsonl"], ["bank", "import", DEMO, "--actor", "bad actor"]):
            r = riss(*args, check=False)
            self.assertEqual(r.returncode, 2, args)
            self.assertTrue(r.stderr.strip(), args)


if __name__ == "__main__":
    unittest.main(verbosity=2)
