#!/usr/bin/env python3
"""Benchmark (issue 13): the SG exam on the generated 2,000-item bank.

Generates the bank (`riss bank generate --items 2000 --seed 7`), computes Sympson-Hetter
parameters for exam-engine/exams/sg.json (`riss exposure`), and runs `riss simulate` for
sg.json and exams/sg-variable.json. Prints the figures beside the issue's targets:
maximum exposure <= 0.25, >= 70 % of the bank used, theta RMSE <= 0.25, classification
accuracy >= the fixed form's, 0 blueprint violations; for sg-variable.json accuracy >= the
fixed 60-item form's at a mean length <= 36. Beside the single fixed form (every candidate
the same 56 items, exposure 1) it prints the fairer peers under the same exposure: 4
parallel forms at the cut assigned at random, and 4 tiers routed by an oracle that knows
the true theta (what perfect routing reaches when every item goes to a quarter of the
candidates). Prints figures; asserts nothing about them (a benchmark, not a test): it fails
only if a command fails."""
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
    print("load average at the start: %.2f %.2f %.2f" % os.getloadavg(), flush=True)
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
        p = r["parallel_forms"]
        o = r["oracle_tiers"]
        used = 1 - r["exposure"]["unused_share"]
        print(f"\nsg.json (60 items: 56 scored + 4 trial), {N} candidates from N(0,1), seed 13")
        print("  comparator for accuracy: the fixed form (the 56 scored items most informative at the cut under")
        print("  the blueprint, given to everyone, no exposure control), scored by EAP as the CAT is")
        print(f"  {'':28} {'adaptive':>10} {'fixed form':>11} {'4 parallel':>11} {'4 tiers*':>11}   target")

        def row(name, key, t, ok):
            vals = [key(x) for x in (r, f, p, o)]
            print(f"  {name:28} {vals[0]:10.4f} {vals[1]:11.4f} {vals[2]:11.4f} {vals[3]:11.4f}   {t:9} {mark(ok)}")

        row("max exposure", lambda x: x["exposure"]["max"], "<= 0.25", r["exposure"]["max"] <= 0.25)
        row("max conditional exposure", lambda x: x["exposure"]["conditional_max"], "(info)", True)
        row("share of bank used", lambda x: 1 - x["exposure"]["unused_share"], ">= 0.70", used >= 0.70)
        row("theta RMSE", lambda x: x["rmse"], "<= 0.25", r["rmse"] <= 0.25)
        acc = r["classification"]["accuracy"]
        row("classification accuracy", lambda x: x["classification"]["accuracy"], ">= fixed",
            acc >= f["classification"]["accuracy"])
        print(f"  {'':28} {'':10} {'':11} {'':11} {'':11}   >= 4 par. {mark(acc >= p['classification']['accuracy'])}")
        row("blueprint violations", lambda x: x["violations"], "0", r["violations"] == 0)
        row("mean length (scored)", lambda x: x["length"]["mean"], "56", r["length"]["mean"] == 56)
        print("  (conditional: the largest exposure within one 0.5-wide band of true theta holding >= 100 candidates;\n"
              "   4 tiers*: form 1 = the fixed form, form k the k-th best of the rest, given by an oracle that knows\n"
              "   the true theta to the quarter of candidates nearest the cut, the next quarter, ...)")
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

    print("\nload average at the end: %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    main()
