"""Continuing training over real HTTP and PostgreSQL: providers approved with `riss provider
add --json` sign in with their API key (Bearer) and see only their own courses and records;
completion logging is idempotent on the provider's record id, a changed resend is a 409
unless sent as a correction (which voids the old record and keeps both), a record of
another provider answers 404 and another provider's course is refused, a CSV of 1,000 rows
with one bad row imports nothing and names that row, unknown registration numbers are
named per record, and the registrar's standing shows the completion that filled a duty.
Records that cannot be credited automatically but are not plainly wrong (a practical course
not designated 特定講習 that year, outside the provider's approval period, fewer hours than
the course, completed before the registration) are received as pending with the reasons;
the CPD desk lists them, accepting one fills the duty at once, rejecting records who and why."""
import datetime
import json
import os
import subprocess
import time
import unittest

from rissd_harness import Rissd, riss, require_stack, BUILD, ROOT, CONFIG, totp

require_stack()
riss("db", "migrate")

PASSWORD = "correct horse battery"
RUN = str(os.getpid())
TODAY = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=9)).date()


def cycle_start(d):
    """The latest 1 April or 1 October on or before d."""
    for y in (d.year, d.year - 1):
        for m in (10, 4):
            s = datetime.date(y, m, 1)
            if s <= d:
                return s
    raise AssertionError(d)


def provider_add(name, *extra):
    out = riss("provider", "add", name, "--name-en", name + " (en)", "--from", "2016-10-01", "--json", *extra)
    return json.loads(out.stdout)


class Cpd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Rissd()
        user = f"tcpd{RUN}"
        out = subprocess.run([os.path.join(BUILD, "cli", "riss"), "staff", "add", "--username", user, "--role",
                              "registrar", "--display-name", "講習 担当"], input=PASSWORD + "\n",
                             capture_output=True, text=True, env=dict(os.environ, RISS_CONFIG=CONFIG), cwd=ROOT)
        assert out.returncode == 0, out.stderr
        secret = out.stdout.split("totp_secret ")[1].split()[0]
        st, hdrs, body = cls.d.json("POST", "/api/v1/staff/login",
                                    {"username": user, "password": PASSWORD, "totp": totp(secret)})
        assert st == 200, body
        cls.cookie = hdrs["set-cookie"].split(";")[0]
        cls.csrf = body["csrf"]
        cls.start = cycle_start(TODAY)
        tag = "".join(chr(ord("a") + int(c)) for c in RUN)
        cls.regnos = [cls.register(f"Kosyu {tag} {'abcdef'[i]}") for i in range(6)]
        cls.a = provider_add(f"講習機関A{RUN}")
        cls.b = provider_add(f"講習機関B{RUN}")
        fy = TODAY.year if TODAY.month >= 4 else TODAY.year - 1
        cls.fy = fy
        for p, code, kind in ((cls.a, "ONL", "online"), (cls.b, "ONL", "online"), (cls.b, "PRA", "practical")):
            st, _, c = cls.prov(p, "POST", "/api/v1/cpd/courses",
                                {"code": code, "kind": kind, "title_ja": "講座 " + code, "title_en": "Course " + code,
                                 "hours": 6, "cycle_years": [fy - 1, fy, fy + 1]})
            assert st == 201, c
            p.setdefault("courses", {})[code] = c["course_id"]

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()
        cls.d.cleanup()

    @classmethod
    def admin(cls, method, path, obj=None):
        return cls.d.json(method, path, obj, headers={"Cookie": cls.cookie, "X-CSRF-Token": cls.csrf})

    @classmethod
    def prov(cls, p, method, path, obj=None):
        return cls.d.json(method, path, obj, headers={"Authorization": "Bearer " + p["api_key"]})

    @classmethod
    def register(cls, name_latn):
        app = {"exam_result_ref": f"cpd-{RUN}-{name_latn}", "exam_pass_date": str(cls.start - datetime.timedelta(days=30)),
               "name": "講習 " + name_latn, "name_kana": "コウシュウ", "name_latn": name_latn,
               "date_of_birth": "1990-01-02"}
        st, _, b = cls.admin("POST", "/api/v1/registry/applications", app)
        assert st == 201, b
        st, _, r = cls.admin("POST", "/api/v1/registry/review", {"id": b["id"], "approve": True, "note": "ok"})
        assert st == 200, r
        st, _, r = cls.admin("POST", "/api/v1/registry/register", {"id": b["id"], "reg_date": str(cls.start)})
        assert st == 201, r
        return r["regno"]

    def rec(self, rid, regno=None, course="ONL", on=None, hours=6, **kw):
        r = {"provider_record_id": f"{RUN}-{rid}", "regno": regno or self.regnos[0], "course_code": course,
             "completed_on": str(on or TODAY), "hours": hours}
        r.update(kw)
        return r

    def post(self, p, *records):
        return self.prov(p, "POST", "/api/v1/cpd/completions", {"records": list(records)})

    # ---- keys and scoping ----
    def test_key_required_and_scoped(self):
        st, _, _ = self.d.json("GET", "/api/v1/cpd/courses")
        self.assertEqual(st, 401)
        st, _, _ = self.d.json("GET", "/api/v1/cpd/courses", headers={"Authorization": "Bearer rpk_" + "A" * 43})
        self.assertEqual(st, 401)
        st, _, body = self.prov(self.a, "GET", "/api/v1/cpd/courses")
        self.assertEqual(st, 200)
        self.assertEqual({c["provider_id"] for c in body["courses"]}, {self.a["provider_id"]})
        st, _, me = self.prov(self.a, "GET", "/api/v1/cpd/provider")
        self.assertEqual((st, me["provider_id"]), (200, self.a["provider_id"]))
        self.assertNotIn("api_key", me)
        # The agency sees every provider's courses.
        st, _, body = self.admin("GET", "/api/v1/cpd/courses")
        self.assertTrue({self.a["provider_id"], self.b["provider_id"]} <= {c["provider_id"] for c in body["courses"]})
        # A registrar may not log completions: that is a provider's role.
        st, _, _ = self.admin("POST", "/api/v1/cpd/completions", {"records": [self.rec("staff")]})
        self.assertEqual(st, 403)

    def test_rotate_and_suspend(self):
        p = provider_add(f"講習機関R{RUN}")
        st, _, _ = self.prov(p, "GET", "/api/v1/cpd/courses")
        self.assertEqual(st, 200)
        new = json.loads(riss("provider", "rotate-key", str(p["provider_id"]), "--json").stdout)
        self.assertEqual(self.prov(p, "GET", "/api/v1/cpd/courses")[0], 401)
        p["api_key"] = new["api_key"]
        self.assertEqual(self.prov(p, "GET", "/api/v1/cpd/courses")[0], 200)
        st, _, body = self.admin("POST", "/api/v1/cpd/providers/suspend", {"provider_id": p["provider_id"], "reason": "監査中"})
        self.assertEqual((st, body["state"]), (200, "suspended"))
        self.assertEqual(self.prov(p, "GET", "/api/v1/cpd/courses")[0], 401)
        st, _, body = self.admin("POST", "/api/v1/cpd/providers/reinstate", {"provider_id": p["provider_id"]})
        self.assertEqual((st, body["state"]), (200, "active"))
        self.assertEqual(self.prov(p, "GET", "/api/v1/cpd/courses")[0], 200)
        st, _, body = self.admin("GET", "/api/v1/cpd/providers")
        row = [x for x in body["providers"] if x["provider_id"] == p["provider_id"]][0]
        self.assertEqual(row["key_hint"], new["api_key"][:8])
        self.assertNotIn("api_key", row)
        # The key itself is nowhere in the database, only its hash.
        self.assertNotIn(new["api_key"].encode(), subprocess.run(
            ["pg_dump", "--data-only", "--schema=cpd", self.db_url()], capture_output=True).stdout)

    @staticmethod
    def db_url():
        with open(CONFIG) as f:
            for line in f:
                if line.startswith("db_url"):
                    return line.split("=", 1)[1].strip().strip('"')
        raise RuntimeError("no db_url")

    # ---- logging ----
    def test_idempotent_resubmission(self):
        st, _, b1 = self.post(self.a, self.rec("idem", hours=6))
        self.assertEqual(st, 200, b1)
        self.assertEqual(b1["results"][0]["result"], "created")
        st, _, b2 = self.post(self.a, self.rec("idem", hours=6.0))
        self.assertEqual(st, 200, b2)
        self.assertEqual(b2["results"][0]["result"], "unchanged")
        self.assertEqual(b2["results"][0]["completion_id"], b1["results"][0]["completion_id"])
        st, _, lst = self.prov(self.a, "GET", "/api/v1/cpd/completions?regno=" + self.regnos[0])
        self.assertEqual(len([c for c in lst["completions"] if c["provider_record_id"] == f"{RUN}-idem"]), 1)

    def test_conflicting_resubmission_is_409_and_correction_replaces(self):
        st, _, b1 = self.post(self.a, self.rec("corr", hours=6))
        self.assertEqual(st, 200, b1)
        first = b1["results"][0]["completion_id"]
        st, hdrs, b2 = self.post(self.a, self.rec("corr", hours=7))
        self.assertEqual(st, 409, b2)
        self.assertEqual(b2["type"], "/problems/conflict")
        self.assertEqual(b2["results"][0]["result"], "conflict")
        self.assertEqual(b2["results"][0]["problems"][0]["field"], "provider_record_id")
        self.assertIn("訂正", b2["results"][0]["problems"][0]["detail"])  # Japanese by default
        st, _, b3 = self.post(self.a, self.rec("corr", hours=7, correction=True))
        self.assertEqual(st, 200, b3)
        self.assertEqual(b3["results"][0]["result"], "corrected")
        second = b3["results"][0]["completion_id"]
        self.assertNotEqual(first, second)
        st, _, old = self.prov(self.a, "GET", f"/api/v1/cpd/completions/{first}")
        self.assertEqual((st, old["state"], old["corrected_by"]), (200, "voided", second))
        st, _, new = self.prov(self.a, "GET", f"/api/v1/cpd/completions/{second}")
        self.assertEqual((new["state"], new["corrects"], float(new["hours"])), ("accepted", first, 7.0))
        # Both stay in the history; the corrected one is idempotent too.
        st, _, b4 = self.post(self.a, self.rec("corr", hours=7, correction=True))
        self.assertEqual(b4["results"][0]["result"], "unchanged")

    def test_other_providers_record_is_404_and_course_refused(self):
        st, _, b = self.post(self.a, self.rec("mine"))
        cid = b["results"][0]["completion_id"]
        self.assertEqual(self.prov(self.a, "GET", f"/api/v1/cpd/completions/{cid}")[0], 200)
        st, _, body = self.prov(self.b, "GET", f"/api/v1/cpd/completions/{cid}")
        self.assertEqual(st, 404, body)
        st, _, lst = self.prov(self.b, "GET", "/api/v1/cpd/completions")
        self.assertNotIn(cid, [c["completion_id"] for c in lst["completions"]])
        # B has no course "ONL-A"... and A's code "ONL" is B's own too: use a code only A has.
        st, _, c = self.prov(self.a, "POST", "/api/v1/cpd/courses",
                             {"code": "A-ONLY", "kind": "online", "title_ja": "A 専用", "title_en": "A only", "hours": 1,
                              "cycle_years": [self.fy]})
        self.assertEqual(st, 201, c)
        st, _, body = self.post(self.b, self.rec("b-uses-a", course="A-ONLY"))
        self.assertEqual(st, 422, body)
        self.assertEqual(body["results"][0]["result"], "refused")
        self.assertEqual(body["results"][0]["problems"][0]["field"], "course_code")

    def test_unknown_regno_named_others_recorded(self):
        unknown = "999998"
        st, _, body = self.post(self.a, self.rec("unk-1", regno=unknown), self.rec("unk-2"),
                                self.rec("unk-3", on="2016-09-30"))
        self.assertEqual(st, 422, body)
        r = body["results"]
        self.assertEqual([x["result"] for x in r], ["refused", "created", "refused"])
        self.assertEqual(r[0]["problems"][0]["field"], "regno")
        self.assertIn(unknown, r[0]["problems"][0]["detail"])
        self.assertEqual(r[2]["problems"][0]["field"], "completed_on")
        st, _, body = self.d.json("POST", "/api/v1/cpd/completions", {"records": [self.rec("en", regno=unknown)]},
                                  headers={"Authorization": "Bearer " + self.a["api_key"], "Accept-Language": "en"})
        self.assertIn("is not on the register", body["results"][0]["problems"][0]["detail"])

    def test_csv_one_bad_row_in_1000_imports_nothing(self):
        lines = ["provider_record_id,regno,course_code,completed_on,hours"]
        for i in range(1000):
            date = "2025-02-30" if i == 637 else str(TODAY)
            lines.append(f"{RUN}-csv-{i},{self.regnos[i % 3]},ONL,{date},6")
        csv = "\r\n".join(lines) + "\r\n"
        h = {"Authorization": "Bearer " + self.b["api_key"], "Content-Type": "text/csv"}
        st, _, data = self.d.request("POST", "/api/v1/cpd/completions.csv", csv.encode(), h)
        body = json.loads(data)
        self.assertEqual(st, 422, body)
        self.assertEqual(body["type"], "/problems/import-refused")
        self.assertEqual(len(body["errors"]), 1, body["errors"])
        self.assertEqual((body["errors"][0]["line"], body["errors"][0]["column"]), (639, "completed_on"))
        st, _, lst = self.prov(self.b, "GET", "/api/v1/cpd/completions?limit=1000")
        self.assertFalse([c for c in lst["completions"] if c["provider_record_id"].startswith(f"{RUN}-csv-")])
        # Fixed, it imports all 1,000; sent again, all are unchanged.
        csv = csv.replace("2025-02-30", str(TODAY))
        st, _, data = self.d.request("POST", "/api/v1/cpd/completions.csv", csv.encode(), h)
        body = json.loads(data)
        self.assertEqual((st, body["created"]), (200, 1000), body.get("errors"))
        st, _, data = self.d.request("POST", "/api/v1/cpd/completions.csv", csv.encode(), h)
        self.assertEqual(json.loads(data)["unchanged"], 1000)
        # A bad header names the column.
        st, _, data = self.d.request("POST", "/api/v1/cpd/completions.csv", b"provider_record_id,regno\n1,000001\n", h)
        self.assertEqual(st, 422)
        self.assertIn("course_code", json.loads(data)["detail"])

    def test_standing_and_designation(self):
        regno = self.regnos[3]  # no other test logs for this one
        st, _, s0 = self.admin("GET", f"/api/v1/cpd/status/{regno}")
        self.assertEqual(st, 200, s0)
        self.assertEqual(s0["cycle"]["from"], str(self.start))
        self.assertEqual([d["state"] for d in s0["duties"]][0], "open")
        st, _, b = self.post(self.b, self.rec("st-onl", regno=regno), self.rec("st-pra", regno=regno, course="PRA"))
        self.assertEqual(st, 200, b)
        onl, held = (r["completion_id"] for r in b["results"])
        # Not designated 特定講習 for this year: received, held for the CPD desk, with the reason.
        self.assertEqual([(r["state"], r.get("holds")) for r in b["results"]],
                         [("accepted", None), ("pending", ["not_designated"])])
        self.assertEqual(b["pending"], 1)
        st, _, s1 = self.admin("GET", f"/api/v1/cpd/status/{regno}")
        self.assertEqual(s1["duties"][0]["state"], "done")
        self.assertEqual(s1["duties"][0]["completion"]["completion_id"], onl)
        self.assertEqual(s1["duties"][-1]["kind"], "practical")
        self.assertEqual(s1["duties"][-1]["state"], "open")  # pending: not credited
        st, _, c = self.admin("POST", "/api/v1/cpd/designations",
                              {"course_id": self.b["courses"]["PRA"], "fiscal_year": self.fy,
                               "designation_no": f"TK{RUN}"})
        self.assertEqual(st, 200, c)
        # Designated now: a new record of the course is credited at once.
        st, _, b = self.post(self.b, self.rec("st-pra2", regno=regno, course="PRA"))
        self.assertEqual((st, b["results"][0]["state"]), (200, "accepted"), b)
        pra = b["results"][0]["completion_id"]
        st, _, s2 = self.admin("GET", f"/api/v1/cpd/status/{regno}")
        self.assertEqual(s2["duties"][-1]["state"], "done")
        self.assertEqual(s2["duties"][-1]["completion"]["completion_id"], pra)
        st, _, r = self.admin("POST", "/api/v1/cpd/decide", {"completion_id": held, "state": "rejected", "reason": "重複"})
        self.assertEqual((st, r["state"], r["holds"]), (200, "rejected", ["not_designated"]))
        # An online course cannot be designated.
        st, _, _ = self.admin("POST", "/api/v1/cpd/designations",
                              {"course_id": self.b["courses"]["ONL"], "fiscal_year": self.fy, "designation_no": "X1"})
        self.assertEqual(st, 409)
        # The agency rejects the online record: the duty is open again.
        st, _, r = self.admin("POST", "/api/v1/cpd/decide", {"completion_id": onl, "state": "rejected", "reason": "証跡なし"})
        self.assertEqual((st, r["state"]), (200, "rejected"))
        st, _, s3 = self.admin("GET", f"/api/v1/cpd/status/{regno}")
        self.assertEqual(s3["duties"][0]["state"], "open")
        st, _, _ = self.admin("GET", "/api/v1/cpd/status/000000x")
        self.assertEqual(st, 400)
        st, _, _ = self.admin("GET", "/api/v1/cpd/status/999997")
        self.assertEqual(st, 404)

    # ---- records held for the CPD desk ----
    def desk_pending(self, *regnos):
        """The CPD desk's queue for these registrants (other tests share the database)."""
        out = {}
        for regno in regnos:
            st, _, body = self.admin("GET", f"/api/v1/cpd/completions?state=pending&regno={regno}")
            self.assertEqual(st, 200, body)
            out.update({c["completion_id"]: c for c in body["completions"]})
        return out

    def test_pending_accept_reject(self):
        short, early = self.regnos[4], self.regnos[5]  # no other test logs for these
        # A provider approved only from two days ago.
        late = provider_add(f"講習機関C{RUN}", "--from", str(TODAY - datetime.timedelta(days=2)))
        st, _, c = self.prov(late, "POST", "/api/v1/cpd/courses",
                             {"code": "ONL", "kind": "online", "title_ja": "講座", "title_en": "Course", "hours": 6,
                              "cycle_years": [self.fy - 1, self.fy, self.fy + 1]})
        self.assertEqual(st, 201, c)
        before = self.start - datetime.timedelta(days=1)
        st, _, b = self.post(self.a, self.rec("held-hours", regno=short, hours=2),
                             self.rec("held-early", regno=early, on=before),
                             self.rec("held-bad", regno="999996"), self.rec("held-future", regno=short,
                                                                              on=TODAY + datetime.timedelta(days=2)))
        self.assertEqual(st, 422, b)
        res = b["results"]
        self.assertEqual([(r["result"], r.get("state"), r.get("holds")) for r in res[:2]],
                         [("created", "pending", ["hours_short"]), ("created", "pending", ["before_registration"])])
        # Plain errors stay refusals.
        self.assertEqual([(r["result"], r["problems"][0]["field"]) for r in res[2:]],
                         [("refused", "regno"), ("refused", "completed_on")])
        st, _, b2 = self.post(late, self.rec("held-period", regno=short, on=TODAY - datetime.timedelta(days=5)))
        self.assertEqual(st, 200, b2)
        self.assertIn("outside_approval", b2["results"][0]["holds"])
        ids = [res[0]["completion_id"], res[1]["completion_id"], b2["results"][0]["completion_id"]]
        # Resending a held record: unchanged, still pending.
        st, _, b3 = self.post(self.a, self.rec("held-hours", regno=short, hours=2))
        self.assertEqual((b3["results"][0]["result"], b3["results"][0]["state"]), ("unchanged", "pending"))
        # The provider sees state and reason in its list; the desk sees all three.
        st, _, mine = self.prov(self.a, "GET", f"/api/v1/cpd/completions?regno={short}")
        row = [c for c in mine["completions"] if c["completion_id"] == ids[0]][0]
        self.assertEqual((row["state"], row["holds"]), ("pending", ["hours_short"]))
        st, _, _ = self.prov(self.a, "POST", "/api/v1/cpd/decide", {"completion_id": ids[0], "state": "accepted",
                                                                    "reason": "self"})
        self.assertIn(st, (401, 403))
        queue = self.desk_pending(short, early)
        self.assertTrue(set(ids) <= set(queue), queue.keys())
        # Nothing credited yet.
        for regno in (short, early):
            st, _, s = self.admin("GET", f"/api/v1/cpd/status/{regno}")
            self.assertEqual(s["duties"][0]["state"], "open", s)
        # Accepting credits at once: the duty is filled by that record.
        for regno, cid in ((short, ids[0]), (early, ids[1])):
            st, _, r = self.admin("POST", "/api/v1/cpd/decide", {"completion_id": cid, "state": "accepted",
                                                                 "reason": "確認済み"})
            self.assertEqual((st, r["state"]), (200, "accepted"), r)
            self.assertIsNotNone(r["posted_at"])
            st, _, s = self.admin("GET", f"/api/v1/cpd/status/{regno}")
            self.assertEqual((s["duties"][0]["state"], s["duties"][0]["completion"]["completion_id"]), ("done", cid), s)
        # Rejecting records who and why; the record leaves the queue.
        st, _, r = self.admin("POST", "/api/v1/cpd/decide", {"completion_id": ids[2], "state": "rejected",
                                                             "reason": "認定期間外の受講"})
        self.assertEqual((st, r["state"], r["reason"]), (200, "rejected", "認定期間外の受講"))
        self.assertTrue(r["decided_by"].startswith("staff:"), r)
        self.assertFalse(set(ids) & set(self.desk_pending(short, early)))
        st, _, _ = self.admin("GET", "/api/v1/cpd/completions?state=maybe")
        self.assertEqual(st, 400)


if __name__ == "__main__":
    unittest.main(verbosity=2)
