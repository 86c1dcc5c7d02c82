"""Exam-result statistics (riss stats export and GET /api/v1/stats/results): totals, groups
by centre and month, histogram, small-cell suppression, roles and the audit trail. The
results are written as fixtures straight into a throw-away database."""
import json
import os
import subprocess
import unittest

from rissd_harness import PrivatePg, Rissd, riss, require_stack
from test_auth import add_staff_in, totp

require_stack()

FIXTURES = """
INSERT INTO exam.rules (exam_code) VALUES ('SG') ON CONFLICT DO NOTHING;
INSERT INTO exam.centres (code, name, prefecture, seats) VALUES
  ('TC-A', 'センターA', '東京都', 20), ('TC-B', 'センターB', '大阪府', 10);
INSERT INTO exam.windows (exam_code, name, opens_on, closes_on) VALUES ('SG', 'W1', '2026-01-01', '2026-12-31');
"""


def person(i, centre, scaled, day):
    return f"""
WITH c AS (INSERT INTO exam.candidates (name_kanji, name_kana, name_romaji, birth_date, email)
           VALUES ('受験者{i}', 'じゅけんしゃ', 'Person {chr(65 + i % 26)}', '1990-01-01', 'p{i}@example.jp') RETURNING id),
     b AS (INSERT INTO exam.bookings (candidate_id, window_id, centre_code, sit_on, starts_at)
           SELECT c.id, (SELECT min(id) FROM exam.windows), '{centre}', '{day}', '09:00' FROM c RETURNING id, candidate_id),
     s AS (INSERT INTO exam.sessions (booking_id, exam_code, exam_version, bank_version, seed, seat, time_limit_s, status)
           SELECT b.id, 'SG', '0123456789abcdef', '0123456789abcdef', {i}, 'S{i}', 7200, 'finished' FROM b RETURNING id, booking_id)
INSERT INTO exam.results (session_id, candidate_id, exam_code, scaled, passed, complete, theta, se, stop_reason,
                          operational, pretest, domains, finished_at)
SELECT s.id, b.candidate_id, 'SG', {scaled}, {str(scaled >= 600).lower()}, true, 0, 0.3, 'se', 54, 6, '{{}}', '{day} 12:00+09'
FROM s JOIN b ON b.id = s.booking_id;
"""


class Stats(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = PrivatePg()
        cls.conf = os.path.join(cls.pg.dir, "riss.conf")
        cls.pg.write_config(cls.conf)
        riss("db", "migrate", config=cls.conf)
        sql = FIXTURES
        # Centre A: 6 sittings in January (4 pass), centre B: 2 sittings in February.
        scores = [700, 650, 610, 620, 400, 550]
        for i, sc in enumerate(scores):
            sql += person(i, "TC-A", sc, "2026-01-15")
        sql += person(10, "TC-B", 800, "2026-02-03") + person(11, "TC-B", 300, "2026-02-03")
        subprocess.run(["psql", cls.pg.conninfo, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True, capture_output=True)
        cls.d = Rissd(config=cls.conf)

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()
        cls.d.cleanup()
        cls.pg.destroy()

    def export(self, *args):
        out = riss("stats", "export", *args, config=self.conf)
        return out.stdout

    def test_totals_groups_and_suppression(self):
        doc = json.loads(self.export())
        t = doc["total"]
        self.assertEqual(t["sittings"], 8)
        self.assertEqual(t["passed"], 5)
        self.assertAlmostEqual(t["pass_rate"], 5 / 8)
        self.assertAlmostEqual(t["mean_scaled"], sum([700, 650, 610, 620, 400, 550, 800, 300]) / 8)
        self.assertAlmostEqual(t["median_scaled"], 615)
        centres = {c["centre"]: c for c in doc["by_centre"]}
        self.assertEqual(centres["TC-A"]["sittings"], 6)
        self.assertEqual(centres["TC-A"]["passed"], 4)
        # Centre B has 2 sittings: too few to publish.
        self.assertEqual(centres["TC-B"], {"suppressed": True, "centre": "TC-B", "prefecture": "大阪府"})
        months = {m["month"]: m for m in doc["by_month"]}
        self.assertEqual(months["2026-01"]["sittings"], 6)
        self.assertTrue(months["2026-02"]["suppressed"])
        hist = {h["from"]: h for h in doc["score_histogram"]}
        self.assertEqual(len(hist), 10)
        self.assertEqual(hist[0]["count"], 0)
        self.assertTrue(hist[600]["suppressed"])  # 3 people between 600 and 699

    def test_date_range_and_csv(self):
        doc = json.loads(self.export("--from", "2026-02-01", "--to", "2026-02-28"))
        self.assertEqual(doc["total"], {"suppressed": True})
        csv = self.export("--csv", "--to", "2026-01-31").splitlines()
        self.assertEqual(csv[0], "group,key,sittings,passed,pass_rate,mean_scaled")
        self.assertIn("total,all,6,4,0.6667,588.3", csv)
        bad = riss("stats", "export", "--from", "15/01/2026", config=self.conf, check=False)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("YYYY-MM-DD", bad.stderr)

    def test_api_roles_and_audit(self):
        status, _, body = self.d.json("GET", "/api/v1/stats/results")
        self.assertEqual(status, 401)
        secret = add_staff_in(self.conf, "stat" + str(os.getpid()), "statistician")
        status, hdrs, body = self.d.json("POST", "/api/v1/staff/login", {
            "username": "stat" + str(os.getpid()), "password": "correct horse battery", "totp": totp(secret)})
        self.assertEqual(status, 200)
        cookie = hdrs["set-cookie"].split(";")[0]
        status, _, doc = self.d.json("GET", "/api/v1/stats/results?from=2026-01-01&to=2026-01-31", headers={"Cookie": cookie})
        self.assertEqual(status, 200)
        self.assertEqual(doc["total"]["sittings"], 6)
        status, _, doc = self.d.json("GET", "/api/v1/stats/results?from=yesterday", headers={"Cookie": cookie})
        self.assertEqual(status, 400)
        audit = subprocess.run(["psql", self.pg.conninfo, "-qAtc",
                                "SELECT actor || ' ' || role FROM audit.events WHERE action = 'stats.results.export' ORDER BY id DESC LIMIT 1"],
                               capture_output=True, text=True, check=True).stdout.strip()
        self.assertEqual(audit, "staff:stat%d statistician" % os.getpid())


if __name__ == "__main__":
    unittest.main(verbosity=2)
