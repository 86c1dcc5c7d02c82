"""The link from a passed exam result to the register: the registrar sees passed results
waiting for an application, an application must match the candidate of that result, and
registration marks the result so it cannot be used twice."""
import os
import subprocess
import unittest

from rissd_harness import PrivatePg, Rissd, riss, require_stack
from test_auth import add_staff_in, totp, PASSWORD
from test_stats import FIXTURES, person

require_stack()


def psql(pg, sql):
    return subprocess.run(["psql", pg.conninfo, "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
                          capture_output=True, text=True, check=True).stdout.strip()


class ExamToRegister(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = PrivatePg()
        cls.conf = os.path.join(cls.pg.dir, "riss.conf")
        cls.pg.write_config(cls.conf)
        riss("db", "migrate", config=cls.conf)
        # One pass (720) and one fail (450), finished on 2026-01-15 (Japan time).
        psql(cls.pg, FIXTURES + person(0, "TC-A", 720, "2026-01-15") + person(1, "TC-A", 450, "2026-01-15"))
        cls.d = Rissd(config=cls.conf)
        user = "reg%d" % os.getpid()
        secret = add_staff_in(cls.conf, user, "registrar")
        st, hdrs, body = cls.d.json("POST", "/api/v1/staff/login", {"username": user, "password": PASSWORD, "totp": totp(secret)})
        assert st == 200, body
        cls.h = {"Cookie": hdrs["set-cookie"].split(";")[0], "X-CSRF-Token": body["csrf"], "Accept-Language": "en"}

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()
        cls.d.cleanup()
        cls.pg.destroy()

    def call(self, method, path, obj=None):
        return self.d.json(method, path, obj, headers=self.h)

    def test_passed_result_to_registration(self):
        st, _, body = self.call("GET", "/api/v1/registry/passed-results")
        self.assertEqual(st, 200)
        self.assertEqual(len(body["results"]), 1)  # the fail is not offered
        res = body["results"][0]
        self.assertEqual(res["name"], "受験者0")
        self.assertEqual(res["exam_pass_date"], "2026-01-15")
        app = {"exam_result_ref": res["exam_result_ref"], "exam_pass_date": res["exam_pass_date"], "name": res["name"],
               "name_kana": res["name_kana"], "name_latn": res["name_latn"], "date_of_birth": res["date_of_birth"]}

        # Another person's date of birth, or a failed result, is refused with a reason.
        st, _, p = self.call("POST", "/api/v1/registry/applications", dict(app, date_of_birth="1991-02-03"))
        self.assertEqual(st, 400)
        self.assertIn("date of birth differs", p["detail"])
        failed = "exam:" + psql(self.pg, "SELECT session_id FROM exam.results WHERE NOT passed")
        st, _, p = self.call("POST", "/api/v1/registry/applications", dict(app, exam_result_ref=failed))
        self.assertEqual(st, 409)
        self.assertIn("not a complete pass", p["detail"])
        st, _, p = self.call("POST", "/api/v1/registry/applications", dict(app, exam_result_ref="exam:999999"))
        self.assertEqual(st, 404)

        st, _, a = self.call("POST", "/api/v1/registry/applications", app)
        self.assertEqual(st, 201, a)
        self.assertEqual(self.call("GET", "/api/v1/registry/passed-results")[2]["results"], [])
        self.assertEqual(self.call("POST", "/api/v1/registry/review", {"id": a["id"], "approve": True})[0], 200)
        st, _, r = self.call("POST", "/api/v1/registry/register", {"id": a["id"], "reg_date": "2026-04-01"})
        self.assertEqual(st, 201, r)
        self.assertEqual(psql(self.pg, "SELECT registered FROM exam.results WHERE passed"), "t")
        # The result cannot carry a second registration.
        st, _, p = self.call("POST", "/api/v1/registry/applications", app)
        self.assertEqual(st, 409)
        self.assertIn("already led to a registration", p["detail"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
