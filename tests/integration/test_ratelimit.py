"""Per-address rate limits cannot be bypassed (security review finding 5): two addresses
that land in the same slot of the bucket table keep their own buckets; a client's own
X-Forwarded-For is ignored; behind a configured trusted proxy each forwarded client has its
own bucket. Uses the register search (20 at once, then 30 a minute) from several loopback
source addresses; forwarded addresses are documentation addresses in a header only."""
import http.client
import unittest

from rissd_harness import Rissd, require_stack

# Pairs equal modulo 4096 share a set in today's table (WEB_RL_SETS = 1024 in web/web.h) and
# shared a slot in the old direct-mapped one of 4096, where they reset each other.
SETS = 4096


def fnv1a(s):
    h = 2166136261
    for c in s.encode():
        h = ((h ^ c) * 16777619) & 0xFFFFFFFF
    return h


def colliding_pair():
    seen = {}
    for i in range(2, 255):
        for j in range(1, 255):
            ip = f"127.0.{i}.{j}"
            k = fnv1a(ip) % SETS
            if k in seen:
                return seen[k], ip
            seen[k] = ip
    raise AssertionError("no colliding pair")


class RateLimits(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_stack()
        cls.d = Rissd(settings={"trusted_proxies": "127.0.9.9"})

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def search(self, source, q="Limit", headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.d.port, timeout=10, source_address=(source, 0))
        try:
            conn.request("GET", "/api/v1/register/search?q=" + q, headers=headers or {})
            r = conn.getresponse()
            r.read()
            return r.status
        finally:
            conn.close()

    def exhaust(self, source, headers=None):
        codes = [self.search(source, headers=headers) for _ in range(25)]
        self.assertIn(429, codes, codes)
        return codes

    def test_colliding_addresses_keep_their_own_buckets(self):
        a, b = colliding_pair()
        self.exhaust(a)
        self.assertEqual(self.search(b), 200)       # b has a bucket of its own ...
        self.assertEqual(self.search(a), 429)       # ... and did not refill a's

    def test_a_clients_own_forwarded_header_is_ignored(self):
        codes = [self.search("127.0.5.5", headers={"X-Forwarded-For": f"198.51.100.{i}"}) for i in range(25)]
        self.assertIn(429, codes, codes)

    def test_behind_a_trusted_proxy_each_client_has_its_bucket(self):
        proxy = "127.0.9.9"
        self.exhaust(proxy, headers={"X-Forwarded-For": "198.51.100.7"})
        self.assertEqual(self.search(proxy, headers={"X-Forwarded-For": "198.51.100.8"}), 200)
        # What the client wrote in front of the address our proxy saw counts for nothing.
        self.assertEqual(self.search(proxy, headers={"X-Forwarded-For": "203.0.113.1, 198.51.100.7"}), 429)
        # Proxy hops on the right are skipped.
        self.assertEqual(self.search(proxy, headers={"X-Forwarded-For": "198.51.100.9, 127.0.9.9"}), 200)

    def test_a_bad_proxy_list_refuses_to_start(self):
        d = Rissd(settings={"trusted_proxies": "not-an-address"}, expect_start=False)
        self.assertEqual(d.proc.wait(timeout=30), 2)
        self.assertIn("trusted_proxies", d.read_log())


if __name__ == "__main__":
    unittest.main(verbosity=2)
