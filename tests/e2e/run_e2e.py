"""Runs one browser spec (node --test) against a real rissd started for it; the spec gets
RISS_BASE_URL (and RISS_TEST_CONFIG) in its environment, and RISS_SCREENSHOTS, the folder
(<build>/e2e-screenshots/) where screenshot() in browser.mjs saves PNGs."""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from rissd_harness import Rissd, require_stack, riss, ROOT  # noqa: E402

require_stack()
spec = os.path.abspath(sys.argv[1])
if not os.path.isdir(os.path.join(ROOT, "tests", "e2e", "node_modules", "playwright-core")):
    print("tests/e2e/node_modules missing: ./deploy/dev test runs npm ci there", file=sys.stderr)
    sys.exit(77)
# Package desk: a spec with the line "// e2e-private-db" gets a throw-away PostgreSQL of its
# own (its RISS_TEST_CONFIG and RISS_TEST_DB_URL), for state no other test may see change
# (an exam's active package).
private = None
with open(spec, encoding="utf-8") as f:
    if any(line.startswith("// e2e-private-db") for line in f):
        from test_exam_lib import private_stack  # noqa: E402
        private_tmp = tempfile.mkdtemp(prefix="riss-e2e-")
        private = private_stack(private_tmp)
        os.environ["RISS_TEST_CONFIG"] = private[1]
        os.environ["RISS_TEST_DB_URL"] = private[0].conninfo
if private is None:
    riss("db", "migrate")
# A spec may ask for rissd settings with lines "// rissd-set: name=value" (paths relative to ROOT).
settings = {}
with open(spec, encoding="utf-8") as f:
    for line in f:
        if line.startswith("// rissd-set:"):
            k, _, v = line.split(":", 1)[1].strip().partition("=")
            settings[k] = v
# Screenshots of the screens a spec visits land in <build>/e2e-screenshots/ (CI artifacts).
shots = os.path.join(os.environ.get("RISS_TEST_BUILD", os.path.join(ROOT, "build-san")), "e2e-screenshots")
os.makedirs(shots, exist_ok=True)
d = Rissd(config=private[1] if private else None, settings=settings)
try:
    env = dict(os.environ, RISS_BASE_URL=f"http://127.0.0.1:{d.port}", RISS_SCREENSHOTS=shots)
    rc = subprocess.run(["node", "--test", "--test-reporter=spec", spec], cwd=os.path.dirname(spec), env=env).returncode
finally:
    d.stop()
    d.cleanup()
    if private:
        private[0].destroy()
        shutil.rmtree(private_tmp, ignore_errors=True)
sys.exit(rc)
