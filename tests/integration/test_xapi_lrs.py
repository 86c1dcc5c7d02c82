"""The xAPI Learning Record Store's frame where the ADL conformance suite does not look:
each provider's xAPI credential reaches only its own documents, a wrong, suspended or
rotated-away credential is refused, and documents' preconditions (DELETE with a stale ETag, a POST merge
with a stale ETag, If-None-Match naming the current ETag) refuse without changing anything."""
import base64
import json
import os
import unittest
import urllib.parse

from rissd_harness import Rissd, riss, require_stack

require_stack()

RUN = str(os.getpid())
V = {"X-Experience-API-Version": "1.0.3"}
AGENT = json.dumps({"objectType": "Agent", "mbox": f"mailto:learner{RUN}@example.com"})
ACT = f"http://lms.example.com/course/{RUN}"


def provider_add(name):
    return json.loads(riss("provider", "add", name, "--name-en", name + " (en)", "--json").stdout)


def basic(user, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


class XapiLrs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Rissd()
        cls.a = provider_add(f"LRS 機関A{RUN}")
        cls.b = provider_add(f"LRS 機関B{RUN}")

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()
        cls.d.cleanup()

    def call(self, p, method, resource, params=None, body=None, headers=None, auth=True):
        h = dict(V)
        if auth:
            h.update(basic(p["xapi"]["username"], p["xapi"]["password"]))
        h.update(headers or {})
        path = "/xapi/" + resource + ("?" + urllib.parse.urlencode(params) if params else "")
        return self.d.request(method, path, body, h)

    def state(self, p, method, state_id=None, body=None, headers=None):
        params = {"activityId": ACT, "agent": AGENT}
        if state_id:
            params["stateId"] = state_id
        return self.call(p, method, "activities/state", params, body, headers)

    def test_credentials_are_issued_with_the_provider(self):
        x = self.a["xapi"]
        self.assertTrue(x["endpoint"].endswith("/xapi/"), x)
        self.assertTrue(x["username"].startswith("rxu_") and x["password"].startswith("rxp_"), x)
        self.assertNotEqual(x["username"], self.b["xapi"]["username"])

    def test_another_providers_credentials_see_nothing(self):
        sid = "progress-" + RUN
        st, _, _ = self.state(self.a, "PUT", sid, '{"page": 3}', {"Content-Type": "application/json"})
        self.assertEqual(st, 204)
        st, _, data = self.state(self.b, "GET", sid)
        self.assertEqual(st, 404, data)
        st, _, data = self.state(self.b, "GET")
        self.assertEqual((st, json.loads(data)), (200, []))
        # B deleting "all its states" of that activity and agent leaves A's alone.
        self.assertEqual(self.state(self.b, "DELETE")[0], 204)
        st, _, data = self.state(self.a, "GET", sid)
        self.assertEqual((st, json.loads(data)), (200, {"page": 3}))
        st, _, data = self.state(self.a, "GET")
        self.assertEqual(json.loads(data), [sid])

    def test_wrong_and_suspended_credentials_are_refused(self):
        ua, pa = self.a["xapi"]["username"], self.a["xapi"]["password"]
        pb = self.b["xapi"]["password"]
        for h in (basic(ua, pb), basic(ua, pa[:-1] + ("A" if pa[-1] != "A" else "B")), basic("rxu_0000000000000000", pa),
                  {"Authorization": "Bearer " + self.a["api_key"]}, {}):
            st, hdrs, data = self.d.request("GET", "/xapi/activities/state?" + urllib.parse.urlencode(
                {"activityId": ACT, "agent": AGENT}), None, dict(V, **h))
            self.assertEqual(st, 401, h)
            self.assertIn("Basic", hdrs.get("www-authenticate", ""))
            self.assertEqual(hdrs.get("x-experience-api-version"), "1.0.3")
            self.assertEqual(json.loads(data)["type"], "/problems/xapi")
        c = provider_add(f"LRS 機関C{RUN}")
        riss("provider", "suspend", str(c["provider_id"]), "--reason", "test")
        self.assertEqual(self.state(c, "GET")[0], 401)
        self.assertEqual(self.call(c, "GET", "about", auth=False)[0], 200)

    def test_rotate_key_replaces_the_xapi_credential(self):
        d = provider_add(f"LRS 機関D{RUN}")
        new = json.loads(riss("provider", "rotate-key", str(d["provider_id"]), "--json").stdout)
        self.assertTrue(new["xapi"]["endpoint"].endswith("/xapi/"), new)
        self.assertNotEqual(new["xapi"]["username"], d["xapi"]["username"])
        self.assertEqual(self.state(d, "GET")[0], 401)
        self.assertEqual(self.state(new, "GET")[0], 200)

    def test_preconditions_refuse_without_changing(self):
        sid = "prefs-" + RUN
        js = {"Content-Type": "application/json"}
        self.assertEqual(self.state(self.a, "PUT", sid, '{"x": 1}', js)[0], 204)
        st, hdrs, _ = self.state(self.a, "GET", sid)
        etag = hdrs["etag"]
        stale = '"' + "0" * 40 + '"'
        self.assertEqual(self.state(self.a, "DELETE", sid, headers={"If-Match": stale})[0], 412)
        self.assertEqual(self.state(self.a, "POST", sid, '{"y": 2}', dict(js, **{"If-Match": stale}))[0], 412)
        self.assertEqual(self.state(self.a, "PUT", sid, '{"z": 3}', dict(js, **{"If-None-Match": etag}))[0], 412)
        st, hdrs, data = self.state(self.a, "GET", sid)
        self.assertEqual((json.loads(data), hdrs["etag"]), ({"x": 1}, etag))
        # With the current ETag the merge and the delete go through.
        self.assertEqual(self.state(self.a, "POST", sid, '{"y": 2}', dict(js, **{"If-Match": etag}))[0], 204)
        st, hdrs, data = self.state(self.a, "GET", sid)
        self.assertEqual(json.loads(data), {"x": 1, "y": 2})
        self.assertEqual(self.state(self.a, "DELETE", sid, headers={"If-Match": hdrs["etag"]})[0], 204)
        self.assertEqual(self.state(self.a, "GET", sid)[0], 404)


if __name__ == "__main__":
    unittest.main(verbosity=2)
