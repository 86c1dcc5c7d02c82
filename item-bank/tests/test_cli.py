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


class AnalyzeDriftLord(unittest.TestCase):
    def test_lord_chi2_joint_drift(self):
        # 12 items on one scale with SEs and a-b covariances; i5 moved a little in both slope
        # (ratio 1.3) and difficulty (0.25): neither alone is flagged, jointly it is. The
        # chi-square is recomputed here from the printed constants; an item without a
        # covariance has none.
        d = tempfile.mkdtemp(prefix="riss-drift-lord-")
        try:
            act, new = [], []
            for j in range(12):
                a, b = 0.8 + 0.05 * j, -1.5 + 0.25 * j
                an, bn = (a * 1.3, b + 0.25) if j == 5 else (a, b)
                cov = -0.3 * 0.04 * 0.05 * (1 if b > 0 else -1)
                act.append({"id": f"i{j}", "a": a, "b": b, "se_a": 0.04, "se_b": 0.05, "cov_ab": cov})
                it = {"id": f"i{j}", "a": an, "b": bn, "se_a": 0.04, "se_b": 0.05, "cov_ab": cov}
                if j == 11:
                    del it["cov_ab"]
                new.append(it)
            for name, items in (("active.json", act), ("new.json", new)):
                with open(os.path.join(d, name), "w") as f:
                    json.dump({"model": "2pl", "items": items}, f)
            out = json.loads(riss("analyze", "drift", "--params", os.path.join(d, "active.json"),
                                  "--new", os.path.join(d, "new.json"), "--json").stdout)
            by = {it["id"]: it for it in out["items"]}
            A, B = out["A"], out["B"]
            for j in range(11):
                o, n = act[j], new[j]
                va = (n["se_a"] / A) ** 2 + o["se_a"] ** 2
                vb = (A * n["se_b"]) ** 2 + o["se_b"] ** 2
                c = n["cov_ab"] + o["cov_ab"]
                da, db = n["a"] / A - o["a"], A * n["b"] + B - o["b"]
                chi2 = (vb * da * da - 2 * c * da * db + va * db * db) / (va * vb - c * c)
                # A and B come printed to 6 significant digits
                self.assertAlmostEqual(by[f"i{j}"]["lord_chi2"], chi2, delta=2e-3 * (1 + chi2))
                self.assertAlmostEqual(by[f"i{j}"]["lord_p"], math.exp(-by[f"i{j}"]["lord_chi2"] / 2), delta=1e-5)
            self.assertIsNone(by["i11"]["lord_chi2"])
            self.assertFalse(by["i5"]["flagged"])
            self.assertFalse(by["i5"]["slope_flagged"])
            self.assertTrue(by["i5"]["joint_flagged"])
            self.assertEqual(out["joint_flagged"], 1)
            text = riss("analyze", "drift", "--params", os.path.join(d, "active.json"),
                        "--new", os.path.join(d, "new.json")).stdout
            self.assertIn("DRIFT-ab", text)
            self.assertIn("1 jointly (Lord's chi-square)", text)
        finally:
            shutil.rmtree(d, ignore_errors=True)


class AnalyzeDriftPersonBootstrap(unittest.TestCase):
    def test_person_bootstrap_of_the_constants(self):
        # The new form's examinees come from N(0.4, 1.25^2) on the active scale; calibrated
        # alone they sit on N(0, 1), so theta_active = 1.25 theta_new + 0.4. The person
        # bootstrap resamples them, recalibrates and relinks: its SEs are positive, of the
        # size the sampling of 600 examinees gives (a few hundredths), and repeatable.
        d = tempfile.mkdtemp(prefix="riss-drift-pboot-")
        try:
            rng = random.Random(11)
            items = [{"id": f"i{j}", "a": 0.8 + 0.1 * j, "b": -1.6 + 0.35 * j} for j in range(10)]
            with open(os.path.join(d, "active.json"), "w") as f:
                json.dump({"model": "2pl", "items": items}, f)
            rows = ["id\t" + "\t".join(it["id"] for it in items)]
            for i in range(600):
                th = 0.4 + 1.25 * rng.gauss(0, 1)
                rows.append(f"p{i}\t" + "\t".join(
                    "1" if rng.random() < 1 / (1 + math.exp(-it["a"] * (th - it["b"]))) else "0" for it in items))
            with open(os.path.join(d, "new.tsv"), "w") as f:
                f.write("\n".join(rows) + "\n")
            args = ["analyze", "drift", "--params", os.path.join(d, "active.json"), "--data",
                    os.path.join(d, "new.tsv"), "--person-bootstrap", "12", "--bootstrap", "0"]
            out = json.loads(riss(*args, "--json").stdout)
            self.assertEqual(out["person_bootstrap"], 12)
            self.assertEqual(out["person_bootstrap_ok"], 12)
            self.assertAlmostEqual(out["A"], 1.25, delta=0.2)
            self.assertAlmostEqual(out["B"], 0.4, delta=0.2)
            for m in ("stocking_lord", "haebara", "mean_sigma"):
                self.assertTrue(0.005 < out["links"][m]["person_se_A"] < 0.3)
                self.assertTrue(0.005 < out["links"][m]["person_se_B"] < 0.3)
            again = json.loads(riss(*args, "--json").stdout)
            self.assertEqual(again["links"], out["links"])
            text = riss(*args).stdout
            self.assertIn("SE by person bootstrap", text)
            self.assertIn("12 of 12 replicates", text)
            # without the responses there is nothing to resample
            p = riss("analyze", "drift", "--params", os.path.join(d, "active.json"), "--new",
                     os.path.join(d, "active.json"), "--person-bootstrap", "5", check=False)
            self.assertEqual(p.returncode, 2)
            self.assertIn("--person-bootstrap needs --data", p.stderr)
        finally:
            shutil.rmtree(d, ignore_errors=True)


class AnalyzeDriftSE(unittest.TestCase):
    def test_flags_by_standard_error_slope_drift_and_linking_methods(self):
        # 20 items, theta_active = 0.9 theta_new - 0.2, difficulties with estimation noise
        # and standard errors: i4 moved 0.41 at SE 0.17 (2.4 SE: not flagged at z = 2.58),
        # i8 moved 0.8 at SE 0.1 (flagged), i12 doubled its slope (slope drift only).
        d = tempfile.mkdtemp(prefix="riss-drift-se-")
        try:
            rng = random.Random(7)
            A, B = 0.9, -0.2
            act, new = [], []
            for j in range(20):
                a, b = 0.8 + 0.03 * j, -2 + 0.2 * j
                se = 0.17 if j == 4 else 0.1
                eb = 0 if j == 4 else rng.gauss(0, 0.05)
                bn = (b - B) / A + eb + {4: 0.41, 8: 0.8}.get(j, 0) / A
                an = a * A * (2 if j == 12 else 1)
                act.append({"id": f"i{j}", "a": a, "b": b, "se_a": 0.05, "se_b": se / 2 ** 0.5})
                new.append({"id": f"i{j}", "a": an, "b": bn, "se_a": 0.05 * A, "se_b": se / 2 ** 0.5 / A})
            for name, items in (("active.json", act), ("new.json", new)):
                with open(os.path.join(d, name), "w") as f:
                    json.dump({"model": "2pl", "items": items}, f)
            out = json.loads(riss("analyze", "drift", "--params", os.path.join(d, "active.json"),
                                  "--new", os.path.join(d, "new.json"), "--json").stdout)
            by = {it["id"]: it for it in out["items"]}
            self.assertTrue(by["i8"]["flagged"])
            self.assertFalse(by["i4"]["flagged"])
            self.assertGreater(abs(by["i4"]["delta_b"]), 0.3)
            self.assertAlmostEqual(by["i4"]["se_delta_b"], 0.17, places=2)
            self.assertTrue(by["i12"]["slope_flagged"])
            self.assertEqual(out["slope_flagged"], 1)
            for m in ("stocking_lord", "haebara", "mean_sigma"):
                self.assertAlmostEqual(out["links"][m]["A"], A, delta=0.05)
                self.assertAlmostEqual(out["links"][m]["B"], B, delta=0.05)
                self.assertGreater(out["links"][m]["se_A"], 0)
            # mean/sigma by hand on the same linking items, and an independent bootstrap of it
            link = [j for j in range(20) if not by[f"i{j}"]["flagged"]]
            bo = [act[j]["b"] for j in link]
            bn = [new[j]["b"] for j in link]

            def ms(x, y):
                mx, my = sum(x) / len(x), sum(y) / len(y)
                sx = math.sqrt(sum((v - mx) ** 2 for v in x))
                sy = math.sqrt(sum((v - my) ** 2 for v in y))
                return sx / sy, mx - sx / sy * my

            a0, b0 = ms(bo, bn)
            self.assertAlmostEqual(out["links"]["mean_sigma"]["A"], a0, places=6)
            self.assertAlmostEqual(out["links"]["mean_sigma"]["B"], b0, places=6)
            boot = []
            for _ in range(2000):
                k = [rng.randrange(len(link)) for _ in link]
                boot.append(ms([bo[i] for i in k], [bn[i] for i in k])[0])
            mb = sum(boot) / len(boot)
            sd = math.sqrt(sum((v - mb) ** 2 for v in boot) / (len(boot) - 1))
            self.assertAlmostEqual(out["links"]["mean_sigma"]["se_A"], sd, delta=0.3 * sd)
        finally:
            shutil.rmtree(d, ignore_errors=True)


class AnalyzeDif(unittest.TestCase):
    """DIF on simulated data with the answer known: 30 2PL items, equal ability in both
    groups, items d0 and d1 harder for the focal group (uniform DIF), item d2 with another
    slope (non-uniform DIF); the rest have none."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="riss-dif-")
        rng = random.Random(13)
        cls.items = [(0.7 + 0.04 * j, -1.6 + 0.11 * j) for j in range(30)]
        cls.names = ["d0", "d1", "d2"] + [f"n{j}" for j in range(3, 30)]
        cls.rows = []
        for i in range(4000):
            g = "F" if i % 2 else "R"
            t = rng.gauss(0, 1)
            x = []
            for j, (a, b) in enumerate(cls.items):
                if g == "F" and j < 2:
                    b += 0.9
                if g == "F" and j == 2:
                    a = 0.25
                x.append(int(rng.random() < 1 / (1 + math.exp(-a * (t - b)))))
            cls.rows.append((g, x))
        cls.wide = os.path.join(cls.dir, "dif.tsv")
        with open(cls.wide, "w") as f:
            f.write("id\tgroup\t" + "\t".join(cls.names) + "\n")
            for i, (g, x) in enumerate(cls.rows):
                f.write(f"p{i}\t{g}\t" + "\t".join(map(str, x)) + "\n")
        cls.out = json.loads(riss("analyze", "dif", "--data", cls.wide, "--group", "group", "--focal", "F",
                                  "--json").stdout)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_flags_the_dif_items_and_purifies(self):
        by = {it["id"]: it for it in self.out["items"]}
        self.assertIn(by["d0"]["mh"]["ets"], "BC")
        self.assertIn(by["d1"]["mh"]["ets"], "BC")
        self.assertFalse(by["d0"]["anchor"] or by["d1"]["anchor"])
        self.assertLess(by["d2"]["logistic"]["nonuniform_p"], 0.001)
        # null items: after purification few false flags at p < .05 (about 5 % expected)
        null = [it for it in self.out["items"] if it["id"].startswith("n")]
        false_mh = sum(it["mh"]["p"] < 0.05 for it in null)
        self.assertLessEqual(false_mh, 4)
        self.assertTrue(all(it["mh"]["ets"] == "A" for it in null))
        self.assertTrue(all(it["mh"]["strata"] >= 10 for it in null))

    def test_logistic_regression_matches_an_independent_fit(self):
        # refit item n10 here: matching score = number right on the anchor items + n10
        anchor = [it["anchor"] for it in self.out["items"]]
        j = self.names.index("n10")
        S, G, Y = [], [], []
        for g, x in self.rows:
            S.append(sum(v for v, an in zip(x, anchor) if an) + (0 if anchor[j] else x[j]))
            G.append(1 if g == "F" else 0)
            Y.append(x[j])
        n = len(S)
        m = sum(S) / n
        sd = math.sqrt(sum((v - m) ** 2 for v in S) / n)
        Z = [(v - m) / sd for v in S]

        def fit(cols):
            k = len(cols) + 1
            b = [0.0] * k
            for _ in range(40):
                g = [0.0] * k
                H = [[0.0] * k for _ in range(k)]
                for i in range(n):
                    v = [1.0] + [c[i] for c in cols]
                    p = 1 / (1 + math.exp(-sum(bb * vv for bb, vv in zip(b, v))))
                    for u in range(k):
                        g[u] += (Y[i] - p) * v[u]
                        for t in range(k):
                            H[u][t] += p * (1 - p) * v[u] * v[t]
                # solve H d = g (Gauss-Jordan)
                A = [row[:] + [gg] for row, gg in zip(H, g)]
                for c in range(k):
                    piv = max(range(c, k), key=lambda r: abs(A[r][c]))
                    A[c], A[piv] = A[piv], A[c]
                    for r in range(k):
                        if r != c:
                            f = A[r][c] / A[c][c]
                            A[r] = [a - f * ac for a, ac in zip(A[r], A[c])]
                d = [A[u][k] / A[u][u] for u in range(k)]
                b = [bb + dd for bb, dd in zip(b, d)]
                if max(abs(dd) for dd in d) < 1e-10:
                    break
            ll = 0.0
            for i in range(n):
                z = b[0] + sum(bb * c[i] for bb, c in zip(b[1:], cols))
                ll += -math.log1p(math.exp(-z)) if Y[i] else -math.log1p(math.exp(z))
            return ll

        l1 = fit([Z])
        l2 = fit([Z, G])
        l3 = fit([Z, G, [z * g for z, g in zip(Z, G)]])
        got = next(it for it in self.out["items"] if it["id"] == "n10")["logistic"]
        self.assertAlmostEqual(got["uniform_chi2"], 2 * (l2 - l1), places=4)
        self.assertAlmostEqual(got["nonuniform_chi2"], 2 * (l3 - l2), places=4)

    def test_group_minimum_and_text(self):
        p = riss("analyze", "dif", "--data", self.wide, "--group", "group", "--focal", "F", "--min-group", "3000",
                 check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("needs at least 3000", p.stderr)
        text = riss("analyze", "dif", "--data", self.wide, "--group", "group", "--focal", "F").stdout
        self.assertIn("two-stage purification", text)
        self.assertIn("Logistic regression", text)


if __name__ == "__main__":
    unittest.main()
