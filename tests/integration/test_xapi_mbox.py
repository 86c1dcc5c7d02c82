"""E-mail addresses as xAPI identities, end to end over real HTTP, PostgreSQL and an SMTP
server on loopback (aiosmtpd): a provider's LMS names a registrant by mbox; before the
registrant confirms the address at /me the statement is stored but unmatched, with the
reason; the registrant adds the address, the confirmation mail (in the registrant's
language) carries a one-time code and link, and once confirmed statements by that mbox — in
any case — or by its mbox_sha1sum credit the registrant. Confirming also credits, once, the
statements stored before (by any provider) with that address as actor: on /me, on each
provider's completions, off its unmatched list, with an audit entry. A wrong code does not
confirm, another registrant cannot confirm an address already confirmed, a removed address
credits nobody again, and confirming it anew credits only what came meanwhile."""
import base64
import datetime
import email
import email.policy
import hashlib
import os
import re
import socket
import subprocess
import threading
import time
import unittest
import uuid

from rissd_harness import Rissd, psql, riss, require_stack, BUILD, ROOT, CONFIG, totp

require_stack()
riss("db", "migrate")

try:
    from aiosmtpd.controller import Controller  # Debian python3-aiosmtpd
except ImportError:  # a python3 other than Debian's on PATH: use Debian's package
    import sys
    sys.path.append("/usr/lib/python3/dist-packages")
    from aiosmtpd.controller import Controller

PASSWORD = "correct horse battery"
RUN = str(os.getpid())
TAG = "".join(chr(ord("a") + int(c)) for c in RUN)
TODAY = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=9)).date()
BASE = "http://127.0.0.1:0"  # public_base_url of var/test.conf
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"


class Sink:
    """An SMTP server on loopback that keeps what arrives; wait() returns the first message
    to an address once it is there."""

    def __init__(self):
        self.messages = []
        self.cond = threading.Condition()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
                with sink.cond:
                    sink.messages.append((tuple(envelope.rcpt_tos), str(msg["subject"]), msg.get_content()))
                    sink.cond.notify_all()
                return "250 OK"

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def to(self, addr):
        with self.cond:
            return [m for m in self.messages if addr in m[0]]

    def stop(self):
        self.controller.stop()


def cycle_start(d):
    for y in (d.year, d.year - 1):
        for m in (10, 4):
            s = datetime.date(y, m, 1)
            if s <= d:
                return s
    raise AssertionError(d)


class XapiMbox(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sink = Sink()
        cls.d = Rissd(settings={"smtp_host": "127.0.0.1", "smtp_port": str(cls.sink.port)})
        user = f"txmbox{RUN}"
        out = subprocess.run([os.path.join(BUILD, "cli", "riss"), "staff", "add", "--username", user, "--role",
                              "registrar", "--display-name", "xAPI 担当"], input=PASSWORD + "\n",
                             capture_output=True, text=True, env=dict(os.environ, RISS_CONFIG=CONFIG), cwd=ROOT)
        assert out.returncode == 0, out.stderr
        secret = out.stdout.split("totp_secret ")[1].split()[0]
        st, hdrs, body = cls.d.json("POST", "/api/v1/staff/login",
                                    {"username": user, "password": PASSWORD, "totp": totp(secret)})
        assert st == 200, body
        cls.staff = {"Cookie": hdrs["set-cookie"].split(";")[0], "X-CSRF-Token": body["csrf"]}
        cls.start = cycle_start(TODAY)
        cls.provider = riss_json("provider", "add", f"xAPI メール機関{RUN}", "--name-en", f"xAPI mail {RUN}",
                                 "--from", "2016-10-01", "--json")
        # A second provider with a course of the same code: statements from any provider count.
        cls.provider2 = riss_json("provider", "add", f"xAPI メール第二機関{RUN}", "--name-en", f"xAPI mail two {RUN}",
                                  "--from", "2016-10-01", "--json")
        fy = TODAY.year if TODAY.month >= 4 else TODAY.year - 1
        for p in (cls.provider, cls.provider2):
            st, _, c = cls.d.json("POST", "/api/v1/cpd/courses",
                                  {"code": "XMB", "kind": "online", "title_ja": "講座 XMB", "title_en": "Course XMB",
                                   "hours": 2, "cycle_years": [fy - 1, fy, fy + 1]},
                                  headers={"Authorization": "Bearer " + p["api_key"]})
            assert st == 201, c

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()
        cls.d.cleanup()
        cls.sink.stop()

    # ---- helpers ----
    def registrant(self, who):
        """A registered registrant signed in to /me: (regno, headers of the session)."""
        app = {"exam_result_ref": f"xmbox-{RUN}-{who}", "exam_pass_date": str(self.start - datetime.timedelta(days=30)),
               "name": "講習 " + who, "name_kana": "コウシュウ", "name_latn": f"Mbox {TAG} {who}",
               "date_of_birth": "1990-01-02"}
        st, _, b = self.d.json("POST", "/api/v1/registry/applications", app, headers=self.staff)
        self.assertEqual(st, 201, b)
        st, _, r = self.d.json("POST", "/api/v1/registry/review", {"id": b["id"], "approve": True, "note": "ok"},
                               headers=self.staff)
        self.assertEqual(st, 200, r)
        st, _, r = self.d.json("POST", "/api/v1/registry/register", {"id": b["id"], "reg_date": str(self.start)},
                               headers=self.staff)
        self.assertEqual(st, 201, r)
        regno = r["regno"]
        st, _, b = self.d.json("POST", "/api/v1/registry/activation-code", {"regno": regno}, headers=self.staff)
        self.assertEqual(st, 201, b)
        st, _, b = self.d.json("POST", "/api/v1/me/activate", {"regno": regno, "code": b["code"], "password": PASSWORD})
        self.assertEqual(st, 200, b)
        st, hdrs, s = self.d.json("POST", "/api/v1/me/login", {"regno": regno, "password": PASSWORD,
                                                               "totp": totp(b["totp_secret"])})
        self.assertEqual(st, 200, s)
        return regno, {"Cookie": hdrs["set-cookie"].split(";")[0], "X-CSRF-Token": s["csrf"]}

    def post(self, actor, provider=None):
        s = {"id": str(uuid.uuid4()), "actor": actor,
             "verb": {"id": COMPLETED, "display": {"en-US": "completed"}},
             "object": {"id": f"{BASE}/courses/XMB", "objectType": "Activity"},
             "result": {"completion": True},
             "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat()}
        x = (provider or self.provider)["xapi"]
        auth = base64.b64encode(f"{x['username']}:{x['password']}".encode()).decode()
        st, _, ids = self.d.json("POST", "/xapi/statements", s,
                                 headers={"Authorization": "Basic " + auth, "X-Experience-API-Version": "1.0.3"})
        self.assertEqual((st, ids), (200, [s["id"]]))
        return s["id"]

    def person(self, agent, provider=None):
        import json
        import urllib.parse
        x = (provider or self.provider)["xapi"]
        auth = base64.b64encode(f"{x['username']}:{x['password']}".encode()).decode()
        st, _, p = self.d.json("GET", "/xapi/agents?agent=" + urllib.parse.quote(json.dumps(agent)),
                               headers={"Authorization": "Basic " + auth, "X-Experience-API-Version": "1.0.3"})
        self.assertEqual(st, 200, p)
        return p

    def credited(self, regno, sid, provider=None):
        st, _, b = self.d.json("GET", f"/api/v1/cpd/completions?regno={regno}&limit=1000",
                               headers={"Authorization": "Bearer " + (provider or self.provider)["api_key"]})
        self.assertEqual(st, 200, b)
        return [c for c in b["completions"] if c["provider_record_id"] == sid]

    def unmatched_reason(self, sid, provider=None):
        st, _, b = self.d.json("GET", "/api/v1/cpd/xapi/unmatched?limit=1000",
                               headers={"Authorization": "Bearer " + (provider or self.provider)["api_key"]})
        self.assertEqual(st, 200, b)
        return {u["statement_id"]: u["message_id"] for u in b["unmatched"]}.get(sid)

    def mail_code(self, addr, n):
        """The code of the n-th confirmation mail to addr (waits for it), with the mail."""
        deadline = time.time() + 10
        while len(self.sink.to(addr)) < n and time.time() < deadline:
            with self.sink.cond:
                self.sink.cond.wait(0.2)
        msgs = self.sink.to(addr)
        self.assertGreaterEqual(len(msgs), n, f"no confirmation mail to {addr}")
        m = msgs[n - 1]
        link = re.search(r"/me\?mbox_code=([A-Z0-9-]{14})", m[2])
        self.assertIsNotNone(link, m[2])
        self.assertIn(link.group(1), m[2].replace(link.group(0), ""))  # the code typed by hand too
        return link.group(1), m

    # ---- the test ----
    def test_mbox_identities_from_unconfirmed_to_credited(self):
        regno, me = self.registrant("one")
        typed = f"Taro.{TAG}@Example.JP"
        addr = typed.lower()
        sha1 = hashlib.sha1(("mailto:" + addr).encode()).hexdigest()

        # Before the registrant confirms the address: stored, unmatched with the reason.
        before = self.post({"objectType": "Agent", "mbox": "mailto:" + addr})
        self.assertEqual(self.credited(regno, before), [])
        self.assertEqual(self.unmatched_reason(before), "xapi.unmatched.mbox")
        # ... also by the second provider, naming the address by its sha1sum.
        before2 = self.post({"mbox_sha1sum": sha1.upper()}, self.provider2)
        self.assertEqual(self.unmatched_reason(before2, self.provider2), "xapi.unmatched.mbox")
        st, _, view = self.d.json("GET", "/api/v1/me", headers=me)
        self.assertEqual(st, 200, view)
        self.assertEqual([c for c in view["completions"] if c["course_code"] == "XMB"], [])

        # Adding sends the confirmation mail (Japanese: the registrant's language by default).
        st, _, b = self.d.json("POST", "/api/v1/me/mboxes", {"address": typed}, headers=me)
        self.assertEqual((st, b), (201, {"address": addr, "state": "pending"}))
        code, mail = self.mail_code(addr, 1)
        self.assertEqual(mail[1], "【情報処理安全確保支援士】メールアドレスの確認")
        self.assertIn(regno, mail[2])
        st, _, lst = self.d.json("GET", "/api/v1/me/mboxes", headers=me)
        self.assertEqual([(m["address"], m["state"]) for m in lst["mboxes"]], [(addr, "pending")])
        pending = self.post({"objectType": "Agent", "mbox": "mailto:" + addr})
        self.assertEqual(self.unmatched_reason(pending), "xapi.unmatched.mbox")

        # A wrong code confirms nothing; the mailed one (any case, no dashes) does.
        st, _, e = self.d.json("POST", "/api/v1/me/mboxes/confirm", {"code": "AAAA-BBBB-CCCC"}, headers=me)
        self.assertEqual((st, e["message_id"]), (400, "xapi.mbox.code"))
        st, _, b = self.d.json("POST", "/api/v1/me/mboxes/confirm", {"code": code.replace("-", "").lower()}, headers=me)
        # The three statements stored before (two providers) are credited with the confirmation.
        self.assertEqual((st, b), (200, {"address": addr, "state": "confirmed", "credited": 3}))
        st, _, b = self.d.json("POST", "/api/v1/me/mboxes/confirm", {"code": code}, headers=me)
        self.assertEqual(st, 400, b)  # used up
        for sid, p in ((before, self.provider), (pending, self.provider), (before2, self.provider2)):
            recs = self.credited(regno, sid, p)
            self.assertEqual([(r["via"], r["state"], r["course_code"]) for r in recs], [("xapi", "accepted", "XMB")])
            self.assertIsNone(self.unmatched_reason(sid, p))
        st, _, view = self.d.json("GET", "/api/v1/me", headers=me)
        self.assertEqual(sorted(c["provider_name_en"] for c in view["completions"] if c["course_code"] == "XMB"),
                         sorted([f"xAPI mail {RUN}", f"xAPI mail {RUN}", f"xAPI mail two {RUN}"]))
        audit = psql("SELECT detail->>'address', detail->'credited' FROM audit.events WHERE action = "
                     f"'cpd.xapi.rematch' AND object = 'registrant:{regno}'")
        self.assertEqual(audit.count("\n"), 0, audit)  # one entry
        self.assertTrue(audit.startswith(addr + "|"), audit)
        for sid in (before, pending, before2):
            self.assertIn(sid, audit)

        # From now on the mbox (in whatever case the LMS writes it) and its sha1sum credit the registrant.
        by_mbox = self.post({"mbox": "mailto:" + typed})
        recs = self.credited(regno, by_mbox)
        self.assertEqual([(r["via"], r["state"], r["course_code"]) for r in recs], [("xapi", "accepted", "XMB")])
        by_sha1 = self.post({"objectType": "Agent", "mbox_sha1sum": sha1})
        self.assertEqual(len(self.credited(regno, by_sha1)), 1)
        self.assertIsNone(self.unmatched_reason(by_sha1))

        # The Agents resource: a provider sees the identifiers it sent itself for this person
        # (here also the account it used once), never the registry's or another provider's.
        by_account = self.post({"account": {"homePage": BASE, "name": regno}})
        self.assertEqual(len(self.credited(regno, by_account)), 1)
        p1 = self.person({"mbox": "mailto:" + addr})
        self.assertEqual(sorted(p1["mbox"]), sorted(["mailto:" + addr, "mailto:" + typed]))
        self.assertEqual(p1["mbox_sha1sum"], [sha1])
        self.assertEqual(p1["account"], [{"homePage": BASE, "name": regno}])
        p2 = self.person({"mbox_sha1sum": sha1.upper()}, self.provider2)
        self.assertEqual(p2, {"objectType": "Person", "mbox_sha1sum": [sha1.upper()]})
        self.assertEqual(self.person({"mbox": "mailto:" + addr}, self.provider2),
                         {"objectType": "Person", "mbox": ["mailto:" + addr]})

        # Another registrant (who reads English) cannot take the confirmed address.
        other, me2 = self.registrant("two")
        st, _, _ = self.d.json("POST", "/api/v1/me/language", {"lang": "en"}, headers=me2)
        self.assertEqual(st, 200)
        st, _, b = self.d.json("POST", "/api/v1/me/mboxes", {"address": "mailto:" + addr}, headers=me2)
        self.assertEqual(st, 201, b)
        code2, mail2 = self.mail_code(addr, 2)
        self.assertEqual(mail2[1], "[RISS] Confirm your e-mail address")
        self.assertIn(other, mail2[2])
        st, hdrs, e = self.d.json("POST", "/api/v1/me/mboxes/confirm", {"code": code2},
                                  headers=dict(me2, **{"Accept-Language": "en"}))
        self.assertEqual((st, e["message_id"]), (409, "xapi.mbox.taken"), e)
        self.assertEqual(len(self.credited(regno, self.post({"mbox": "mailto:" + addr}))), 1)

        # A removed address credits nobody again.
        st, _, b = self.d.json("POST", "/api/v1/me/mboxes/remove", {"address": addr}, headers=me)
        self.assertEqual(st, 200, b)
        after = self.post({"mbox": "mailto:" + addr})
        self.assertEqual(self.credited(regno, after), [])
        self.assertEqual(self.unmatched_reason(after), "xapi.unmatched.mbox")

        # Confirmed anew: only the statement sent meanwhile is credited; the others stay one completion each.
        st, _, b = self.d.json("POST", "/api/v1/me/mboxes", {"address": addr}, headers=me)
        self.assertEqual(st, 201, b)
        code3, _ = self.mail_code(addr, 3)
        st, _, b = self.d.json("POST", "/api/v1/me/mboxes/confirm", {"code": code3}, headers=me)
        self.assertEqual((st, b.get("credited")), (200, 1), b)
        self.assertEqual(len(self.credited(regno, after)), 1)
        for sid, p in ((before, self.provider), (before2, self.provider2)):
            self.assertEqual(len(self.credited(regno, sid, p)), 1)

    def test_signing_keys_staff_and_own_only(self):
        """Keys of signed statements from the desks: a provider reads only its own (a
        provider_id it names is not looked at), a registrar any provider's."""
        bearer = {"Authorization": "Bearer " + self.provider["api_key"]}
        pid2 = self.provider2["provider_id"]
        st, _, b = self.d.json("GET", f"/api/v1/cpd/xapi/keys?provider_id={pid2}", headers=bearer)
        self.assertEqual((st, b["provider_id"]), (200, self.provider["provider_id"]))
        st, _, b = self.d.json("POST", "/api/v1/cpd/xapi/keys", {"provider_id": pid2, "jwk": {"kty": "RSA"}},
                               headers=bearer)
        self.assertEqual(st, 400, b)
        st, _, _ = self.d.json("GET", f"/api/v1/cpd/providers/xapi-keys?provider_id={pid2}", headers=bearer)
        self.assertIn(st, (401, 403))
        st, _, b = self.d.json("GET", f"/api/v1/cpd/providers/xapi-keys?provider_id={pid2}", headers=self.staff)
        self.assertEqual((st, b["provider_id"], b["keys"]), (200, pid2, []))
        st, _, b = self.d.json("POST", "/api/v1/cpd/providers/xapi-keys/remove", {"provider_id": pid2, "kid": "none"},
                               headers=self.staff)
        self.assertEqual(st, 404, b)
        st, _, b = self.d.json("GET", "/api/v1/cpd/providers/xapi-keys", headers=self.staff)
        self.assertEqual((st, b["message_id"]), (400, "xapi2.keys.provider"))
    def jobs_run(self):
        """One run of the scheduled job (`riss jobs run`) that got its advisory lock: a run of
        another test holding it answers ran false, and this one runs it again."""
        import json
        for _ in range(100):
            out = json.loads(riss("jobs", "run", "--json", "--no-mail").stdout)
            if out["ran"]:
                return out
        self.fail("the job's advisory lock stayed taken")

    def test_job_sweep_credits_what_the_confirmation_missed(self):
        """The race at confirmation: a statement whose transaction resolved its mbox before the
        registrant's confirmation committed, and committed after the confirmation looked for
        unmatched statements, stays unmatched. The confirmation's row is written here as that
        confirmation left it (confirmed, its re-matching having seen nothing); the scheduled
        job's sweep then credits the statement, once however often it runs."""
        regno, _ = self.registrant("race")
        addr = f"race.{TAG}@example.jp"
        sid = self.post({"mbox": "mailto:" + addr, "objectType": "Agent"})
        sid2 = self.post({"mbox_sha1sum": hashlib.sha1(("mailto:" + addr).encode()).hexdigest()}, self.provider2)
        self.assertEqual(self.unmatched_reason(sid), "xapi.unmatched.mbox")
        psql(f"INSERT INTO registry.mboxes (regno, address, mbox_sha1, confirmed_at) VALUES ('{regno}', '{addr}', "
             f"'{hashlib.sha1(('mailto:' + addr).encode()).hexdigest()}', now())")
        self.assertEqual(self.credited(regno, sid), [])  # nothing credits it by itself
        self.jobs_run()
        for p, s in ((self.provider, sid), (self.provider2, sid2)):
            got = self.credited(regno, s, p)
            self.assertEqual([(c["via"], c["state"], c["course_code"]) for c in got], [("xapi", "accepted", "XMB")])
            self.assertIsNone(self.unmatched_reason(s, p))
        self.jobs_run()  # again: nothing more
        for p, s in ((self.provider, sid), (self.provider2, sid2)):
            self.assertEqual(len(self.credited(regno, s, p)), 1)
        audit = psql("SELECT count(*) FROM audit.events WHERE action = 'cpd.xapi.rematch' AND object = "
                     f"'job:xapi-sweep' AND detail::text LIKE '%{sid}%' AND detail::text LIKE '%{sid2}%'")
        self.assertEqual(audit, "1")


def riss_json(*args):
    import json
    return json.loads(riss(*args).stdout)


if __name__ == "__main__":
    unittest.main()
