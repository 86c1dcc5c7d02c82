"""xAPI statements to CPD credit over real HTTP and PostgreSQL: a provider's LMS posts a
`completed` statement for one of its courses by a registrant's account and the registrant
gets a completion record (via xapi, the statement id as record id), once however often it is
sent; voiding the statement voids the completion and hides the statement; statements that map
to nothing are stored and listed on the provider desk with the reason; another provider's
credentials see none of it; a changed resend of an id is a 409 and a batch with one id twice
a 400, storing nothing."""
import base64
import datetime
import hashlib
import hmac
import json
import os
import struct
import subprocess
import time
import unittest
import uuid

from rissd_harness import Rissd, riss, require_stack, BUILD, ROOT, CONFIG

require_stack()
riss("db", "migrate")

PASSWORD = "correct horse battery"
RUN = str(os.getpid())
TODAY = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=9)).date()
BASE = "http://127.0.0.1:0"  # public_base_url of var/test.conf
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"


def totp(secret_b32):
    key = base64.b32decode(secret_b32)
    mac = hmac.new(key, struct.pack(">Q", int(time.time() // 30)), hashlib.sha1).digest()
    o = mac[-1] & 15
    return "%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 1000000)


def cycle_start(d):
    for y in (d.year, d.year - 1):
        for m in (10, 4):
            s = datetime.date(y, m, 1)
            if s <= d:
                return s
    raise AssertionError(d)


def provider_add(name):
    out = riss("provider", "add", name, "--name-en", name + " (en)", "--from", "2016-10-01", "--json")
    return json.loads(out.stdout)


class XapiStatements(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Rissd()
        user = f"txapi{RUN}"
        out = subprocess.run([os.path.join(BUILD, "cli", "riss"), "staff", "add", "--username", user, "--role",
                              "registrar", "--display-name", "xAPI 担当"], input=PASSWORD + "\n",
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
        cls.regno = cls.register(f"Xapi {tag}")
        cls.a = provider_add(f"xAPI機関A{RUN}")
        cls.b = provider_add(f"xAPI機関B{RUN}")
        fy = TODAY.year if TODAY.month >= 4 else TODAY.year - 1
        st, _, c = cls.d.json("POST", "/api/v1/cpd/courses",
                              {"code": "XONL", "kind": "online", "title_ja": "講座 XONL", "title_en": "Course XONL",
                               "hours": 3, "cycle_years": [fy - 1, fy, fy + 1]},
                              headers={"Authorization": "Bearer " + cls.a["api_key"]})
        assert st == 201, c

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()
        cls.d.cleanup()

    @classmethod
    def register(cls, name_latn):
        h = {"Cookie": cls.cookie, "X-CSRF-Token": cls.csrf}
        app = {"exam_result_ref": f"xapi-{RUN}-{name_latn}", "exam_pass_date": str(cls.start - datetime.timedelta(days=30)),
               "name": "講習 " + name_latn, "name_kana": "コウシュウ", "name_latn": name_latn,
               "date_of_birth": "1990-01-02"}
        st, _, b = cls.d.json("POST", "/api/v1/registry/applications", app, headers=h)
        assert st == 201, b
        st, _, r = cls.d.json("POST", "/api/v1/registry/review", {"id": b["id"], "approve": True, "note": "ok"}, headers=h)
        assert st == 200, r
        st, _, r = cls.d.json("POST", "/api/v1/registry/register", {"id": b["id"], "reg_date": str(cls.start)}, headers=h)
        assert st == 201, r
        return r["regno"]

    def lrs(self, p, method, path, obj=None):
        x = p["xapi"]
        auth = base64.b64encode(f"{x['username']}:{x['password']}".encode()).decode()
        h = {"Authorization": "Basic " + auth, "X-Experience-API-Version": "1.0.3"}
        return self.d.json(method, path, obj, headers=h)

    def cpd(self, p, method, path):
        return self.d.json(method, path, headers={"Authorization": "Bearer " + p["api_key"]})

    def completed(self, actor=None, course="XONL", completion=True):
        return {"id": str(uuid.uuid4()),
                "actor": actor or {"objectType": "Agent", "account": {"homePage": BASE, "name": self.regno}},
                "verb": {"id": COMPLETED, "display": {"ja-JP": "修了した", "en-US": "completed"}},
                "object": {"id": f"{BASE}/courses/{course}", "objectType": "Activity"},
                "result": {"completion": completion},
                "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat()}

    def record_of(self, p, sid):
        st, _, b = self.cpd(p, "GET", f"/api/v1/cpd/completions?regno={self.regno}&limit=1000")
        self.assertEqual(st, 200, b)
        return [c for c in b["completions"] if c["provider_record_id"] == sid]

    def unmatched(self, p):
        st, _, b = self.cpd(p, "GET", "/api/v1/cpd/xapi/unmatched?limit=1000")
        self.assertEqual(st, 200, b)
        return {u["statement_id"]: u for u in b["unmatched"]}

    def test_completed_statement_becomes_one_completion(self):
        s = self.completed()
        st, _, ids = self.lrs(self.a, "POST", "/xapi/statements", s)
        self.assertEqual((st, ids), (200, [s["id"]]))
        recs = self.record_of(self.a, s["id"])
        self.assertEqual(len(recs), 1)
        self.assertEqual((recs[0]["via"], recs[0]["state"], recs[0]["course_code"]), ("xapi", "accepted", "XONL"))
        self.assertEqual(recs[0]["completed_on"], str(TODAY))
        # The same statement again (PUT and POST): stored once, credited once.
        st, _, _ = self.lrs(self.a, "PUT", f"/xapi/statements?statementId={s['id']}", s)
        self.assertEqual(st, 204)
        st, _, ids = self.lrs(self.a, "POST", "/xapi/statements", [s])
        self.assertEqual((st, ids), (200, [s["id"]]))
        self.assertEqual(len(self.record_of(self.a, s["id"])), 1)
        # The LRS set stored and authority.
        st, hdrs, got = self.lrs(self.a, "GET", f"/xapi/statements?statementId={s['id']}")
        self.assertEqual(st, 200, got)
        self.assertIn("stored", got)
        self.assertEqual(got["authority"]["account"]["name"], self.a["xapi"]["username"])
        self.assertIn("x-experience-api-consistent-through", hdrs)

    def test_voiding_voids_the_completion(self):
        s = self.completed()
        st, _, _ = self.lrs(self.a, "POST", "/xapi/statements", s)
        self.assertEqual(st, 200)
        self.assertEqual(self.record_of(self.a, s["id"])[0]["state"], "accepted")
        v = {"actor": s["actor"], "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
             "object": {"objectType": "StatementRef", "id": s["id"]}}
        st, _, vid = self.lrs(self.a, "POST", "/xapi/statements", v)
        self.assertEqual(st, 200, vid)
        self.assertEqual(self.record_of(self.a, s["id"])[0]["state"], "voided")
        st, _, _ = self.lrs(self.a, "GET", f"/xapi/statements?statementId={s['id']}")
        self.assertEqual(st, 404)
        st, _, got = self.lrs(self.a, "GET", f"/xapi/statements?voidedStatementId={s['id']}")
        self.assertEqual((st, got["id"]), (200, s["id"]))
        # A voiding statement cannot itself be voided.
        v2 = dict(v, object={"objectType": "StatementRef", "id": vid[0]})
        st, _, _ = self.lrs(self.a, "POST", "/xapi/statements", v2)
        self.assertEqual(st, 400)

    def test_unmatched_statements_are_listed_with_the_reason(self):
        by_mail = self.completed(actor={"mbox": f"mailto:someone{RUN}@example.com"})
        no_course = self.completed(course="NOPE")
        not_done = self.completed(completion=False)
        st, _, ids = self.lrs(self.a, "POST", "/xapi/statements", [by_mail, no_course, not_done])
        self.assertEqual(st, 200, ids)
        u = self.unmatched(self.a)
        self.assertEqual(u[by_mail["id"]]["message_id"], "xapi.unmatched.mbox")
        self.assertEqual(u[no_course["id"]]["message_id"], "cpd.record.course_unknown")
        self.assertEqual(u[not_done["id"]]["message_id"], "xapi.unmatched.not_completed")
        self.assertTrue(u[by_mail["id"]]["message"])  # the catalogue text, in Japanese by default
        for s in (by_mail, no_course, not_done):
            st, _, got = self.lrs(self.a, "GET", f"/xapi/statements?statementId={s['id']}")
            self.assertEqual(st, 200)
            self.assertEqual(self.record_of(self.a, s["id"]), [])

    def test_another_provider_sees_nothing(self):
        s = self.completed(actor={"mbox": f"mailto:other{RUN}@example.com"})
        st, _, _ = self.lrs(self.a, "POST", "/xapi/statements", s)
        self.assertEqual(st, 200)
        st, _, _ = self.lrs(self.b, "GET", f"/xapi/statements?statementId={s['id']}")
        self.assertEqual(st, 404)
        self.assertNotIn(s["id"], self.unmatched(self.b))
        st, _, page = self.lrs(self.b, "GET", "/xapi/statements?limit=100")
        self.assertEqual(st, 200)
        self.assertNotIn(s["id"], [x["id"] for x in page["statements"]])
        # B cannot credit A's course: for B it is no course of its own.
        t = self.completed()
        st, _, _ = self.lrs(self.b, "POST", "/xapi/statements", t)
        self.assertEqual(st, 200)
        self.assertEqual(self.record_of(self.a, t["id"]), [])
        self.assertEqual(self.unmatched(self.b)[t["id"]]["message_id"], "cpd.record.course_unknown")

    def test_conflicts_and_duplicates_store_nothing(self):
        s = self.completed(actor={"mbox": f"mailto:c{RUN}@example.com"})
        st, _, _ = self.lrs(self.a, "PUT", f"/xapi/statements?statementId={s['id']}", s)
        self.assertEqual(st, 204)
        changed = dict(s, result={"completion": False})
        st, _, _ = self.lrs(self.a, "PUT", f"/xapi/statements?statementId={s['id']}", changed)
        self.assertEqual(st, 409)
        fresh = self.completed()
        st, _, _ = self.lrs(self.a, "POST", "/xapi/statements", [fresh, dict(fresh)])
        self.assertEqual(st, 400)
        st, _, _ = self.lrs(self.a, "GET", f"/xapi/statements?statementId={fresh['id']}")
        self.assertEqual(st, 404)
        self.assertEqual(self.record_of(self.a, fresh["id"]), [])

    def test_canonical_format_answers_the_stored_definition_in_the_readers_languages(self):
        act = f"http://example.com/activities/canonical-{RUN}"
        verb = {"id": "http://adlnet.gov/expapi/verbs/experienced", "display": {"ja-JP": "体験した", "en-US": "experienced"}}
        actor = {"mbox": f"mailto:canon{RUN}@example.com"}
        first = {"id": str(uuid.uuid4()), "actor": actor, "verb": verb,
                 "object": {"id": act, "definition": {"name": {"ja-JP": "演習", "en-US": "Exercise"},
                                                      "description": {"en-US": "An exercise"}}}}
        second = {"id": str(uuid.uuid4()), "actor": actor, "verb": verb,
                  "object": {"id": act, "definition": {"name": {"en-GB": "Exercise (GB)"}}}}
        for s in (first, second):
            st, _, _ = self.lrs(self.a, "POST", "/xapi/statements", s)
            self.assertEqual(st, 200)

        def get(fmt, lang):
            x = self.a["xapi"]
            auth = base64.b64encode(f"{x['username']}:{x['password']}".encode()).decode()
            h = {"Authorization": "Basic " + auth, "X-Experience-API-Version": "1.0.3"}
            if lang:
                h["Accept-Language"] = lang
            st, _, got = self.d.json("GET", f"/xapi/statements?statementId={second['id']}&format={fmt}", headers=h)
            self.assertEqual(st, 200, got)
            return got

        # The second statement named the activity only in en-GB; canonical answers the definition
        # the LRS keeps (merged from both) in the reader's language.
        got = get("canonical", "ja")
        self.assertEqual(got["object"]["definition"], {"name": {"ja-JP": "演習"}, "description": {"en-US": "An exercise"}})
        self.assertEqual(got["verb"]["display"], {"ja-JP": "体験した"})
        self.assertEqual(got["actor"], actor)  # Agents as stored
        # Several languages asked for: each one the map has; q=0 refuses one.
        got = get("canonical", "en-GB, ja;q=0.5, en-US;q=0")
        self.assertEqual(got["object"]["definition"]["name"], {"en-GB": "Exercise (GB)", "ja-JP": "演習"})
        self.assertEqual(got["verb"]["display"], {"ja-JP": "体験した"})
        # exact and ids are unchanged: the statement as sent, the ids only.
        self.assertEqual(get("exact", "ja")["object"]["definition"], {"name": {"en-GB": "Exercise (GB)"}})
        self.assertEqual(get("ids", "ja")["object"], {"id": act})


if __name__ == "__main__":
    unittest.main()
