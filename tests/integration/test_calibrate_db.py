"""riss calibrate --from-db: responses stored in the bank are calibrated, and --activate
records the run as parameter history with the new estimates active. Uses a throw-away
PostgreSQL with the demo bank imported and simulated 2PL responses."""
import io
import json
import math
import os
import random
import subprocess
import unittest

from rissd_harness import PrivatePg, ROOT, riss, require_stack

require_stack()


def psql(pg, sql, stdin=None):
    return subprocess.run(["psql", pg.conninfo, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql], input=stdin,
                          capture_output=True, text=True, check=True).stdout


class CalibrateFromDb(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = PrivatePg()
        cls.conf = os.path.join(cls.pg.dir, "riss.conf")
        cls.pg.write_config(cls.conf)
        riss("db", "migrate", config=cls.conf)
        riss("bank", "import", os.path.join(ROOT, "item-bank", "demo", "items.jsonl"), config=cls.conf)
        # 40 operational part-A items with their demo parameters as the truth (2PL part only).
        rows = psql(cls.pg, "SELECT i.id, p.a, p.b FROM bank.items i JOIN bank.item_params p ON p.item_id = i.id "
                            "AND p.active WHERE i.status = 'operational' AND i.part = 'A' ORDER BY i.id LIMIT 40")
        cls.truth = {r.split("|")[0]: (float(r.split("|")[1]), float(r.split("|")[2])) for r in rows.splitlines()}
        rng = random.Random(20261125)
        buf = io.StringIO()
        for p in range(3000):
            theta = rng.gauss(0, 1)
            for item, (a, b) in cls.truth.items():
                if rng.random() < 0.5:  # sparse: each person saw about half the items
                    continue
                score = 1 if rng.random() < 1 / (1 + math.exp(-a * (theta - b))) else 0
                buf.write(f"P{p:05d}\t{item}\t{score}\n")
        psql(cls.pg, "COPY bank.responses (person, item_id, score) FROM STDIN", stdin=buf.getvalue())

    @classmethod
    def tearDownClass(cls):
        cls.pg.destroy()

    def test_calibrate_and_activate(self):
        out = riss("calibrate", "--from-db", "--model", "2pl", "--json", "--quiet", config=self.conf)
        doc = json.loads(out.stdout)
        self.assertEqual(doc["model"], "2pl")
        self.assertTrue(doc["converged"])
        got = {i["id"]: i for i in doc["items"]}
        self.assertEqual(set(got), set(self.truth))
        bs = [(self.truth[k][1], got[k]["b"]) for k in got]
        rmse_b = math.sqrt(sum((t - e) ** 2 for t, e in bs) / len(bs))
        self.assertLess(rmse_b, 0.25, f"b recovered with RMSE {rmse_b:.3f}")
        for i in doc["items"]:
            self.assertAlmostEqual(i["d"], -i["a"] * i["b"], places=6)

        before = int(psql(self.pg, "SELECT count(*) FROM bank.calibration_runs WHERE source = 'calibration'"))
        r = riss("calibrate", "--from-db", "--model", "2pl", "--activate", "--quiet", config=self.conf)
        self.assertEqual(r.returncode, 0, r.stderr)
        runs = int(psql(self.pg, "SELECT count(*) FROM bank.calibration_runs WHERE source = 'calibration'"))
        self.assertEqual(runs, before + 1)
        active = psql(self.pg, "SELECT count(*) FROM bank.item_params p JOIN bank.calibration_runs r ON r.id = p.run_id "
                               "WHERE p.active AND r.source = 'calibration'")
        self.assertEqual(int(active), 40)
        # Still exactly one active parameter set per item.
        dup = psql(self.pg, "SELECT count(*) FROM (SELECT item_id FROM bank.item_params WHERE active "
                            "GROUP BY item_id HAVING count(*) > 1) x")
        self.assertEqual(int(dup), 0)

    def test_bad_combinations(self):
        r = riss("calibrate", "--from-db", "--data", "x.tsv", "--model", "2pl", config=self.conf, check=False)
        self.assertEqual(r.returncode, 2)
        r = riss("calibrate", "--data", "x.tsv", "--save", "--model", "2pl", config=self.conf, check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--from-db", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
