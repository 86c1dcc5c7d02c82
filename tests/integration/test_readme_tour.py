"""The README's first tour, line by line, as a new user would follow it after ./deploy/dev up:
the demo data loaded by deploy/demo/*.sh into a database of its own, every tour URL fetched
from a real rissd (pages and the files they load), the demo credentials' verdicts (000001
valid, 000004 suspended, 000005 revoked), the staff named in the tour signing in with
docs/demo.md's secrets, the proctor admitting a demo candidate whose code opens /exam, and
every `build/cli/riss` line of the tour run as written (build/ and var/ mapped to this
test's build and state folders)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rissd_harness import BUILD, ROOT, PrivatePg, Rissd, require_stack  # noqa: E402
from test_auth import totp  # noqa: E402
from test_exam_lib import Candidate  # noqa: E402


def tour_section():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
    start = text.index("## A first tour")
    return text[start:text.index("\n## ", start + 1)]


def demo_staff():
    """username -> (password, TOTP secret) from docs/demo.md."""
    with open(os.path.join(ROOT, "docs", "demo.md"), encoding="utf-8") as f:
        text = f.read()
    password = re.search(r"password `([^`]+)`", text).group(1)
    return {m.group(1): (password, m.group(2))
            for m in re.finditer(r"^\| (\w+) \| \w+ \|[^|]*\| ([A-Z2-7]{16,}) \|$", text, re.M)}


class ReadmeTour(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.var = tempfile.mkdtemp(prefix="riss-tour-")
        cls.pg = PrivatePg()
        cls.conf = os.path.join(cls.var, "riss.conf")
        cls.pg.write_config(cls.conf, f'keys_dir = "{cls.var}/keys"\nsignd_socket = "{cls.var}/run/signd.sock"\n')
        os.makedirs(os.path.join(cls.var, "run"))
        # RISS_DEMO_RESULTS: the statistics demo (70_stats.sh) at a tenth of its size here; its
        # full size is integration-demo's.
        cls.env = dict(os.environ, RISS_CONFIG=cls.conf, RISS=os.path.join(BUILD, "cli", "riss"), ROOT=ROOT,
                       RISS_DEMO_RESULTS="2000")
        subprocess.run([cls.env["RISS"], "db", "migrate"], cwd=ROOT, env=cls.env, check=True, capture_output=True)
        # What ./deploy/dev up loads (deploy/dev load_demo), with this test's settings file.
        for script in sorted(os.listdir(os.path.join(ROOT, "deploy", "demo"))):
            if script.endswith(".sh"):
                r = subprocess.run(["bash", os.path.join(ROOT, "deploy", "demo", script)], cwd=ROOT, env=cls.env,
                                   capture_output=True, text=True)
                assert r.returncode == 0, f"deploy/demo/{script}: {r.stdout}{r.stderr}"
        # riss-signd as ./deploy/dev up starts it (the demo scripts start one only while they
        # issue): the tour's export-ob3 signs through it.
        cls.signd = subprocess.Popen([os.path.join(BUILD, "certs", "riss-signd"), "--keys", os.path.join(cls.var, "keys"),
                                      "--socket", os.path.join(cls.var, "run", "signd.sock")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        sock, deadline = os.path.join(cls.var, "run", "signd.sock"), time.monotonic() + 20
        while not os.path.exists(sock) and time.monotonic() < deadline and cls.signd.poll() is None:
            time.sleep(0.05)
        cls.rissd = Rissd(config=cls.conf)
        cls.tour = tour_section()

    @classmethod
    def tearDownClass(cls):
        cls.rissd.stop()
        cls.rissd.cleanup()
        cls.signd.terminate()
        cls.signd.wait()
        cls.pg.destroy()
        shutil.rmtree(cls.var, ignore_errors=True)

    def local(self, text):
        """The tour's text with $(cat var/...) read from this test's var folder."""
        def cat(m):
            with open(os.path.join(self.var, m.group(1)), encoding="utf-8") as f:
                return f.read().strip()
        return re.sub(r"\$\(cat var/([^)]+)\)", cat, text)

    def token(self, regno):
        return self.local(f"$(cat var/demo/credentials/{regno}/token.jws)")

    def test_tour_urls_serve_their_pages(self):
        urls = re.findall(r"http://127\.0\.0\.1:8080(/(?:\$\(cat [^)]+\)|[^\s$)`])*)", self.tour)
        paths = sorted({self.local(u).rstrip(".,") for u in urls})
        for p in ("/", "/register", "/proctor", "/exam", "/admin", "/verify"):
            self.assertIn(p, paths)
        self.assertIn("/v/" + self.token("000001"), paths)
        for path in paths:
            with self.subTest(path=path[:40]):
                st, hdrs, body = self.rissd.request("GET", path)
                self.assertEqual(st, 200, body[:300])
                self.assertTrue(hdrs["content-type"].startswith("text/html"), hdrs["content-type"])
                page = body.decode("utf-8")
                self.assertIn('<html lang="ja">', page)
                # Every stylesheet, script and image the page names is there.
                for ref in re.findall(r'(?:href|src)="(/[^"]*)"', page):
                    if ref.startswith(("/static/", "/i18n/", "/js/", "/css/")):
                        st2, _, _ = self.rissd.request("GET", ref)
                        self.assertEqual(st2, 200, f"{path} loads {ref}")

    def test_demo_credentials_verdicts(self):
        # What /v/<token> shows: the page asks /api/v1/verify with the token.
        for regno, verdict in (("000001", "valid"), ("000004", "suspended"), ("000005", "revoked")):
            st, _, v = self.rissd.json("POST", "/api/v1/verify", {"token": self.token(regno)})
            self.assertEqual((st, v["verdict"], v["registrant"]["regno"]), (200, verdict, regno))
        # The QR codes (var/demo/credentials/*/qr.png) carry the verify URL of the same token.
        creds = os.path.join(self.var, "demo", "credentials")
        self.assertEqual(sorted(os.listdir(creds)), ["000001", "000002", "000003", "000004", "000005", "000006"])
        r = subprocess.run(["zbarimg", "-q", "--raw", os.path.join(creds, "000005", "qr.png")],
                           capture_output=True, text=True, check=True)
        self.assertTrue(r.stdout.strip().endswith("/v/" + self.token("000005")), r.stdout)
        # The public register finds the demo registrants.
        st, _, found = self.rissd.json("GET", "/api/v1/register/search?q=000001")
        self.assertEqual((st, [x["regno"] for x in found["results"]]), (200, ["000001"]))

    def login(self, user):
        # One sign-in per user and run: a TOTP code is good once (a second sign-in in the same
        # 30 s would be refused as a replay).
        sessions = self.__class__.__dict__.get("sessions") or {}
        self.__class__.sessions = sessions
        if user not in sessions:
            sessions[user] = self.sign_in(user)
        return sessions[user]

    def sign_in(self, user):
        password, secret = demo_staff()[user]
        st, hdrs, body = self.rissd.json("POST", "/api/v1/staff/login",
                                         {"username": user, "password": password, "totp": totp(secret)})
        self.assertEqual(st, 200, body)
        return {"Cookie": hdrs["set-cookie"].split(";")[0], "X-CSRF-Token": body["csrf"]}

    def test_demo_standings_as_the_tour_names_them(self):
        # The tour: 000001 renewable (and able to apply at /me), 000002 and 000006 on track,
        # 000003 overdue, whatever day the demo is loaded.
        self.assertIn("/api/v1/cpd/status/000001` (renewable", " ".join(self.tour.split()))
        h = self.login("registrar1")
        for regno, state in (("000001", "renewable"), ("000002", "on_track"), ("000003", "overdue"),
                             ("000006", "on_track")):
            st, _, b = self.rissd.json("GET", f"/api/v1/cpd/status/{regno}", headers=h)
            self.assertEqual((st, b.get("state")), (200, state), b)
        with open(os.path.join(self.var, "demo", "me-codes.txt"), encoding="utf-8") as f:
            code = dict(line.split() for line in f)["000001"]
        password = "demo registrant password"
        st, _, b = self.rissd.json("POST", "/api/v1/me/activate", {"regno": "000001", "code": code,
                                                                  "password": password})
        self.assertEqual(st, 200, b)
        st, hdrs, b = self.rissd.json("POST", "/api/v1/me/login", {"regno": "000001", "password": password,
                                                                  "totp": totp(b["totp_secret"])})
        self.assertEqual(st, 200, b)
        st, _, me = self.rissd.json("GET", "/api/v1/me", headers={"Cookie": hdrs["set-cookie"].split(";")[0]})
        self.assertEqual((st, me["standing"]["state"], me["may_apply"]), (200, "renewable", True), me)

    def test_staff_of_the_tour_sign_in_and_proctor_admits(self):
        for user in ("registrar1", "statistician1"):
            self.assertIn(user, self.tour)
            self.login(user)
        h = self.login("proctor1")
        st, _, day = self.rissd.json("GET", "/api/v1/proctor/bookings", headers=h)
        self.assertEqual(st, 200, day)
        self.assertGreaterEqual(len(day["bookings"]), 3)
        booking = day["bookings"][0]["booking"]
        st, _, body = self.rissd.json("POST", "/api/v1/proctor/identity", {"booking": booking, "document": "driver_licence",
                                                                   "number_tail": "1234"},
                                      headers=h)
        self.assertEqual(st, 200, body)
        st, _, adm = self.rissd.json("POST", "/api/v1/proctor/admit", {"booking": booking, "seat": "A-1"}, headers=h)
        self.assertEqual(st, 200, adm)
        # The candidate types the admission code at /exam and the adaptive exam begins.
        c = Candidate(self.rissd.port)
        self.assertEqual(c.start(adm["code"])[0], 200)
        st, v = c.call("POST", "/api/v1/exam/begin")
        self.assertEqual(st, 200, v)
        self.assertTrue(v["item"]["item_id"])

    def test_tour_commands_run_as_written(self):
        block = re.search(r"```sh\n(.*?)```", self.tour, re.S).group(1)
        lines = [ln for ln in block.splitlines() if ln.startswith("build/cli/riss ")]
        self.assertGreaterEqual(len(lines), 8)
        expect = {"calibrate": "-2658.805", "analyze items": "item5", "bank validate": "valid: 187 items",
                  "simulate": "exam SG", "keys list": "active", "credential verify": "VALID",
                  "log verify": "agree", "stats export": "disclosure", "credential export-ob3": "eyJ"}
        seen = set()
        for line in lines:
            cmd = line.split("  #")[0].strip()
            shell = cmd.replace("build/", BUILD + "/", 1).replace("var/", self.var + "/")
            with self.subTest(cmd=cmd):
                r = subprocess.run(["bash", "-c", shell], cwd=ROOT, env=self.env, capture_output=True, text=True,
                                   timeout=120)
                self.assertEqual(r.returncode, 0, f"{cmd}\n{r.stdout[-2000:]}{r.stderr[-2000:]}")
                for key, text in expect.items():
                    if cmd.startswith("build/cli/riss " + key):
                        self.assertIn(text, r.stdout, cmd)
                        seen.add(key)
        self.assertEqual(seen, set(expect))


if __name__ == "__main__":
    require_stack()
    unittest.main(verbosity=2)
