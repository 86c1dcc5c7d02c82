"""Helpers for the exam-delivery integration tests and benchmark: a private PostgreSQL with
the schema and the demo bank published and activated as the exam's package (delivery serves
nothing else), bookings seeded by `riss exam seed`, admission by `riss exam admit`, and a
simulated candidate that talks to rissd over real HTTP with its own cookies."""
import http.client
import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rissd_harness import ROOT, PrivatePg, Rissd, riss  # noqa: E402


def load_keys():
    """Item keys from the demo item file (the simulated candidates' 'knowledge')."""
    keys = {}
    with open(os.path.join(ROOT, "item-bank", "demo", "items.jsonl"), encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            if o.get("record") == "item":
                keys[o["id"]] = o["key"]
    return keys


DEMO_ITEMS = os.path.join(ROOT, "item-bank", "demo", "items.jsonl")
# Sympson-Hetter by a short simulation: enough for tests (a real publication runs longer).
SH_QUICK = ["--sh-examinees", "200", "--sh-rounds", "2"]


def publish_package(conf, exam="SG", activate=True):
    """Import the demo bank and publish it as a package of exam (a code or a definition file);
    activated (the exam's active package, which seeded windows serve) unless activate is
    False. Returns the package id."""
    for args in (["bank", "import", DEMO_ITEMS, "--actor", "it-setup"],
                 ["bank", "publish", "--exam", exam, "--json", "--actor", "it-setup", *SH_QUICK]
                 + (["--activate"] if activate else [])):
        r = riss(*args, config=conf)
        if r.returncode != 0:
            raise RuntimeError(" ".join(args[:2]) + ": " + r.stderr)
    return json.loads(r.stdout)["id"]


def private_stack(tmpdir, extra="", package=True):
    """A private PostgreSQL with the schema; with package, the demo bank as the active SG
    package (tests that publish their own pass package=False)."""
    pg = PrivatePg()
    conf = os.path.join(tmpdir, "riss.conf")
    pg.write_config(conf, extra)
    r = riss("db", "migrate", config=conf)
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    if package:
        publish_package(conf)
    return pg, conf


def seed(conf, n, prefix="t", centre="TC-TOKYO-01", window=None, package=None):
    """n checked-in bookings for today (in window, by default the demo window, which serves
    the active package; package names another for the window)."""
    extra = (["--window", window] if window else []) + (["--package", str(package)] if package else [])
    r = riss("exam", "seed", "--centre", centre, "--count", str(n), "--prefix", prefix, "--checked", "--json",
             *extra, config=conf)
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    return json.loads(r.stdout)["bookings"]


def admit(conf, booking, seat, move=False):
    args = ["exam", "admit", "--booking", str(booking), "--seat", seat, "--json"] + (["--move"] if move else [])
    r = riss(*args, config=conf)
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    return json.loads(r.stdout)


class Candidate:
    """One workstation: keeps riss_exam and riss_ws cookies, the CSRF token and the view."""

    def __init__(self, port, ability=0.7, seed=1):
        self.port = port
        self.cookies = {}
        self.csrf = ""
        self.rng = random.Random(seed)
        self.ability = ability
        self.view = None

    def headers(self, method, obj):
        """The workstation's cookies, and for a body its type and the CSRF token."""
        h = {}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if obj is not None:
            h["Content-Type"] = "application/json"
        if method != "GET" and self.csrf:
            h["X-CSRF-Token"] = self.csrf
        return h

    def call(self, method, path, obj=None, timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            h = self.headers(method, obj)
            conn.request(method, path, body=None if obj is None else json.dumps(obj), headers=h)
            r = conn.getresponse()
            data = r.read()
            for k, v in r.getheaders():
                if k.lower() == "set-cookie":
                    name, _, rest = v.partition("=")
                    self.cookies[name] = rest.split(";")[0]
            return r.status, (json.loads(data) if data else None)
        finally:
            conn.close()

    def start(self, code):
        st, body = self.call("POST", "/api/v1/exam/start", {"code": code})
        if st == 200:
            self.csrf = body["csrf"]
        return st, body

    def current(self):
        st, body = self.call("GET", "/api/v1/exam/current")
        if st == 200:
            self.view = body
            self.csrf = body.get("csrf", self.csrf)
        return st, body

    def choose(self, keys, item_id):
        if self.rng.random() < self.ability:
            return keys[item_id]
        return (keys[item_id] + 1 + self.rng.randrange(3)) % 4

    def answer(self, position, item_id, choice):
        st, body = self.call("POST", "/api/v1/exam/answer",
                             {"position": position, "item_id": item_id, "choice": choice})
        if st == 200:
            self.view = body
        return st, body
