"""TOTP secrets sealed at rest (security, issue 17; sec3) over real PostgreSQL and HTTP.

The shared test database: a new staff account's stored secret is not its base32 secret, and
signing in with a code from the secret works; a sealed secret copied to another account does
not open there. A private database on the test cluster, with its own key file: migration
0014 plus `riss db migrate` seal a secret stored in clear before it and forbid clear ones
after; `riss totp rotate-key` re-seals every row under a new key, audited, while sign-in
keeps working (in a rissd started before the rotation, too); rissd refuses to start,
saying why in Japanese and English, with the key file missing, readable by others, or a
different key than the secrets were sealed under."""
import base64
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rissd_harness import RISS, RISSD, ROOT, Rissd, psql, require_stack, totp, totp_key_file  # noqa: E402
from test_auth import PASSWORD, add_staff, add_staff_in  # noqa: E402

require_stack()
RUN = str(os.getpid())
SEALED = re.compile(r"^s1\.[0-9a-f]{8}\.[A-Za-z0-9_-]{64}$")


def stored(user, url=None):
    return psql(f"SELECT totp_secret FROM staff.accounts WHERE username = '{user}'", url)


def sign_in(d, user, secret, offset=0):
    st, _, b = d.json("POST", "/api/v1/staff/login", {"username": user, "password": PASSWORD,
                                                      "totp": totp(secret, offset=offset)})
    return st, b


class SharedDatabase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Rissd()

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def test_stored_secret_is_sealed_and_sign_in_works(self):
        user = f"ts{RUN}a"
        secret = add_staff(user, "registrar")
        row = stored(user)
        self.assertRegex(row, SEALED)
        self.assertNotIn(secret, row)
        self.assertNotIn(base64.b32decode(secret).hex(), row)
        st, b = sign_in(self.d, user, secret)
        self.assertEqual(st, 200, b)

    def test_secret_copied_to_another_account_does_not_open(self):
        a, b = f"ts{RUN}b", f"ts{RUN}c"
        secret_a = add_staff(a, "registrar")
        add_staff(b, "auditor")
        psql(f"UPDATE staff.accounts SET totp_secret = (SELECT totp_secret FROM staff.accounts WHERE username = '{a}') "
             f"WHERE username = '{b}'")
        st, body = sign_in(self.d, b, secret_a)
        self.assertEqual(st, 401, body)
        # The account it came from still signs in.
        st, body = sign_in(self.d, a, secret_a)
        self.assertEqual(st, 200, body)
        self.assertIn("does not open", self.d.read_log())
        self.assertNotIn(secret_a, self.d.read_log())


class Registrants(unittest.TestCase):
    """The same for registrants' /me accounts (registry.accounts, bound to the number)."""

    @classmethod
    def setUpClass(cls):
        cls.d = Rissd()

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def me_login(self, regno, secret):
        return self.d.json("POST", "/api/v1/me/login", {"regno": regno, "password": PASSWORD, "totp": totp(secret)})

    def test_registrant_secret_sealed_and_bound_to_the_number(self):
        from test_security import registrant
        a, secret_a = registrant(self.d, "封印 一郎")
        b, _ = registrant(self.d, "封印 二郎")
        row = psql(f"SELECT totp_secret FROM registry.accounts WHERE regno = '{a}'")
        self.assertRegex(row, SEALED)
        self.assertNotIn(secret_a, row)
        st, _, body = self.me_login(a, secret_a)
        self.assertEqual(st, 200, body)
        psql(f"UPDATE registry.accounts SET totp_secret = '{row}' WHERE regno = '{b}'")
        st, _, body = self.me_login(b, secret_a)
        self.assertEqual(st, 401, body)


class PrivateDatabase(unittest.TestCase):
    """Migration of clear secrets, key rotation and start refusals need their own rows and key."""

    @classmethod
    def setUpClass(cls):
        cls.db = f"riss_totp_{RUN}"
        cls.pg = os.environ["RISS_TEST_PG_URL"]
        cls.url = f"{cls.pg} dbname={cls.db}"
        psql(f"DROP DATABASE IF EXISTS {cls.db}", f"{cls.pg} dbname=postgres")
        psql(f"CREATE DATABASE {cls.db}", f"{cls.pg} dbname=postgres")
        cls.tmp = tempfile.mkdtemp(prefix="riss-totp-")
        cls.key = totp_key_file(cls.tmp)
        with open(os.environ["RISS_TEST_CONFIG"]) as f:
            text = f.read().replace("dbname=riss_test", f"dbname={cls.db}")
        text = re.sub(r'(?m)^totp_key_file = .*$', f'totp_key_file = "{cls.key}"', text)
        cls.conf = os.path.join(cls.tmp, "riss.conf")
        with open(cls.conf, "w") as f:
            f.write(text)
        # The migrations before 0014, then a staff account whose secret is in clear, as then.
        early = os.path.join(cls.tmp, "early")
        os.mkdir(early)
        for name in os.listdir(os.path.join(ROOT, "deploy", "migrations")):
            if name < "0014":
                os.symlink(os.path.join(ROOT, "deploy", "migrations", name), os.path.join(early, name))
        cls.riss("db", "migrate", env={"RISS_MIGRATIONS_DIR": early})
        cls.old_user, cls.old_secret = f"old{RUN}", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
        # (its password hash: one made by riss staff add on the shared database, same password)
        donor = f"donor{RUN}"
        add_staff(donor, "auditor")
        phc = psql(f"SELECT password_hash FROM staff.accounts WHERE username = '{donor}'")
        psql(f"INSERT INTO staff.accounts (username, display_name, role, password_hash, totp_secret) VALUES "
             f"('{cls.old_user}', '旧', 'registrar', '{phc}', '{cls.old_secret}')", cls.url)
        cls.migrated = cls.riss("db", "migrate")

    @classmethod
    def tearDownClass(cls):
        psql(f"DROP DATABASE IF EXISTS {cls.db} WITH (FORCE)", f"{cls.pg} dbname=postgres")
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def riss(cls, *args, env=None, stdin=None, check=True):
        e = dict(os.environ, RISS_CONFIG=cls.conf, **(env or {}))
        out = subprocess.run([RISS, *args], cwd=ROOT, env=e, input=stdin, capture_output=True, text=True)
        if check:
            assert out.returncode == 0, out.stderr
        return out

    def start_refused(self, conf_text=None, key_bytes=None, mode=0o600):
        """rissd with a copy of the config whose key file is key_bytes (None: missing) at mode."""
        d = tempfile.mkdtemp(dir=self.tmp)
        key = os.path.join(d, "totp.key")
        if key_bytes is not None:
            fd = os.open(key, os.O_WRONLY | os.O_CREAT, 0o600)
            os.write(fd, key_bytes)
            os.close(fd)
            os.chmod(key, mode)
        conf = os.path.join(d, "riss.conf")
        with open(self.conf) as f:
            text = re.sub(r'(?m)^totp_key_file = .*$', f'totp_key_file = "{key}"', f.read())
        with open(conf, "w") as f:
            f.write(text)
        p = subprocess.run([RISSD, "--config", conf, "--set", "http_port=0"], cwd=ROOT, capture_output=True,
                           text=True, timeout=60)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("起動できません", p.stderr)
        self.assertIn("Not starting", p.stderr)
        return p.stderr

    def test_1_clear_secret_sealed_by_migrate(self):
        self.assertIn("sealed the TOTP secrets of 1 account", self.migrated.stdout)
        row = stored(self.old_user, self.url)
        self.assertRegex(row, SEALED)
        self.assertEqual(psql("SELECT convalidated FROM pg_constraint WHERE conname = 'accounts_totp_secret_sealed' "
                              "AND conrelid = 'staff.accounts'::regclass",
                              self.url), "t")
        self.assertEqual(psql("SELECT count(*) FROM audit.events WHERE action = 'staff.totp.sealed'", self.url), "1")
        # A clear secret cannot be written any more.
        p = subprocess.run(["psql", self.url, "-X", "-c", f"UPDATE staff.accounts SET totp_secret = "
                            f"'{self.old_secret}' WHERE username = '{self.old_user}'"], capture_output=True, text=True)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("accounts_totp_secret_sealed", p.stderr)
        d = Rissd(config=self.conf)
        try:
            st, b = sign_in(d, self.old_user, self.old_secret)
            self.assertEqual(st, 200, b)
        finally:
            d.stop()

    def test_2_rotation_keeps_sign_in_working(self):
        user = f"rot{RUN}"
        secret = add_staff_in(self.conf, user, "auditor")
        before = stored(user, self.url)
        d = Rissd(config=self.conf)  # started under the old key
        try:
            out = self.riss("totp", "rotate-key", "--actor", "test")
            self.assertIn("sealed under key", out.stdout)
            after = stored(user, self.url)
            self.assertRegex(after, SEALED)
            self.assertNotEqual(before[3:11], after[3:11])  # another key id
            self.assertEqual(psql("SELECT count(*) FROM staff.accounts WHERE totp_secret NOT LIKE "
                                  f"'s1.{after[3:11]}.%'", self.url), "0")
            self.assertFalse(os.path.exists(self.key + ".next"))
            self.assertEqual(os.stat(self.key).st_mode & 0o777, 0o600)
            self.assertEqual(psql("SELECT count(*) FROM audit.events WHERE action = 'totp.key.rotated' "
                                  "AND actor = 'cli:test'", self.url), "1")
            # The rissd that knew only the old key picks up the new one.
            st, b = sign_in(d, user, secret)
            self.assertEqual(st, 200, b)
        finally:
            d.stop()
        d = Rissd(config=self.conf)  # and a new one, with the new key only
        try:
            st, b = sign_in(d, self.old_user, self.old_secret, offset=1)
            self.assertEqual(st, 200, b)
        finally:
            d.stop()

    def test_3_start_refused_without_a_sound_key_file(self):
        err = self.start_refused(key_bytes=None)
        self.assertIn("Cannot open the key file", err)
        err = self.start_refused(key_bytes=os.urandom(32), mode=0o644)
        self.assertIn("unreadable by others", err)
        err = self.start_refused(key_bytes=os.urandom(16))
        self.assertIn("exactly 32 bytes", err)
        err = self.start_refused(key_bytes=os.urandom(32))  # sound, but not the key of the secrets
        self.assertIn("which totp_key_file does not hold", err)
        self.assertIn("鍵ファイルの取り違え", err)
        # riss refuses too, before touching the database.
        with open(self.key, "rb") as f:
            good = f.read()
        os.chmod(self.key, 0o640)
        try:
            out = self.riss("staff", "list", check=False)
        finally:
            os.chmod(self.key, 0o600)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("起動できません", out.stderr)
        self.assertIn("chmod 600", out.stderr)
        with open(self.key, "rb") as f:
            self.assertEqual(f.read(), good)


if __name__ == "__main__":
    unittest.main()
