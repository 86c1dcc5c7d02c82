"""A new exam window gets the exam's active package (issue 12 follow-up), over real HTTP on a
private PostgreSQL: with no active package the registrar's window is refused in the reader's
language, naming what to do; after publication and activation a new window names the active
package, keeps it when another is activated later, and a candidate booked on it is admitted
and served; an explicit package overrides the default; the registrar gives a window without
sittings another package, and cannot once a sitting has started."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_exam_lib import Candidate, Rissd, admit, private_stack, publish_package, seed  # noqa: E402
from test_auth import add_staff_in, totp  # noqa: E402


def psql(pg, sql):
    return subprocess.run(["psql", pg.conninfo, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql],
                          capture_output=True, text=True, check=True).stdout.strip()


def window(name):
    return {"exam": "SG", "name": name, "opens_on": "2020-01-01", "closes_on": "2099-12-31"}


class WindowPackage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="riss-winpkg-")
        cls.pg, cls.conf = private_stack(cls.tmp, package=False)
        cls.rissd = Rissd(config=cls.conf)
        name = f"wpreg{os.getpid()}"
        secret = add_staff_in(cls.conf, name, "registrar")
        st, hdrs, body = cls.rissd.json("POST", "/api/v1/staff/login", {
            "username": name, "password": "correct horse battery", "totp": totp(secret)})
        assert st == 200, body
        cls.reg = {"Cookie": hdrs["set-cookie"].split(";")[0], "X-CSRF-Token": body["csrf"]}

    @classmethod
    def tearDownClass(cls):
        cls.rissd.stop()
        cls.rissd.cleanup()
        cls.pg.destroy()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def post(self, path, obj, lang=None):
        h = dict(self.reg, **({"Accept-Language": lang} if lang else {}))
        st, _, body = self.rissd.json("POST", path, obj, headers=h)
        return st, body

    def listed(self, wid):
        st, _, body = self.rissd.json("GET", "/api/v1/schedule/windows", headers=self.reg)
        self.assertEqual(st, 200, body)
        return next(w for w in body["items"] if w["id"] == wid)

    def test_window_package_default_override_and_desk(self):
        # No package yet: refused, bilingual, naming what to do; no window is stored.
        st, body = self.post("/api/v1/schedule/windows", window("W none"))
        self.assertEqual(st, 409, body)
        self.assertTrue(body["type"].endswith("/problems/no-package"), body)
        self.assertIn("公開して有効に", body["detail"])
        st, body = self.post("/api/v1/schedule/windows", window("W none"), lang="en")
        self.assertEqual(st, 409, body)
        self.assertIn("publish and activate an exam package", body["detail"])
        self.assertEqual(psql(self.pg, "SELECT count(*) FROM exam.windows WHERE name = 'W none'"), "0")

        first = publish_package(self.conf)
        st, w1 = self.post("/api/v1/schedule/windows", window("W one"))
        self.assertEqual((st, w1["package"]), (201, first), w1)
        row = self.listed(w1["id"])
        self.assertEqual((row["package"], row["package_state"], row["sittings"]), (first, "active", 0))
        self.assertEqual(len(row["package_sha256"]), 64)

        # A published (not active) package: chosen explicitly at creation, or later on the desk.
        second = publish_package(self.conf, activate=False)
        st, w2 = self.post("/api/v1/schedule/windows", dict(window("W two"), package=second))
        self.assertEqual((st, w2["package"]), (201, second), w2)
        st, _, pk = self.rissd.json("GET", "/api/v1/schedule/packages", headers=self.reg)
        self.assertEqual({p["id"]: p["state"] for p in pk["items"]}, {first: "active", second: "published"})
        st, body = self.post("/api/v1/schedule/windows/package", {"window": w1["id"], "package": second})
        self.assertEqual((st, body["package"]), (200, second), body)
        st, body = self.post("/api/v1/schedule/windows/package", {"window": w1["id"], "package": first})
        self.assertEqual((st, body["package"]), (200, first), body)

        # A candidate booked on the window is admitted and served from its package.
        booking = seed(self.conf, 1, prefix="wp", window="W one")[0]
        adm = admit(self.conf, booking, "P-1")
        c = Candidate(self.rissd.port, seed=booking)
        st, body = c.start(adm["code"])
        self.assertEqual(st, 200, body)
        st, v = c.call("POST", "/api/v1/exam/begin")
        self.assertEqual(st, 200, v)
        self.assertIn("item", v)
        self.assertEqual(psql(self.pg, f"SELECT package_id FROM exam.sessions WHERE id = {adm['session']}"), str(first))

        # Once a sitting has started the desk cannot change the window's package.
        st, body = self.post("/api/v1/schedule/windows/package", {"window": w1["id"], "package": second}, lang="en")
        self.assertEqual(st, 409, body)
        self.assertIn("already has 1 sittings", body["detail"])
        self.assertEqual(self.listed(w1["id"])["sittings"], 1)

        # Activating another package later leaves existing windows alone; new windows get it.
        third = publish_package(self.conf)
        self.assertEqual(self.listed(w1["id"])["package"], first)
        self.assertEqual(self.listed(w1["id"])["package_state"], "superseded")
        st, body = self.post("/api/v1/schedule/windows", window("W one"))  # re-put keeps the package
        self.assertEqual((st, body["package"]), (201, first), body)
        st, w3 = self.post("/api/v1/schedule/windows", window("W three"))
        self.assertEqual((st, w3["package"]), (201, third), w3)


if __name__ == "__main__":
    unittest.main(verbosity=2)
