#!/usr/bin/env python3
"""Benchmark (issue 13): Sympson-Hetter against conditional Sympson-Hetter (Stocking & Lewis)
for exam-engine/exams/sg.json on the generated 2,000-item bank (`riss bank generate --items
2000 --seed 7`). Computes the parameters both ways (`riss exposure` and `riss exposure
--conditional`, the same rounds, candidates and margin; the conditional procedure draws the
same number of simulees in each stratum and a simulee's lottery uses its true stratum, as
Stocking & Lewis's does), then runs the same 5,000 simulated candidates from N(0,1) through
each (`riss simulate [--conditional]`) and prints the overall maximum exposure, RMSE and
classification accuracy side by side; and the largest exposure within each of the exam's
theta strata from 2,000 candidates per stratum (`--theta-dist strata`), with the lottery on
the current estimate (a real sitting) and on the true theta (the calibration's own
condition). Prints figures; asserts nothing about them (a benchmark, not a test): it fails
only if a command fails."""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
RISS = os.path.join(os.environ.get("RISS_TEST_BUILD", os.path.join(ROOT, "build")), "cli", "riss")
SG = os.path.join(ROOT, "exam-engine", "exams", "sg.json")
N = int(os.environ.get("RISS_BENCH_EXAMINEES", "5000"))
ROUNDS = os.environ.get("RISS_BENCH_ROUNDS", "10")
PER_ROUND = os.environ.get("RISS_BENCH_ROUND_EXAMINEES", "5000")


def riss(*args):
    p = subprocess.run([RISS, *args], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"riss {' '.join(args)} failed ({p.returncode}): {p.stderr.strip()}")
    return p.stdout


def main():
    print("load average at the start: %.2f %.2f %.2f" % os.getloadavg(), flush=True)
    with tempfile.TemporaryDirectory() as d:
        bank = os.path.join(d, "bank.jsonl")
        with open(bank, "w") as f:
            f.write(riss("bank", "generate", "--items", "2000", "--seed", "7"))
        res = {}
        for name, extra in (("SH", []), ("conditional SH", ["--conditional"])):
            out = os.path.join(d, f"bank-{len(extra)}.jsonl")
            e = json.loads(riss("exposure", "--bank", bank, "--exam", SG, "--examinees", PER_ROUND, "--iterations",
                                ROUNDS, "--margin", "0.03", "--out", out, "--json", *extra))
            r = json.loads(riss("simulate", "--bank", out, "--exam", SG, "--examinees", str(N), "--seed", "13",
                                "--forms", "0", "--json", *extra))
            strata = {}
            for lot in ("estimate", "true"):
                strata[lot] = json.loads(riss("simulate", "--bank", out, "--exam", SG, "--examinees", "10000", "--seed",
                                              "17", "--forms", "0", "--theta-dist", "strata", "--lottery", lot,
                                              "--json", *extra))["by_stratum"]
            res[name] = (e, r, strata)
        print(f"sg.json on the generated 2,000-item bank, target 0.25; parameters from {ROUNDS} rounds of {PER_ROUND}")
        print(f"(conditional: {int(PER_ROUND) // 5} per stratum); {N} candidates from N(0,1), seed 13")
        print(f"  {'':34} {'SH':>10} {'cond. SH':>10}")
        a, b = res["SH"][1], res["conditional SH"][1]

        def row(label, f, fmt="10.4f"):
            print(f"  {label:34} {f(a):{fmt}} {f(b):{fmt}}")

        row("rounds run", lambda r: len(res['SH' if r is a else 'conditional SH'][0]['rounds']), "10d")
        row("last round's max (calibration)", lambda r: res['SH' if r is a else 'conditional SH'][0]['max_exposure'])
        row("max exposure (overall)", lambda r: r["exposure"]["max"])
        row("max exposure within a theta stratum", lambda r: r["exposure"]["stratum_max"])
        row("theta RMSE", lambda r: r["rmse"])
        row("classification accuracy", lambda r: r["classification"]["accuracy"])
        row("share of bank used", lambda r: r["used_share"])
        row("blueprint violations", lambda r: r["violations"], "10.0f")
        print("\n  largest exposure within each stratum of true theta (exposure.theta_strata), 2,000 candidates")
        print("  per stratum (N(0,1) truncated to it), seed 17; lottery on the estimate / on the true theta:")
        print(f"    {'stratum':14} {'SH est.':>10} {'cond. est.':>10} {'cond. true':>10}")
        for sa, sb, sc in zip(res["SH"][2]["estimate"], res["conditional SH"][2]["estimate"],
                              res["conditional SH"][2]["true"]):
            lo = "-inf" if sa["theta_lo"] is None else f"{sa['theta_lo']:+.2f}"
            hi = "+inf" if sa["theta_hi"] is None else f"{sa['theta_hi']:+.2f}"
            print(f"    {lo:>6}..{hi:<6} {sa['max_exposure']:10.4f} {sb['max_exposure']:10.4f} {sc['max_exposure']:10.4f}")

    print("\nload average at the end: %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    main()
