"""The production systemd units (deploy/prod/systemd/) checked without a running systemd
(systemd is not PID 1 where the tests run): `systemd-analyze verify` must find nothing to
say about them (unknown keys, bad values, missing executables: the units' ExecStart paths
are pointed at this build's binaries), and `systemd-analyze security --offline=yes` must
rate each service at most MAX_EXPOSURE (0 = most restricted, 10 = unrestricted). The
exposure scores are printed (docs/operations.md quotes them)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
UNITS = os.path.join(ROOT, "deploy", "prod", "systemd")
BUILD = os.environ.get("RISS_CLUSTER_BUILD") or os.environ.get("RISS_TEST_BUILD") or os.path.join(ROOT, "build")
# The bound for each service; riss-signd has no network at all and must stay "SAFE".
MAX_EXPOSURE = {"riss-signd.service": 1.0, "rissd@exam1.service": 2.0, "riss-jobs.service": 2.0,
                "riss-backup.service": 2.0}
BINARIES = {"/usr/bin/rissd": "web/rissd", "/usr/bin/riss-signd": "certs/riss-signd", "/usr/bin/riss": "cli/riss",
            "/usr/lib/riss/riss-backup": None}


def main():
    if not shutil.which("systemd-analyze"):
        print("systemd-analyze is not installed (Debian package systemd): skipped")
        return 77
    tmp = tempfile.mkdtemp(prefix="riss-units-")
    failed = []
    try:
        for name in sorted(os.listdir(UNITS)):
            with open(os.path.join(UNITS, name)) as f:
                text = f.read()
            for path, rel in BINARIES.items():
                text = text.replace(path + " ", (os.path.join(BUILD, rel) if rel else
                                                 os.path.join(ROOT, "deploy", "prod", "riss-backup")) + " ")
            with open(os.path.join(tmp, name), "w") as f:
                f.write(text)
        os.symlink("rissd@.service", os.path.join(tmp, "rissd@exam1.service"))
        units = [os.path.join(tmp, u) for u in sorted(os.listdir(tmp)) if u != "rissd@.service"]
        r = subprocess.run(["systemd-analyze", "verify", "--man=no", *units], capture_output=True, text=True, cwd=tmp)
        said = (r.stdout + r.stderr).strip()
        print(f"systemd-analyze verify {', '.join(os.path.basename(u) for u in units)}: "
              f"{'nothing to report' if not said and r.returncode == 0 else 'rc ' + str(r.returncode)}")
        if said or r.returncode != 0:
            print(said.replace(tmp + "/", ""))
            failed.append("verify")
        for unit, bound in MAX_EXPOSURE.items():
            r = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--no-pager", os.path.join(tmp, unit)],
                               capture_output=True, text=True, cwd=tmp)
            m = re.search(r"Overall exposure level for \S+: ([\d.]+) (\w+)", r.stdout)
            if not m:
                print(f"{unit}: no exposure level in the output (rc {r.returncode}): {r.stderr.strip()}")
                failed.append(unit)
                continue
            score = float(m.group(1))
            print(f"systemd-analyze security {unit}: exposure {score:.1f} {m.group(2)} (bound {bound:.1f})")
            if score > bound:
                # The lines that cost the most, to say what to fix.
                worst = [ln for ln in r.stdout.splitlines() if ln.startswith("✗")][:8]
                print("\n".join(worst))
                failed.append(unit)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if failed:
        print(f"units: FAILED: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
