"""Shared by the registry benchmarks: a throw-away PostgreSQL (fsync on, like production),
migrated; a key directory and riss-signd in a temp folder."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from rissd_harness import PrivatePg, ROOT  # noqa: E402

BUILD = os.environ.get("RISS_TEST_BUILD") or os.path.join(ROOT, "build")
RISS = os.path.join(BUILD, "cli", "riss")
BASE = "https://riss.bench.example"


class Stack:
    def __init__(self):
        self.pg = PrivatePg()
        self.dir = self.pg.dir
        self.conf = os.path.join(self.dir, "riss.conf")
        self.keys = os.path.join(self.dir, "keys")
        self.sock = os.path.join(self.dir, "signd.sock")
        self.pg.write_config(self.conf, f'keys_dir = "{self.keys}"\nsignd_socket = "{self.sock}"\n'
                                        f'public_base_url = "{BASE}"\nsecure_cookies = true\n')
        self.env = dict(os.environ, RISS_CONFIG=self.conf)
        subprocess.run([RISS, "db", "migrate"], env=self.env, check=True, capture_output=True, cwd=ROOT)
        subprocess.run([RISS, "keys", "new", "--dir", self.keys], env=self.env, check=True, capture_output=True)
        self.signd = subprocess.Popen([os.path.join(BUILD, "certs", "riss-signd"), "--keys", self.keys,
                                       "--socket", self.sock], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if os.path.exists(self.sock):
                break
            time.sleep(0.05)

    def close(self):
        self.signd.terminate()
        self.signd.wait()
        self.pg.destroy()
