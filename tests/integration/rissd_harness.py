"""Shared helpers for integration tests: a real rissd on a free loopback port against the
real private PostgreSQL that ./deploy/dev test prepared (RISS_TEST_CONFIG, RISS_TEST_BUILD),
and, for tests that stop the database, a throw-away PostgreSQL cluster of their own."""
import base64
import hashlib
import hmac
import http.client
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("RISS_TEST_BUILD", os.path.join(ROOT, "build"))
CONFIG = os.environ.get("RISS_TEST_CONFIG", "")
RISSD = os.path.join(BUILD, "web", "rissd")
RISS = os.path.join(BUILD, "cli", "riss")


def require_stack():
    """Skip (exit 77, meson's 'skipped') when not run through ./deploy/dev test."""
    if not CONFIG or not os.path.exists(CONFIG):
        print("RISS_TEST_CONFIG not set: run through ./deploy/dev test", file=sys.stderr)
        sys.exit(77)


def totp(secret_b32, at=None, offset=0):
    """The RFC 6238 code (SHA-1, 6 digits, 30 s) of a base32 secret at time at (now), offset
    steps away."""
    key = base64.b32decode(secret_b32)
    step = int((at or time.time()) // 30) + offset
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    o = mac[-1] & 15
    return "%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 1000000)


def totp_key_file(folder):
    """A TOTP key file (32 random bytes, mode 0600) in folder, created once (issue 17, sec3)."""
    path = os.path.join(folder, "totp.key")
    if not os.path.exists(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, os.urandom(32))
        os.close(fd)
    return path


def db_url():
    """The shared test database (RISS_TEST_DB_URL, else the test config's db_url)."""
    url = os.environ.get("RISS_TEST_DB_URL")
    if url:
        return url
    with open(CONFIG) as f:
        for line in f:
            if line.startswith("db_url"):
                return line.split("=", 1)[1].strip().strip('"')
    raise RuntimeError("no db_url")


def psql(sql, url=None):
    """Run sql on the test database (or url); its unaligned output, stripped."""
    out = subprocess.run(["psql", url or db_url(), "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def riss(*args, config=None, check=True, env=None):
    e = dict(os.environ, RISS_CONFIG=config or CONFIG)
    if env:
        e.update(env)
    return subprocess.run([RISS, *args], cwd=ROOT, env=e, capture_output=True, text=True, check=check)


class Rissd:
    """A running rissd; stop() sends SIGTERM and returns the exit code."""

    def __init__(self, config=None, settings=None, wait_ready=True, expect_start=True):
        self.tmp = tempfile.mkdtemp(prefix="rissd-")
        self.port_file = os.path.join(self.tmp, "port")
        self.log_path = os.path.join(self.tmp, "rissd.log")
        args = [RISSD, "--config", config or CONFIG, "--set", "http_port=0",
                "--set", "port_file=" + self.port_file]
        for k, v in (settings or {}).items():
            args += ["--set", f"{k}={v}"]
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(args, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        self.port = None
        if not expect_start:
            return
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("rissd exited early:\n" + self.read_log())
            try:
                with open(self.port_file) as f:
                    self.port = int(f.read().strip())
                break
            except (OSError, ValueError):
                time.sleep(0.05)
        if self.port is None:
            raise RuntimeError("rissd did not start:\n" + self.read_log())
        if wait_ready:
            while time.time() < deadline:
                if self.request("GET", "/readyz")[0] == 200:
                    return
                time.sleep(0.1)
            raise RuntimeError("rissd never became ready:\n" + self.read_log())

    def request(self, method, path, body=None, headers=None, timeout=10):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            conn.close()

    def json(self, method, path, obj=None, headers=None):
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        status, hdrs, data = self.request(method, path, None if obj is None else json.dumps(obj), h)
        return status, hdrs, (json.loads(data) if data else None)

    def read_log(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.log.close()
        return rc

    def cleanup(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        elif self.proc.returncode not in (0, -signal.SIGTERM, -signal.SIGKILL):
            # rissd died on its own (a crash, a sanitizer report): show why.
            sys.stderr.write(f"rissd exited with {self.proc.returncode}; its log:\n{self.read_log()[-20000:]}\n")
        shutil.rmtree(self.tmp, ignore_errors=True)


def pg_bin():
    for d in ["/usr/lib/postgresql/15/bin"] + sorted(
            os.path.join("/usr/lib/postgresql", v, "bin") for v in os.listdir("/usr/lib/postgresql")):
        if os.path.exists(os.path.join(d, "pg_ctl")):
            return d
    raise RuntimeError("no PostgreSQL binaries")


class PrivatePg:
    """A throw-away PostgreSQL cluster for tests that stop and start the database."""

    def __init__(self):
        self.bin = pg_bin()
        self.dir = tempfile.mkdtemp(prefix="riss-pg-", dir="/var/tmp" if os.geteuid() == 0 else None)
        self.user = os.environ.get("RISS_PG_OS_USER", "rissdb") if os.geteuid() == 0 else None
        if self.user:
            shutil.chown(self.dir, self.user)
        os.chmod(self.dir, 0o711)
        self.data = os.path.join(self.dir, "data")
        self.sock = self.dir
        self.port = self._free_port()
        self._run("initdb", "-D", self.data, "-U", "riss", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        with open(os.path.join(self.data, "postgresql.conf"), "a") as f:
            f.write(f"listen_addresses = ''\nport = {self.port}\nunix_socket_directories = '{self.sock}'\n")
        self.start()
        subprocess.run(["psql", f"host={self.sock} port={self.port} user=riss dbname=postgres",
                        "-qc", "CREATE DATABASE riss"], check=True, capture_output=True)
        self.conninfo = f"host={self.sock} port={self.port} user=riss dbname=riss"

    @staticmethod
    def _free_port():
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        p = s.getsockname()[1]
        s.close()
        return p

    def _run(self, tool, *args):
        cmd = [os.path.join(self.bin, tool), *args]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--"] + cmd
        subprocess.run(cmd, check=True, capture_output=True)

    def start(self):
        # After a SIGKILL the old backends may still hold the shared memory for a moment.
        for attempt in range(20):
            try:
                self._run("pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "log"), "-w", "start")
                return
            except subprocess.CalledProcessError:
                if attempt == 19:
                    with open(os.path.join(self.dir, "log")) as f:
                        raise RuntimeError("PostgreSQL did not start:\n" + f.read()[-2000:])
                time.sleep(0.5)

    def stop(self, mode="fast"):
        self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    def kill9(self):
        with open(os.path.join(self.data, "postmaster.pid")) as f:
            os.kill(int(f.readline()), signal.SIGKILL)
        time.sleep(0.5)

    def write_config(self, path, extra=""):
        with open(path, "w") as f:
            f.write(f'db_url = "{self.conninfo}"\nstatic_dir = "{ROOT}/web/static"\n'
                    f'migrations_dir = "{ROOT}/deploy/migrations"\n'
                    f'totp_key_file = "{totp_key_file(self.dir)}"\n' + extra)

    def destroy(self):
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)
