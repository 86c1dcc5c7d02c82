"""Step-up for dangerous acts (security, issue 17) over real HTTP and PostgreSQL: a staff
session may do an act marked step_up in the route table only within step_up_window of a
confirmed TOTP code (sign-in counts); after that the act is refused with a bilingual
problem+json until POST /api/v1/staff/step-up confirms a fresh code, and every step-up is
audited. Ten minutes passing is simulated by moving the session's step_up_at back."""
import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rissd_harness import RISSD, Rissd, require_stack  # noqa: E402
from test_auth import PASSWORD, add_staff, totp  # noqa: E402

require_stack()
RUN = str(os.getpid())
DB = os.environ.get("RISS_TEST_DB_URL", "")


def psql(sql):
    return subprocess.run(["psql", DB, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql],
                          capture_output=True, text=True, check=True).stdout.strip()


class StepUp(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Rissd()

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def sign_in(self, role):
        user = f"su{RUN}{role[:3]}{time.time_ns() % 10**6}"
        secret = add_staff(user, role)
        st, hdrs, b = self.d.json("POST", "/api/v1/staff/login", {"username": user, "password": PASSWORD,
                                                                  "totp": totp(secret)})
        self.assertEqual(st, 200, b)
        return user, secret, {"Cookie": hdrs["set-cookie"].split(";")[0], "X-CSRF-Token": b["csrf"]}

    def age(self, user):
        """Ten minutes pass since the session last confirmed a code."""
        psql("UPDATE staff.sessions SET step_up_at = now() - interval '10 minutes' WHERE account_id = "
             f"(SELECT id FROM staff.accounts WHERE username = '{user}')")

    def provider(self, name):
        return {"name_ja": name, "name_en": "Step-up " + name, "approved_from": "2026-04-01"}

    def audit(self, user, action):
        return int(psql(f"SELECT count(*) FROM audit.events WHERE actor = 'staff:{user}' AND action = '{action}'"))

    def test_stale_session_must_step_up_before_provider_key(self):
        user, secret, staff = self.sign_in("registrar")
        # Just signed in: the sign-in's code is fresh, the act goes through.
        st, _, b = self.d.json("POST", "/api/v1/cpd/providers", self.provider(f"直後 {RUN}"), headers=staff)
        self.assertEqual(st, 201, b)
        self.assertTrue(b["api_key"])

        self.age(user)
        name = f"十分後 {RUN}"
        st, _, b = self.d.json("POST", "/api/v1/cpd/providers", self.provider(name), headers=staff)
        self.assertEqual(st, 403, b)
        self.assertEqual(b["type"], "/problems/step-up-required")
        self.assertIn("認証アプリ", b["detail"])  # Japanese by default
        st, _, en = self.d.json("POST", "/api/v1/cpd/providers", self.provider(name),
                                headers=dict(staff, **{"Accept-Language": "en"}))
        self.assertEqual(st, 403)
        self.assertIn("authenticator app", en["detail"])
        self.assertEqual(en["title"], "Confirmation required")
        # Nothing was created, and reading is not a dangerous act.
        st, _, lst = self.d.json("GET", "/api/v1/cpd/providers", headers=staff)
        self.assertEqual(st, 200, lst)
        self.assertNotIn(name, [p["name_ja"] for p in lst["providers"]])

        # A wrong code is refused and audited; the act stays refused.
        wrong = "%06d" % ((int(totp(secret, offset=1)) + 1) % 1000000)
        st, _, b = self.d.json("POST", "/api/v1/staff/step-up", {"totp": wrong}, headers=staff)
        self.assertEqual(st, 403, b)
        self.assertEqual(b["type"], "/problems/step-up-failed")
        self.assertEqual(self.audit(user, "staff.step_up.failed"), 1)
        st, _, b = self.d.json("POST", "/api/v1/cpd/providers", self.provider(name), headers=staff)
        self.assertEqual(st, 403, b)

        # The next code (the sign-in used this step's) steps up; the act goes through.
        code = totp(secret, offset=1)
        st, _, b = self.d.json("POST", "/api/v1/staff/step-up", {"totp": code}, headers=staff)
        self.assertEqual(st, 200, b)
        self.assertEqual(self.audit(user, "staff.step_up"), 1)
        st, _, b = self.d.json("POST", "/api/v1/cpd/providers", self.provider(name), headers=staff)
        self.assertEqual(st, 201, b)
        # A replayed code does not step up again.
        self.age(user)
        st, _, b = self.d.json("POST", "/api/v1/staff/step-up", {"totp": code}, headers=staff)
        self.assertEqual(st, 403, b)
        st, _, b = self.d.json("POST", "/api/v1/cpd/providers/rotate-key", {"provider_id": 1}, headers=staff)
        self.assertEqual(st, 403, b)
        self.assertEqual(b["type"], "/problems/step-up-required")

    def test_package_activation_needs_step_up_csrf_first(self):
        user, _, staff = self.sign_in("psychometrician")
        self.age(user)
        st, _, b = self.d.json("POST", "/api/v1/bank/packages/activate", {"id": 1}, headers=staff)
        self.assertEqual(st, 403, b)
        self.assertEqual(b["type"], "/problems/step-up-required")
        # Without the CSRF token the request is refused as before, not asked for a code.
        st, _, b = self.d.json("POST", "/api/v1/bank/packages/activate", {"id": 1}, headers={"Cookie": staff["Cookie"]})
        self.assertEqual(b["type"], "/problems/csrf")

    def test_stale_registrar_must_step_up_before_a_providers_signing_key(self):
        # A registrar who adds or removes a provider's xAPI signing key lets statements signed
        # with it be credited: a dangerous act, refused on a stale session before the body is read.
        user, _, staff = self.sign_in("registrar")
        self.age(user)
        for path, body in [("/api/v1/cpd/providers/xapi-keys", {"provider_id": 1, "jwk": {}}),
                           ("/api/v1/cpd/providers/xapi-keys/remove", {"provider_id": 1, "kid": "x"})]:
            st, _, b = self.d.json("POST", path, body, headers=staff)
            self.assertEqual(st, 403, (path, b))
            self.assertEqual(b["type"], "/problems/step-up-required")

    def test_route_table_marks_dangerous_acts(self):
        routes = json.loads(subprocess.run([RISSD, "--print-routes"], capture_output=True, text=True,
                                           check=True).stdout)
        marked = {(r["method"], r["path"]) for r in routes if r.get("step_up")}
        for want in ["/api/v1/registry/status", "/api/v1/bank/packages/activate", "/api/v1/bank/packages/retire",
                     "/api/v1/cpd/providers", "/api/v1/cpd/providers/rotate-key",
                     "/api/v1/cpd/providers/xapi-keys", "/api/v1/cpd/providers/xapi-keys/remove"]:
            self.assertIn(("POST", want), marked)
        self.assertNotIn(("GET", "/api/v1/cpd/providers"), marked)
        self.assertNotIn(("GET", "/api/v1/cpd/providers/xapi-keys"), marked)


if __name__ == "__main__":
    unittest.main()
