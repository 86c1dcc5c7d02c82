"""The register end to end: real rissd + PostgreSQL + riss-signd. A registrar applies,
approves and registers (gapless numbers); a credential is issued (API and CLI), its QR PNG
decodes (zbarimg) to the exact verify URL, it verifies through the API and with npm jose
against the served JWKS; suspension shows in the verify API and the served status list within
60 s, reinstatement restores it; every negative vector gets its own verdict and reason and
never a 500; key rotation keeps old credentials valid; riss-signd killed mid-issuance leaves
no credential without its leaf nor a leaf without its credential; riss log verify catches a
row changed behind its back."""
import base64
import hashlib
import hmac
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse
import zlib

from rissd_harness import Rissd, riss, require_stack, BUILD, ROOT, CONFIG, totp, db_url, psql

require_stack()
riss("db", "migrate")

BASE = "https://riss.test.example"
JOSE = os.path.join(ROOT, "tests", "e2e", "node_modules", "jose", "dist", "webapi", "index.js")
PASSWORD = "correct horse battery"
RUN = str(os.getpid())
# The run in letters, for names: a cancellation bars the person (name, date of birth) for two
# years, so every name that gets cancelled is this run's own.
RUN_ALPHA = "".join(chr(97 + int(c)) for c in RUN)

JOSE_SCRIPT = """
const jose = await import(process.argv[1]);
const [token, jwksText, iss] = [process.argv[2], process.argv[3], process.argv[4]];
try {
  const { payload, protectedHeader } = await jose.jwtVerify(token, jose.createLocalJWKSet(JSON.parse(jwksText)),
      { algorithms: ['EdDSA'], typ: 'riss+jwt', issuer: iss });
  console.log(JSON.stringify({ ok: true, payload, header: protectedHeader }));
} catch (e) { console.log(JSON.stringify({ ok: false, code: e.code || String(e) })); }
"""


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def unb64u(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


class Registry(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="riss-reg-")
        cls.keys = os.path.join(cls.tmp, "keys")
        cls.sock = os.path.join(cls.tmp, "signd.sock")
        cls.env = {"RISS_KEYS_DIR": cls.keys, "RISS_SIGND_SOCKET": cls.sock, "RISS_PUBLIC_BASE_URL": BASE}
        cls.kid1 = json.loads(riss("keys", "new", "--dir", cls.keys, "--json", env=cls.env).stdout)["kid"]
        cls.start_signd()
        cls.d = Rissd(settings={"keys_dir": cls.keys, "signd_socket": cls.sock, "public_base_url": BASE,
                                "secure_cookies": "true"})
        user = f"treg{RUN}"
        out = subprocess.run([os.path.join(BUILD, "cli", "riss"), "staff", "add", "--username", user, "--role",
                              "registrar", "--display-name", "登録 担当"], input=PASSWORD + "\n",
                             capture_output=True, text=True, env=dict(os.environ, RISS_CONFIG=CONFIG), cwd=ROOT)
        assert out.returncode == 0, out.stderr
        secret = out.stdout.split("totp_secret ")[1].split()[0]
        st, hdrs, body = cls.d.json("POST", "/api/v1/staff/login",
                                    {"username": user, "password": PASSWORD, "totp": totp(secret)})
        assert st == 200, body
        cls.cookie = hdrs["set-cookie"].split(";")[0]
        cls.csrf = body["csrf"]

    @classmethod
    def start_signd(cls):
        if getattr(cls, "signd_log", None):
            cls.signd_log.close()
        cls.signd_log = open(os.path.join(cls.tmp, "signd.log"), "a")
        cls.signd = subprocess.Popen([os.path.join(BUILD, "certs", "riss-signd"), "--keys", cls.keys, "--socket",
                                      cls.sock], stdout=cls.signd_log, stderr=subprocess.STDOUT)
        for _ in range(100):
            if os.path.exists(cls.sock):
                return
            time.sleep(0.05)
        raise RuntimeError("riss-signd did not start")

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()
        cls.d.cleanup()
        cls.signd_log.close()
        if cls.signd.poll() is None:
            cls.signd.terminate()
            cls.signd.wait()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # ---- helpers ----
    def admin(self, method, path, obj=None):
        return self.d.json(method, path, obj, headers={"Cookie": self.cookie, "X-CSRF-Token": self.csrf})

    def register(self, name_latn, published=None):
        app = {"exam_result_ref": f"itest-{RUN}-{name_latn}-{time.time_ns()}", "exam_pass_date": "2026-01-15",
               "name": "試験 " + name_latn, "name_kana": "シケン", "name_latn": name_latn,
               "date_of_birth": "1990-01-02"}
        if published is not None:
            app["published_fields"] = published
        st, _, b = self.admin("POST", "/api/v1/registry/applications", app)
        self.assertEqual(st, 201, b)
        st, _, r = self.admin("POST", "/api/v1/registry/review", {"id": b["id"], "approve": True, "note": "ok"})
        self.assertEqual(st, 200, r)
        st, _, r = self.admin("POST", "/api/v1/registry/register", {"id": b["id"], "reg_date": "2026-04-01"})
        self.assertEqual(st, 201, r)
        return r["regno"]

    def issue(self, regno):
        st, _, b = self.admin("POST", "/api/v1/registry/issue", {"regno": regno})
        self.assertEqual(st, 201, b)
        return b["token"]

    def verify(self, token):
        st, _, b = self.d.json("POST", "/api/v1/verify", {"token": token})
        self.assertEqual(st, 200, b)
        return b

    def sign_raw(self, header, payload, kid=None):
        """Sign with a key file directly (openssl), for vectors riss-signd rightly refuses."""
        h = b64u(json.dumps(header, separators=(",", ":")).encode())
        p = b64u(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())
        msg = os.path.join(self.tmp, "msg")
        with open(msg, "wb") as f:
            f.write(f"{h}.{p}".encode())
        sig = subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin", "-inkey",
                              os.path.join(self.keys, (kid or self.kid1) + ".pem"), "-in", msg],
                             capture_output=True, check=True).stdout
        return f"{h}.{p}.{b64u(sig)}"

    def claims_of(self, token):
        return json.loads(unb64u(token.split(".")[1]))

    # ---- tests ----
    def test_1_gapless_numbers_and_published_fields(self):
        a = self.register("Gapless One")
        b = self.register("Gapless Two", published=["name_latn"])
        # Gapless even with other tests registering beside this one: every number between the
        # two went to someone.
        self.assertGreater(int(b), int(a))
        self.assertEqual(int(psql(f"SELECT count(*) FROM registry.registrants WHERE regno BETWEEN '{a}' AND '{b}'")),
                         int(b) - int(a) + 1)
        st, _, r = self.d.json("GET", f"/api/v1/register/search?q={b}")
        self.assertEqual(st, 200)
        self.assertEqual(r["results"][0]["name_latn"], "Gapless Two")
        self.assertNotIn("name", r["results"][0])          # not published
        self.assertNotIn("date_of_birth", json.dumps(r))
        st, _, r = self.d.json("GET", "/api/v1/register/search?q=%E8%A9%A6%E9%A8%93%20Gapless%20Two")
        self.assertEqual(r["results"], [])                  # name kept private: not findable by it

    def test_2_issue_verify_suspend_reinstate(self):
        regno = self.register("Flow Person")
        tok = self.issue(regno)
        claims = self.claims_of(tok)
        self.assertEqual(set(claims), {"iss", "sub", "name", "name_latn", "qual", "reg_date", "renewal_count",
                                       "iat", "exp", "status"})
        self.assertEqual(claims["iss"], BASE)
        v = self.verify(tok)
        self.assertEqual((v["verdict"], v["reason"]), ("valid", "valid"))
        self.assertEqual(v["registrant"]["regno"], regno)
        self.assertNotIn("date_of_birth", json.dumps(v))
        # Independent JOSE implementation against the served JWKS.
        st, hdrs, jwks = self.d.request("GET", "/.well-known/jwks.json")
        self.assertEqual(st, 200)
        out = subprocess.run(["node", "--input-type=module", "-e", JOSE_SCRIPT, JOSE, tok, jwks.decode(), BASE],
                             capture_output=True, text=True, check=True)
        res = json.loads(out.stdout)
        self.assertTrue(res["ok"], res)
        self.assertEqual(res["payload"]["sub"], regno)
        # Suspend: the verify API says so at once; the served status list within 60 s.
        st, _, b = self.admin("POST", "/api/v1/registry/status", {"regno": regno, "action": "suspend",
                                                                   "reason": "調査中 (under investigation)"})
        self.assertEqual(st, 200, b)
        v = self.verify(tok)
        self.assertEqual((v["verdict"], v["reason"]), ("suspended", "suspended"))
        # The public sees a fixed reason code, never the registrar's text (review finding 8).
        self.assertEqual(v["registrant"]["status_reason"], "suspended")
        self.assertNotIn("調査中", json.dumps(v, ensure_ascii=False))
        st, _, found = self.d.json("GET", f"/api/v1/register/search?q={regno}")
        self.assertNotIn("調査中", json.dumps(found, ensure_ascii=False))
        uri = claims["status"]["status_list"]["uri"]
        idx = claims["status"]["status_list"]["idx"]
        self.assertTrue(uri.startswith(BASE + "/statuslists/"))
        deadline = time.time() + 60
        while True:
            st, hdrs, body = self.d.request("GET", uri[len(BASE):])
            self.assertEqual(st, 200)
            self.assertEqual(hdrs["content-type"], "application/statuslist+jwt")
            self.assertIn("max-age", hdrs["cache-control"])
            lst = json.loads(unb64u(body.decode().split(".")[1]))["status_list"]
            raw = zlib.decompress(unb64u(lst["lst"]))
            self.assertGreaterEqual(len(raw) * 4, 131072)
            if (raw[idx // 4] >> (2 * (idx % 4))) & 3 == 2:
                break
            self.assertLess(time.time(), deadline, "suspension not in the status list within 60 s")
            time.sleep(2)
        # riss credential verify with that status list says SUSPENDED (exit 1); without one it
        # does not pretend: exit 3, "status NOT checked".
        sl = os.path.join(self.tmp, "sl-" + regno)
        with open(sl, "wb") as f:
            f.write(body)
        r = riss("credential", "verify", tok, "--status-list", sl, "--iss", BASE, env=self.env, check=False)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertTrue(r.stdout.startswith("SUSPENDED"), r.stdout)
        self.assertIn("status checked", r.stdout)
        r = riss("credential", "verify", tok, env=self.env, check=False)
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn("status NOT checked", r.stdout)
        st, _, b = self.admin("POST", "/api/v1/registry/status", {"regno": regno, "action": "reinstate"})
        self.assertEqual(st, 200, b)
        self.assertEqual(self.verify(tok)["verdict"], "valid")
        # The registrar's record lists only the actions valid in the state.
        st, _, b = self.admin("GET", f"/api/v1/registry/registrants?regno={regno}")
        self.assertEqual(b["actions"], ["issue", "suspend", "cancel", "deregister"])
        st, _, b = self.admin("POST", "/api/v1/registry/status", {"regno": regno, "action": "reinstate"})
        self.assertEqual(st, 409, b)
        st, _, b = self.d.json("POST", "/api/v1/registry/status", {"regno": regno, "action": "reinstate"},
                               headers={"Cookie": self.cookie, "X-CSRF-Token": self.csrf, "Accept-Language": "ja"})
        self.assertEqual(st, 409, b)
        self.assertIn("この操作はできません", b["detail"])

    def test_2b_pending_until_the_registration_date(self):
        """Registered from a later 1 April: not yet valid anywhere until that day."""
        app = {"exam_result_ref": f"itest-{RUN}-pending", "exam_pass_date": "2026-01-15",
               "name": "未来 登録", "name_kana": "ミライ トウロク", "name_latn": "Mirai Toroku",
               "date_of_birth": "1990-03-04"}
        st, _, b = self.admin("POST", "/api/v1/registry/applications", app)
        self.assertEqual(st, 201, b)
        self.admin("POST", "/api/v1/registry/review", {"id": b["id"], "approve": True, "note": "ok"})
        st, _, r = self.admin("POST", "/api/v1/registry/register", {"id": b["id"], "reg_date": "2099-04-01"})
        self.assertEqual(st, 201, r)
        regno = r["regno"]
        self.assertEqual((r["status"], r["effective_status"]), ("active", "pending"))
        v = self.verify(self.issue(regno))
        self.assertEqual((v["verdict"], v["reason"]), ("not_yet_valid", "pending"))
        self.assertEqual(v["registrant"]["status"], "pending")
        st, _, b = self.d.json("POST", "/api/v1/verify", {"token": self.issue(regno)}, headers={"Accept-Language": "ja"})
        self.assertIn("まだ有効ではありません", b["message"])
        st, _, res = self.d.json("GET", f"/api/v1/register/search?q={regno}")
        self.assertEqual(res["results"][0]["status"], "pending")

    def test_2c_search_as_people_type_japanese(self):
        regno = self.register("Yamada Taro", published=["name", "name_kana", "name_latn"])
        psql(f"UPDATE registry.registrants SET name = '山田 太郎{RUN[-3:]}', name_kana = 'ヤマダ タロウ' "
             f"WHERE regno = '{regno}'")
        wide = regno.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        for q in (wide, f"山田　太郎{RUN[-3:]}", "やまだ", f"山田太郎{RUN[-3:]}", f"太郎{RUN[-3:]}", "ﾔﾏﾀﾞ", "yamada TARO"):
            st, _, r = self.d.json("GET", "/api/v1/register/search?q=" + urllib.parse.quote(q))
            self.assertEqual(st, 200, r)
            self.assertIn(regno, [x["regno"] for x in r["results"]], q)
        # The registrar's desk: the same search, paged, with a total.
        st, _, r = self.admin("GET", "/api/v1/registry/registrants?q=" + urllib.parse.quote("やまだ") + "&limit=1")
        self.assertEqual(st, 200, r)
        self.assertGreaterEqual(r["total"], 1)
        self.assertEqual(len(r["registrants"]), 1)

    def test_2d_the_registrar_chooses_the_public_reason(self):
        """Finding 8 (issue 17): the public reads a reason the registrar chose from the fixed
        list of the catalogue, in its own language; the registrar's words stay with staff —
        also out of the public transparency log."""
        # A name of this run: the cancellation below bars the person (name, date of birth).
        regno = self.register("Public Reason " + RUN_ALPHA)
        tok = self.issue(regno)
        secret = f"内部メモ{RUN}"

        def status(action, public_reason, reason=secret):
            return self.d.json("POST", "/api/v1/registry/status",
                               {"regno": regno, "action": action, "reason": reason, "public_reason": public_reason},
                               headers={"Cookie": self.cookie, "X-CSRF-Token": self.csrf, "Accept-Language": "ja"})
        # Only a code of the list for that change: not another status's, not a made-up one.
        for bad in ("cancelled.breach_of_duty", "suspended.made_up", "suspended", "Suspended.under_review"):
            st, _, b = status("suspend", bad)
            self.assertEqual(st, 400, (bad, b))
            self.assertIn("一覧から選んで", b["detail"])
        self.assertEqual(psql(f"SELECT status FROM registry.registrants WHERE regno = '{regno}'"), "active")
        st, _, b = status("suspend", "suspended.under_review")
        self.assertEqual(st, 200, b)
        self.assertEqual((b["status_reason"], b["public_reason"]), (secret, "suspended.under_review"))
        v = self.verify(tok)
        self.assertEqual(v["registrant"]["status_reason"], "suspended.under_review")
        st, _, found = self.d.json("GET", f"/api/v1/register/search?q={regno}")
        self.assertEqual(found["results"][0]["status_reason"], "suspended.under_review")
        # The log leaf of the change, public through the inclusion proof, names the code only.
        idx = psql("SELECT max(idx) FROM registry.tlog_leaves WHERE kind = 'status' "
                   f"AND convert_from(data, 'UTF8')::jsonb->>'sub' = '{regno}'")
        st, _, proof = self.d.json("GET", f"/api/v1/log/inclusion?index={idx}")
        self.assertEqual(st, 200, proof)
        self.assertEqual(json.loads(proof["data"])["reason"], "suspended.under_review")
        for public in (v, found, proof):
            self.assertNotIn(secret, json.dumps(public, ensure_ascii=False))
        # Reinstated: no reason; cancelled with another code; without a choice, the status's own.
        self.assertEqual(status("reinstate", "", "")[0], 200)
        self.assertNotIn("status_reason", self.verify(tok)["registrant"])
        self.assertEqual(status("cancel", "cancelled.breach_of_duty")[0], 200)
        self.assertEqual(self.verify(tok)["registrant"]["status_reason"], "cancelled.breach_of_duty")
        self.assertEqual(psql("SELECT string_agg(new_status || ':' || public_reason, ',' ORDER BY id) "
                              f"FROM registry.status_history WHERE regno = '{regno}'"),
                         "active:,suspended:suspended.under_review,active:,cancelled:cancelled.breach_of_duty")
        other = self.register("Status Alone")
        self.assertEqual(self.admin("POST", "/api/v1/registry/status",
                                    {"regno": other, "action": "suspend", "reason": secret})[0], 200)
        st, _, found = self.d.json("GET", f"/api/v1/register/search?q={other}")
        self.assertEqual(found["results"][0]["status_reason"], "suspended")

    def test_3_cli_issue_and_qr(self):
        regno = self.register("Qr Person")
        out = os.path.join(self.tmp, "cred-" + regno)
        r = riss("credential", "issue", regno, "--out-dir", out, env=self.env, check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(out, "token.jws")) as f:
            tok = f.read().strip()
        z = subprocess.run(["zbarimg", "-q", "--raw", os.path.join(out, "qr.png")], capture_output=True, text=True)
        self.assertEqual(z.stdout.strip(), BASE + "/v/" + tok)
        self.assertEqual(self.verify(BASE + "/v/" + tok)["verdict"], "valid")   # the scanned URL works too
        # The page the QR opens: the verify page, revalidated each time (ETag, 304).
        st, hdrs, body = self.d.request("GET", "/v/" + tok)
        self.assertEqual(st, 200)
        self.assertTrue(hdrs["content-type"].startswith("text/html"))
        self.assertEqual(hdrs["cache-control"], "no-cache")
        self.assertIn(b"/static/verify/verify.js", body)
        self.assertEqual(self.d.request("GET", "/v/" + tok, headers={"If-None-Match": hdrs["etag"]})[0], 304)
        with open(os.path.join(out, "qr.svg")) as f:
            self.assertTrue(f.read().lstrip().startswith(("<?xml", "<svg")))
        r = riss("credential", "issue", "12345", "--out-dir", out, env=self.env, check=False)
        self.assertEqual(r.returncode, 2)

    def test_3a_verify_request_spellings(self):
        # Every JSON spelling of the same request gets the same answer: the plain forms take
        # the server's fast path, escapes and extra members go through the JSON parser.
        tok = self.issue(self.register("Spelling Person"))
        url = "https://riss.example.jp/v/" + tok
        bodies = [
            '{"token":"%s"}' % tok,
            ' {\n\t"token" : "%s" \r\n} ' % url,
            '{"token":"%s"}' % url.replace("/", "\\/"),
            '{"token":"\\u0065%s"}' % tok[1:] if tok[0] == "e" else '{"token":"%s"}' % tok,
            '{"lang":"en","token":"%s"}' % tok,
        ]
        for body in bodies:
            with self.subTest(body[:40]):
                st, _, b = self.d.request("POST", "/api/v1/verify", body, {"Content-Type": "application/json"})
                self.assertEqual(st, 200, b)
                v = json.loads(b)
                self.assertEqual(v["verdict"], "valid", v)
                self.assertEqual(v["registrant"]["regno"], self.claims_of(tok)["sub"])
        for body, status, kind in [('{"token":"%s"} x' % tok, 400, "malformed-json"),
                                   ('{"token":"%s"' % tok, 400, "malformed-json"),
                                   ('{"token":"%s","token":"%s"}' % (tok, tok), 400, "malformed-json"),
                                   ('["%s"]' % tok, 400, "malformed-json"),
                                   ('{"tokens":"%s"}' % tok, 400, "invalid-request")]:
            with self.subTest(body[-20:]):
                st, _, b = self.d.request("POST", "/api/v1/verify", body, {"Content-Type": "application/json"})
                self.assertEqual(st, status, b)
                self.assertTrue(json.loads(b)["type"].endswith(kind), b)
        st, _, b = self.d.request("POST", "/api/v1/verify", '{"token":"%s"}' % tok, {"Content-Type": "text/plain"})
        self.assertEqual(st, 415, b)

    def test_4_negative_vectors(self):
        regno = self.register("Negative Person " + RUN_ALPHA)
        tok = self.issue(regno)
        h, p, s = tok.split(".")
        claims = self.claims_of(tok)
        hdr = json.loads(unb64u(h))
        now = int(time.time())
        pub = json.loads(self.d.request("GET", "/.well-known/jwks.json")[2])["keys"][0]["x"]
        hs = b64u(json.dumps({"alg": "HS256", "kid": hdr["kid"], "typ": "riss+jwt"}).encode())
        mac = hmac.new(pub.encode(), f"{hs}.{p}".encode(), hashlib.sha256).digest()
        altered = dict(claims, name_latn="Someone Else")
        vectors = {
            "altered payload": (f"{h}.{b64u(json.dumps(altered).encode())}.{s}", "not_genuine", "bad_signature"),
            "altered signature": (f"{h}.{p}.{s[:-6]}AAAAAA", "not_genuine", "bad_signature"),
            "alg none": (f"{b64u(json.dumps({'alg': 'none', 'kid': hdr['kid'], 'typ': 'riss+jwt'}).encode())}.{p}.",
                         "not_genuine", "alg_none"),
            "HS256 with the public key": (f"{hs}.{p}.{b64u(mac)}", "not_genuine", "alg_unsupported"),
            "unknown kid": (self.sign_raw(dict(hdr, kid="A" * 43), claims), "not_genuine", "unknown_kid"),
            "expired": (self.sign_raw(hdr, dict(claims, iat=now - 5 * 86400, exp=now - 86400)), "expired", "expired"),
            "not yet valid": (self.sign_raw(hdr, dict(claims, iat=now + 3600)), "not_genuine", "not_yet_valid"),
            "truncated": (f"{h}.{p}", "not_genuine", "truncated"),
            "not base64url": (f"{h}.{p}.@@@@", "not_genuine", "not_base64url"),
            "100 KB": ("A" * 100 * 1024, "not_genuine", "too_big"),
            "wrong issuer": (self.sign_raw(hdr, dict(claims, iss="https://evil.example")), "not_genuine",
                             "wrong_issuer"),
        }
        for name, (token, verdict, reason) in vectors.items():
            with self.subTest(name):
                v = self.verify(token)
                self.assertEqual((v["verdict"], v["reason"]), (verdict, reason), v)
        # Revoked: a cancelled registration.
        st, _, b = self.admin("POST", "/api/v1/registry/status", {"regno": regno, "action": "cancel",
                                                                   "reason": "本人の申請"})
        self.assertEqual(st, 200, b)
        v = self.verify(tok)
        self.assertEqual((v["verdict"], v["reason"]), ("revoked", "revoked"))
        for bad in [None, 5, {"x": 1}]:
            st, _, b = self.d.json("POST", "/api/v1/verify", {"token": bad})
            self.assertEqual(st, 400, b)

    def test_5_key_rotation(self):
        regno = self.register("Rotation Person")
        old = self.issue(regno)
        kid2 = json.loads(riss("keys", "rotate", "--dir", self.keys, "--json", env=self.env).stdout)["kid"]
        self.signd.send_signal(signal.SIGHUP)
        time.sleep(1.2)                                   # rissd re-reads keys.json at most once a second
        new = self.issue(regno)
        self.assertEqual(json.loads(unb64u(new.split(".")[0]))["kid"], kid2)
        self.assertEqual(json.loads(unb64u(old.split(".")[0]))["kid"], self.kid1)
        self.assertEqual(self.verify(old)["verdict"], "valid")
        self.assertEqual(self.verify(new)["verdict"], "valid")
        kids = {k["kid"] for k in json.loads(self.d.request("GET", "/.well-known/jwks.json")[2])["keys"]}
        self.assertEqual(kids, {self.kid1, kid2})
        # A token made with the retired key after its retirement is refused as such.
        hdr = json.loads(unb64u(old.split(".")[0]))
        late = self.sign_raw(hdr, dict(self.claims_of(old), iat=int(time.time()) + 5), kid=self.kid1)
        v = self.verify(late)
        self.assertEqual((v["verdict"], v["reason"]), ("not_genuine", "retired_key"))
        type(self).kid1_current = kid2

    def test_6_signer_killed_mid_issuance(self):
        regnos = [self.register(f"Kill Person {chr(65 + i)}") for i in range(4)]
        before = int(psql("SELECT count(*) FROM registry.credentials"))
        results = []
        killed = threading.Event()

        def hammer():
            # Keep issuing until well after the signer died (however fast issuing is).
            after = 0
            while after < 12 and len(results) < 5000:
                for r in regnos:
                    st, _, _ = self.admin("POST", "/api/v1/registry/issue", {"regno": r})
                    results.append(st)
                    if killed.is_set():
                        after += 1

        t = threading.Thread(target=hammer)
        t.start()
        deadline = time.time() + 10
        while len(results) < 10 and time.time() < deadline:
            time.sleep(0.01)
        self.signd.kill()
        self.signd.wait()
        killed.set()
        t.join()
        self.assertIn(201, results)
        self.assertIn(503, results)
        self.assertNotIn(500, results)
        issued = results.count(201)
        self.assertEqual(int(psql("SELECT count(*) FROM registry.credentials")) - before, issued)
        self.assertEqual(psql("SELECT count(*) FROM registry.tlog_leaves l WHERE kind = 'issue' AND NOT EXISTS "
                              "(SELECT 1 FROM registry.credentials c WHERE c.leaf_idx = l.idx)"), "0")
        self.assertEqual(psql("SELECT count(*) FROM registry.status_entries s WHERE NOT EXISTS (SELECT 1 FROM "
                              "registry.credentials c WHERE c.list_id = s.list_id AND c.status_idx = s.idx)"), "0")
        os.unlink(self.sock) if os.path.exists(self.sock) else None
        self.start_signd()
        self.assertEqual(len(self.issue(regnos[0]).split(".")), 3)

    def test_7_log_proofs_and_audit(self):
        st, _, note = self.d.request("GET", "/log/checkpoint")
        self.assertEqual(st, 200, note)
        lines = note.decode().split("\n")
        size = int(lines[1])
        self.assertGreater(size, 0)
        st, _, inc = self.d.json("GET", f"/api/v1/log/inclusion?index={size - 1}&size={size}")
        self.assertEqual(st, 200, inc)
        # Recompute the root from the leaf and the proof (RFC 9162) and compare with the checkpoint.
        leaf = hashlib.sha256(b"\x00" + inc["data"].encode()).digest()
        self.assertEqual(base64.b64encode(leaf).decode(), inc["leaf_hash"])
        fn, sn, r = size - 1, size - 1, leaf
        for pb in inc["proof"]:
            p = base64.b64decode(pb)
            if fn % 2 == 1 or fn == sn:
                r = hashlib.sha256(b"\x01" + p + r).digest()
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
            else:
                r = hashlib.sha256(b"\x01" + r + p).digest()
            fn >>= 1
            sn >>= 1
        self.assertEqual(base64.b64encode(r).decode(), lines[2])
        st, _, con = self.d.json("GET", f"/api/v1/log/consistency?first=1&second={size}")
        self.assertEqual(st, 200, con)
        self.assertEqual(self.d.json("GET", f"/api/v1/log/inclusion?index={size + 5}")[0], 404)
        cfg = dict(self.env)
        r = riss("log", "verify", "--json", env=cfg, check=False)
        rep = json.loads(r.stdout)
        self.assertEqual(r.returncode, 0, rep["problems"][:5])
        # A row changed behind the log's back is found.
        victim = psql("SELECT list_id || ',' || status_idx FROM registry.credentials ORDER BY id DESC LIMIT 1")
        lid, idx = victim.split(",")
        old = psql(f"SELECT status FROM registry.status_entries WHERE list_id = {lid} AND idx = {idx}")
        psql(f"UPDATE registry.status_entries SET status = 1 WHERE list_id = {lid} AND idx = {idx}")
        try:
            r = riss("log", "verify", "--json", env=cfg, check=False)
            self.assertEqual(r.returncode, 1)
            self.assertTrue(any(f"{lid}/{idx}" in p for p in json.loads(r.stdout)["problems"]))
        finally:
            psql(f"UPDATE registry.status_entries SET status = {old} WHERE list_id = {lid} AND idx = {idx}")

    def test_8_public_endpoints_are_rate_limited_per_address(self):
        # The register search: a burst of 20, then 30 a minute; the 429 says when to come back.
        codes, last = [], None
        for i in range(26):
            st, hdrs, body = self.d.request("GET", f"/api/v1/register/search?q=Rate{i}")
            codes.append(st)
            if st == 429:
                last = (hdrs, json.loads(body))
        self.assertLessEqual(codes.count(200), 23, codes)   # 20 at once, plus what refilled meanwhile
        self.assertIn(429, codes)
        hdrs, problem = last
        self.assertGreaterEqual(int(hdrs["retry-after"]), 1)
        self.assertEqual(problem["type"], "/problems/rate-limited")
        self.assertIn("秒後", problem["detail"])
        # The verify API, on a node set to 1 a second with a burst of 3: the fourth at once is
        # refused with Retry-After, pointing at offline verification; a second later it works.
        tok = self.issue(self.register("Rate Person"))
        d = Rissd(settings={"keys_dir": self.keys, "signd_socket": self.sock, "public_base_url": BASE,
                            "secure_cookies": "true",
                            "verify_rate_limit": "1", "verify_rate_burst": "3"})
        try:
            t0, answers, refused = time.time(), [], None
            for _ in range(8):
                st, hdrs, b = d.json("POST", "/api/v1/verify", {"token": tok}, headers={"Accept-Language": "en"})
                answers.append(st)
                if st == 200:
                    self.assertEqual(b["verdict"], "valid", b)
                elif refused is None:
                    refused = (st, hdrs, b)
            elapsed = time.time() - t0
            self.assertEqual(answers[:3], [200, 200, 200])        # the burst
            self.assertLessEqual(answers.count(200), 3 + int(elapsed) + 1, (answers, elapsed))
            self.assertIsNotNone(refused, answers)
            st, hdrs, b = refused
            self.assertEqual(st, 429, b)
            self.assertEqual(b["type"], "/problems/rate-limited")
            self.assertIn(hdrs["retry-after"], ("1", "2"))
            self.assertIn("jwks.json", b["detail"])
            time.sleep(int(hdrs["retry-after"]) + 0.1)
            st, _, b = d.json("POST", "/api/v1/verify", {"token": tok})
            self.assertEqual((st, b["verdict"]), (200, "valid"), b)
        finally:
            d.stop()
            d.cleanup()

    # Security review (issue 17) finding 4: the status entry is tied to the subject.
    def test_9_status_entry_belongs_to_the_subject(self):
        cancelled, other = self.register("Borrower Cancelled " + RUN_ALPHA), self.register("Lender Active")
        tok_c, tok_o = self.issue(cancelled), self.issue(other)
        st, _, b = self.admin("POST", "/api/v1/registry/status", {"regno": cancelled, "action": "cancel",
                                                                   "reason": "不正受験"})
        self.assertEqual(st, 200, b)
        self.assertEqual(self.verify(tok_c)["verdict"], "revoked")
        # A genuinely signed token for the cancelled registrant that names the other's (valid)
        # status entry: the review saw "valid".
        hdr = json.loads(unb64u(tok_o.split(".")[0]))
        borrowed = dict(self.claims_of(tok_c), status=self.claims_of(tok_o)["status"])
        v = self.verify(self.sign_raw(hdr, borrowed, kid=hdr["kid"]))
        self.assertEqual((v["verdict"], v["reason"], v["registrant"]), ("not_genuine", "bad_claims", None), v)
        self.assertEqual(self.verify(tok_o)["verdict"], "valid")
        # A registration that is no longer active overrides an entry that still says valid.
        lone = self.register("Register Authority")
        tok_l = self.issue(lone)
        subprocess.run(["psql", os.environ["RISS_TEST_DB_URL"], "-qAt", "-v", "ON_ERROR_STOP=1", "-c",
                        f"UPDATE registry.registrants SET status = 'suspended' WHERE regno = '{lone}'"], check=True)
        v = self.verify(tok_l)
        self.assertEqual((v["verdict"], v["reason"]), ("suspended", "suspended"), v)
        self.assertEqual(v["registrant"]["status_reason"], "suspended")


if __name__ == "__main__":
    unittest.main(verbosity=2)
