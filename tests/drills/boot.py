"""riss-signd.service started by a real systemd: this machine's PID 1 is not systemd, so
systemd-nspawn (Debian package systemd-container) boots the host's own Debian as a container
(--volatile=yes: the host's /usr read-only, everything else a tmpfs thrown away after) with systemd as its PID 1. Inside, a probe
unit creates the service users and an issuer key, starts deploy/prod/systemd/riss-signd.service
unchanged but for ExecStart's path (this build's riss-signd, in the read-only /probe), and records what the kernel says about
the running service: its user, no capabilities, no_new_privs, a seccomp filter, a network
namespace of its own, its socket 0660 riss-signd:riss-sign. Then the container powers off.
Skipped (77) without root or systemd-nspawn."""
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD = os.environ.get("RISS_CLUSTER_BUILD") or os.environ.get("RISS_TEST_BUILD") or os.path.join(ROOT, "build")

PROBE = r"""#!/bin/bash
# runs inside the container as riss-probe.service (root), results to /probe/out
exec >/probe/out 2>&1
set -x
id riss-signd >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin riss-signd
getent group riss-sign >/dev/null || groupadd --system riss-sign
id rissd >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin -G riss-sign rissd
mkdir -p /var/lib/riss/keys
/probe/riss keys new --dir /var/lib/riss/keys >/dev/null
chown -R riss-signd: /var/lib/riss/keys
systemctl daemon-reload
systemctl start riss-signd.service
for i in $(seq 100); do [ -S /run/riss-signd/signd.sock ] && break; sleep 0.1; done
set +x
echo "active=$(systemctl is-active riss-signd.service)"
pid=$(systemctl show -p MainPID --value riss-signd.service)
echo "user=$(ps -o user= -p "$pid")"
grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' "/proc/$pid/status" | tr -d '\t' | sed 's/:/=/'
echo "own_netns=$([ "$(readlink /proc/$pid/ns/net)" != "$(readlink /proc/1/ns/net)" ] && echo yes || echo no)"
echo "socket=$(stat -c '%a %U:%G' /run/riss-signd/signd.sock 2>/dev/null)"
echo "pid1=$(cat /proc/1/comm)"
echo "done"
systemctl poweroff
"""

TARGET = """[Unit]
Description=riss drill: boot only the probe
Requires=basic.target riss-probe.service
After=basic.target
AllowIsolate=yes
"""

UNIT = """[Unit]
Description=riss drill probe
After=basic.target
[Service]
Type=oneshot
ExecStart=/probe/probe.sh
"""


def main():
    nspawn = shutil.which("systemd-nspawn")
    if os.geteuid() != 0 or not nspawn:
        print("needs root and systemd-nspawn (Debian package systemd-container): skipped")
        return 77
    tmp = tempfile.mkdtemp(prefix="riss-boot-")
    try:
        os.chmod(tmp, 0o755)
        for name, text, mode in (("probe.sh", PROBE, 0o755), ("riss-probe.service", UNIT, 0o644),
                                 ("riss-probe.target", TARGET, 0o644)):
            with open(os.path.join(tmp, name), "w") as f:
                f.write(text)
            os.chmod(os.path.join(tmp, name), mode)
        shutil.copy(os.path.join(BUILD, "cli", "riss"), os.path.join(tmp, "riss"))
        shutil.copy(os.path.join(BUILD, "certs", "riss-signd"), os.path.join(tmp, "riss-signd"))
        units = os.path.join(ROOT, "deploy", "prod", "systemd")
        with open(os.path.join(units, "riss-signd.service")) as f:
            unit = f.read().replace("ExecStart=/usr/bin/riss-signd ", "ExecStart=/probe/riss-signd ")
        with open(os.path.join(tmp, "riss-signd.service"), "w") as f:
            f.write(unit)
        with open(os.path.join(tmp, "out"), "w"):
            pass
        cmd = [nspawn, "--quiet", "--volatile=yes", "-D", "/", "--boot", "--register=no", "--keep-unit",
               "-M", f"riss-boot-{os.getpid()}",
               f"--bind={tmp}:/probe",
               f"--bind-ro={tmp}/riss-signd.service:/etc/systemd/system/riss-signd.service",
               f"--bind-ro={os.path.join(ROOT, 'deploy', 'prod', 'signd.conf')}:/etc/riss/signd.conf",
               f"--bind-ro={tmp}/riss-probe.service:/etc/systemd/system/riss-probe.service",
               f"--bind-ro={tmp}/riss-probe.target:/etc/systemd/system/riss-probe.target",
               # only loopback inside; nothing but the probe's target is started
               "--private-network", "--", "systemd.firstboot=off", "systemd.unit=riss-probe.target"]
        t0 = time.time()
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=int(os.environ.get("BOOT_TIMEOUT", "180")), stdin=subprocess.DEVNULL)
        took = time.time() - t0
        with open(os.path.join(tmp, "out")) as f:
            out = f.read()
        facts = dict(line.split("=", 1) for line in out.splitlines() if "=" in line and not line.startswith("+"))
        want = {"active": "active", "user": "riss-signd", "CapEff": "0000000000000000", "CapBnd": "0000000000000000",
                "NoNewPrivs": "1", "Seccomp": "2", "own_netns": "yes", "pid1": "systemd"}
        bad = {k: facts.get(k) for k, v in want.items() if facts.get(k) != v}
        if bad or "done" not in out:
            print(f"boot: FAILED: {bad}\n--- probe ---\n{out}\n--- nspawn (rc {r.returncode}) ---\n{r.stdout[-3000:]}{r.stderr[-2000:]}")
            return 1
        print(f"boot: systemd (PID 1 in systemd-nspawn) started riss-signd.service from deploy/prod/systemd: active "
              f"as {facts['user']}, CapEff=CapBnd=0, NoNewPrivs=1, seccomp filter, own network namespace, socket "
              f"{facts.get('socket')}; container up, checked and powered off in {took:.0f} s", flush=True)
        return 0
    finally:
        if not os.environ.get("BOOT_KEEP"):
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
