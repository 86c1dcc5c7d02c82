"""Exam delivery over real HTTP against a private PostgreSQL: admission, the candidate flow
(no key ever sent, idempotent resend, refusals as problem+json), the workstation binding,
pause/resume by the clock, and the score report."""
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_exam_lib import Candidate, Rissd, admit, load_keys, private_stack, seed  # noqa: E402


class ExamFlow(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="riss-exam-")
        cls.pg, cls.conf = private_stack(cls.tmp)
        cls.rissd = Rissd(config=cls.conf)
        cls.keys = load_keys()

    @classmethod
    def tearDownClass(cls):
        cls.rissd.stop()
        cls.rissd.cleanup()
        cls.pg.destroy()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def new_candidate(self, prefix, ability=0.8):
        booking = seed(self.conf, 1, prefix=prefix)[0]
        code = admit(self.conf, booking, "A-1")["code"]
        c = Candidate(self.rissd.port, ability=ability, seed=hash(prefix) & 0xffff)
        st, body = c.start(code)
        self.assertEqual(st, 200, body)
        return c, code

    def test_whole_exam(self):
        c, code = self.new_candidate("flow")
        # The code is one-time.
        st, body = Candidate(self.rissd.port).start(code)
        self.assertEqual(st, 401)
        self.assertEqual(body["type"], "/problems/admission-code-invalid")
        st, v = c.current()
        self.assertEqual((st, v["status"]), (200, "admitted"))
        self.assertNotIn("item", v)  # nothing before the candidate begins
        st, v = c.call("POST", "/api/v1/exam/begin")
        self.assertEqual(st, 200, v)
        self.assertEqual(v["status"], "running")
        seen = set()
        while "item" in v:
            it = v["item"]
            self.assertNotIn("key", it)
            self.assertNotIn("rationale", it)
            self.assertEqual(len(it["options"]), 4)
            if it["part"] == "B":
                self.assertIn("passage", it["scenario"])
            self.assertNotIn(it["item_id"], seen)
            seen.add(it["item_id"])
            self.assertGreater(v["remaining_s"], 7000)
            choice = c.choose(self.keys, it["item_id"])
            if it["position"] == 3:
                # Wrong item, wrong position: refused with problem+json, nothing recorded.
                other = next(k for k in self.keys if k not in seen)
                st, p = c.answer(3, other, 0)
                self.assertEqual((st, p["type"]), (409, "/problems/not-current-item"))
                st, p = c.answer(5, it["item_id"], 0)
                self.assertEqual((st, p["type"]), (409, "/problems/wrong-position"))
            st, nv = c.answer(it["position"], it["item_id"], choice)
            self.assertEqual(st, 200, nv)
            if it["position"] == 2:
                # Resending the same answer returns the same next item and records nothing new.
                st, again = c.answer(2, it["item_id"], choice)
                self.assertEqual(st, 200, again)
                self.assertEqual(again["item"]["item_id"], nv["item"]["item_id"])
                self.assertEqual(again["answered"], nv["answered"])
                st, p = c.answer(2, it["item_id"], (choice + 1) % 4)
                self.assertEqual((st, p["type"]), (409, "/problems/answer-conflict"))
            v = nv
        self.assertEqual(v["status"], "finished")
        res = v["result"]
        self.assertGreaterEqual(res["operational"], 30)
        self.assertEqual(res["passed"], res["scaled"] >= 600)
        self.assertTrue(all(d["band"] in ("below", "near", "above") for d in res["domains"]))
        st, rep = c.call("GET", "/api/v1/exam/report")
        self.assertEqual(st, 200)
        self.assertEqual(rep["result"]["scaled"], res["scaled"])
        self.assertEqual(rep["name_latn"], "Yamada Taro")
        st, p = c.answer(v["answered"], "SG-A-0001", 0)
        self.assertEqual((st, p["type"]), (409, "/problems/session-finished"))

    def test_workstation_binding(self):
        c, _ = self.new_candidate("bind")
        stolen = Candidate(self.rissd.port)
        stolen.cookies = {"riss_exam": c.cookies["riss_exam"]}
        st, body = stolen.current()
        self.assertEqual(st, 401)
        stolen.cookies["riss_ws"] = "A" * 43
        self.assertEqual(stolen.current()[0], 401)
        self.assertEqual(c.current()[0], 200)
        # Without the CSRF header a state change is refused.
        c.csrf = ""
        st, body = c.call("POST", "/api/v1/exam/begin")
        self.assertEqual(st, 403)

    def test_move_to_another_workstation(self):
        c, _ = self.new_candidate("move")
        c.call("POST", "/api/v1/exam/begin")
        st, v = c.current()
        it = v["item"]
        c.answer(0, it["item_id"], c.choose(self.keys, it["item_id"]))
        booking = seed(self.conf, 1, prefix="move")[0]
        code = admit(self.conf, booking, "B-7", move=True)["code"]
        # The old workstation stops working; the new one resumes on the same item, paused.
        self.assertEqual(c.current()[0], 401)
        d = Candidate(self.rissd.port)
        self.assertEqual(d.start(code)[0], 200)
        st, v2 = d.current()
        self.assertEqual((st, v2["status"], v2["answered"]), (200, "paused", 1))
        self.assertNotIn("item", v2)


if __name__ == "__main__":
    unittest.main()
