"""rissd foundation behaviour over real HTTP: health, problem+json errors, body limits,
security headers, metrics, access log hygiene, graceful shutdown, schema check, and
readiness while the database is down and after it returns."""
import os
import re
import socket
import signal
import subprocess
import tempfile
import time
import unittest

from rissd_harness import Rissd, PrivatePg, riss, require_stack

require_stack()
riss("db", "migrate")


class ServerBasics(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Rissd(settings={"http_body_limit": 2048})

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()
        cls.d.cleanup()

    def assertProblem(self, status, hdrs, body, want_status, want_type):
        self.assertEqual(status, want_status)
        self.assertEqual(hdrs["content-type"], "application/problem+json")
        self.assertEqual(body["status"], want_status)
        self.assertEqual(body["type"], "/problems/" + want_type)
        self.assertTrue(body["title"])
        self.assertTrue(body["detail"])

    def test_healthz(self):
        status, hdrs, body = self.d.json("GET", "/healthz")
        self.assertEqual(status, 200)
        self.assertEqual(body, {"status": "ok"})
        self.assertEqual(hdrs["x-content-type-options"], "nosniff")
        self.assertIn("frame-ancestors 'none'", hdrs["content-security-policy"])
        self.assertEqual(hdrs["referrer-policy"], "no-referrer")
        self.assertEqual(len(hdrs["x-request-id"]), 16)

    def test_readyz_checks_database(self):
        status, _, body = self.d.json("GET", "/readyz")
        self.assertEqual(status, 200)
        self.assertEqual(body["database"], "ok")

    def test_not_found_is_problem_json_in_japanese_by_default(self):
        status, hdrs, body = self.d.json("GET", "/no/such/page")
        self.assertProblem(status, hdrs, body, 404, "not-found")
        self.assertEqual(body["title"], "見つかりません")
        status, hdrs, body = self.d.json("GET", "/no/such/page", headers={"Accept-Language": "en-GB,en;q=0.9"})
        self.assertEqual(body["title"], "Not found")

    def test_public_details_in_the_readers_language(self):
        # Each detail the server writes itself is a catalogue entry: Japanese by default,
        # English when asked, named by message_id, Content-Language saying which.
        cases = [
            ("/statuslists/0", 404, "not-found", "statuslist.not_found", "ステータスリスト", "no such status list"),
            ("/api/v1/log/inclusion?index=x", 400, "invalid-request", "tlog.inclusion_args", "整数", "whole numbers"),
            ("/api/v1/log/consistency?first=-1", 400, "invalid-request", "tlog.consistency_args", "整数", "whole numbers"),
            ("/static/no-such-file.css", 404, "not-found", "problem.not-found.detail", "何もありません", "nothing at this address"),
        ]
        for path, want, typ, mid, ja, en in cases:
            with self.subTest(path=path):
                status, hdrs, body = self.d.json("GET", path)
                self.assertProblem(status, hdrs, body, want, typ)
                self.assertEqual(hdrs["content-language"], "ja")
                self.assertEqual(body["message_id"], mid)
                self.assertIn(ja, body["detail"])
                # Parameter names stand quoted in 「」; no English sentence besides.
                self.assertNotRegex(re.sub(r"「[^」]*」", "", body["detail"]), r"[A-Za-z]{4,}")
                status, hdrs, body = self.d.json("GET", path, headers={"Accept-Language": "en"})
                self.assertEqual(hdrs["content-language"], "en")
                self.assertIn(en, body["detail"])
                self.assertNotRegex(body["detail"] + body["title"], r"[\u3040-\u30ff\u4e00-\u9fff]")

    def test_wrong_method_is_405_with_allow(self):
        status, hdrs, body = self.d.json("DELETE", "/healthz")
        self.assertProblem(status, hdrs, body, 405, "method-not-allowed")
        self.assertIn("GET", hdrs["allow"])

    def test_oversize_body_is_413(self):
        status, hdrs, body = self.d.json("POST", "/api/v1/staff/login", {"token": "x" * 5000})
        self.assertProblem(status, hdrs, body, 413, "body-too-large")
        self.assertIn("2048", body["detail"])

    def test_oversize_chunked_body_is_413(self):
        s = socket.create_connection(("127.0.0.1", self.d.port), timeout=10)
        req = (b"POST /api/v1/staff/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        chunk = b"x" * 1000
        for _ in range(4):
            req += b"%x\r\n" % len(chunk) + chunk + b"\r\n"
        req += b"0\r\n\r\n"
        s.sendall(req)
        data = b""
        while True:
            part = s.recv(65536)
            if not part:
                break
            data += part
        s.close()
        self.assertTrue(data.startswith(b"HTTP/1.1 413"), data[:60])

    def test_broken_json_is_400_naming_the_problem(self):
        status, hdrs, body = self.d.request("POST", "/api/v1/staff/login", b'{"token": "abc",',
                                            {"Content-Type": "application/json",
                                             "Accept-Language": "en"})
        import json
        body = json.loads(body)
        self.assertProblem(status, hdrs, body, 400, "malformed-json")
        self.assertIn("line 1", body["detail"])

    def test_static_files_have_types_and_caching(self):
        status, hdrs, body = self.d.request("GET", "/static/css/site.css")
        self.assertEqual(status, 200)
        self.assertEqual(hdrs["content-type"], "text/css; charset=utf-8")
        self.assertIn("max-age", hdrs["cache-control"])
        status2, _, _ = self.d.request("GET", "/static/css/site.css", headers={"If-None-Match": hdrs["etag"]})
        self.assertEqual(status2, 304)
        status, hdrs, body = self.d.request("GET", "/")
        self.assertEqual(status, 200)
        self.assertTrue(hdrs["content-type"].startswith("text/html"))
        self.assertIn("script-src 'self'", hdrs["content-security-policy"])
        # Pages carry the document policies (the camera only for this origin: the verify
        # page scans QR codes); API answers carry nosniff and a CSP that allows nothing.
        self.assertEqual(hdrs["cross-origin-opener-policy"], "same-origin")
        self.assertIn("camera=(self)", hdrs["permissions-policy"])
        st, jh, _ = self.d.request("GET", "/healthz")
        self.assertEqual(jh["x-content-type-options"], "nosniff")
        self.assertIn("default-src 'none'", jh["content-security-policy"])
        self.assertNotIn("permissions-policy", jh)
        self.assertEqual(self.d.request("GET", "/static/%2e%2e/%2e%2e/etc/passwd")[0], 404)

    def test_metrics_count_requests(self):
        self.d.request("GET", "/healthz")
        status, hdrs, body = self.d.request("GET", "/metrics")
        self.assertEqual(status, 200)
        text = body.decode()
        self.assertRegex(text, r'riss_http_requests_total\{route="/healthz",method="GET",code="2xx"\} [1-9]')
        self.assertIn('riss_http_request_duration_seconds_bucket{route="/healthz"', text)
        self.assertIn("riss_db_pool_connections{state=\"in_use\"}", text)

    def test_connections_spread_evenly_over_workers(self):
        # A burst of keep-alive connections must not pile onto one worker thread (with
        # libmicrohttpd's own pool, all 64 of a benchmark's connections once landed on one).
        import http.client
        import re
        d = Rissd(settings={"http_threads": 4})
        conns = []

        mc = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)  # one kept-alive asker

        def worker_counts():
            mc.request("GET", "/metrics")
            text = mc.getresponse().read().decode()
            return [int(n) for n in re.findall(r'riss_http_worker_connections\{worker="\d+"\} (\d+)', text)]

        def settle(total):
            # Closed connections are counted out when a worker notices, a moment later.
            deadline = time.time() + 3
            while time.time() < deadline and sum(worker_counts()) != total:
                time.sleep(0.05)
            return worker_counts()

        try:
            self.assertEqual(sum(settle(1)), 1, worker_counts())   # only the connection asking
            for _ in range(16):
                c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
                c.request("GET", "/healthz")
                r = c.getresponse()
                r.read()
                self.assertEqual(r.status, 200)
                conns.append(c)
            counts = settle(17)
            self.assertEqual(len(counts), 4, counts)
            # 16 kept-alive connections plus the one asking: 4 or 5 on every worker.
            self.assertEqual(sum(counts), 17, counts)
            self.assertLessEqual(max(counts) - min(counts), 1, counts)
        finally:
            mc.close()
            for c in conns:
                c.close()
            d.stop()
            d.cleanup()

    def test_survives_running_out_of_descriptors(self):
        # With its descriptor limit cut to 48 and 80 connections opened, rissd keeps running,
        # says so once in its log, and serves again as soon as connections close.
        d = Rissd()
        socks = []
        try:
            subprocess.run(["prlimit", "--pid", str(d.proc.pid), "--nofile=48:48"], check=True)
            for _ in range(80):
                socks.append(socket.create_connection(("127.0.0.1", d.port), timeout=5))
            time.sleep(1.0)
            self.assertIsNone(d.proc.poll())
            for sk in socks:
                sk.close()
            socks = []
            deadline = time.time() + 10
            status = None
            while time.time() < deadline:
                try:
                    status = d.request("GET", "/healthz", timeout=2)[0]
                    break
                except OSError:
                    time.sleep(0.2)
            self.assertEqual(status, 200)
            warnings = [ln for ln in d.read_log().splitlines() if "accept: Too many open files" in ln]
            self.assertEqual(len(warnings), 1, warnings)
        finally:
            for sk in socks:
                sk.close()
            d.stop()
            d.cleanup()

    def test_connection_limit(self):
        # http_connection_limit 16: a 17th connection is closed at once, the 16 stay served,
        # and once one closes a new one is taken.
        import http.client
        d = Rissd(settings={"http_connection_limit": 16, "http_threads": 2})
        conns = []
        try:
            for _ in range(16):
                c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=5)
                c.request("GET", "/healthz")
                r = c.getresponse()
                r.read()
                self.assertEqual(r.status, 200)
                conns.append(c)
            extra = socket.create_connection(("127.0.0.1", d.port), timeout=5)
            extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            try:
                self.assertEqual(extra.recv(100), b"")          # closed without an answer
            except ConnectionResetError:
                pass
            extra.close()
            conns[0].request("GET", "/healthz")
            self.assertEqual(conns[0].getresponse().status, 200)
            conns.pop().close()
            deadline = time.time() + 5
            while time.time() < deadline:
                try:
                    if d.request("GET", "/healthz", timeout=2)[0] == 200:
                        break
                except OSError:
                    time.sleep(0.1)
            else:
                self.fail("no connection taken after one closed")
        finally:
            for c in conns:
                c.close()
            d.stop()
            d.cleanup()

    def test_header_size_bound(self):
        # Each connection has a fixed 32 KB arena (zeroed between requests, so its size is
        # paid on every request): 12 KB of cookies still pass, 40 KB is a clear 431.
        self.assertEqual(self.d.request("GET", "/healthz", headers={"Cookie": "x=" + "a" * 12000})[0], 200)
        self.assertEqual(self.d.request("GET", "/healthz", headers={"Cookie": "x=" + "a" * 40000})[0], 431)
        self.assertEqual(self.d.request("GET", "/healthz")[0], 200)

    def test_access_log_never_holds_tokens(self):
        secret = "eyJhbGciOiJFZERTQSJ9.c2VjcmV0LXBheWxvYWQ.c2ln"
        self.d.request("GET", "/v/" + secret)
        self.d.request("GET", "/healthz?token=" + secret)
        time.sleep(0.2)
        log = self.d.read_log()
        self.assertIn('access "GET /healthz"', log)
        self.assertNotIn(secret, log)


class ServerLifecycle(unittest.TestCase):
    def test_sigterm_stops_gracefully(self):
        d = Rissd()
        try:
            self.assertEqual(d.stop(signal.SIGTERM), 0)
            self.assertIn("rissd stopped", d.read_log())
        finally:
            d.cleanup()


    def test_public_surfaces_read_from_db_read_url(self):
        """db_read_url (a replica in production) serves verify/register reads; the exam and
        staff paths and /readyz stay on db_url."""
        db = os.environ["RISS_TEST_DB_URL"]
        # A read-only session (as on a streaming replica): the register search works.
        ro = Rissd(settings={"db_read_url": db + " options='-c default_transaction_read_only=on'"})
        try:
            st, _, body = ro.json("GET", "/api/v1/register/search?q=%E8%A9%A6%E9%A8%93")
            self.assertEqual(st, 200, body)
        finally:
            ro.stop()
            ro.cleanup()
        # A read URL that cannot be reached: only the public surfaces answer 503.
        dead = Rissd(settings={"db_read_url": "host=127.0.0.1 port=1 dbname=none connect_timeout=2"})
        try:
            st, _, body = dead.json("GET", "/api/v1/register/search?q=%E8%A9%A6%E9%A8%93")
            self.assertEqual(st, 503, body)
            self.assertEqual(body["type"], "/problems/service-unavailable")
            self.assertEqual(dead.request("GET", "/readyz")[0], 200)
        finally:
            dead.stop()
            dead.cleanup()

    def test_refuses_out_of_date_schema_naming_migration(self):
        pg = PrivatePg()
        try:
            conf = os.path.join(pg.dir, "riss.conf")
            pg.write_config(conf)
            d = Rissd(config=conf, expect_start=False)
            rc = d.proc.wait(30)
            self.assertNotEqual(rc, 0)
            self.assertIn("0001_audit.sql", d.read_log())
            d.cleanup()
        finally:
            pg.destroy()

    def test_readyz_503_while_database_down_and_recovers(self):
        pg = PrivatePg()
        try:
            conf = os.path.join(pg.dir, "riss.conf")
            pg.write_config(conf)
            riss("db", "migrate", config=conf)
            d = Rissd(config=conf)
            try:
                pg.kill9()
                deadline = time.time() + 20
                status = None
                while time.time() < deadline:
                    status, hdrs, body = d.json("GET", "/readyz")
                    if status == 503:
                        break
                    time.sleep(0.2)
                self.assertEqual(status, 503)
                self.assertEqual(body["type"], "/problems/service-unavailable")
                self.assertEqual(body["message_id"], "http.db_unreachable")
                self.assertIn("データベースに接続できません", body["detail"])
                self.assertEqual(d.json("GET", "/healthz")[0], 200)  # still alive
                pg.start()
                deadline = time.time() + 30
                while time.time() < deadline:
                    status = d.json("GET", "/readyz")[0]
                    if status == 200:
                        break
                    time.sleep(0.2)
                self.assertEqual(status, 200)
                self.assertEqual(d.stop(), 0)
            finally:
                d.cleanup()
        finally:
            pg.destroy()


if __name__ == "__main__":
    unittest.main(verbosity=2)
