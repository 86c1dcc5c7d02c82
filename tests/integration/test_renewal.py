"""Renewal, lapse and cancellation end to end: real rissd + PostgreSQL + riss-signd + an SMTP
server on loopback (aiosmtpd). A registrant activates /me with the registrar's one-time code,
signs in with password + TOTP, applies for renewal once the duties are met; the registrar
approves and the new credential carries renewal_count + 1 and the new exp. The job lapses an
ended registration, opens a case for an overdue duty that ends in 取消し, after which the same
person cannot register again for 2 years. Reminders reach the SMTP server once each, in the
registrant's language, even when two jobs run at the same time."""
import base64
import datetime
import email
import email.header
import email.policy
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

from rissd_harness import Rissd, riss, require_stack, BUILD, ROOT, CONFIG, totp, db_url, psql

require_stack()
riss("db", "migrate")

try:
    from aiosmtpd.controller import Controller  # Debian python3-aiosmtpd
except ImportError:  # a python3 other than Debian's (pyenv, venv) on PATH: use Debian's package
    import sys
    sys.path.append("/usr/lib/python3/dist-packages")
    from aiosmtpd.controller import Controller

BASE = "https://riss.test.example"
PASSWORD = "correct horse battery"
RUN = str(os.getpid())
JST = datetime.timezone(datetime.timedelta(hours=9))


def unb64u(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def add_years(d, n):
    return d.replace(year=d.year + n)


def bar_allowed_from(cancelled_on):
    """The first day a new registration is allowed after 取消し on cancelled_on: 2 years from
    the next day (Civil Code art. 140/143; a start on 29 February has no corresponding day, so
    1 March)."""
    start = cancelled_on + datetime.timedelta(days=1)
    if (start.month, start.day) == (2, 29):
        return datetime.date(start.year + 2, 3, 1)
    return start.replace(year=start.year + 2)


def today_jst():
    return datetime.datetime.now(JST).date()


def cycle_start_before(limit):
    """The latest 1 April or 1 October on or before limit."""
    for y in range(limit.year, limit.year - 2, -1):
        for m in (10, 4):
            d = datetime.date(y, m, 1)
            if d <= limit:
                return d
    raise AssertionError


class Sink:
    """An SMTP server on loopback that keeps what arrives (with STARTTLS required when given
    an ssl context)."""

    def __init__(self, tls=None):
        self.messages = []
        self.tls_sessions = 0
        self.lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
                with sink.lock:
                    if session.ssl is not None:
                        sink.tls_sessions += 1
                    sink.messages.append((tuple(envelope.rcpt_tos), str(msg["subject"]),
                                          msg.get_content()))
                return "250 OK"

        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        extra = {"tls_context": tls, "require_starttls": True} if tls else {}
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **extra)
        self.controller.start()

    def to(self, addr):
        with self.lock:
            return [m for m in self.messages if addr in m[0]]

    def stop(self):
        self.controller.stop()


class Renewal(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="riss-renew-")
        cls.keys = os.path.join(cls.tmp, "keys")
        cls.sock = os.path.join(cls.tmp, "signd.sock")
        cls.env = {"RISS_KEYS_DIR": cls.keys, "RISS_SIGND_SOCKET": cls.sock, "RISS_PUBLIC_BASE_URL": BASE}
        riss("keys", "new", "--dir", cls.keys, "--json", env=cls.env)
        cls.signd_log = open(os.path.join(cls.tmp, "signd.log"), "a")
        cls.signd = subprocess.Popen([os.path.join(BUILD, "certs", "riss-signd"), "--keys", cls.keys, "--socket",
                                      cls.sock], stdout=cls.signd_log, stderr=subprocess.STDOUT)
        for _ in range(100):
            if os.path.exists(cls.sock):
                break
            time.sleep(0.05)
        cls.d = Rissd(settings={"keys_dir": cls.keys, "signd_socket": cls.sock, "public_base_url": BASE,
                                "secure_cookies": "true", "jobs_interval": "0"})
        user = f"trenew{RUN}"
        out = subprocess.run([os.path.join(BUILD, "cli", "riss"), "staff", "add", "--username", user, "--role",
                              "registrar", "--display-name", "更新 担当"], input=PASSWORD + "\n",
                             capture_output=True, text=True, env=dict(os.environ, RISS_CONFIG=CONFIG), cwd=ROOT)
        assert out.returncode == 0, out.stderr
        secret = out.stdout.split("totp_secret ")[1].split()[0]
        st, hdrs, body = cls.d.json("POST", "/api/v1/staff/login",
                                    {"username": user, "password": PASSWORD, "totp": totp(secret)})
        assert st == 200, body
        cls.cookie = hdrs["set-cookie"].split(";")[0]
        cls.csrf = body["csrf"]
        cls.provider_fixture()

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()
        cls.d.cleanup()
        if cls.signd.poll() is None:
            cls.signd.terminate()
            cls.signd.wait()
        cls.signd_log.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def provider_fixture(cls):
        """A private training provider with an online and a designated practical course."""
        fy = today_jst().year - 4   # fiscal years from 4 years back (a course lists at most 8)
        years = "{" + ",".join(str(y) for y in range(fy, fy + 8)) + "}"
        key = hashlib.sha256(("key" + RUN).encode()).hexdigest()
        cls.provider = psql(
            f"INSERT INTO cpd.providers (name_ja, name_en, approved_from, key_hash, key_hint, created_by) VALUES "
            f"('更新テスト研修 {RUN}', 'Renewal test training {RUN}', '2016-10-01', decode('{key}', 'hex'), "
            f"'rpk_t{RUN[-3:].rjust(3, '0')}', 'test') RETURNING id").splitlines()[0]
        cls.online = psql(
            f"INSERT INTO cpd.courses (provider_id, code, kind, title_ja, title_en, hours, cycle_years, created_by) "
            f"VALUES ({cls.provider}, 'ON-{RUN}', 'online', 'オンライン講習', 'Online course', 6, '{years}', 'test') "
            f"RETURNING id").splitlines()[0]
        cls.practical = psql(
            f"INSERT INTO cpd.courses (provider_id, code, kind, title_ja, title_en, hours, cycle_years, created_by) "
            f"VALUES ({cls.provider}, 'PR-{RUN}', 'practical', '特定講習', 'Designated practical course', 6, "
            f"'{years}', 'test') RETURNING id").splitlines()[0]
        for y in range(fy, fy + 8):
            psql(f"INSERT INTO cpd.designations (course_id, fiscal_year, designation_no, designated_by) VALUES "
                 f"({cls.practical}, {y}, 'T{RUN}-{y}', 'test')")

    # ---- helpers ----
    def admin(self, method, path, obj=None):
        return self.d.json(method, path, obj, headers={"Cookie": self.cookie, "X-CSRF-Token": self.csrf})

    def apply(self, name, dob="1988-08-08", reg_date="2026-04-01", pass_date=None):
        app = {"exam_result_ref": f"renew-{RUN}-{time.time_ns()}",
               "exam_pass_date": pass_date or (reg_date[:4] + "-01-15"),
               "name": name, "name_kana": "コウシン", "name_latn": "Koushin Test", "date_of_birth": dob}
        return self.admin("POST", "/api/v1/registry/applications", app)

    def register(self, name, reg_date, dob="1988-08-08"):
        st, _, b = self.apply(name, dob, reg_date)
        self.assertEqual(st, 201, b)
        st, _, r = self.admin("POST", "/api/v1/registry/review", {"id": b["id"], "approve": True, "note": "ok"})
        self.assertEqual(st, 200, r)
        st, _, r = self.admin("POST", "/api/v1/registry/register", {"id": b["id"], "reg_date": reg_date})
        self.assertEqual(st, 201, r)
        return r["regno"]

    def complete(self, regno, course, on):
        psql(f"INSERT INTO cpd.completions (provider_id, provider_record_id, regno, course_id, completed_on, hours, "
             f"via, state, posted_at) VALUES ({self.provider}, 'r-{regno}-{course}-{on}', '{regno}', {course}, "
             f"'{on}', 6, 'api', 'accepted', now())")

    def renewable(self, name):
        """A registrant in the third year of a cycle with every duty met: (regno, cycle start)."""
        start = cycle_start_before(today_jst() - datetime.timedelta(days=2 * 366 + 2))
        regno = self.register(name, start.isoformat())
        for y in range(3):
            self.complete(regno, self.online, add_years(start, y) + datetime.timedelta(days=1))
        self.complete(regno, self.practical, add_years(start, 1) + datetime.timedelta(days=30))
        return regno, start

    def job(self, *args, env=None):
        r = riss("jobs", "run", "--json", *args, env=dict(self.env, **(env or {})), check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def sign_in(self, regno):
        st, _, b = self.admin("POST", "/api/v1/registry/activation-code", {"regno": regno})
        self.assertEqual(st, 201, b)
        code = b["code"]
        st, _, b = self.d.json("POST", "/api/v1/me/activate", {"regno": regno, "code": code, "password": PASSWORD})
        self.assertEqual(st, 200, b)
        secret = b["totp_secret"]
        # The code is used up.
        st, _, again = self.d.json("POST", "/api/v1/me/activate", {"regno": regno, "code": code, "password": PASSWORD})
        self.assertEqual(st, 401, again)
        st, hdrs, b = self.d.json("POST", "/api/v1/me/login", {"regno": regno, "password": PASSWORD,
                                                               "totp": totp(secret)})
        self.assertEqual(st, 200, b)
        return {"Cookie": hdrs["set-cookie"].split(";")[0], "X-CSRF-Token": b["csrf"]}

    # ---- tests ----
    def test_1_renewal_from_application_to_new_credential(self):
        today = today_jst()
        start = cycle_start_before(today - datetime.timedelta(days=2 * 366 + 2))
        regno = self.register(f"更新 太郎{RUN}", start.isoformat())
        me = self.sign_in(regno)
        # Not renewable yet: nothing completed.
        st, _, view = self.d.json("GET", "/api/v1/me", headers=me)
        self.assertEqual(st, 200, view)
        self.assertFalse(view["may_apply"])
        self.assertEqual(len(view["standing"]["duties"]), 4)
        st, _, b = self.d.json("POST", "/api/v1/me/renewal", headers=me)
        self.assertEqual(st, 409, b)
        # Nor can the registrar renew directly on the register desk: the same duty check.
        st, _, b = self.admin("POST", "/api/v1/registry/renew", {"regno": regno})
        self.assertEqual((st, b.get("message_id")), (409, "renewal.err.not_renewable"), b)
        for y in range(3):
            self.complete(regno, self.online, add_years(start, y) + datetime.timedelta(days=1))
        self.complete(regno, self.practical, add_years(start, 1) + datetime.timedelta(days=30))
        st, _, view = self.d.json("GET", "/api/v1/me", headers=me)
        self.assertEqual(view["standing"]["state"], "renewable")
        self.assertTrue(all(d["state"] == "done" and d["completion"]["provider_name_ja"].startswith("更新テスト研修")
                            for d in view["standing"]["duties"]))
        self.assertEqual(len(view["completions"]), 4)
        self.assertTrue(all(c["provider_name_ja"].startswith("更新テスト研修") for c in view["completions"]))
        # The registrant's own standing is the registrar's view of it, member for member (one
        # producer): the duties, and each completion in the one shape of the lists.
        st, _, desk = self.admin("GET", f"/api/v1/cpd/status/{regno}")
        self.assertEqual(st, 200, desk)
        self.assertEqual(dict(view["standing"], today=None), dict(desk, today=None))
        by_id = lambda cs: sorted(cs, key=lambda c: c["completion_id"])  # noqa: E731
        self.assertEqual(by_id(d["completion"] for d in desk["duties"]), by_id(view["completions"]))
        # Every timestamp is RFC 3339 in UTC, and a completion was posted a moment ago.
        for c in view["completions"]:
            posted = datetime.datetime.strptime(c["posted_at"], "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=datetime.timezone.utc)
            self.assertLess(abs((datetime.datetime.now(datetime.timezone.utc) - posted).total_seconds()), 600, c)
        self.assertTrue(view["may_apply"])
        # A staff cookie and a registrant cookie in one request serve nobody.
        mixed = {"Cookie": me["Cookie"] + "; " + self.cookie, "X-CSRF-Token": me["X-CSRF-Token"]}
        st, _, b = self.d.json("POST", "/api/v1/me/renewal", headers=mixed)
        self.assertEqual(st, 401, b)
        st, _, b = self.d.json("POST", "/api/v1/me/renewal", headers=me)
        self.assertEqual(st, 201, b)
        app_id = b["id"]
        st, _, b = self.d.json("POST", "/api/v1/me/renewal", headers=me)
        self.assertEqual(st, 409, b)
        # The registrar approves: a new validity and a new credential in one step.
        st, _, lst = self.admin("GET", "/api/v1/cpd/renewals?state=submitted")
        self.assertEqual(st, 200, lst)
        self.assertIn(app_id, [a["id"] for a in lst["applications"]])
        mine = [a for a in lst["applications"] if a["id"] == app_id][0]
        submitted = datetime.datetime.strptime(mine["submitted_at"], "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc)
        self.assertLess(abs((datetime.datetime.now(datetime.timezone.utc) - submitted).total_seconds()), 600, mine)
        st, _, b = self.admin("POST", "/api/v1/cpd/renewals/decide", {"id": app_id, "approve": True})
        self.assertEqual(st, 200, b)
        claims = json.loads(unb64u(b["token"].split(".")[1]))
        old_end = add_years(start, 3) - datetime.timedelta(days=1)
        new_end = add_years(old_end + datetime.timedelta(days=1), 3) - datetime.timedelta(days=1)
        self.assertEqual(claims["sub"], regno)
        self.assertEqual(claims["renewal_count"], 1)
        exp = datetime.datetime.combine(new_end + datetime.timedelta(days=1), datetime.time(0), JST)
        self.assertEqual(claims["exp"], int(exp.timestamp()))
        st, _, v = self.d.json("POST", "/api/v1/verify", {"token": b["token"]})
        self.assertEqual(v["verdict"], "valid", v)
        st, _, view = self.d.json("GET", "/api/v1/me", headers=me)
        self.assertEqual((view["renewal_count"], view["valid_until"]), (1, new_end.isoformat()))
        self.assertEqual(view["credentials"][0]["jws"], b["token"])
        st, hdrs, png = self.d.request("GET", "/api/v1/me/credential/qr.png", headers=me)
        self.assertEqual((st, hdrs["content-type"], png[:4]), (200, "image/png", b"\x89PNG"))
        st, _, again = self.admin("POST", "/api/v1/cpd/renewals/decide", {"id": app_id, "approve": True})
        self.assertEqual(st, 409, again)

    def test_2_lapse_by_the_job(self):
        regno = self.register(f"失効 次郎{RUN}", "2020-04-01")
        st, _, r = self.admin("GET", f"/api/v1/registry/registrants?regno={regno}")
        self.assertEqual(r["status"], "active")   # a GET changes nothing
        s = self.job("--no-mail")
        self.assertTrue(s["ran"])
        st, _, r = self.admin("GET", f"/api/v1/registry/registrants?regno={regno}")
        self.assertEqual(r["status"], "lapsed")
        # Lapsed by the job (this run, or one another test's command ran in the same moment on the
        # shared test database), with the reason on the registrant's history.
        self.assertEqual(psql(f"SELECT actor || '|' || reason FROM registry.status_history WHERE regno = '{regno}' "
                              f"AND new_status = 'lapsed'"), "system:jobs|validity ended")

    def test_3_overdue_case_cancellation_and_the_two_year_bar(self):
        today = today_jst()
        start = cycle_start_before(today - datetime.timedelta(days=400))   # year 1 is over, nothing done
        name, dob = f"取消 三郎{RUN}", "1977-07-07"
        regno = self.register(name, start.isoformat(), dob)
        s = self.job("--no-mail")
        self.assertTrue(s["ran"])
        st, _, cases = self.admin("GET", "/api/v1/cpd/cases?state=open")
        case = [c for c in cases["cases"] if c["regno"] == regno]
        self.assertEqual(len(case), 1, cases)
        case = case[0]
        self.assertEqual(case["duty"], "online:1")
        self.job("--no-mail")   # a second run opens no second case
        st, _, cases = self.admin("GET", "/api/v1/cpd/cases")
        self.assertEqual(len([c for c in cases["cases"] if c["regno"] == regno]), 1)
        st, _, b = self.admin("POST", "/api/v1/cpd/cases/cancel", {"id": case["id"], "confirm": "000000",
                                                                    "note": "講習未受講"})
        self.assertEqual(st, 400, b)
        self.assertIn(regno, b["detail"])
        st, _, b = self.admin("POST", "/api/v1/cpd/cases/cancel", {"id": case["id"], "confirm": regno,
                                                                    "note": "講習未受講"})
        self.assertEqual(st, 200, b)
        self.assertEqual(b["reregistration_from"], bar_allowed_from(today).isoformat())
        st, _, r = self.admin("GET", f"/api/v1/registry/registrants?regno={regno}")
        self.assertEqual(r["status"], "cancelled")
        # The same person applies again: refused for 2 years counted by the Civil Code (from the
        # next day), and told from when.
        until = bar_allowed_from(today).isoformat()
        self.assertEqual(psql(f"SELECT barred_until FROM registry.bars WHERE regno = '{regno}'"), until)
        st, _, b = self.apply(name, dob, "2027-04-01")
        self.assertEqual(st, 409, b)
        self.assertIn(until, b["detail"])
        self.assertIn("取消し", b["detail"])
        st, _, b = self.d.json("POST", "/api/v1/registry/applications",
                               {"exam_result_ref": f"renew-{RUN}-en", "exam_pass_date": "2027-01-15", "name": name,
                                "name_kana": "トリケシ", "name_latn": "Torikeshi", "date_of_birth": dob},
                               headers={"Cookie": self.cookie, "X-CSRF-Token": self.csrf, "Accept-Language": "en"})
        self.assertEqual(st, 409, b)
        self.assertIn(f"not possible before {until}", b["detail"])
        # Someone else with the same name but another birthday is not barred.
        st, _, b = self.apply(name, "1977-07-08", "2027-04-01")
        self.assertEqual(st, 201, b)

    def test_4_reminders_arrive_once_in_the_registrants_language(self):
        today = today_jst()
        start = cycle_start_before(today - datetime.timedelta(days=2 * 366 + 2))
        people = {}
        for lang in ("en", "ja"):
            regno = self.register(f"通知 {lang}{RUN}", start.isoformat())
            self.complete(regno, self.online, start + datetime.timedelta(days=1))
            self.complete(regno, self.online, add_years(start, 1) + datetime.timedelta(days=1))
            self.complete(regno, self.practical, add_years(start, 1) + datetime.timedelta(days=2))
            addr = f"r{regno}@example.test"
            st, _, b = self.admin("POST", "/api/v1/registry/activation-code", {"regno": regno, "email": addr,
                                                                               "lang": lang})
            self.assertEqual(st, 201, b)
            people[lang] = (regno, addr)
        # Judge the day 45 days before the application deadline (year 3 open, not done).
        deadline = add_years(start, 3) - datetime.timedelta(days=61)
        day = (deadline - datetime.timedelta(days=45)).isoformat()
        sink = Sink()
        try:
            env = {"RISS_SMTP_HOST": "127.0.0.1", "RISS_SMTP_PORT": str(sink.port),
                   "RISS_SMTP_FROM": "reminders@riss.test.example"}
            results = [None, None]

            def run(i):
                results[i] = self.job("--today", day, env=env)
            threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertTrue(any(r["ran"] for r in results), results)
            self.job("--today", day, env=env)   # a later run sends nothing again
            for lang, (regno, addr) in people.items():
                got = sink.to(addr)
                subjects = [m[1] for m in got]
                self.assertEqual(len(subjects), len(set(subjects)), f"a reminder arrived twice: {subjects}")
                self.assertEqual(len(got), 2, got)   # the year-3 course and the application, due the same day
                for _, subject, body in got:
                    self.assertIn(deadline.isoformat(), subject)
                    self.assertIn(regno, body)
                    if lang == "en":
                        self.assertTrue(subject.startswith("[RISS]"), subject)
                    else:
                        self.assertIn("情報処理安全確保支援士", subject)
                        self.assertNotIn("Dear", body)
                self.assertEqual(psql(f"SELECT count(*) FROM cpd.reminders WHERE regno = '{regno}' "
                                      f"AND state = 'sent'"), "2")
                self.assertEqual(psql(f"SELECT count(*) FROM cpd.send_attempts a JOIN cpd.reminders r "
                                      f"ON r.id = a.reminder_id WHERE r.regno = '{regno}' AND a.ok"), "2")
        finally:
            sink.stop()

    def test_5_starttls_when_the_server_offers_it(self):
        import ssl
        cert, key = os.path.join(self.tmp, "smtp.crt"), os.path.join(self.tmp, "smtp.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(cert, key)
        today = today_jst()
        start = cycle_start_before(today - datetime.timedelta(days=2 * 366 + 2))
        regno = self.register(f"暗号 {RUN}", start.isoformat())
        addr = f"tls{regno}@example.test"
        st, _, b = self.admin("POST", "/api/v1/registry/activation-code", {"regno": regno, "email": addr})
        self.assertEqual(st, 201, b)
        deadline = add_years(start, 3) - datetime.timedelta(days=61)
        day = (deadline - datetime.timedelta(days=20)).isoformat()   # the 30-day reminders
        sink = Sink(tls=ctx)
        try:
            env = {"RISS_SMTP_HOST": "127.0.0.1", "RISS_SMTP_PORT": str(sink.port), "RISS_SMTP_CA_FILE": cert}
            self.job("--today", day, env=env)
            got = sink.to(addr)
            self.assertGreaterEqual(len(got), 1, got)
            self.assertEqual(sink.tls_sessions, len(sink.messages))   # every message came over TLS
            self.assertTrue(all("情報処理安全確保支援士" in m[1] for m in got))   # Japanese by default
        finally:
            sink.stop()

    def test_6_audit_sample_with_evidence_requests(self):
        deadline = (today_jst() + datetime.timedelta(days=30)).isoformat()
        st, _, b = self.admin("POST", "/api/v1/cpd/audit/draw", {"n": 0, "deadline": deadline})
        self.assertEqual(st, 400, b)
        st, _, b = self.admin("POST", "/api/v1/cpd/audit/draw", {"n": 1000, "deadline": deadline})
        self.assertEqual(st, 201, b)
        st, _, lst = self.admin("GET", "/api/v1/cpd/audit")
        sample = [x for x in lst["samples"] if x["id"] == b["id"]][0]
        regnos = [q["regno"] for q in sample["requests"]]
        self.assertEqual(len(regnos), len(set(regnos)))
        self.assertTrue(all(q["outcome"] == "pending" and q["deadline"] == deadline for q in sample["requests"]))
        # Everyone sampled who has an address gets a request by mail, in their language.
        with_mail = psql(f"SELECT count(*) FROM cpd.reminders WHERE kind = 'evidence' AND deadline = '{deadline}'")
        self.assertGreaterEqual(int(with_mail), 1)
        self.assertEqual(psql(f"SELECT count(*) FROM cpd.reminders WHERE kind = 'evidence' AND deadline = '{deadline}' "
                              f"AND regno <> ALL ('{{{','.join(regnos)}}}'::text[])"), "0")
        q = sample["requests"][0]
        st, _, r = self.admin("POST", "/api/v1/cpd/audit/outcome", {"id": q["id"], "outcome": "confirmed"})
        self.assertEqual(st, 200, r)
        st, _, r = self.admin("POST", "/api/v1/cpd/audit/outcome", {"id": q["id"], "outcome": "no_response"})
        self.assertEqual(st, 409, r)

    def test_7_the_timer_inside_rissd_runs_the_job(self):
        before = psql("SELECT coalesce(max(id), 0) FROM cpd.job_runs")
        d = Rissd(settings={"jobs_interval": "1"})
        try:
            deadline = time.time() + 30
            while psql(f"SELECT count(*) FROM cpd.job_runs WHERE id > {before} AND runner LIKE 'rissd:%'") == "0":
                self.assertLess(time.time(), deadline, "no run of the job by rissd's timer in 30 s")
                time.sleep(0.2)
        finally:
            self.assertEqual(d.stop(), 0)
            d.cleanup()


    def test_8_direct_renewal_issues_the_new_credential(self):
        regno, start = self.renewable(f"直接 更新{RUN}")
        st, _, b = self.admin("POST", "/api/v1/registry/renew", {"regno": regno})
        self.assertEqual(st, 200, b)
        new_end = add_years(start, 6) - datetime.timedelta(days=1)
        self.assertEqual((b["renewal_count"], b["valid_until"]), (1, new_end.isoformat()))
        # The new credential comes with the answer, as an approved application's does.
        claims = json.loads(unb64u(b["token"].split(".")[1]))
        self.assertEqual((claims["sub"], claims["renewal_count"]), (regno, 1))
        exp = datetime.datetime.combine(new_end + datetime.timedelta(days=1), datetime.time(0), JST)
        self.assertEqual(claims["exp"], int(exp.timestamp()))
        self.assertTrue(b["url"].endswith("/v/" + b["token"]), b["url"])
        st, _, v = self.d.json("POST", "/api/v1/verify", {"token": b["token"]})
        self.assertEqual(v["verdict"], "valid", v)
        # One credential with the new validity on the register, and no second renewal.
        self.assertEqual(psql(f"SELECT count(*) FROM registry.credentials WHERE regno = '{regno}'"), "1")
        st, _, again = self.admin("POST", "/api/v1/registry/renew", {"regno": regno})
        self.assertEqual(st, 409, again)

    def test_9_decision_mail_once_in_the_registrants_language(self):
        people = {}
        for lang in ("en", "ja"):
            regno, start = self.renewable(f"決定 {lang}{RUN}")
            addr = f"d{regno}@example.test"
            st, _, b = self.admin("POST", "/api/v1/registry/activation-code", {"regno": regno, "email": addr,
                                                                               "lang": lang})
            self.assertEqual(st, 201, b)
            me = self.sign_in(regno)
            st, _, b = self.d.json("POST", "/api/v1/me/renewal", headers=me)
            self.assertEqual(st, 201, b)
            people[lang] = (regno, addr, b["id"], start)
        # The English registrant is approved; the Japanese one refused with a reason.
        st, _, b = self.admin("POST", "/api/v1/cpd/renewals/decide", {"id": people["en"][2], "approve": True})
        self.assertEqual(st, 200, b)
        st, _, b = self.admin("POST", "/api/v1/cpd/renewals/decide",
                              {"id": people["ja"][2], "approve": False, "note": "特定講習の修了証が確認できません"})
        self.assertEqual(st, 200, b)
        sink = Sink()
        try:
            env = {"RISS_SMTP_HOST": "127.0.0.1", "RISS_SMTP_PORT": str(sink.port),
                   "RISS_SMTP_FROM": "renewal@riss.test.example"}
            self.job(env=env)
            self.job(env=env)   # a second run sends nothing again
            regno, addr, _, start = people["en"]
            got = [m for m in sink.to(addr) if "approved" in m[1]]
            self.assertEqual(len(got), 1, sink.to(addr))
            _, subject, body = got[0]
            new_end = add_years(start, 6) - datetime.timedelta(days=1)
            self.assertIn("approved", subject)
            self.assertIn(new_end.isoformat(), body)
            self.assertIn(regno, body)
            self.assertIn(BASE + "/me", body)
            regno, addr, _, start = people["ja"]
            got = [m for m in sink.to(addr) if "受理できません" in m[1]]
            self.assertEqual(len(got), 1, sink.to(addr))
            _, subject, body = got[0]
            self.assertIn("受理できませんでした", subject)
            self.assertIn("理由: 特定講習の修了証が確認できません", body)
            self.assertIn((add_years(start, 3) - datetime.timedelta(days=1)).isoformat(), body)
            self.assertNotIn("Dear", body)
        finally:
            sink.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
