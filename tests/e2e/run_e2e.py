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
# A spec with the line "// smtp-sink" gets a real SMTP server on loopback (aiosmtpd, as the
# renewal tests use): rissd mails to it, and each message lands as <n>.eml in the folder
# RISS_SMTP_SINK names (xapi: the /me confirmation mail).
sink = None
with open(spec, encoding="utf-8") as f:
    wants_sink = any(line.startswith("// smtp-sink") for line in f)
if wants_sink:
    try:
        from aiosmtpd.controller import Controller  # Debian python3-aiosmtpd
    except ImportError:
        sys.path.append("/usr/lib/python3/dist-packages")
        from aiosmtpd.controller import Controller
    sink_dir = tempfile.mkdtemp(prefix="riss-e2e-smtp-")

    class SinkHandler:
        async def handle_DATA(self, server, session, envelope):
            n = len(os.listdir(sink_dir))
            with open(os.path.join(sink_dir, "%d.tmp" % n), "wb") as out:
                out.write(envelope.content)
            os.rename(os.path.join(sink_dir, "%d.tmp" % n), os.path.join(sink_dir, "%d.eml" % n))
            return "250 OK"

    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        sink_port = s.getsockname()[1]
    sink = Controller(SinkHandler(), hostname="127.0.0.1", port=sink_port)
    sink.start()
    settings.update(smtp_host="127.0.0.1", smtp_port=str(sink_port))
    os.environ["RISS_SMTP_SINK"] = sink_dir
d = Rissd(config=private[1] if private else None, settings=settings)
try:
    env = dict(os.environ, RISS_BASE_URL=f"http://127.0.0.1:{d.port}", RISS_SCREENSHOTS=shots)
    rc = subprocess.run(["node", "--test", "--test-reporter=spec", spec], cwd=os.path.dirname(spec), env=env).returncode
finally:
    d.stop()
    d.cleanup()
    if sink:
        sink.stop()
    if private:
        private[0].destroy()
        shutil.rmtree(private_tmp, ignore_errors=True)
sys.exit(rc)
