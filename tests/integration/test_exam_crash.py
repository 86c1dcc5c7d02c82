"""Nothing is lost: SIGKILL rissd in the middle of 50 concurrent simulated exams and
restart it; stop PostgreSQL mid-exam and start it again. Every acknowledged answer is
still there, every session resumes on the item it was showing, and every finished exam has
the result that a replay from the stored responses alone gives."""
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_exam_lib import Candidate, Rissd, admit, load_keys, private_stack, riss, seed  # noqa: E402

N = 50


class Sim(threading.Thread):
    """Answers until stopped; remembers what the server acknowledged."""

    def __init__(self, cand, keys):
        super().__init__(daemon=True)
        self.c, self.keys = cand, keys
        self.acked = []          # (position, item_id, choice) with a 200 reply
        self.shown = None        # item the server last showed (position, item_id)
        self.stop_flag = threading.Event()
        self.unavailable = 0     # 503 "please wait" replies seen

    def run(self):
        while not self.stop_flag.is_set():
            v = self.c.view
            if not v or "item" not in v:
                return
            it = v["item"]
            self.shown = (it["position"], it["item_id"])
            choice = self.c.choose(self.keys, it["item_id"])
            try:
                st, body = self.c.answer(it["position"], it["item_id"], choice)
            except OSError:
                time.sleep(0.05)
                continue
            if st == 200:
                self.acked.append((it["position"], it["item_id"], choice))
                nxt = body.get("item")
                self.shown = (nxt["position"], nxt["item_id"]) if nxt else None
            elif st == 503:
                self.unavailable += 1
                time.sleep(0.1)
            else:
                raise AssertionError(f"unexpected {st}: {body}")
            time.sleep(0.02)


class ExamCrash(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="riss-exam-crash-")
        self.pg, self.conf = private_stack(self.tmp)
        self.keys = load_keys()
        self.rissd = Rissd(config=self.conf)

    def tearDown(self):
        self.rissd.cleanup()
        self.pg.destroy()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start_all(self, prefix):
        cands = []
        for i, b in enumerate(seed(self.conf, N, prefix=prefix)):
            code = admit(self.conf, b, f"S-{i}")["code"]
            c = Candidate(self.rissd.port, ability=0.3 + 0.6 * (i % 7) / 6, seed=i)
            self.assertEqual(c.start(code)[0], 200)
            st, v = c.call("POST", "/api/v1/exam/begin")
            self.assertEqual(st, 200, v)
            c.view = v
            cands.append(c)
        return cands

    def finish_all(self, cands):
        for c in cands:
            st, v = c.current()
            self.assertEqual(st, 200, v)
            if v.get("finishing"):
                # Its last answer was stored before the crash, its finish not: GET changes
                # nothing; the page's POST begin closes it.
                st, v = c.call("POST", "/api/v1/exam/begin")
                self.assertEqual(st, 200, v)
            while "item" in v:
                it = v["item"]
                st, v = c.answer(it["position"], it["item_id"], c.choose(self.keys, it["item_id"]))
                self.assertEqual(st, 200, v)
            self.assertEqual(v["status"], "finished")

    def check_replays(self, cands):
        for c in cands:
            sid = c.view["session"]
            r = riss("exam", "replay", str(sid), config=self.conf, check=False)
            self.assertEqual(r.returncode, 0, r.stderr)
            rep = json.loads(r.stdout)
            self.assertEqual(rep["replayed"]["scaled"], rep["stored"]["scaled"])
            self.assertEqual(rep["replayed"]["passed"], rep["stored"]["passed"])
            self.assertEqual(rep["replayed"]["scaled"], c.view["result"]["scaled"])

    def check_resume(self, sims):
        """After the interruption: acknowledged answers are all stored, and the session shows
        the item it showed before (or the next one, when the last answer committed but its
        reply was lost)."""
        for s in sims:
            st, v = s.c.current()
            self.assertEqual(st, 200, v)
            n = len(s.acked)
            self.assertIn(v["answered"], (n, n + 1), "an acknowledged answer was lost or invented")
            if v["answered"] == n and "item" in v and s.shown:
                self.assertEqual((v["item"]["position"], v["item"]["item_id"]), s.shown)
            # Resending every acknowledged answer is accepted as already stored.
            for pos, item, choice in s.acked[-2:]:
                st, body = s.c.answer(pos, item, choice)
                self.assertEqual(st, 200, body)
            s.c.view = v

    def test_sigkill_rissd_mid_exam(self):
        cands = self.start_all("kill")
        sims = [Sim(c, self.keys) for c in cands]
        for s in sims:
            s.start()
        time.sleep(3)
        self.rissd.proc.send_signal(signal.SIGKILL)
        self.rissd.proc.wait()
        for s in sims:
            s.stop_flag.set()
        for s in sims:
            s.join(30)
        self.assertGreater(sum(len(s.acked) for s in sims), N, "the exams had not got going")
        self.rissd.cleanup()
        self.rissd = Rissd(config=self.conf)
        for c in cands:
            c.port = self.rissd.port
        self.check_resume(sims)
        self.finish_all(cands)
        self.check_replays(cands)

    def test_postgres_stops_mid_exam(self):
        cands = self.start_all("pgstop")
        sims = [Sim(c, self.keys) for c in cands]
        for s in sims:
            s.start()
        # Stop the database while every candidate is mid-exam: a fixed sleep let fast
        # answering finish all the exams first (then no answer could see the 503).
        deadline = time.time() + 10
        while sum(len(s.acked) for s in sims) < 5 * N and time.time() < deadline:
            time.sleep(0.02)
        self.pg.stop("fast")
        # Candidates see a clear "please wait" (503 problem) while the database is away.
        st, body = cands[0].call("GET", "/api/v1/exam/current")
        self.assertEqual(st, 503, body)
        self.assertEqual(body["type"], "/problems/service-unavailable")
        time.sleep(2)
        self.pg.start()
        time.sleep(2)
        for s in sims:
            s.stop_flag.set()
        for s in sims:
            s.join(30)
        self.assertGreater(sum(s.unavailable for s in sims), 0)
        self.check_resume(sims)
        self.finish_all(cands)
        self.check_replays(cands)


if __name__ == "__main__":
    unittest.main()
