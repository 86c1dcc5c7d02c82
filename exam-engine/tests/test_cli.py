#!/usr/bin/env python3
"""CLI tests of the exam engine's riss subcommands: bank generate, score, simulate,
exposure. Run by meson (suite unit) with RISS_BIN pointing at the built riss."""
import json
import re
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

RISS = os.environ.get("RISS_BIN", "riss")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SG = os.path.join(ROOT, "exam-engine", "exams", "sg.json")
# Published LSAT7 2PL (tests/data/README.md)
LSAT7 = [(0.988, 1.856), (1.081, 0.808), (1.706, 1.804), (0.765, 0.486), (0.736, 1.855)]


def riss(*args, check=True):
    p = subprocess.run([RISS, *args], capture_output=True, text=True, timeout=120)
    if check and p.returncode != 0:
        raise AssertionError(f"riss {' '.join(args)} failed ({p.returncode}): {p.stderr}")
    return p


def eap(pattern):
    """Posterior mean and SD under N(0,1) by the trapezoid rule on [-8, 8]."""
    s0 = s1 = s2 = 0.0
    for k in range(16001):
        t = -8 + k * 0.001
        l = -0.5 * t * t
        for (a, d), x in zip(LSAT7, pattern):
            p = 1 / (1 + math.exp(-(a * t + d)))
            l += math.log(p if x else 1 - p)
        w = math.exp(l) * (0.5 if k in (0, 16000) else 1)
        s0 += w
        s1 += w * t
        s2 += w * t * t
    m = s1 / s0
    return m, math.sqrt(s2 / s0 - m * m)


class CliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = cls.tmp.name
        cls.params = os.path.join(cls.dir, "lsat7.json")
        with open(cls.params, "w") as f:
            json.dump({"model": "2pl", "items": [{"id": f"item{i + 1}", "a": a, "d": d, "b": -d / a, "c": 0}
                                                 for i, (a, d) in enumerate(LSAT7)]}, f)
        cls.data = os.path.join(cls.dir, "lsat7.tsv")
        with open(cls.data, "w") as f:
            f.write("id\titem1\titem2\titem3\titem4\titem5\tfreq\n")
            for p in range(32):
                f.write(f"p{p:02d}\t" + "\t".join(str((p >> (4 - i)) & 1) for i in range(5)) + "\t3\n")
            f.write("pNA\t1\tNA\t\t0\t1\t1\n")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_generate_is_reproducible_and_valid(self):
        a = riss("bank", "generate", "--items", "300", "--seed", "9").stdout
        b = riss("bank", "generate", "--items", "300", "--seed", "9").stdout
        c = riss("bank", "generate", "--items", "300", "--seed", "10").stdout
        self.assertEqual(a, b)
        self.assertNotEqual(a, c)
        items = [json.loads(l) for l in a.splitlines()]
        self.assertEqual(len(items), 300)
        self.assertEqual(len({i["id"] for i in items}), 300)
        domains = {i["domain"] for i in items}
        with open(SG) as f:
            sg = json.load(f)
        self.assertEqual(domains, {d["name"] for d in sg["domains"]})
        for i in items:
            self.assertTrue(0.3 < i["a"] < 3 and -4 < i["b"] < 4)
            self.assertIn(i["status"], ("operational", "pretest"))

    def test_score_lsat7_eap_matches_quadrature(self):
        out = json.loads(riss("score", "--params", self.params, "--data", self.data, "--json").stdout)
        persons = out["persons"]
        self.assertEqual([p["id"] for p in persons], [f"p{p:02d}" for p in range(32)] + ["pNA"])
        for p in range(0, 32, 5):
            pattern = [(p >> (4 - i)) & 1 for i in range(5)]
            m, sd = eap(pattern)
            self.assertAlmostEqual(persons[p]["theta"], m, delta=1e-4)
            self.assertAlmostEqual(persons[p]["se"], sd, delta=1e-4)
        self.assertEqual(set(persons[0]), {"id", "theta", "se", "fallback", "at_bound"})
        self.assertFalse(any(p["fallback"] or p["at_bound"] for p in persons))
        self.assertEqual((out["fallbacks"], out["at_bound"]), (0, 0))

    def test_report_test_information(self):
        bank = os.path.join(self.dir, "bank-ti.jsonl")
        with open(bank, "w") as f:
            f.write(riss("bank", "generate", "--items", "900", "--seed", "4").stdout)
        items = {}
        with open(bank) as f:
            for line in f:
                it = json.loads(line)
                items[it["id"]] = it
        out = json.loads(riss("report", "test-information", "--bank", bank, "--exam", SG, "--examinees", "40",
                              "--json").stdout)
        self.assertEqual(len(out["theta"]), 81)
        self.assertEqual(len(out["fixed"]["items"]), 56)

        def info(it, t):  # Fisher information of a 2PL/3PL item, computed here
            a, b, c = it["a"], it["b"], it.get("c", 0) if it.get("model") == "3pl" else 0
            D = it.get("D", 1)
            psi = 1 / (1 + math.exp(-D * a * (t - b)))
            p = c + (1 - c) * psi
            return (D * a * (1 - c) * psi * (1 - psi)) ** 2 / (p * (1 - p))

        for k in (0, 35, 40, 60, 80):
            t = out["theta"][k]
            want = sum(info(items[i], t) for i in out["fixed"]["items"])
            self.assertAlmostEqual(out["fixed"]["information"][k], want, delta=1e-6 * max(1, want))
            self.assertAlmostEqual(out["fixed"]["csem"][k], 1 / math.sqrt(want), delta=1e-5 * max(1, 1 / math.sqrt(want)))
        # the fixed form is built for the cut: it beats the adaptive average there
        kc = min(range(81), key=lambda k: abs(out["theta"][k] - out["cut_theta"]))
        self.assertGreater(out["fixed"]["information"][kc], out["adaptive"]["information"][kc])
        if shutil.which("gnuplot") is None:
            self.skipTest("gnuplot (Debian gnuplot-nox) is not installed: plot not checked")
        svg = os.path.join(self.dir, "ti.svg")
        text = riss("report", "test-information", "--bank", bank, "--exam", SG, "--examinees", "20",
                    "--plot", svg).stdout
        self.assertIn("info fixed", text)
        with open(svg) as f:
            doc = f.read()
        self.assertIn("<svg", doc)
        self.assertIn("fixed form", doc)

    def test_calibrate_json_latent_and_fixed(self):
        # on its own the 2PL sets the scale: N(0, 1), not estimated
        out = json.loads(riss("calibrate", "--model", "2pl", "--data", self.data, "--quiet", "--json").stdout)
        self.assertEqual(out["latent"], {"mean": 0.0, "sd": 1.0, "estimated": False})
        self.assertTrue(out["converged"])
        self.assertLess(out["convergence"]["max_gradient"], 1e-4)
        # each item's a-b covariance beside its SEs: a correlation in (-1, 1), and b = -d/a
        # ties its sign to the item's difficulty (a larger slope pulls b towards 0)
        for it in out["items"]:
            r = it["cov_ab"] / (it["se_a"] * it["se_b"])
            self.assertTrue(-1 < r < 1)
            if abs(it["b"]) > 1:
                self.assertLess(it["cov_ab"] * it["b"], 0)
        # items 1-2 held fixed: the ability mean and SD are estimated on their scale, and the JSON
        # gives the same figures as the text report
        fixed = os.path.join(self.dir, "fixed.json")
        with open(fixed, "w") as f:
            json.dump({"model": "2pl", "items": [{"id": f"item{i + 1}", "a": a / 2, "b": 2 * (-d / a) + 1, "c": 0}
                                                 for i, (a, d) in enumerate(LSAT7[:2])]}, f)
        out = json.loads(riss("calibrate", "--model", "2pl", "--data", self.data, "--fixed", fixed, "--quiet",
                              "--json").stdout)
        self.assertTrue(out["latent"]["estimated"])
        self.assertGreater(out["latent"]["sd"], 0)
        text = riss("calibrate", "--model", "2pl", "--data", self.data, "--fixed", fixed, "--quiet").stdout
        m = re.search(r"ability distribution N\((-?[0-9.]+), ([0-9.]+)\^2\) \(estimated", text)
        self.assertIsNotNone(m, text)
        self.assertAlmostEqual(float(m.group(1)), out["latent"]["mean"], places=3)
        self.assertAlmostEqual(float(m.group(2)), out["latent"]["sd"], places=3)

    def test_score_methods_order(self):
        # one wrong answer on the easiest item vs all right but the hardest: sanity on ordering
        res = {}
        for m in ("eap", "map", "mle", "wle"):
            out = json.loads(riss("score", "--params", self.params, "--data", self.data, "--method", m,
                                  "--json").stdout)
            res[m] = {p["id"]: p["theta"] for p in out["persons"]}
            self.assertLess(res[m]["p00"], res[m]["p31"])
        # MAP and EAP shrink toward the prior: less extreme than WLE for all-wrong
        self.assertGreater(res["eap"]["p00"], res["wle"]["p00"])
        self.assertGreater(res["map"]["p00"], res["wle"]["p00"])
        # MLE has no finite maximum for all wrong (p00) and all right (p31): those rows fall back
        # to the EAP, and say so; the others do not
        mle = json.loads(riss("score", "--params", self.params, "--data", self.data, "--method", "mle",
                              "--json").stdout)
        flagged = {p["id"] for p in mle["persons"] if p["fallback"]}
        self.assertEqual(flagged, {"p00", "p31"})
        self.assertEqual(mle["fallbacks"], 2)
        by_id = {p["id"]: p for p in mle["persons"]}
        self.assertEqual(by_id["p00"]["theta"], res["eap"]["p00"])
        # a wider prior shrinks less: the all-wrong EAP moves down
        wide = json.loads(riss("score", "--params", self.params, "--data", self.data, "--prior", "0:2",
                               "--json").stdout)["persons"]
        self.assertLess(wide[0]["theta"], res["eap"]["p00"] - 0.5)

    def test_bad_input(self):
        bad = os.path.join(self.dir, "bad.tsv")
        with open(bad, "w") as f:
            f.write("id\titem1\nx\t2\n")
        for args in (["score", "--params", self.params, "--data", bad],
                     ["score", "--params", self.params, "--data", self.data, "--method", "ml"],
                     ["score", "--params", "/nonexistent", "--data", self.data],
                     ["simulate", "--bank", self.params, "--exam", SG, "--examinees", "5"],
                     ["simulate", "--bank", self.params, "--exam", SG],
                     ["bank", "generate", "--items", "-3"]):
            p = riss(*args, check=False)
            self.assertEqual(p.returncode, 2, args)
            self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
            self.assertTrue(p.stderr.startswith("riss: "))

    def test_simulate_and_exposure(self):
        bank = os.path.join(self.dir, "bank.jsonl")
        with open(bank, "w") as f:
            f.write(riss("bank", "generate", "--items", "900", "--seed", "3").stdout)
        shbank = os.path.join(self.dir, "bank-sh.jsonl")
        riss("exposure", "--bank", bank, "--exam", SG, "--examinees", "600", "--iterations", "4", "--out", shbank)
        with open(shbank) as f:
            ks = [json.loads(l)["sh_k"] for l in f]
        self.assertTrue(min(ks) < 1.0)
        out = json.loads(riss("simulate", "--bank", shbank, "--exam", SG, "--examinees", "400", "--seed", "5",
                              "--json").stdout)
        keys = {"examinees", "bias", "rmse", "length", "classification", "exposure", "overlap", "violations",
                "seconds"}
        self.assertTrue(keys <= set(out))
        self.assertTrue(keys <= set(out["fixed_form"]))
        self.assertEqual(out["examinees"], 400)
        self.assertEqual(out["violations"], 0)
        self.assertEqual(out["fixed_form"]["items"], 60)
        # sg.json is the real SG exam: 60 items, 56 scored, the same length for every candidate
        self.assertEqual(out["fixed_form"]["length"]["min"], 56)
        self.assertEqual((out["length"]["min"], out["length"]["max"]), (56, 56))
        # conditional figures: 12 bands of 0.5 from -3 to 3 that hold every candidate
        bands = out["by_theta"]
        self.assertEqual([b["theta_lo"] for b in bands], [-3 + 0.5 * k for k in range(12)])
        self.assertEqual(sum(b["n"] for b in bands), 400)
        for b in bands:
            self.assertTrue({"n", "bias", "rmse", "csem", "length_mean", "accuracy", "exposure_max"} <= set(b))
            if b["n"]:
                self.assertEqual(b["length_mean"], 56)
                self.assertTrue(0 < b["exposure_max"] <= 1)
        # the band figures add up to the overall ones
        self.assertAlmostEqual(sum(b["n"] * b["bias"] for b in bands) / 400, out["bias"], places=5)
        self.assertAlmostEqual(sum(b["n"] * b["accuracy"] for b in bands) / 400,
                               out["classification"]["accuracy"], places=5)
        self.assertLess(out["exposure"]["max"], 1.0)
        self.assertEqual(out["fixed_form"]["exposure"]["max"], 1.0)
        self.assertLess(out["rmse"], 0.5)
        self.assertGreater(out["classification"]["accuracy"], 0.8)
        again = json.loads(riss("simulate", "--bank", shbank, "--exam", SG, "--examinees", "400", "--seed", "5",
                                "--json").stdout)
        self.assertEqual(again["rmse"], out["rmse"])
        # the fairer peers: 4 disjoint forms, each candidate takes one, so every item reaches
        # about a quarter of the candidates and 4 x 56 items are used
        usable = 56 / out["fixed_form"]["exposure"]["mean"]
        for peer in ("parallel_forms", "oracle_tiers"):
            p = out[peer]
            self.assertTrue(keys <= set(p))
            self.assertEqual(p["forms"], 4)
            self.assertEqual(p["items"], 60)
            self.assertEqual(p["violations"], 0)
            self.assertLess(p["exposure"]["max"], 0.35)
            self.assertGreater(p["exposure"]["max"], 0.18)
            self.assertEqual(round(p["used_share"] * usable), 4 * 56)
            self.assertEqual(sum(b["n"] for b in p["by_theta"]), 400)
        # the oracle gives the farthest quarter (|theta - cut| > 1.294 under N(0,1), cut
        # -0.5) form 4: a band wholly beyond that shows form 4's items to every candidate
        self.assertIn("conditional_max", out["exposure"])
        far = [b for b in out["oracle_tiers"]["by_theta"] if b["n"] and
               min(abs(b["theta_lo"] + 0.5), abs(b["theta_hi"] + 0.5)) > 1.3 and 0 < b["theta_lo"] < 2.5]
        self.assertTrue(far)
        for b in far:
            self.assertEqual(b["exposure_max"], 1.0)
        text = riss("simulate", "--bank", shbank, "--exam", SG, "--examinees", "100", "--seed", "5").stdout
        self.assertIn("4 parallel", text)
        self.assertIn("4 tiers*", text)
        bare = json.loads(riss("simulate", "--bank", shbank, "--exam", SG, "--examinees", "100", "--seed", "5",
                               "--forms", "0", "--json").stdout)
        self.assertNotIn("parallel_forms", bare)
        # by strata (conditional SH): the same number of candidates in each of the exam's five
        # theta strata, each inside its stratum (the 0.5 bands show where they fell)
        strata = json.loads(riss("simulate", "--bank", shbank, "--exam", SG, "--examinees", "50", "--seed", "5",
                                 "--forms", "0", "--theta-dist", "strata", "--conditional", "--lottery", "true",
                                 "--json").stdout)
        self.assertEqual([s["n"] for s in strata["by_stratum"]], [10] * 5)
        below = sum(b["n"] for b in strata["by_theta"] if b["theta_hi"] <= -1.5)
        above = sum(b["n"] for b in strata["by_theta"] if b["theta_lo"] >= 1.5)
        self.assertEqual((below, above), (10, 10))
        p = riss("simulate", "--bank", shbank, "--exam", SG, "--examinees", "5", "--lottery", "maybe", check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--lottery", p.stderr)

    def test_feasibility_names_groups_by_their_labels(self):
        # 150 items cannot keep sg.json's 56 scored items under an exposure of 0.25: the thin
        # groups are named by the exam's labels, Japanese in the Japanese line and English in
        # the English one, and by their identifier where the exam file gives no label.
        bank = os.path.join(self.dir, "thin.jsonl")
        with open(bank, "w") as f:
            f.write(riss("bank", "generate", "--items", "150", "--seed", "4").stdout)
        with open(SG, encoding="utf-8") as f:
            exam = json.load(f)
        del exam["parts"][1]["label"]
        next(d for d in exam["domains"] if d["name"] == "scenario").pop("label")
        bare = os.path.join(self.dir, "sg-some-labels.json")
        with open(bare, "w", encoding="utf-8") as f:
            json.dump(exam, f, ensure_ascii=False)

        def thin_lines(p):
            lines = p.stderr.splitlines()
            ja = [l.strip() for l in lines if "受験者 1 人あたり" in l]
            en = [l.strip() for l in lines if "items per candidate" in l]
            return ja, en

        for cmd in (["exposure", "--examinees", "20", "--iterations", "1", "--strict"],
                    ["simulate", "--examinees", "20", "--forms", "0", "--strict"]):
            p = riss(cmd[0], "--bank", bank, "--exam", bare, *cmd[1:], check=False)
            self.assertEqual(p.returncode, 1, p.stderr)
            ja, en = thin_lines(p)
            self.assertEqual(len(ja), len(en))
            self.assertIn("試験全体: 受験者 1 人あたり 56 問", ja[0])
            self.assertIn("the whole test: 56 items per candidate", en[0])
            self.assertTrue(any(l.startswith("科目A: ") for l in ja), ja)
            self.assertTrue(any(l.startswith("Part A: ") for l in en), en)
            self.assertTrue(any(l.startswith("パート B: ") for l in ja), ja)
            self.assertTrue(any(l.startswith("part B: ") for l in en), en)
            self.assertTrue(any(l.startswith("分野 scenario: ") for l in ja), ja)
            self.assertTrue(any(l.startswith("domain scenario: ") for l in en), en)
            self.assertTrue(any(l.startswith("情報セキュリティ全般・脅威: ") for l in ja), ja)
            self.assertTrue(any(l.startswith("Security basics and threats: ") for l in en), en)
            # no English label on the Japanese lines, no Japanese on the English ones
            self.assertFalse([l for l in ja if re.match(r"(Part|Security|Law) ", l)], ja)
            self.assertFalse([l for l in en if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", l)], en)
        js = json.loads(riss("exposure", "--bank", bank, "--exam", bare, "--examinees", "20", "--iterations", "1",
                             "--out", os.path.join(self.dir, "thin-sh.jsonl"), "--json", check=False).stdout)
        thin = {t["group"]: t["label"] for t in js["feasibility"]["thin"]}
        self.assertEqual(thin["part A"], {"ja": "科目A", "en": "Part A"})
        self.assertEqual(thin["part B"], {"ja": "パート B", "en": "part B"})
        self.assertEqual(thin["test"], {"ja": "試験全体", "en": "the whole test"})
        # an older exam file (one string per domain) still loads; its label serves both lines
        old = os.path.join(ROOT, "exam-engine", "tests", "data", "sg-2026-variable.json")
        p = riss("exposure", "--bank", bank, "--exam", old, "--examinees", "20", "--iterations", "1", check=False)
        ja, en = thin_lines(p)
        self.assertTrue(ja and en, p.stderr)
        named = [l.split(": ")[0] for l in ja if "(" in l.split(": ")[0]]
        self.assertTrue(named, ja)
        self.assertEqual(named, [l.split(": ")[0] for l in en if "(" in l.split(": ")[0]])


if __name__ == "__main__":
    unittest.main(verbosity=2)
