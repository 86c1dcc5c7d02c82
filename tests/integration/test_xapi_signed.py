"""Signed xAPI statements without an x5c certificate, over real HTTP and PostgreSQL: a
provider registers its RSA public key with `riss provider set-key --jwk FILE`; a statement
whose JWS verifies with that key is stored, one signed with another key is refused with 400
and stored nowhere, and a provider that registered no key keeps the old behaviour (the
payload is checked, the signature is not). The keys are listed and removed with the CLI, and
a JWK with private members is refused."""
import base64
import hashlib
import json
import os
import subprocess
import tempfile
import unittest
import uuid

from rissd_harness import Rissd, riss, require_stack

require_stack()
riss("db", "migrate")

RUN = str(os.getpid())
SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def openssl(*args, data=None):
    return subprocess.run(["openssl", *args], input=data, capture_output=True, check=True).stdout


class Key:
    """An RSA key made with the openssl command line: its public JWK and RS256 signatures."""

    def __init__(self, tmp, name):
        self.pem = os.path.join(tmp, name + ".pem")
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", self.pem)
        modulus = openssl("rsa", "-in", self.pem, "-noout", "-modulus").decode().strip().split("=", 1)[1]
        self.jwk = {"kty": "RSA", "n": b64u(bytes.fromhex(modulus)), "e": "AQAB", "kid": f"{name}-{RUN}"}

    def jws(self, payload, kid=None):
        header = {"alg": "RS256", **({"kid": kid} if kid else {})}
        signing_input = b64u(json.dumps(header).encode()) + "." + b64u(json.dumps(payload).encode())
        sig = openssl("dgst", "-sha256", "-sign", self.pem, data=signing_input.encode())
        return (signing_input + "." + b64u(sig)).encode()


class XapiSigned(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="riss-xsig-")
        cls.d = Rissd()
        cls.a = json.loads(riss("provider", "add", f"署名機関A{RUN}", "--name-en", f"Signing A {RUN}", "--from",
                                "2016-10-01", "--json").stdout)
        cls.b = json.loads(riss("provider", "add", f"署名機関B{RUN}", "--name-en", f"Signing B {RUN}", "--from",
                                "2016-10-01", "--json").stdout)
        cls.key1, cls.key2 = Key(cls.tmp, "k1"), Key(cls.tmp, "k2")
        path = os.path.join(cls.tmp, "k1.jwk")
        with open(path, "w") as f:
            json.dump(cls.key1.jwk, f)
        out = riss("provider", "set-key", str(cls.a["provider_id"]), "--jwk", path, "--json")
        cls.registered = json.loads(out.stdout)

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()
        cls.d.cleanup()

    def post_signed(self, p, key, kid=None):
        """POST a statement signed by key (JWS without x5c) as multipart/mixed: (status, body, id)."""
        s = {"id": str(uuid.uuid4()), "actor": {"mbox": f"mailto:signer{RUN}@example.com"},
             "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced", "display": {"en-US": "experienced"}},
             "object": {"id": "http://example.com/activities/signed"}}
        jws = key.jws(s, kid)
        s["attachments"] = [{"usageType": SIGNATURE, "display": {"en-US": "signature"},
                             "contentType": "application/octet-stream", "length": len(jws),
                             "sha2": hashlib.sha256(jws).hexdigest()}]
        boundary = "xsig" + uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Type: application/json\r\n\r\n{json.dumps(s)}\r\n"
                f"--{boundary}\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n"
                f"X-Experience-API-Hash: {hashlib.sha256(jws).hexdigest()}\r\n\r\n").encode() + jws + \
            f"\r\n--{boundary}--\r\n".encode()
        x = p["xapi"]
        auth = base64.b64encode(f"{x['username']}:{x['password']}".encode()).decode()
        h = {"Authorization": "Basic " + auth, "X-Experience-API-Version": "1.0.3",
             "Content-Type": f"multipart/mixed; boundary={boundary}", "Accept-Language": "en"}
        st, _, data = self.d.request("POST", "/xapi/statements", body, h)
        return st, json.loads(data) if data else None, s["id"]

    def stored(self, p, sid):
        x = p["xapi"]
        auth = base64.b64encode(f"{x['username']}:{x['password']}".encode()).decode()
        st, _, _ = self.d.request("GET", f"/xapi/statements?statementId={sid}",
                                  headers={"Authorization": "Basic " + auth, "X-Experience-API-Version": "1.0.3"})
        return st == 200

    def test_registered_key_verifies_and_a_bad_signature_is_refused(self):
        self.assertEqual(self.registered["kid"], self.key1.jwk["kid"])
        self.assertEqual(self.registered["bits"], 2048)
        # Signed with the registered key: stored (with the kid in the header, and without).
        for kid in (self.key1.jwk["kid"], None):
            st, ids, sid = self.post_signed(self.a, self.key1, kid)
            self.assertEqual((st, ids), (200, [sid]))
            self.assertTrue(self.stored(self.a, sid))
        # Signed with another key: 400, stored nowhere.
        st, e, sid = self.post_signed(self.a, self.key2)
        self.assertEqual(st, 400, e)
        self.assertEqual(e["message_id"], "xapi.bad.signature")
        self.assertFalse(self.stored(self.a, sid))
        # A kid naming the registered key, signed by another: 400 too.
        st, e, _ = self.post_signed(self.a, self.key2, self.key1.jwk["kid"])
        self.assertEqual(st, 400, e)
        # A provider without a registered key: the signature is not verified (as before).
        st, ids, sid = self.post_signed(self.b, self.key2)
        self.assertEqual((st, ids), (200, [sid]))

    def test_keys_are_listed_removed_and_private_jwks_refused(self):
        c = json.loads(riss("provider", "add", f"署名機関C{RUN}", "--name-en", f"Signing C {RUN}", "--from",
                            "2016-10-01", "--json").stdout)
        pid = str(c["provider_id"])
        path = os.path.join(self.tmp, "k2.jwk")
        with open(path, "w") as f:
            json.dump(self.key2.jwk, f)
        riss("provider", "set-key", pid, "--jwk", path)
        again = riss("provider", "set-key", pid, "--jwk", path, check=False)
        self.assertNotEqual(again.returncode, 0)
        self.assertIn("registered already", again.stderr)
        keys = json.loads(riss("provider", "keys", pid, "--json").stdout)["keys"]
        self.assertEqual([k["kid"] for k in keys], [self.key2.jwk["kid"]])
        st, _, _ = self.post_signed(c, self.key1)
        self.assertEqual(st, 400)
        out = json.loads(riss("provider", "remove-key", pid, "--kid", self.key2.jwk["kid"], "--json").stdout)
        self.assertEqual(out["keys"], [])
        st, _, _ = self.post_signed(c, self.key1)
        self.assertEqual(st, 200)
        # A private JWK is refused with one line, and nothing is registered.
        priv = dict(self.key1.jwk, d="AAAA", kid="private-" + RUN)
        with open(path, "w") as f:
            json.dump(priv, f)
        bad = riss("provider", "set-key", pid, "--jwk", path, check=False)
        self.assertEqual(bad.returncode, 2, bad.stderr)
        self.assertIn("private members", bad.stderr)
        self.assertEqual(json.loads(riss("provider", "keys", pid, "--json").stdout)["keys"], [])


if __name__ == "__main__":
    unittest.main()
