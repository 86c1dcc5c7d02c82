#!/usr/bin/env python3
"""Benchmark (issue 13): the SG exam on the generated 2,000-item bank.

Generates the bank (`riss bank generate --items 2000 --seed 7`), computes Sympson-Hetter
parameters for exam-engine/exams/sg.json (`riss exposure`), and runs `riss simulate` for
sg.json and exams/sg-variable.json. Prints the figures beside the issue's targets:
maximum exposure <= 0.25, >= 70 % of the bank used, theta RMSE <= 0.25, classification
accuracy >= the fixed form's, 0 blueprint violations; for sg-variable.json accuracy >= the
fixed 60-item form's at a mean length <= 36. Prints figures; asserts nothing about them
(a benchmark, not a test): it fails only if a command fails."""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
RISS = os.path.join(os.environ.get("RISS_TEST_BUILD", os.path.join(ROOT, "build")), "cli", "riss")
EXAMS = os.path.join(ROOT, "exam-engine", "exams")
N = int(os.environ.get("RISS_BENCH_EXAMINEES", "5000"))


def riss(*args):
    p = subprocess.run([RISS, *args], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"riss {' '.join(args)} failed ({p.returncode}): {p.stderr.strip()}")
    return p.stdout


def mark(ok):
    return "meets" if ok else "MISSES"


def main():
    with tempfile.TemporaryDirectory() as d:
        bank = os.path.join(d, "bank.jsonl")
        shbank = os.path.join(d, "bank-sh.jsonl")
        with open(bank, "w") as f:
            f.write(riss("bank", "generate", "--items", "2000", "--seed", "7"))
        sg = os.path.join(EXAMS, "sg.json")
        expo = json.loads(riss("exposure", "--bank", bank, "--exam", sg, "--examinees", "3000",
                               "--iterations", "10", "--margin", "0.03", "--out", shbank, "--json"))
        print(f"riss exposure (Sympson-Hetter, target {expo['target']}): {len(expo['rounds'])} rounds, "
              f"last round max exposure {expo['max_exposure']:.4f}")
        r = json.loads(riss("simulate", "--bank", shbank, "--exam", sg, "--examinees", str(N), "--seed", "13",
                            "--json"))
        f = r["fixed_form"]
        used = 1 - r["exposure"]["unused_share"]
        print(f"\nsg.json (60 items: 56 scored + 4 trial), {N} candidates from N(0,1), seed 13")
        print(f"  {'':28} {'adaptive':>10} {'fixed form':>11}   target")
        rows = [
            ("max exposure", r["exposure"]["max"], f["exposure"]["max"], "<= 0.25", r["exposure"]["max"] <= 0.25),
            ("share of bank used", used, 1 - f["exposure"]["unused_share"], ">= 0.70", used >= 0.70),
            ("theta RMSE", r["rmse"], f["rmse"], "<= 0.25", r["rmse"] <= 0.25),
            ("classification accuracy", r["classification"]["accuracy"], f["classification"]["accuracy"],
             ">= fixed", r["classification"]["accuracy"] >= f["classification"]["accuracy"]),
            ("blueprint violations", r["violations"], f["violations"], "0", r["violations"] == 0),
            ("mean length (scored)", r["length"]["mean"], f["length"]["mean"], "56", r["length"]["mean"] == 56),
        ]
        for name, a, b, t, ok in rows:
            print(f"  {name:28} {a:10.4f} {b:11.4f}   {t:9} {mark(ok)}")
        print("\n  by true theta (adaptive): band, n, bias, rmse, csem, accuracy, conditional max exposure")
        for b in r["by_theta"]:
            print(f"    {b['theta_lo']:+.1f}..{b['theta_hi']:+.1f} {b['n']:6d} {b['bias']:+.4f} {b['rmse']:.4f} "
                  f"{b['csem']:.4f} {b['accuracy']:.4f} {b['exposure_max']:.4f}")
        var = os.path.join(EXAMS, "sg-variable.json")
        v = json.loads(riss("simulate", "--bank", bank, "--exam", var, "--examinees", str(N), "--seed", "13",
                            "--json"))
        vf = v["fixed_form"]
        print(f"\nsg-variable.json (selection at the cut, SPRT stopping), {N} candidates, seed 13")
        print(f"  {'':28} {'adaptive':>10} {'fixed 60':>11}   target")
        rows = [
            ("classification accuracy", v["classification"]["accuracy"], vf["classification"]["accuracy"],
             ">= fixed", v["classification"]["accuracy"] >= vf["classification"]["accuracy"]),
            ("mean length (scored)", v["length"]["mean"], vf["length"]["mean"], "<= 36", v["length"]["mean"] <= 36),
            ("theta RMSE", v["rmse"], vf["rmse"], "-", True),
            ("blueprint violations", v["violations"], vf["violations"], "0", v["violations"] == 0),
        ]
        for name, a, b, t, ok in rows:
            print(f"  {name:28} {a:10.4f} {b:11.4f}   {t:9} {mark(ok)}")


if __name__ == "__main__":
    main()
