"""The proctor console over HTTP: the day's bookings at the proctor's own centre, identity
check (document type and the last four characters of its number), admission by code, pause
and resume (the clock stops), extra time, an approved move, ending a session with a reason —
each action audited, each refusal a clear problem in the caller's language — and what the
candidate's status poll (GET /api/v1/exam/status) shows after each of them."""
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

    def ja(self, method, path, obj=None):
        return self.rissd.json(method, path, obj, headers=dict(self.h, **{"Accept-Language": "ja"}))

    def row(self, booking):
        st, _, day = self.p("GET", "/api/v1/proctor/bookings")
        self.assertEqual(st, 200)
        return next(b for b in day["bookings"] if b["booking"] == booking)

    def test_window_without_package_is_refused_at_admission(self):
        # Delivery serves only exam packages: a window that names none (as a window made on the
        # schedule API does until a psychometrician assigns one) admits nobody, and says why
        # once, in the proctor's language.
        import json
        r = riss("exam", "seed", "--centre", "TC-TOKYO-01", "--count", "1", "--prefix", "np", "--checked",
                 "--window", "NP window", "--json", config=self.conf)
        self.assertEqual(r.returncode, 0, r.stderr)
        seeded = json.loads(r.stdout)
        booking = seeded["bookings"][0]
        subprocess.run(["psql", self.pg.conninfo, "-qc",
                        f"UPDATE exam.windows SET package_id = NULL WHERE id = {seeded['window']}"], check=True)
        st, _, prob = self.ja("POST", "/api/v1/proctor/admit", {"booking": booking, "seat": "N-1"})
        self.assertEqual(st, 409, prob)
        self.assertEqual(prob["type"], "/problems/no-package")
        self.assertEqual(prob["title"], "問題パッケージがありません")
        self.assertIn("試験期間「NP window」には問題パッケージが指定されていない", prob["detail"])
        st, _, prob = self.p("POST", "/api/v1/proctor/admit", {"booking": booking, "seat": "N-1"})
        self.assertEqual(st, 409, prob)
        self.assertEqual(prob["title"], "No exam package")
        self.assertIn('Window "NP window" names no exam package', prob["detail"])
        n = subprocess.run(["psql", self.pg.conninfo, "-qAtc",
                            f"SELECT count(*) FROM exam.sessions WHERE booking_id = {booking}"],
                           capture_output=True, text=True, check=True).stdout.strip()
        self.assertEqual(n, "0")
        r = riss("exam", "admit", "--booking", str(booking), "--seat", "N-1", config=self.conf, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("names no exam package", r.stderr)

    def test_console_actions(self):
        st, _, day = self.p("GET", "/api/v1/proctor/bookings")
        self.assertEqual(st, 200)
        self.assertIn(self.booking, [b["booking"] for b in day["bookings"]])

        # Admission needs the identity check first; the refusal reads in Japanese for a Japanese reader.
        st, _, prob = self.ja("POST", "/api/v1/proctor/admit", {"booking": self.booking, "seat": "C-7"})
        self.assertEqual(st, 409)
        self.assertEqual(prob["type"], "/problems/identity-not-checked")
        self.assertEqual(prob["detail"], "入室させる前に受験者の本人確認をしてください。")
        # The identity record: a known document type and the last 4 of its number.
        st, _, prob = self.ja("POST", "/api/v1/proctor/identity", {"booking": self.booking, "document": "運転免許証",
                                                                   "number_tail": "1234"})
        self.assertEqual((st, prob["type"]), (422, "/problems/invalid-document"))
        self.assertIn("本人確認書類", prob["detail"])
        st, _, prob = self.p("POST", "/api/v1/proctor/identity", {"booking": self.booking, "document": "passport",
                                                                  "number_tail": "12"})
        self.assertEqual(st, 422)
        self.assertIn("last 4", prob["detail"])
        self.assertEqual(self.p("POST", "/api/v1/proctor/identity",
                                {"booking": self.booking, "document": "driver_licence", "number_tail": "5678"})[0], 200)
        self.assertEqual(self.row(self.booking)["identity"], {"document": "driver_licence", "number_tail": "5678"})
        st, _, adm = self.p("POST", "/api/v1/proctor/admit", {"booking": self.booking, "seat": "C-7"})
        self.assertEqual(st, 200, adm)
        session = adm["session"]

        # A wrong admission code: a Japanese sentence for the (Japanese) workstation.
        c = Candidate(self.rissd.port)
        st, prob = c.start("222222222222" if adm["code"] != "222222222222" else "333333333333")
        self.assertEqual(st, 401)
        self.assertIn("入室コード", prob["detail"])
        self.assertEqual(c.call("GET", "/api/v1/exam/status")[1], {"state": "none"})
        self.assertEqual(c.start(adm["code"])[0], 200)
        st, v = c.call("POST", "/api/v1/exam/begin")
        self.assertEqual(st, 200, v)
        item = v["item"]

        # One principal per request (security review finding 2): the proctor's cookie and the
        # candidate's together are nobody's — refused, nothing granted, nothing audited under
        # either name — where the old code granted the time and named the candidate.
        both = dict(self.h, Cookie=self.h["Cookie"] + "; " + "; ".join(f"{k}={v}" for k, v in c.cookies.items()))
        granted = self.audit("exam.session.extra_time")
        st, _, prob = self.rissd.json("POST", "/api/v1/proctor/extra-time", {"session": session, "minutes": 10},
                                      headers=both)
        self.assertEqual((st, prob["type"]), (401, "/problems/unauthenticated"), prob)
        self.assertEqual(self.audit("exam.session.extra_time"), granted)
        st, _, prob = self.rissd.json("GET", "/api/v1/exam/current", headers=both)
        self.assertEqual(st, 401, prob)

        st, s0 = c.call("GET", "/api/v1/exam/status")
        self.assertEqual((st, s0["state"], s0["paused"]), (200, "running", False))
        self.assertNotIn("item", s0)

        # Pause: the status poll shows it with a new version, answers are refused, the clock stops.
        self.assertEqual(self.p("POST", "/api/v1/proctor/pause", {"session": session})[0], 200)
        st, s1 = c.call("GET", "/api/v1/exam/status")
        self.assertEqual((s1["state"], s1["paused"]), ("paused", True))
        self.assertGreater(s1["version"], s0["version"])
        st, v = c.current()
        self.assertEqual(v["status"], "paused")
        before = v["remaining_s"]
        st, prob = c.answer(0, item["item_id"], 0)
        self.assertEqual((st, prob["type"]), (409, "/problems/session-paused"))
        self.assertEqual(prob["detail"], "試験監督者が試験を一時停止しています。そのままお待ちください。")
        time.sleep(2.5)   # the clock must not move while paused: real time has to pass to show it
        st, v = c.current()
        self.assertGreaterEqual(v["remaining_s"], before - 1)
        self.assertGreaterEqual(c.call("GET", "/api/v1/exam/status")[1]["remaining_s"], before - 1)
        self.assertEqual(self.p("POST", "/api/v1/proctor/resume", {"session": session})[0], 200)
        st, v = c.current()
        self.assertEqual(v["status"], "running")

        # Extra time for an approved accommodation: the poll shows the new remaining time.
        rem = v["remaining_s"]
        self.assertEqual(self.p("POST", "/api/v1/proctor/extra-time", {"session": session, "minutes": 10})[0], 200)
        st, v = c.current()
        self.assertGreaterEqual(v["remaining_s"], rem + 590)
        st, s2 = c.call("GET", "/api/v1/exam/status")
        self.assertEqual(s2["extra_s"], 600)
        self.assertGreaterEqual(s2["remaining_s"], rem + 590)
        st, _, prob = self.p("POST", "/api/v1/proctor/extra-time", {"session": session, "minutes": 999})
        self.assertEqual(st, 400)

        # An approved move: the old workstation learns "moved"; the console says "moved — resume
        # when seated" until the proctor resumes at the new seat.
        st, _, mv = self.p("POST", "/api/v1/proctor/move", {"booking": self.booking, "seat": "D-2"})
        self.assertEqual(st, 200, mv)
        self.assertEqual(c.call("GET", "/api/v1/exam/status")[1], {"state": "moved"})
        self.assertEqual(c.current()[0], 401)
        r = self.row(self.booking)["session"]
        self.assertEqual((r["status"], r["seat"], r["move_pending"], r["code_pending"]), ("paused", "D-2", True, True))
        c2 = Candidate(self.rissd.port, seed=2)
        self.assertEqual(c2.start(mv["code"])[0], 200)
        st, s3 = c2.call("GET", "/api/v1/exam/status")
        self.assertEqual((s3["state"], s3["move_pending"]), ("paused", True))
        self.assertFalse(self.row(self.booking)["session"]["code_pending"])
        self.assertEqual(self.p("POST", "/api/v1/proctor/resume", {"session": session})[0], 200)
        self.assertFalse(self.row(self.booking)["session"]["move_pending"])
        self.assertEqual(c2.call("GET", "/api/v1/exam/status")[1]["state"], "running")

        # End with a reason: the workstation sees "ended" (not the code entry) and can answer no more.
        self.assertEqual(self.p("POST", "/api/v1/proctor/end", {"session": session, "reason": "体調不良のため中止"})[0], 200)
        st, s4 = c2.call("GET", "/api/v1/exam/status")
        self.assertEqual(s4["state"], "ended")
        st, v = c2.current()
        self.assertEqual((st, v["status"]), (200, "ended"))
        self.assertNotIn("item", v)
        st, prob = c2.answer(0, item["item_id"], 0)
        self.assertEqual(st, 409)
        self.assertEqual(subprocess.run(["psql", self.pg.conninfo, "-qAtc",
                                         f"SELECT status FROM exam.sessions WHERE id = {session}"],
                                        capture_output=True, text=True, check=True).stdout.strip(), "ended")
        # The console: ended, no time left shown.
        r = self.row(self.booking)
        self.assertEqual((r["status"], r["session"]["status"]), ("ended", "ended"))
        self.assertNotIn("remaining_s", r["session"])

        # Closing the workstation: the sitting's token stops working, the cookie is cleared.
        st, body = c2.call("POST", "/api/v1/exam/close")
        self.assertEqual(st, 200, body)
        self.assertEqual(c2.cookies.get("riss_exam"), "")
        self.assertEqual(c2.call("GET", "/api/v1/exam/status")[1], {"state": "none"})

        for action in ("exam.booking.identity", "exam.session.admit", "exam.session.move", "exam.session.close"):
            self.assertEqual(self.audit(action), "1", action)
        self.assertNotEqual(self.audit("exam.session.pause"), "0")
        ident = subprocess.run(["psql", self.pg.conninfo, "-qAtc",
                                f"SELECT identity_document, identity_number_tail FROM exam.bookings WHERE id = {self.booking}"],
                               capture_output=True, text=True, check=True).stdout.strip()
        self.assertEqual(ident, "driver_licence|5678")


if __name__ == "__main__":
    unittest.main(verbosity=2)
