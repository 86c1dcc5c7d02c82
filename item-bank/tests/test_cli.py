#!/usr/bin/env python3
"""CLI tests of `riss analyze`: the S-X² item-fit columns of `items` as a psychometrician
reads them, in text and JSON, and `drift` leaving drifted items out of the link. Run by meson (suite unit) with RISS_BIN pointing at the built riss;
no database."""
import json
import math
import os
import random
import shutil
import subprocess
import tempfile
import unittest

RISS = os.environ.get("RISS_BIN", "riss")


def riss(*args, check=True):
    p = subprocess.run([RISS, *args], capture_output=True, text=True, timeout=120)
    if check and p.returncode != 0:
        raise AssertionError(f"riss {' '.join(args)} failed ({p.returncode}): {p.stderr}")
    return p


def chi2_upper_even(x, df):
    """P(X > x) for even df, in closed form: exp(-x/2) * sum_{i < df/2} (x/2)^i / i!."""
    h, term, s = x / 2, 1.0, 1.0
    for i in range(1, df // 2):
        term *= h / i
        s += term
    return math.exp(-h) * s


class AnalyzeItems(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="riss-analyze-")
        rng = random.Random(2026)
        items = [(0.8 + 0.1 * j, -1.5 + 0.25 * j) for j in range(12)]
        rows = []
        for i in range(3000):
            t = rng.gauss(0, 1)
            x = [int(rng.random() < 1 / (1 + math.exp(-a * (t - b)))) for a, b in items]
            # "hump": right mostly in the middle of the ability range and rarely at either
            # end, a shape no increasing logistic curve follows.
            x.append(int(rng.random() < (0.85 if abs(t) < 0.8 else 0.15)))
            rows.append(x)
        cls.wide = os.path.join(cls.dir, "wide.tsv")
        with open(cls.wide, "w") as f:
            f.write("id\t" + "\t".join([f"i{j}" for j in range(12)] + ["hump"]) + "\n")
            for i, x in enumerate(rows):
                f.write(f"p{i}\t" + "\t".join(map(str, x)) + "\n")
        # The same answers with every person missing two items: no complete form.
        cls.long = os.path.join(cls.dir, "long.tsv")
        with open(cls.long, "w") as f:
            f.write("person\titem\tscore\n")
            names = [f"i{j}" for j in range(12)] + ["hump"]
            for i, x in enumerate(rows):
                for j, v in enumerate(x):
                    if j not in (i % 13, (i + 5) % 13):
                        f.write(f"p{i}\t{names[j]}\t{v}\n")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_json_columns_and_the_misfitting_item(self):
        out = json.loads(riss("analyze", "items", "--data", self.wide, "--model", "2pl", "--json").stdout)
        items = {it["id"]: it for it in out["items"]}
        self.assertEqual(len(items), 13)
        for name, it in items.items():
            self.assertGreater(it["sx2_df"], 0, it)
            self.assertLessEqual(it["sx2_df"], 13 - 1 - 2)      # at most n-1 score groups, minus a and b
            if it["sx2_df"] % 2 == 0:   # the tail, checked independently (JSON keeps 6 digits)
                self.assertTrue(math.isclose(it["sx2_p"], chi2_upper_even(it["sx2"], it["sx2_df"]), rel_tol=1e-4),
                                it)
        self.assertLess(items["hump"]["sx2_p"], 1e-6, items["hump"])
        fine = [n for n, it in items.items() if n != "hump" and it["sx2_p"] >= 0.001]
        self.assertGreaterEqual(len(fine), 11, {n: it["sx2_p"] for n, it in items.items()})

    def test_text_marks_misfit(self):
        out = riss("analyze", "items", "--data", self.wide, "--model", "2pl").stdout.splitlines()
        self.assertIn("S-X2", out[0])
        hump = [ln for ln in out if ln.startswith("hump ")]
        self.assertEqual(len(hump), 1)
        self.assertIn("(misfit: S-X2 p < .01)", hump[0])

    def test_incomplete_forms_get_a_note_not_a_number(self):
        p = riss("analyze", "items", "--data", self.long, "--long", "--model", "2pl", "--json")
        self.assertIn("no S-X2", p.stderr)
        for it in json.loads(p.stdout)["items"]:
            self.assertIsNone(it["sx2"])
            self.assertIsNone(it["sx2_p"])


class AnalyzeDrift(unittest.TestCase):
    def test_drifted_items_leave_the_link(self):
        # Twelve items on two scales related by theta_active = 1.1 theta_new + 0.35; two of
        # them became 0.8 logits harder. They are flagged and the link ignores them.
        d = tempfile.mkdtemp(prefix="riss-drift-")
        try:
            A, B = 1.1, 0.35
            act, new = [], []
            for j in range(12):
                a, b = 0.7 + 0.08 * j, -2 + 0.35 * j
                act.append({"id": f"i{j}", "a": a, "b": b})
                bn = (b - B) / A + (0.8 / A if j in (3, 9) else 0)
                new.append({"id": f"i{j}", "a": a * A, "b": bn})
            for name, items in (("active.json", act), ("new.json", new)):
                with open(os.path.join(d, name), "w") as f:
                    json.dump({"model": "2pl", "items": items}, f)
            out = json.loads(riss("analyze", "drift", "--params", os.path.join(d, "active.json"),
                                  "--new", os.path.join(d, "new.json"), "--json").stdout)
            self.assertEqual(out["flagged"], 2)
            self.assertEqual(out["linking_items"], 10)
            self.assertTrue(out["converged"])
            self.assertAlmostEqual(out["A"], A, places=3)
            self.assertAlmostEqual(out["B"], B, places=3)
            self.assertEqual(sorted(it["id"] for it in out["items"] if it["flagged"]), ["i3", "i9"])
            text = riss("analyze", "drift", "--params", os.path.join(d, "active.json"),
                        "--new", os.path.join(d, "new.json")).stdout
            self.assertIn("over 10 of 12 common items", text)
            self.assertIn("2 of 12 items drifted", text)
        finally:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
