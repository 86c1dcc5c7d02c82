"""riss demo (issue 15): the same seed gives the same data (counts and digest, whatever the
number of engine threads), another seed other data; a load writes at least 20,000 exam results over
several centres and prefectures with their answers, bookings of people who did not sit,
registrants with attributes and training completions — counted here from the rows
themselves — and a second run changes nothing. Every simulated sitting carries the exam's
active package (id and SHA-256), and `riss exam replay` of one reproduces it from that
package (issue 12); without an active package riss demo refuses in both languages and names
the command that publishes one. Runs in a database of its own on the test cluster, with the
item bank's demo items published as 20_bank.sh does and the courses of 50_cpd.sh."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rissd_harness import RISS, ROOT, require_stack  # noqa: E402

UNTIL = "2026-11-30"


class Demo(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = f"riss_demo_{os.getpid()}"
        cls.pg = os.environ["RISS_TEST_PG_URL"]
        cls.psql_admin(f"DROP DATABASE IF EXISTS {cls.db}", f"CREATE DATABASE {cls.db}")
        cls.var = tempfile.mkdtemp(prefix="riss-demo-")
        cls.conf = os.path.join(cls.var, "riss.conf")
        with open(os.environ["RISS_TEST_CONFIG"]) as f:
            text = f.read().replace("dbname=riss_test", f"dbname={cls.db}")
        with open(cls.conf, "w") as f:
            f.write(text)
        cls.env = dict(os.environ, RISS_CONFIG=cls.conf, RISS=RISS, ROOT=ROOT)
        cls.run_ok([RISS, "db", "migrate"])
        # Before any package is published: riss demo must refuse (asserted in test_0).
        cls.unpublished = subprocess.run([RISS, "demo", "--until", UNTIL, "--dry-run", "--json"], cwd=ROOT, env=cls.env,
                                         capture_output=True, text=True, timeout=300)
        for script in ("20_bank.sh", "50_cpd.sh"):
            cls.run_ok(["bash", os.path.join(ROOT, "deploy", "demo", script)])

    @classmethod
    def tearDownClass(cls):
        cls.psql_admin(f"DROP DATABASE IF EXISTS {cls.db} WITH (FORCE)")
        shutil.rmtree(cls.var, ignore_errors=True)

    @classmethod
    def psql_admin(cls, *sql):
        for s in sql:
            subprocess.run(["psql", cls.pg + " dbname=postgres", "-X", "-qAt", "-c", s], check=True, capture_output=True)

    @classmethod
    def run_ok(cls, cmd):
        r = subprocess.run(cmd, cwd=ROOT, env=cls.env, capture_output=True, text=True, timeout=900)
        assert r.returncode == 0, f"{cmd}: {r.stdout[-2000:]}{r.stderr[-2000:]}"
        return r.stdout

    def demo(self, *args):
        return json.loads(self.run_ok([RISS, "demo", "--until", UNTIL, "--json", *args]))

    def q(self, sql):
        return subprocess.run(["psql", self.pg + f" dbname={self.db}", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
                              check=True, capture_output=True, text=True).stdout.strip()

    def test_0_no_active_package(self):
        r = self.unpublished
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(r.stdout, "")
        self.assertIn("試験 SG には有効な問題パッケージがない", r.stderr)
        self.assertIn("Exam SG has no active exam package", r.stderr)
        self.assertEqual(r.stderr.count("riss bank publish --exam SG --activate"), 2, r.stderr)

    def test_1_same_seed_same_data(self):
        small = ("--results", "600", "--registrants", "200", "--dry-run")
        a, b = self.demo("--seed", "5", *small), self.demo("--seed", "5", "--threads", "1", *small)
        c = self.demo("--seed", "6", *small)
        keys = ("candidates", "bookings", "results", "responses", "passed", "registrants", "completions", "digest")
        self.assertEqual({k: a[k] for k in keys}, {k: b[k] for k in keys})
        self.assertGreaterEqual(a["results"], 600)
        self.assertEqual(len(a["digest"]), 64)
        self.assertNotEqual(a["digest"], c["digest"])
        self.assertFalse(a["loaded"])
        self.assertEqual(self.q("SELECT count(*) FROM exam.results"), "0")  # a dry run writes nothing

    def test_2_load_20000_results(self):
        got = self.demo("--seed", "3")
        self.assertTrue(got["loaded"])
        print(f"riss demo: {got['results']} results, {got['responses']} answers, {got['registrants']} registrants, "
              f"{got['completions']} completions; seconds {got['seconds']}", file=sys.stderr)
        demo = "c.email LIKE '%@demo.example.jp'"
        res = int(self.q(f"SELECT count(*) FROM exam.results r JOIN exam.candidates c ON c.id = r.candidate_id WHERE {demo}"))
        self.assertGreaterEqual(res, 20000)
        self.assertEqual(res, got["results"])
        self.assertEqual(int(self.q("SELECT count(*) FROM exam.responses")), got["responses"])
        self.assertEqual(int(self.q("SELECT count(*) FROM exam.results WHERE passed")), got["passed"])
        # Several centres and prefectures; applicants who did not sit; bookings still to come.
        self.assertGreaterEqual(int(self.q("SELECT count(DISTINCT centre_code) FROM exam.booking_facts")), 10)
        self.assertGreaterEqual(int(self.q("SELECT count(DISTINCT centre_prefecture) FROM exam.result_facts")), 10)
        self.assertGreaterEqual(int(self.q("SELECT count(DISTINCT prefecture) FROM exam.candidates")), 40)
        statuses = dict(ln.split("|") for ln in self.q(
            f"SELECT b.status, count(*) FROM exam.bookings b JOIN exam.candidates c ON c.id = b.candidate_id"
            f" WHERE {demo} GROUP BY 1").splitlines())
        self.assertEqual(set(statuses), {"finished", "no_show", "cancelled", "booked"})
        self.assertEqual(int(statuses["finished"]), res)
        # A year of sittings, every result with its answers and the engine's inputs.
        span = self.q("SELECT max(sit_on) - min(sit_on) FROM exam.result_facts")
        self.assertGreaterEqual(int(span), 350)
        self.assertEqual(self.q("SELECT count(*) FROM exam.sessions s WHERE NOT EXISTS "
                                "(SELECT 1 FROM exam.responses x WHERE x.session_id = s.id)"), "0")
        self.assertEqual(self.q("SELECT count(*) FROM exam.sessions s JOIN exam.results r ON r.session_id = s.id"
                                " WHERE s.answered <> r.operational + r.pretest"), "0")
        # Pass rate plausible for SG; retakes exist; ages from the dates of birth.
        rate = float(self.q("SELECT avg(passed::int) FROM exam.results"))
        self.assertTrue(0.5 < rate < 0.85, rate)
        self.assertGreater(int(self.q("SELECT count(*) FROM exam.result_facts WHERE NOT first_attempt")), 100)
        lo, hi = map(int, self.q("SELECT min(age_at_exam) || '|' || max(age_at_exam) FROM exam.result_facts").split("|"))
        self.assertTrue(16 <= lo and hi <= 70, (lo, hi))
        # The register with attributes, renewals, lapses and cancellations, and training.
        regs = dict(ln.split("|") for ln in self.q(
            "SELECT status, count(*) FROM registry.registrants WHERE exam_result_ref LIKE 'demo-3-pass-%' GROUP BY 1").splitlines())
        self.assertEqual(sum(map(int, regs.values())), got["registrants"])
        self.assertEqual(set(regs), {"active", "lapsed", "cancelled"})
        self.assertGreater(int(self.q("SELECT count(*) FROM registry.registrants WHERE renewal_count > 0")), 100)
        self.assertGreaterEqual(int(self.q("SELECT count(DISTINCT industry) FROM registry.registrant_facts")), 15)
        self.assertEqual(int(self.q("SELECT count(*) FROM cpd.completions WHERE provider_record_id LIKE 'DEMO3-%'")),
                         got["completions"])
        self.assertGreater(got["completions"], 1000)
        # Every sitting ran on the exam's active package and records it, as an admission does;
        # replaying one from that package reproduces its items and its result.
        pkg = next(p for p in json.loads(self.run_ok([RISS, "exam", "packages", "--json"]))["packages"]
                   if p["exam"] == "SG" and p["state"] == "active")
        self.assertEqual(self.q("SELECT count(*) FROM exam.sessions"), str(res))
        self.assertEqual(self.q(f"SELECT count(*) FROM exam.sessions WHERE package_id = {pkg['id']}"
                                f" AND encode(package_sha256, 'hex') = '{pkg['sha256']}'"), str(res))
        session, answered = map(int, self.q("SELECT id, answered FROM exam.sessions ORDER BY id LIMIT 1").split("|"))
        rep = json.loads(self.run_ok([RISS, "exam", "replay", str(session)]))
        self.assertEqual(rep["package"], {"id": pkg["id"], "sha256": pkg["sha256"]})
        self.assertEqual(rep["answered"], answered)
        self.assertEqual(rep["items"], self.q(f"SELECT item_id FROM exam.responses WHERE session_id = {session}"
                                              " ORDER BY position").splitlines())
        for k in ("scaled", "passed", "complete", "stop", "operational", "pretest", "domains"):
            self.assertEqual(rep["replayed"][k], rep["stored"][k], k)
        # Loaded once: a second run finds the data and does nothing.
        again = self.demo("--seed", "3")
        self.assertFalse(again["loaded"])
        self.assertEqual(int(self.q("SELECT count(*) FROM exam.results")), res)


if __name__ == "__main__":
    require_stack()
    unittest.main(verbosity=2)
