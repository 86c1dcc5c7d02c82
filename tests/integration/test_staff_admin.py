"""Operators' acts on staff accounts (issue 17, ASVS 2.5.7 and 2.8.6) over real HTTP and
PostgreSQL: `riss staff disable` ends a signed-in session at once and refuses the next
sign-in, `enable` undoes it, `role` changes what the next session may do, and `reset-totp`
makes the old authenticator's codes fail while the new key's work. The irreversible ones ask
for --yes; each act is audited; messages come in Japanese, then English."""
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rissd_harness import Rissd, psql, require_stack, riss, totp  # noqa: E402
from test_auth import PASSWORD, add_staff  # noqa: E402

require_stack()
RUN = str(os.getpid())


class StaffAdmin(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Rissd()

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def user(self, role):
        name = f"sa{RUN}{role[:3]}{time.time_ns() % 10**6}"
        return name, add_staff(name, role)

    def login(self, user, code):
        st, hdrs, b = self.d.json("POST", "/api/v1/staff/login", {"username": user, "password": PASSWORD,
                                                                  "totp": code})
        return st, ({"Cookie": hdrs["set-cookie"].split(";")[0], "X-CSRF-Token": b["csrf"]} if st == 200 else None)

    def audit(self, user, action):
        return json.loads(psql("SELECT coalesce(json_agg(detail ORDER BY id), '[]') FROM audit.events "
                               f"WHERE action = '{action}' AND detail->>'username' = '{user}'"))

    def test_disable_ends_the_session_and_enable_undoes_it(self):
        user, secret = self.user("registrar")
        st, staff = self.login(user, totp(secret))
        self.assertEqual(st, 200)
        self.assertEqual(self.d.json("GET", "/api/v1/staff/me", headers=staff)[0], 200)

        out = riss("staff", "disable", user, check=False)
        self.assertEqual(out.returncode, 2, out.stderr)  # irreversible for the sessions: asks first
        self.assertIn("--yes", out.stderr)
        self.assertIn("取り消せません", out.stderr)
        self.assertEqual(self.d.json("GET", "/api/v1/staff/me", headers=staff)[0], 200)

        out = riss("staff", "disable", user, "--yes")
        self.assertIn("無効にしました", out.stderr)
        self.assertIn("is disabled (1 sessions ended)", out.stderr)
        self.assertEqual(self.d.json("GET", "/api/v1/staff/me", headers=staff)[0], 401)
        self.assertEqual(self.login(user, totp(secret, offset=1))[0], 401)
        self.assertIn("disabled", riss("staff", "list").stdout.split(user)[1].splitlines()[0])
        self.assertEqual([d["sessions_ended"] for d in self.audit(user, "staff.disabled")], [1])

        out = riss("staff", "disable", user, "--yes")
        self.assertIn("nothing was changed", out.stderr)
        self.assertEqual(len(self.audit(user, "staff.disabled")), 1)

        riss("staff", "enable", user)
        self.assertEqual(self.login(user, totp(secret, offset=1))[0], 200)  # the refused try took no step
        self.assertEqual(len(self.audit(user, "staff.enabled")), 1)

    def test_role_change_applies_from_the_next_sign_in(self):
        user, secret = self.user("statistician")
        st, staff = self.login(user, totp(secret))
        self.assertEqual(self.d.json("GET", "/api/v1/schedule/centres", headers=staff)[0], 403)
        bad = riss("staff", "role", user, "proctor", check=False)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("centre", bad.stderr)
        riss("staff", "role", user, "registrar")
        self.assertEqual(self.d.json("GET", "/api/v1/staff/me", headers=staff)[0], 401)
        st, staff = self.login(user, totp(secret, offset=1))
        st, _, me = self.d.json("GET", "/api/v1/staff/me", headers=staff)
        self.assertEqual(me["role"], "registrar")
        self.assertEqual([(d["from"], d["to"]) for d in self.audit(user, "staff.role.changed")],
                         [("statistician", "registrar")])

    def test_reset_totp_retires_the_old_key(self):
        user, old = self.user("auditor")
        st, staff = self.login(user, totp(old))
        self.assertEqual(st, 200)
        self.assertEqual(riss("staff", "reset-totp", user, check=False).returncode, 2)
        out = riss("staff", "reset-totp", user, "--yes")
        new = out.stdout.split("totp_secret ")[1].split()[0]
        self.assertNotEqual(new, old)
        self.assertIn(f"otpauth://totp/RISS:{user}?secret={new}", out.stdout)
        self.assertIn("新しい鍵", out.stderr)
        self.assertEqual(self.d.json("GET", "/api/v1/staff/me", headers=staff)[0], 401)
        self.assertEqual(self.login(user, totp(old, offset=1))[0], 401)
        self.assertEqual(self.login(user, totp(new))[0], 200)
        # The secret is sealed at rest like every other, and the audit row holds no secret.
        self.assertTrue(psql(f"SELECT totp_secret FROM staff.accounts WHERE username = '{user}'").startswith("s1."))
        self.assertNotIn(new, json.dumps(self.audit(user, "staff.totp.reset")))

    def test_unknown_account(self):
        out = riss("staff", "enable", "nobody" + RUN, check=False)
        self.assertEqual(out.returncode, 2)
        self.assertIn("職員アカウント", out.stderr)
        self.assertIn("there is no staff account", out.stderr)


if __name__ == "__main__":
    unittest.main()
