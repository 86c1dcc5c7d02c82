"""Exam packages end to end against a private PostgreSQL and a real rissd over HTTP: calibrate
from stored responses and activate, publish a package, name it for a window, sit the exam
through HTTP and replay it from the package; a sitting in flight keeps its package across an
activation; an edit after publication leaves the package (and its hash) alone; a bank that
cannot meet the blueprint is refused with the domain named; a corrupt package is never
served."""
import io
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_exam_lib import Candidate, Rissd, admit, private_stack, seed  # noqa: E402
from rissd_harness import ROOT, riss  # noqa: E402
from test_auth import add_staff_in, totp  # noqa: E402

DEMO = os.path.join(ROOT, "item-bank", "demo", "items.jsonl")
SH = ["--sh-examinees", "200", "--sh-rounds", "2"]


def psql(pg, sql, stdin=None):
    return subprocess.run(["psql", pg.conninfo, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql], input=stdin,
                          capture_output=True, text=True, check=True).stdout.strip()


class Packages(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="riss-pkg-")
        cls.pg, cls.conf = private_stack(cls.tmp, package=False)
        riss("bank", "import", DEMO, "--actor", "it-tester", config=cls.conf)
        # Simulated responses to 30 operational part-A items: their calibration gives
        # parameters that differ from the imported ones.
        rows = psql(cls.pg, "SELECT i.id, p.a, p.b FROM bank.items i JOIN bank.item_params p ON p.item_id = i.id "
                            "AND p.active WHERE i.status = 'operational' AND i.part = 'A' ORDER BY i.id LIMIT 30")
        truth = {r.split("|")[0]: (float(r.split("|")[1]) * 1.3, float(r.split("|")[2]) + 0.4)
                 for r in rows.splitlines()}
        rng = random.Random(7)
        buf = io.StringIO()
        for p in range(1500):
            theta = rng.gauss(0, 1)
            for item, (a, b) in truth.items():
                score = 1 if rng.random() < 1 / (1 + math.exp(-a * (theta - b))) else 0
                buf.write(f"P{p:05d}\t{item}\t{score}\n")
        psql(cls.pg, "COPY bank.responses (person, item_id, score) FROM STDIN", stdin=buf.getvalue())
        cls.calibrated = sorted(truth)
        cls.bookings = seed(cls.conf, 6, prefix="pkg")
        cls.window = int(psql(cls.pg, f"SELECT window_id FROM exam.bookings WHERE id = {cls.bookings[0]}"))
        cls.rissd = Rissd(config=cls.conf)
        # keys from the package, as a staff read (audited)
        cls.keys = {}

    @classmethod
    def tearDownClass(cls):
        cls.rissd.stop()
        cls.rissd.cleanup()
        cls.pg.destroy()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def publish(self, *extra, check=True):
        r = riss("bank", "publish", "--exam", "SG", "--json", *SH, *extra, config=self.conf, check=False)
        if check:
            self.assertEqual(r.returncode, 0, r.stderr)
            return json.loads(r.stdout)
        return r

    def package_keys(self, pid):
        doc = json.loads(riss("exam", "package", "show", str(pid), "--keys", config=self.conf).stdout)
        return {it["item_id"]: it["key"] for it in doc["items"]}

    def sit(self, booking, pid, stop_after=None):
        """Admit and sit through HTTP; returns (session, candidate, item ids seen, last view)."""
        keys = self.package_keys(pid)
        adm = admit(self.conf, booking, "P-1")
        c = Candidate(self.rissd.port, ability=0.7, seed=booking)
        st, body = c.start(adm["code"])
        self.assertEqual(st, 200, body)
        st, v = c.call("POST", "/api/v1/exam/begin")
        self.assertEqual(st, 200, v)
        seen = []
        while "item" in v and (stop_after is None or len(seen) < stop_after):
            it = v["item"]
            self.assertNotIn("key", it)
            seen.append(it["item_id"])
            st, v = c.answer(it["position"], it["item_id"], c.choose(keys, it["item_id"]))
            self.assertEqual(st, 200, v)
        return adm["session"], c, seen, v

    def replay(self, session):
        return json.loads(riss("exam", "replay", str(session), config=self.conf).stdout)

    def test_1_calibrate_publish_window_sit_replay(self):
        r = riss("calibrate", "--from-db", "--model", "2pl", "--activate", "--quiet", config=self.conf)
        self.assertEqual(r.returncode, 0, r.stderr)
        bank_out = os.path.join(self.tmp, "engine.jsonl")
        p = self.publish("--activate", "--out", bank_out)
        self.assertEqual(p["state"], "active")
        self.assertGreaterEqual(p["operational"], 150)
        # The package carries the new estimates (what the engine will use).
        active = {row.split("|")[0]: (float(row.split("|")[1]), float(row.split("|")[2])) for row in psql(
            self.pg, "SELECT item_id, a, b FROM bank.item_params WHERE active").splitlines()}
        with open(bank_out, encoding="utf-8") as f:
            eng = {o["id"]: o for o in map(json.loads, f)}
        for item in self.calibrated:
            self.assertAlmostEqual(eng[item]["a"], active[item][0], places=9)
            self.assertAlmostEqual(eng[item]["b"], active[item][1], places=9)
        self.assertTrue(any(o["sh_k"] < 1 for o in eng.values()))  # Sympson-Hetter parameters in it
        listed = json.loads(riss("exam", "packages", "--json", config=self.conf).stdout)["packages"]
        mine = next(x for x in listed if x["id"] == p["id"])
        self.assertEqual((mine["sha256"], mine["items"], mine["state"]), (p["sha256"], p["items"], "active"))

        out = json.loads(riss("exam", "package", "activate", str(p["id"]), "--window", str(self.window),
                              config=self.conf).stdout)
        self.assertEqual(out["package"], p["id"])
        session, c, seen, v = self.sit(self.bookings[0], p["id"])
        self.assertEqual(v["status"], "finished")
        rec = psql(self.pg, f"SELECT package_id, encode(package_sha256, 'hex'), bank_version FROM exam.sessions "
                            f"WHERE id = {session}").split("|")
        self.assertEqual(rec, [str(p["id"]), p["sha256"], p["bank_version"]])
        rep = self.replay(session)
        self.assertEqual(rep["package"], {"id": p["id"], "sha256": p["sha256"]})
        self.assertEqual(rep["items"], seen)  # every item choice reproduced from the package
        self.assertEqual(rep["replayed"]["scaled"], rep["stored"]["scaled"])
        self.assertEqual(rep["replayed"]["passed"], rep["stored"]["passed"])
        audit = psql(self.pg, "SELECT string_agg(DISTINCT action, ',' ORDER BY action) FROM audit.events "
                              f"WHERE object = 'package:{p['id']}'")
        self.assertEqual(audit, "bank.package.activate,bank.package.publish,bank.package.read")
        type(self).first = p

    def test_2_sitting_in_flight_keeps_its_package(self):
        first = self.first
        session, c, seen, v = self.sit(self.bookings[1], first["id"], stop_after=3)
        self.assertIn("item", v)
        # A recalibration is activated and published as a new package for the window.
        psql(self.pg, "UPDATE bank.item_params SET b = b + 0.25 WHERE active AND item_id IN "
                      "(SELECT id FROM bank.items WHERE part = 'A' AND status = 'operational' ORDER BY id LIMIT 20)")
        second = self.publish("--activate")
        self.assertNotEqual(second["sha256"], first["sha256"])
        diff = json.loads(riss("exam", "package", "compare", str(first["id"]), str(second["id"]),
                               config=self.conf).stdout)
        self.assertGreaterEqual(len(diff["parameters_changed"]), 20)
        self.assertEqual((diff["added"], diff["removed"]), ([], []))
        states = {x["id"]: x["state"] for x in
                  json.loads(riss("exam", "packages", "--json", config=self.conf).stdout)["packages"]}
        # The first is superseded, not retired: the window that names it still admits on it.
        self.assertEqual((states[first["id"]], states[second["id"]]), ("superseded", "active"))
        self.assertEqual(psql(self.pg, "SELECT count(*) FROM audit.events WHERE action = 'bank.package.supersede' "
                                       f"AND object = 'package:{first['id']}'"), "1")
        riss("exam", "package", "activate", str(second["id"]), "--window", str(self.window), config=self.conf)
        # The sitting goes on, on its own package, to the end.
        keys = self.package_keys(first["id"])
        while "item" in v:
            it = v["item"]
            seen.append(it["item_id"])
            st, v = c.answer(it["position"], it["item_id"], c.choose(keys, it["item_id"]))
            self.assertEqual(st, 200, v)
        self.assertEqual(v["status"], "finished")
        rep = self.replay(session)
        self.assertEqual(rep["package"]["id"], first["id"])
        self.assertEqual(rep["items"], seen)
        # A sitting admitted now takes the window's new package.
        adm = admit(self.conf, self.bookings[2], "P-2")
        self.assertEqual(psql(self.pg, f"SELECT package_id FROM exam.sessions WHERE id = {adm['session']}"),
                         str(second["id"]))
        type(self).second = second

    def test_3_edits_after_publication_leave_the_package_alone(self):
        second = self.second
        before = json.loads(riss("exam", "package", "show", str(second["id"]), config=self.conf).stdout)
        item = before["items"][0]["item_id"]
        psql(self.pg, f"UPDATE bank.items SET stem_en = 'Edited after publication' WHERE id = '{item}'")
        psql(self.pg, f"UPDATE bank.item_params SET a = a * 1.5 WHERE active AND item_id = '{item}'")
        after = json.loads(riss("exam", "package", "show", str(second["id"]), config=self.conf).stdout)
        self.assertEqual(after["sha256"], second["sha256"])
        self.assertEqual(after["items"], before["items"])
        listed = {x["id"]: x["sha256"] for x in
                  json.loads(riss("exam", "packages", "--json", config=self.conf).stdout)["packages"]}
        self.assertEqual(listed[second["id"]], second["sha256"])
        # The package itself cannot be edited in the database, only superseded.
        r = subprocess.run(["psql", self.pg.conninfo, "-qAt", "-c",
                            f"UPDATE bank.packages SET document = document || ' ' WHERE id = {second['id']}"],
                           capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("immutable", r.stderr)

    def test_4_a_corrupt_package_is_never_served(self):
        third = self.publish()
        riss("exam", "package", "activate", str(third["id"]), "--window", str(self.window), config=self.conf)
        adm = admit(self.conf, self.bookings[3], "P-3")  # admitted on the intact package
        psql(self.pg, "ALTER TABLE bank.packages DISABLE TRIGGER packages_guard; "
                      f"UPDATE bank.packages SET document = replace(document, '\"keys\":[', '\"keys\":[0,') "
                      f"WHERE id = {third['id']}; ALTER TABLE bank.packages ENABLE TRIGGER packages_guard")
        r = riss("exam", "package", "show", str(third["id"]), config=self.conf, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("corrupt", r.stderr)
        # Not admitted on it, not activated, and a fresh rissd does not serve the sitting on it.
        r = riss("exam", "admit", "--booking", str(self.bookings[4]), "--seat", "P-4", "--json", config=self.conf,
                 check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("corrupt", r.stderr)
        self.assertEqual(riss("exam", "package", "activate", str(third["id"]), config=self.conf,
                              check=False).returncode, 1)
        fresh = Rissd(config=self.conf)
        try:
            c = Candidate(fresh.port)
            st, body = c.start(adm["code"])
            st, v = c.call("POST", "/api/v1/exam/begin")
            self.assertNotEqual(st, 200)
            self.assertNotIn("item", v or {})
            st, v = c.current()
            self.assertNotEqual(st, 200)
            self.assertNotIn("item", v or {})
        finally:
            fresh.stop()
            fresh.cleanup()

    def test_4b_conditional_exposure_is_published_per_theta_stratum(self):
        # An 8-item exam with conditional Sympson-Hetter (Stocking & Lewis) on the demo bank:
        # maximum information alone gives the best items to nearly every candidate of a theta
        # stratum. Publication must compute one parameter per stratum (sh_kc), and the
        # published package, simulated as it was calibrated (the same number of candidates in
        # each stratum, the lottery on the true stratum), must hold every stratum's maximum
        # exposure to the target plus the sampling tolerance of docs/exam-format.md
        # ("Conditional Sympson-Hetter": 3 sqrt(r (1 - r) / n) for n simulees per stratum).
        target, strata, per_stratum = 0.3, [-1.5, -0.5, 0.5, 1.5], 600
        tol = 3 * math.sqrt(target * (1 - target) / per_stratum)
        exam = {"id": "SG", "version": "cond-test.1", "length": {"min": 8, "max": 8}, "pretest_items": 0,
                "stopping": {"se_target": 0, "ci_rule": False}, "estimation": {"quad_points": 31},
                "exposure": {"method": "sympson-hetter-conditional", "target": target, "theta_strata": strata},
                "scale": {"cut_theta": -0.5, "slope": 120},
                "parts": [{"name": "A", "min": 6, "max": 6, "types": ["mc4"]},
                          {"name": "B", "min": 2, "max": 2, "types": ["scenario"]}],
                "domains": [{"name": n, "part": "A", "min": lo, "max": hi} for n, lo, hi in (
                    ("basics", 1, 2), ("management", 1, 2), ("countermeasures", 1, 2), ("law", 0, 1),
                    ("technology", 0, 1), ("it_management", 0, 1), ("strategy", 0, 1))]
                + [{"name": "scenario", "part": "B", "min": 2, "max": 2}]}
        path = os.path.join(self.tmp, "cond-exam.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(exam, f)
        nstrata = len(strata) + 1
        bank_out = os.path.join(self.tmp, "cond-engine.jsonl")
        r = riss("bank", "publish", "--exam", path, "--json", "--sh-examinees", str(per_stratum * nstrata),
                 "--sh-rounds", "8", "--out", bank_out, config=self.conf, check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        p = json.loads(r.stdout)
        self.assertTrue(p["feasibility"]["feasible"])
        # the last round's largest exposure within a stratum
        self.assertLessEqual(p["sympson_hetter"]["max_exposure"], target + tol, p["sympson_hetter"])
        doc = json.loads(psql(self.pg, f"SELECT document FROM bank.packages WHERE id = {p['id']}"))
        self.assertEqual(doc["sympson_hetter"]["method"], "sympson-hetter-conditional")
        # The package's engine bank carries one parameter per stratum for every item; every
        # stratum limits some item, and an item's parameters differ between strata.
        with open(bank_out, encoding="utf-8") as f:
            items = [json.loads(line) for line in f]
        self.assertTrue(all(len(it.get("sh_kc", [])) == nstrata for it in items))
        self.assertTrue(all(any(it["sh_kc"][k] < 1 for it in items) for k in range(nstrata)))
        self.assertTrue(any(len({round(x, 6) for x in it["sh_kc"]}) > 1 for it in items))

        def simulate(bank):
            out = riss("simulate", "--bank", bank, "--exam", path, "--examinees", str(per_stratum * nstrata),
                       "--seed", "11", "--theta-dist", "strata", "--lottery", "true", "--forms", "0", "--json",
                       config=self.conf, check=False)
            return json.loads(out.stdout)
        # Simulated afresh (other candidates than the calibration's) every stratum stays
        # within the target plus the tolerance ...
        sim = simulate(bank_out)
        self.assertEqual([s["n"] for s in sim["by_stratum"]], [per_stratum] * nstrata)
        self.assertEqual(sim["violations"], 0)
        for s in sim["by_stratum"]:
            self.assertLessEqual(s["max_exposure"], target + tol, sim["by_stratum"])
        self.assertLessEqual(sim["exposure"]["stratum_max"], target + tol)
        # ... where the same package without its per-stratum parameters gives some items to
        # nearly every candidate of a stratum.
        plain = os.path.join(self.tmp, "cond-plain.jsonl")
        with open(plain, "w", encoding="utf-8") as f:
            for it in items:
                f.write(json.dumps({k: v for k, v in it.items() if k != "sh_kc"}) + "\n")
        self.assertGreater(simulate(plain)["exposure"]["stratum_max"], 0.9)

    def test_4c_publication_names_the_thin_groups_by_their_labels(self):
        # The demo bank (176 operational items) cannot keep sg.json's 56 scored items under
        # 0.25: with --strict the package is refused, and the thin groups are named by the
        # exam's labels, Japanese in the Japanese line and English in the English one.
        n = len(json.loads(riss("exam", "packages", "--json", config=self.conf).stdout)["packages"])
        r = riss("bank", "publish", "--exam", "SG", "--strict", *SH, config=self.conf, check=False)
        self.assertEqual(r.returncode, 1, r.stderr)
        lines = [line.strip() for line in r.stderr.splitlines()]
        self.assertIn("試験全体: 受験者 1 人あたり 56 問、使える問題は 176 問。露出率を 0.25 以下にするには 224 問以上が必要です",
                      lines)
        self.assertIn("the whole test: 56 items per candidate from 176 usable items; at most 0.25 exposure needs 224 "
                      "or more", lines)
        self.assertTrue(any(line.startswith("科目A: 受験者 1 人あたり 44 問") for line in lines), lines)
        self.assertTrue(any(line.startswith("Part A: 44 items per candidate") for line in lines), lines)
        self.assertFalse([line for line in lines if line.startswith(("part A", "domain ", "パート", "分野"))], lines)
        self.assertEqual(len(json.loads(riss("exam", "packages", "--json", config=self.conf).stdout)["packages"]), n)

    def test_5_a_bank_short_of_the_blueprint_is_refused_naming_the_domain(self):
        # Retire all but two operational law items: the blueprint needs 5.
        psql(self.pg, "BEGIN; CREATE TEMP TABLE gone ON COMMIT DROP AS SELECT id FROM bank.items "
                      "WHERE domain = 'law' AND part = 'A' AND status = 'operational' ORDER BY id OFFSET 2; "
                      "INSERT INTO bank.transitions (item_id, from_status, to_status, actor) "
                      "SELECT id, 'operational', 'retired', 'it-tester' FROM gone; "
                      "UPDATE bank.items SET status = 'retired' WHERE id IN (SELECT id FROM gone); COMMIT")
        n = len(json.loads(riss("exam", "packages", "--json", config=self.conf).stdout)["packages"])
        r = self.publish(check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn('domain "Law, regulation and standards (法規・基準)" needs 5 items', r.stderr)
        self.assertEqual(len(json.loads(riss("exam", "packages", "--json", config=self.conf).stdout)["packages"]), n)

    def staff(self, role):
        name = f"pkg{role[:5]}{os.getpid()}"
        secret = add_staff_in(self.conf, name, role)
        st, hdrs, body = self.rissd.json("POST", "/api/v1/staff/login", {
            "username": name, "password": "correct horse battery", "totp": totp(secret)})
        self.assertEqual(st, 200, body)
        return {"Cookie": hdrs["set-cookie"].split(";")[0], "X-CSRF-Token": body["csrf"]}

    def test_6_the_psychometrician_on_the_staff_surface(self):
        psy = self.staff("psychometrician")
        reg = self.staff("registrar")
        st, _, body = self.rissd.json("GET", "/api/v1/bank/packages", headers=reg)
        self.assertEqual(st, 403)
        # The bank is short of law items (test 5): refused, the domain named in the reader's language.
        st, _, body = self.rissd.json("POST", "/api/v1/bank/packages", {"exam": "SG"}, headers=psy)
        self.assertEqual(st, 422, body)
        self.assertIn("法規・基準", body["detail"])
        self.assertIn("出題構成", body["detail"])
        st, _, body = self.rissd.json("POST", "/api/v1/bank/packages", {"exam": "SG"},
                                      headers=dict(psy, **{"Accept-Language": "en"}))
        self.assertEqual(st, 422, body)
        self.assertIn("cannot satisfy the blueprint", body["detail"])
        st, _, body = self.rissd.json("GET", "/api/v1/bank/packages?exam=SG", headers=psy)
        self.assertEqual(st, 200)
        ids = [p["id"] for p in body["packages"]]
        self.assertGreaterEqual(len(ids), 3)
        st, _, diff = self.rissd.json("GET", f"/api/v1/bank/packages/compare?from={self.first['id']}"
                                             f"&to={self.second['id']}", headers=psy)
        self.assertEqual(st, 200)
        self.assertGreaterEqual(len(diff["parameters_changed"]), 20)
        st, _, body = self.rissd.json("POST", "/api/v1/bank/packages/activate",
                                      {"package": self.second["id"], "window": self.window}, headers=psy)
        self.assertEqual((st, body["package"]), (200, self.second["id"]))
        st, _, body = self.rissd.json("POST", "/api/v1/bank/packages/activate", {"package": self.first["id"]},
                                      headers=psy)
        self.assertEqual(st, 409, body)  # superseded: never active again
        self.assertEqual(body["type"].rsplit("/", 1)[-1], "conflict")
        audit = psql(self.pg, "SELECT count(*) FROM audit.events WHERE action = 'exam.window.package' "
                              f"AND actor = 'staff:pkgpsych{os.getpid()}'")
        self.assertEqual(audit, "1")


if __name__ == "__main__":
    unittest.main(verbosity=2)
