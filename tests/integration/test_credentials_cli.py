"""Credentials end to end without a database: riss keys, a real riss-signd, riss credential
issue --claims, the QR decoded by zbarimg, the token verified by riss and by an independent
JOSE implementation (npm jose, from tests/e2e/node_modules), key rotation and retirement."""
import base64
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

BUILD = os.environ.get("RISS_TEST_BUILD", "")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JOSE = os.path.join(ROOT, "tests", "e2e", "node_modules", "jose", "dist", "webapi", "index.js")
BASE = "https://riss.example.jp"

CLAIMS = {
    "iss": BASE, "sub": "000001", "name": "情報 太郎", "name_latn": "JOHO Taro", "qual": "RISS",
    "reg_date": "2026-04-01", "renewal_count": 1, "exp": int(time.time()) + 3 * 365 * 86400,
    "status": {"status_list": {"idx": 4242, "uri": BASE + "/status/1"}},
}

JOSE_SCRIPT = """
const jose = await import(process.argv[1]);
const [token, jwksText] = [process.argv[2], process.argv[3]];
const jwks = jose.createLocalJWKSet(JSON.parse(jwksText));
try {
  const { payload, protectedHeader } = await jose.jwtVerify(token, jwks,
      { algorithms: ['EdDSA'], typ: 'riss+jwt', issuer: 'https://riss.example.jp' });
  console.log(JSON.stringify({ ok: true, payload, header: protectedHeader }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, code: e.code || String(e) }));
}
"""


def header_of(token):
    h = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(h + "=" * (-len(h) % 4)))


class CredentialsCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not BUILD:
            raise unittest.SkipTest("RISS_TEST_BUILD is not set")
        cls.tmp = tempfile.mkdtemp(prefix="riss-cred-")
        cls.conf = os.path.join(cls.tmp, "empty.conf")
        open(cls.conf, "w").close()
        cls.env = dict(os.environ, RISS_KEYS_DIR=os.path.join(cls.tmp, "keys"),
                       RISS_SIGND_SOCKET=os.path.join(cls.tmp, "s.sock"),
                       RISS_PUBLIC_BASE_URL=BASE)
        cls.env.pop("RISS_CONFIG", None)
        with open(os.path.join(cls.tmp, "claims.json"), "w") as f:
            json.dump(CLAIMS, f, ensure_ascii=False)
        cls.kid1 = json.loads(cls.riss("keys", "new", "--json").stdout)["kid"]
        cls.log = open(os.path.join(cls.tmp, "signd.log"), "w")
        cls.signd = subprocess.Popen([os.path.join(BUILD, "certs", "riss-signd"), "--config", cls.conf],
                                     env=cls.env, cwd=cls.tmp, stderr=cls.log)
        for _ in range(100):
            if os.path.exists(cls.env["RISS_SIGND_SOCKET"]):
                break
            time.sleep(0.05)

    @classmethod
    def tearDownClass(cls):
        if hasattr(cls, "signd") and cls.signd.poll() is None:
            cls.signd.terminate()
            cls.signd.wait(10)
        if hasattr(cls, "tmp"):
            shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def riss(cls, *args, check=True):
        p = subprocess.run([os.path.join(BUILD, "cli", "riss"), "--config", cls.conf, *args],
                           env=cls.env, cwd=cls.tmp, capture_output=True, text=True, timeout=60)
        if check and p.returncode != 0:
            raise AssertionError(f"riss {' '.join(args)} exited {p.returncode}: {p.stderr}")
        return p

    def issue(self, name, *extra):
        out = os.path.join(self.tmp, name)
        r = json.loads(self.riss("credential", "issue", "--claims", os.path.join(self.tmp, "claims.json"),
                                 "--out-dir", out, "--json", *extra).stdout)
        with open(os.path.join(out, "token.jws")) as f:
            tok = f.read().strip()
        self.assertEqual(tok, r["token"])
        return out, tok

    def jwks(self):
        with open(os.path.join(self.env["RISS_KEYS_DIR"], "jwks.json")) as f:
            return f.read()

    def jose(self, token):
        if not os.path.exists(JOSE) or not shutil.which("node"):
            self.skipTest("npm jose is not installed (tests/e2e: npm ci)")
        p = subprocess.run(["node", "--input-type=module", "-e", JOSE_SCRIPT, JOSE, token, self.jwks()],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def test_1_issue_qr_and_verify(self):
        out, tok = self.issue("first")
        self.assertEqual(header_of(tok), {"alg": "EdDSA", "kid": self.kid1, "typ": "riss+jwt"})
        # The QR decodes, with an independent decoder, to exactly <base>/v/<token>.
        z = subprocess.run(["zbarimg", "--quiet", "--raw", os.path.join(out, "qr.png")],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(z.returncode, 0, z.stderr)
        self.assertEqual(z.stdout.strip(), BASE + "/v/" + tok)
        with open(os.path.join(out, "qr.svg")) as f:
            self.assertIn("<svg", f.read())
        # riss verifies it offline from the JWKS; so does npm jose.
        # Without a status list the status is unknown: exit 3 and say so, unless --offline.
        r = self.riss("credential", "verify", tok, "--json", check=False)
        self.assertEqual(r.returncode, 3, r.stdout)
        v = json.loads(r.stdout)
        self.assertEqual(v["verdict"], "valid")
        self.assertFalse(v["status_checked"])
        r = self.riss("credential", "verify", tok, check=False)
        self.assertEqual(r.returncode, 3)
        self.assertIn("status NOT checked", r.stdout)
        r = self.riss("credential", "verify", tok, "--offline", check=False)
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertIn("status NOT checked (--offline)", r.stdout)
        v = json.loads(self.riss("credential", "verify", tok, "--offline", "--json").stdout)
        self.assertEqual(v["registrant"]["name"], "情報 太郎")
        j = self.jose(tok)
        self.assertTrue(j["ok"], j)
        self.assertEqual(sorted(j["payload"]),
                         sorted(["iss", "sub", "name", "name_latn", "qual", "reg_date", "renewal_count",
                                 "iat", "exp", "status"]))
        # One changed character: both verifiers refuse it.
        bad = tok[:-3] + ("A" if tok[-3] != "A" else "B") + tok[-2:]
        r = self.riss("credential", "verify", bad, "--json", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(json.loads(r.stdout)["verdict"], "not_genuine")
        self.assertFalse(self.jose(bad)["ok"])
        # The verify URL works as input too.
        self.assertEqual(self.riss("credential", "verify", BASE + "/v/" + tok, "--offline").returncode, 0)

    def test_2_rotation_and_retirement(self):
        _, old = self.issue("before")
        self.riss("keys", "rotate")
        keys = json.loads(self.riss("keys", "list", "--json").stdout)
        new_kid = [k["kid"] for k in keys if k["state"] == "active"][0]
        self.assertNotEqual(new_kid, self.kid1)
        self.signd.send_signal(signal.SIGHUP)
        time.sleep(0.3)
        _, new = self.issue("after")
        self.assertEqual(header_of(new)["kid"], new_kid)
        # Old credentials keep verifying; new ones use the new key.
        for tok in (old, new):
            self.assertEqual(self.riss("credential", "verify", tok, "--offline").returncode, 0)
            self.assertTrue(self.jose(tok)["ok"])
        # riss-signd refuses to sign with the retired key.
        r = self.riss("credential", "issue", "--claims", os.path.join(self.tmp, "claims.json"),
                      "--out-dir", os.path.join(self.tmp, "refused"), "--kid", self.kid1, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("retired", r.stderr)

    def test_3_signd_logs_and_stops(self):
        self.signd.send_signal(signal.SIGTERM)
        self.assertEqual(self.signd.wait(10), 0)
        self.assertFalse(os.path.exists(self.env["RISS_SIGND_SOCKET"]))
        self.log.flush()
        with open(os.path.join(self.tmp, "signd.log")) as f:
            lines = f.read().splitlines()
        signed = [l for l in lines if " sign kid=" in l]
        self.assertEqual(len(signed), 3)  # first, before, after
        self.assertTrue(all("sha256=" in l and "pid=" in l for l in signed))
        self.assertTrue(any("refused kid=" + self.kid1 in l for l in lines))
        # Bad input: one clear line, exit 2.
        r = self.riss("credential", "verify", check=False)
        self.assertEqual(r.returncode, 2)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1)


if __name__ == "__main__":
    unittest.main()
