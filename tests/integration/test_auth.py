"""Staff sign-in (Argon2id + TOTP), sessions, CSRF (the backoff: test_security.py), and a walk of every route in
the route table with every role we can sign in as: allowed roles get through, others get
401 (not signed in) or 403 (wrong role)."""
import json
import os
import subprocess
import time
import unittest

from rissd_harness import ROOT, Rissd, riss, require_stack, RISSD, totp

require_stack()
if __name__ == "__main__":
    riss("db", "migrate")

PASSWORD = "correct horse battery"
STAFF_ROLES = ["proctor", "registrar", "psychometrician", "statistician", "auditor"]
RUN = str(os.getpid())


def add_staff(username, role):
    return add_staff_in(os.environ["RISS_TEST_CONFIG"], username, role)


def add_staff_in(config, username, role):
    """Create a staff account with `riss staff add`; returns its TOTP secret."""
    args = ["staff", "add", "--username", username, "--role", role, "--display-name", "テスト " + role]
    if role == "proctor":
        args += ["--centre", "TC-TEST-01"]
    out = subprocess.run([*riss_cmd(), *args], input=PASSWORD + "\n", capture_output=True, text=True,
                         env=dict(os.environ, RISS_CONFIG=config))
    assert out.returncode == 0, out.stderr
    return out.stdout.split("totp_secret ")[1].split()[0]


def staff_login(d, username, code):
    """Sign username in on rissd d with the test password and TOTP code: (status, answer,
    the session's headers {Cookie, X-CSRF-Token} or None when refused)."""
    st, hdrs, b = d.json("POST", "/api/v1/staff/login", {"username": username, "password": PASSWORD, "totp": code})
    if st != 200:
        return st, b, None
    return st, b, {"Cookie": hdrs["set-cookie"].split(";")[0], "X-CSRF-Token": b["csrf"]}


def riss_cmd():
    from rissd_harness import RISS
    return [RISS]


class Session:
    """A signed-in staff member: cookie + CSRF token."""

    def __init__(self, d, username, secret, offset=0):
        self.d = d
        status, hdrs, body = d.json("POST", "/api/v1/staff/login",
                                    {"username": username, "password": PASSWORD, "totp": totp(secret, offset=offset)})
        assert status == 200, body
        self.cookie = hdrs["set-cookie"].split(";")[0]
        self.set_cookie = hdrs["set-cookie"]
        self.csrf = body["csrf"]
        self.body = body

    def call(self, method, path, obj=None, csrf=True):
        h = {"Cookie": self.cookie}
        if csrf:
            h["X-CSRF-Token"] = self.csrf
        return self.d.json(method, path, obj, headers=h)


class StaffAuth(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Rissd()
        # One account per test and role: a TOTP code is accepted once per account.
        cls.secrets = {}
        for tag, role in [("s", "registrar"), ("c", "auditor"), ("f", "statistician"),
                          ] + [("w", r) for r in STAFF_ROLES]:
            cls.secrets[tag + role] = add_staff(f"t{RUN}{tag}{role[:4]}", role)

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()
        cls.d.cleanup()

    def user(self, tag, role):
        return f"t{RUN}{tag}{role[:4]}"

    def login(self, tag, role, offset=0):
        return Session(self.d, self.user(tag, role), self.secrets[tag + role], offset=offset)

    def test_sign_in_sets_a_safe_cookie(self):
        s = self.login("s", "registrar")
        self.assertIn("HttpOnly", s.set_cookie)
        self.assertIn("SameSite=Strict", s.set_cookie)
        token = s.cookie.split("=", 1)[1]
        self.assertEqual(len(token), 43)  # 256 bits, base64url
        status, _, me = s.call("GET", "/api/v1/staff/me")
        self.assertEqual(status, 200)
        self.assertEqual(me["role"], "registrar")
        self.assertEqual(me["actor"], "staff:" + self.user("s", "registrar"))
        # The token never reaches the log; the sign-in is audited.
        self.assertNotIn(token, self.d.read_log())
        # Logout ends the session.
        self.assertEqual(s.call("POST", "/api/v1/staff/logout")[0], 200)
        self.assertEqual(s.call("GET", "/api/v1/staff/me")[0], 401)

    def test_csrf_header_required_on_changes(self):
        s = self.login("c", "auditor")
        status, _, body = s.call("POST", "/api/v1/staff/logout", csrf=False)
        self.assertEqual(status, 403)
        self.assertEqual(body["type"], "/problems/csrf")
        self.assertEqual(s.call("GET", "/api/v1/staff/me")[0], 200)  # still signed in

    def test_wrong_password_wrong_code_and_reuse_are_refused_alike(self):
        u, sec = self.user("f", "statistician"), self.secrets["fstatistician"]
        bad = [
            {"username": u, "password": "wrong password!!", "totp": totp(sec)},
            {"username": u, "password": PASSWORD, "totp": "%06d" % ((int(totp(sec)) + 1) % 1000000)},
            {"username": "nobody" + RUN, "password": PASSWORD, "totp": totp(sec)},
        ]
        details = set()
        for b in bad:
            status, _, body = self.d.json("POST", "/api/v1/staff/login", b, headers={"Accept-Language": "en"})
            self.assertEqual(status, 401)
            details.add(body["detail"])
        self.assertEqual(len(details), 1)  # nothing tells which part was wrong
        Session(self.d, u, sec, offset=1)
        # The same code cannot be used twice.
        status, _, _ = self.d.json("POST", "/api/v1/staff/login", {"username": u, "password": PASSWORD, "totp": totp(sec, offset=1)})
        self.assertEqual(status, 401)

    def test_bad_login_bodies(self):
        status, _, body = self.d.json("POST", "/api/v1/staff/login", {"username": "x"})
        self.assertEqual(status, 400)
        self.assertIn("password", body["detail"])
        status, _, body = self.d.json("POST", "/api/v1/staff/login", {"username": "x", "password": "y", "totp": 123456})
        self.assertEqual(status, 400)
        self.assertIn("totp", body["detail"])

    def test_every_route_times_every_role(self):
        routes = json.loads(subprocess.run([RISSD, "--print-routes"], capture_output=True, text=True, check=True).stdout)
        self.assertGreater(len(routes), 5)
        # The API reference lists every route with its method.
        with open(os.path.join(ROOT, "docs", "api.md"), encoding="utf-8") as f:
            api_md = f.read()
        for r in routes:
            self.assertIn(f"| {r['method']} | `{r['path']}` |", api_md, "docs/api.md misses a route")
        sessions = {"public": None}
        for role in STAFF_ROLES:
            sessions[role] = self.login("w", role)
        checked = 0
        for r in routes:
            path = r["path"].replace("*", "x")
            if r["path"] == "/api/v1/staff/logout":
                continue  # would end the sessions used here; covered above
            for role, s in sessions.items():
                body = "{}" if r["json_body"] else None
                h = {"Content-Type": "application/json"}
                if s is not None:
                    h.update({"Cookie": s.cookie, "X-CSRF-Token": s.csrf})
                status, hdrs, data = self.d.request(r["method"], path, body, h)
                allowed = role in r["roles"] or "public" in r["roles"]
                if allowed:
                    self.assertNotIn(status, (401, 403), f"{role} refused on {r['method']} {path}")
                else:
                    self.assertEqual(status, 401 if role == "public" else 403, f"{role} let through on {r['method']} {path}")
                # No route may fail with a bug (500); 503 is allowed only as the documented
                # "a service it needs (signing helper) is down" problem.
                if status == 503:
                    self.assertEqual(json.loads(data)["type"], "/problems/service-unavailable", path)
                else:
                    self.assertLess(status, 500, f"{role} {r['method']} {path} gave {status}")
                checked += 1
        self.assertGreater(checked, 10)


if __name__ == "__main__":
    unittest.main(verbosity=2)
