"""The proctor console over HTTP: the day's bookings at the proctor's own centre, identity
check, admission by code, pause and resume (the clock stops), extra time, ending a session
with a reason — each action audited, each refusal a clear problem."""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_exam_lib import Candidate, Rissd, private_stack, riss  # noqa: E402
from test_auth import add_staff_in, totp, PASSWORD  # noqa: E402


class ProctorConsole(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="riss-proctor-")
        cls.pg, cls.conf = private_stack(cls.tmp)
        r = riss("exam", "seed", "--centre", "TC-TOKYO-01", "--count", "1", "--prefix", "pc", "--json", config=cls.conf)
        assert r.returncode == 0, r.stderr
        import json
        cls.booking = json.loads(r.stdout)["bookings"][0]
        cls.rissd = Rissd(config=cls.conf)
        user = "proc%d" % os.getpid()
        secret = add_staff_in(cls.conf, user, "proctor")
        # add_staff_in puts proctors at TC-TEST-01: move this one to the demo centre.
        subprocess.run(["psql", cls.pg.conninfo, "-qc",
                        f"UPDATE staff.accounts SET centre_code = 'TC-TOKYO-01' WHERE username = '{user}'"], check=True)
        st, hdrs, body = cls.rissd.json("POST", "/api/v1/staff/login", {"username": user, "password": PASSWORD, "totp": totp(secret)})
        assert st == 200, body
        cls.h = {"Cookie": hdrs["set-cookie"].split(";")[0], "X-CSRF-Token": body["csrf"], "Accept-Language": "en"}

    @classmethod
    def tearDownClass(cls):
        cls.rissd.stop()
        cls.rissd.cleanup()
        cls.pg.destroy()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def p(self, method, path, obj=None):
        return self.rissd.json(method, path, obj, headers=self.h)

    def audit(self, action):
        return subprocess.run(["psql", self.pg.conninfo, "-qAtc",
                               f"SELECT count(*) FROM audit.events WHERE action = '{action}'"],
                              capture_output=True, text=True, check=True).stdout.strip()

    def test_console_actions(self):
        st, _, day = self.p("GET", "/api/v1/proctor/bookings")
        self.assertEqual(st, 200)
        self.assertIn(self.booking, [b["booking"] for b in day["bookings"]])

        # Admission needs the identity check first.
        st, _, prob = self.p("POST", "/api/v1/proctor/admit", {"booking": self.booking, "seat": "C-7"})
        self.assertEqual(st, 409)
        self.assertEqual(prob["type"], "/problems/identity-not-checked")
        self.assertEqual(self.p("POST", "/api/v1/proctor/identity", {"booking": self.booking, "document": "運転免許証"})[0], 200)
        st, _, adm = self.p("POST", "/api/v1/proctor/admit", {"booking": self.booking, "seat": "C-7"})
        self.assertEqual(st, 200, adm)
        session = adm["session"]

        c = Candidate(self.rissd.port)
        self.assertEqual(c.start(adm["code"])[0], 200)
        st, v = c.call("POST", "/api/v1/exam/begin")
        self.assertEqual(st, 200, v)
        item = v["item"]

        # Pause: the candidate sees it, answers are refused, and the clock stops.
        self.assertEqual(self.p("POST", "/api/v1/proctor/pause", {"session": session})[0], 200)
        st, v = c.current()
        self.assertEqual(v["status"], "paused")
        before = v["remaining_s"]
        st, prob = c.answer(0, item["item_id"], 0)
        self.assertEqual((st, prob["type"]), (409, "/problems/session-paused"))
        time.sleep(2.5)
        st, v = c.current()
        self.assertGreaterEqual(v["remaining_s"], before - 1)
        self.assertEqual(self.p("POST", "/api/v1/proctor/resume", {"session": session})[0], 200)
        st, v = c.current()
        self.assertEqual(v["status"], "running")

        # Extra time for an approved accommodation.
        rem = v["remaining_s"]
        self.assertEqual(self.p("POST", "/api/v1/proctor/extra-time", {"session": session, "minutes": 10})[0], 200)
        st, v = c.current()
        self.assertGreaterEqual(v["remaining_s"], rem + 590)
        st, _, prob = self.p("POST", "/api/v1/proctor/extra-time", {"session": session, "minutes": 999})
        self.assertEqual(st, 400)

        # End with a reason: the candidate can answer no more.
        self.assertEqual(self.p("POST", "/api/v1/proctor/end", {"session": session, "reason": "体調不良のため中止"})[0], 200)
        st, v = c.current()
        # The workstation's session is closed: either an "ended" view or a clear problem.
        if st == 200:
            self.assertIn(v["status"], ("ended", "finished"))
        else:
            self.assertEqual(st, 401)
            self.assertTrue(v["detail"])
        st, prob = c.answer(0, item["item_id"], 0)
        self.assertIn(st, (409, 401))
        self.assertEqual(subprocess.run(["psql", self.pg.conninfo, "-qAtc",
                                         f"SELECT status FROM exam.sessions WHERE id = {session}"],
                                        capture_output=True, text=True, check=True).stdout.strip(), "ended")

        for action in ("exam.booking.identity", "exam.session.admit"):
            self.assertEqual(self.audit(action), "1", action)
        self.assertNotEqual(self.audit("exam.session.pause"), "0")


if __name__ == "__main__":
    unittest.main(verbosity=2)
