"""Every production unit of deploy/prod/systemd started by a real systemd. This machine's PID 1
is not systemd, so systemd-nspawn (Debian package systemd-container) boots the host's own
Debian as a container (--volatile=yes: everything but /usr a tmpfs thrown away after; /usr an
overlay on a tmpfs, so the probe installs this build where the units expect it: /usr/bin,
/usr/lib/riss, /usr/share/riss) with systemd as its PID 1 and only loopback
(--private-network). The test run's PostgreSQL is reachable through its socket folder, bound
into the container at /run/riss-pg.

Inside, a probe unit creates the service users and an issuer key, installs the units
UNCHANGED (the only additions are drop-ins: ASAN_OPTIONS=detect_leaks=0, as LeakSanitizer
needs ptrace, which SystemCallFilter=@system-service forbids; and for the two oneshot
services an ExecStartPre that prints what the kernel says about the sandboxed process to the
journal, run with the unit's own user, capabilities and filters) and starts:

* riss-signd.service; rissd@exam1 and rissd@public1 (two instances, ports 8081 and 8091);
* riss-jobs.timer and riss-backup.timer (active, waiting), and their services by
  `systemctl start` (a oneshot: the call returns when the run has ended), which must end
  with Result=success and exit status 0; the base backup must be on disk;
* rissd@bad, whose config has an https public_base_url and secure_cookies = false: it must
  exit with status 2 and say why in the journal, never serve.

For each running service it records its user, CapEff/CapBnd, NoNewPrivs and Seccomp from
/proc; rissd answers /healthz on its port and signs a status list through riss-signd's socket
(the units' users, groups and PrivateUsers= must let rissd in); `systemd-analyze security`
(online, against the running systemd) rates every unit below MAX_EXPOSURE. Then the container
powers off. Skipped (77) without root, systemd-nspawn or the test run's database."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD = os.environ.get("RISS_CLUSTER_BUILD") or os.environ.get("RISS_TEST_BUILD") or os.path.join(ROOT, "build")
UNITS = os.path.join(ROOT, "deploy", "prod", "systemd")
# The bound for each unit's `systemd-analyze security` exposure (0 = most restricted, 10 =
# unrestricted; "OK" is below 4.0): riss-signd has no network at all and must stay "SAFE".
MAX_EXPOSURE = {"riss-signd.service": 1.0, "rissd@exam1.service": 2.0, "rissd@public1.service": 2.0,
                "riss-jobs.service": 2.0, "riss-backup.service": 2.0}

PROBE = r"""#!/bin/bash
# runs inside the container as riss-probe.service (root), facts to /probe/out as name=value
exec >/probe/out 2>&1
set -x
id riss-signd >/dev/null 2>&1 || useradd --system --user-group --no-create-home --shell /usr/sbin/nologin riss-signd
getent group riss-sign >/dev/null || groupadd --system riss-sign
id rissd >/dev/null 2>&1 || useradd --system --user-group --no-create-home --shell /usr/sbin/nologin -G riss-sign rissd
id postgres >/dev/null 2>&1 || useradd --system --user-group --no-create-home --shell /usr/sbin/nologin postgres
# This build where the units expect it (/usr is an overlay on a tmpfs).
install -m 0755 /probe/bin/rissd /probe/bin/riss /probe/bin/riss-signd /usr/bin/
install -D -m 0755 /probe/bin/riss-backup /usr/lib/riss/riss-backup
mkdir -p /usr/share/riss
cp -r /probe/static /probe/migrations /usr/share/riss/
install -d -m 0755 /etc/riss
install -m 0640 -g riss-sign /probe/etc/signd.conf /etc/riss/
for f in /probe/etc/rissd-*.conf; do install -m 0640 -g rissd "$f" /etc/riss/; done
install -m 0640 -g postgres /probe/etc/backup.env /etc/riss/
cp /probe/units/* /etc/systemd/system/
cp -r /probe/dropins/* /etc/systemd/system/
mkdir -p /var/lib/riss/keys
/usr/bin/riss keys new --dir /var/lib/riss/keys >/dev/null
chown -R riss-signd: /var/lib/riss/keys
install -d -m 0750 -o postgres -g postgres /var/lib/riss/backup
# The TOTP key file where deploy/prod/rissd-node.conf expects it, owned by rissd alone: the
# test run's own key (the shared test database's secrets are sealed under it).
install -d -m 0700 -o rissd -g rissd /var/lib/riss/totp
install -m 0600 -o rissd -g rissd /probe/etc/totp.key /var/lib/riss/totp/totp.key
# The container has no network to wait for: network-online.target (After= of rissd@ and the
# jobs) would otherwise wait for the wait-online services' 2 minute timeout.
systemctl mask --runtime systemd-networkd-wait-online.service NetworkManager-wait-online.service
systemctl daemon-reload
systemctl start riss-signd.service
for i in $(seq 100); do [ -S /run/riss-signd/signd.sock ] && break; sleep 0.1; done
systemctl start rissd@exam1.service rissd@public1.service
for p in exam1:8081 public1:8091; do # until it answers, or systemd saw it exit
	for i in $(seq 600); do
		curl -fsS -o /dev/null "http://127.0.0.1:${p#*:}/healthz" 2>/dev/null && break
		[ "$(systemctl show -p NRestarts --value "rissd@${p%%:*}.service")" = 0 ] || break
		sleep 0.1
	done
done
systemctl start riss-jobs.timer riss-backup.timer
# The timers' services, started as the timers would: the call returns when the run ended.
systemctl start riss-jobs.service; jobs_rc=$?
systemctl start riss-backup.service; backup_rc=$?
# rissd with an https base URL and insecure cookies: it must not start (exit 2).
systemctl start rissd@bad.service
for i in $(seq 300); do [ "$(systemctl show -p ExecMainCode --value rissd@bad.service)" = 1 ] && break; sleep 0.1; done
bad_status=$(systemctl show -p ExecMainStatus --value rissd@bad.service)
systemctl stop rissd@bad.service
set +x
echo "pid1=$(cat /proc/1/comm)"
facts() { # unit name: what the kernel says about its main process
	local pid; pid=$(systemctl show -p MainPID --value "$1")
	echo "$2.active=$(systemctl is-active "$1")"
	echo "$2.user=$(ps -o user= -p "$pid")"
	grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' "/proc/$pid/status" | tr -d '\t' | sed "s/^/$2./; s/:/=/"
	echo "$2.own_netns=$([ "$(readlink /proc/$pid/ns/net)" != "$(readlink /proc/1/ns/net)" ] && echo yes || echo no)"
}
facts riss-signd.service signd
echo "signd.socket=$(stat -c '%a %U:%G' /run/riss-signd/signd.sock 2>/dev/null)"
facts rissd@exam1.service exam1
facts rissd@public1.service public1
for p in exam1:8081 public1:8091; do
	echo "${p%%:*}.healthz=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${p#*:}/healthz")"
done
# A status list is signed by riss-signd at the request (rissd -> the UNIX socket).
sl=$(curl -s -D /probe/sl.hdr -o /probe/sl.body -w '%{http_code}' "http://127.0.0.1:8091/statuslists/@SL@")
echo "public1.statuslist=$sl $(head -c 40 /probe/sl.body | grep -c '^eyJ')"
echo "public1.statuslist_cache=$(grep -i '^cache-control:' /probe/sl.hdr | cut -d' ' -f2- | tr -d '\r')"
for t in riss-jobs riss-backup; do
	k=${t#riss-}
	echo "$k.timer=$(systemctl is-active $t.timer) next=$(systemctl show -p NextElapseUSecRealtime --value $t.timer)"
	echo "$k.result=$(systemctl show -p Result --value $t.service) status=$(systemctl show -p ExecMainStatus --value $t.service)"
	# the facts its ExecStartPre (the unit's own sandbox) printed
	journalctl -q -o cat -u $t.service | grep '^probe:' | sed "s/^probe:/$k./"
done
echo "jobs.rc=$jobs_rc"
echo "backup.rc=$backup_rc"
echo "backup.files=$(ls /var/lib/riss/backup/base/*/ 2>/dev/null | tr '\n' ' ')"
echo "bad.status=$bad_status"
echo "bad.said=$(journalctl -q -o cat -u rissd@bad.service | grep -c 'public_base_url is https but secure_cookies = false')"
echo "bad.healthz=$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8099/healthz)"
for u in riss-signd.service rissd@exam1.service rissd@public1.service riss-jobs.service riss-backup.service; do
	echo "exposure.$u=$(systemd-analyze security --no-pager "$u" 2>&1 | sed -n 's/.*Overall exposure level for [^:]*: //p')"
done
echo "journal.tail<<"
journalctl -q -o short -n 40 -u 'riss*' | tail -40
echo ">>"
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
TimeoutStartSec=infinity
"""

# Drop-ins (the units themselves are installed unchanged).
ASAN = "[Service]\nEnvironment=ASAN_OPTIONS=detect_leaks=0\n"
# Run by the unit itself (its User=, capability set, NoNewPrivileges, seccomp filter) before
# ExecStart: what the kernel says about a process of this sandbox, into the journal.
SELF_FACTS = "[Service]\nExecStartPre=/probe/selffacts.sh\n"
SELF_FACTS_SH = r"""#!/bin/sh
echo "probe:user=$(id -un)"
grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status | tr -d '\t' | sed 's/^/probe:/; s/:/=/2'
"""


def test_totp_key():
    """The test run's TOTP key file (totp_key_file of RISS_TEST_CONFIG)."""
    with open(os.environ["RISS_TEST_CONFIG"]) as f:
        m = re.search(r'^totp_key_file\s*=\s*"([^"]+)"', f.read(), flags=re.M)
    if not m:
        raise SystemExit("boot: FAILED: RISS_TEST_CONFIG names no totp_key_file")
    return m.group(1)


def conf(path, text):
    with open(path, "w") as f:
        f.write(text)


def parse_url(url):
    return dict(kv.split("=", 1) for kv in url.split() if "=" in kv)


def main():
    nspawn = shutil.which("systemd-nspawn")
    if os.geteuid() != 0 or not nspawn:
        print("needs root and systemd-nspawn (Debian package systemd-container): skipped")
        return 77
    url = os.environ.get("RISS_TEST_DB_URL")
    if not url:
        print("needs the test run's database (RISS_TEST_DB_URL: run through ./deploy/dev test): skipped")
        return 77
    db = parse_url(url)
    if not db.get("host", "").startswith("/"):
        print(f"boot: FAILED: the test database must be reachable through a socket folder (host=/...), not {url}")
        return 1
    # A status list for rissd to sign (the registry tests make them; this may run before them).
    sl = subprocess.run(["psql", url, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c",
                         "INSERT INTO registry.status_lists (id, size) SELECT 1, 131072 WHERE NOT EXISTS "
                         "(SELECT 1 FROM registry.status_lists); SELECT min(id) FROM registry.status_lists"],
                        capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    tmp = tempfile.mkdtemp(prefix="riss-boot-")
    try:
        os.chmod(tmp, 0o755)
        for d in ("bin", "etc", "units", "dropins"):
            os.mkdir(os.path.join(tmp, d))
        conf(os.path.join(tmp, "probe.sh"), PROBE.replace("@SL@", sl))
        os.chmod(os.path.join(tmp, "probe.sh"), 0o755)
        conf(os.path.join(tmp, "selffacts.sh"), SELF_FACTS_SH)
        os.chmod(os.path.join(tmp, "selffacts.sh"), 0o755)
        conf(os.path.join(tmp, "riss-probe.service"), UNIT)
        conf(os.path.join(tmp, "riss-probe.target"), TARGET)
        for src, dst in (("cli/riss", "riss"), ("certs/riss-signd", "riss-signd"), ("web/rissd", "rissd")):
            shutil.copy(os.path.join(BUILD, src), os.path.join(tmp, "bin", dst))
        shutil.copy(os.path.join(ROOT, "deploy", "prod", "riss-backup"), os.path.join(tmp, "bin", "riss-backup"))
        shutil.copytree(os.path.join(ROOT, "web", "static"), os.path.join(tmp, "static"))
        shutil.copytree(os.path.join(ROOT, "deploy", "migrations"), os.path.join(tmp, "migrations"))
        for name in os.listdir(UNITS):
            shutil.copy(os.path.join(UNITS, name), os.path.join(tmp, "units", name))
        for unit in ("riss-signd.service", "rissd@.service", "riss-jobs.service", "riss-backup.service"):
            d = os.path.join(tmp, "dropins", unit + ".d")
            os.mkdir(d)
            conf(os.path.join(d, "asan.conf"), ASAN)
            if unit in ("riss-jobs.service", "riss-backup.service"):
                conf(os.path.join(d, "probe.conf"), SELF_FACTS)
        shutil.copy(os.path.join(ROOT, "deploy", "prod", "signd.conf"), os.path.join(tmp, "etc", "signd.conf"))
        shutil.copy(test_totp_key(), os.path.join(tmp, "etc", "totp.key"))
        # The production config's shape (deploy/prod/rissd-node.conf), the database through the
        # socket folder, and the ports of this container's own loopback.
        sock = f'host=/run/riss-pg port={db.get("port", "5432")} user={db.get("user", "riss")}'
        dburl = f'{sock} dbname={db.get("dbname", "riss")} connect_timeout=3'
        with open(os.path.join(ROOT, "deploy", "prod", "rissd-node.conf")) as f:
            prod = f.read()
        for name, port, extra in (("exam1", 8081, ""), ("public1", 8091, 'surfaces = "verify"\n'),
                                  ("bad", 8099, "")):
            text = re.sub(r"^db_url = .*$", f'db_url = "{dburl}"', prod, flags=re.M)
            text = re.sub(r"^db_read_url = .*$", f'db_read_url = "{dburl}"', text, flags=re.M)
            text = re.sub(r"^http_port = .*$", f"http_port = {port}", text, flags=re.M)
            text = re.sub(r"^db_pool_size = .*$", "db_pool_size = 4", text, flags=re.M)
            text = re.sub(r"^http_threads = .*$", "http_threads = 4", text, flags=re.M)
            if name == "bad":
                text = re.sub(r"^secure_cookies = .*$", "secure_cookies = false", text, flags=re.M)
            else:
                text = re.sub(r"^surfaces = .*$", "", text, flags=re.M) + extra
            conf(os.path.join(tmp, "etc", f"rissd-{name}.conf"), text)
        # riss jobs run as the jobs' config (the renewal job on the test database: what
        # `riss jobs run` in the renewal tests does too).
        conf(os.path.join(tmp, "etc", "rissd-jobs.conf"),
             f'db_url = "{dburl}"\nsignd_socket = "/run/riss-signd/signd.sock"\nkeys_dir = "/var/lib/riss/keys"\n'
             'migrations_dir = "/usr/share/riss/migrations"\npublic_base_url = "https://riss.example.jp"\n'
             'totp_key_file = "/var/lib/riss/totp/totp.key"\n')
        conf(os.path.join(tmp, "etc", "backup.env"), f'RISS_BACKUP_CONNINFO="{sock}"\nRISS_BACKUP_KEEP=2\n')
        with open(os.path.join(tmp, "out"), "w"):
            pass
        cmd = [nspawn, "--quiet", "--volatile=yes", "-D", "/", "--boot", "--register=no", "--keep-unit",
               "-M", f"riss-boot-{os.getpid()}", "--overlay=/usr::/usr",
               f"--bind={tmp}:/probe",
               f"--bind={db['host']}:/run/riss-pg",
               f"--bind-ro={tmp}/riss-probe.service:/etc/systemd/system/riss-probe.service",
               f"--bind-ro={tmp}/riss-probe.target:/etc/systemd/system/riss-probe.target",
               # only loopback inside; nothing but the probe's target is started
               "--private-network", "--", "systemd.firstboot=off", "systemd.unit=riss-probe.target"]
        t0 = time.time()
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=int(os.environ.get("BOOT_TIMEOUT", "200")),
                           stdin=subprocess.DEVNULL)
        took = time.time() - t0
        with open(os.path.join(tmp, "out")) as f:
            out = f.read()
        facts = dict(line.split("=", 1) for line in out.splitlines() if "=" in line and not line.startswith("+"))
        zero = "0000000000000000"
        want = {"pid1": "systemd", "signd.own_netns": "yes", "signd.socket": "660 riss-signd:riss-sign",
                "public1.healthz": "200", "exam1.healthz": "200", "public1.statuslist": "200 1",
                "jobs.rc": "0", "backup.rc": "0", "bad.status": "2", "bad.said": "1", "bad.healthz": "000"}
        users = {"signd": "riss-signd", "exam1": "rissd", "public1": "rissd", "jobs": "rissd", "backup": "postgres"}
        for k, user in users.items():
            want.update({f"{k}.user": user, f"{k}.CapEff": zero, f"{k}.CapBnd": zero, f"{k}.NoNewPrivs": "1",
                         f"{k}.Seccomp": "2"})
            if k in ("jobs", "backup"):
                want[f"{k}.result"] = "success status=0"
            else:
                want[f"{k}.active"] = "active"
        bad = {k: facts.get(k) for k, v in want.items() if facts.get(k) != v}
        for k in ("jobs", "backup"):
            if not facts.get(f"{k}.timer", "").startswith("active next="):
                bad[f"{k}.timer"] = facts.get(f"{k}.timer")
        if ".tar.gz" not in facts.get("backup.files", "") and ".tar" not in facts.get("backup.files", ""):
            bad["backup.files"] = facts.get("backup.files")
        scores = {}
        for unit, bound in MAX_EXPOSURE.items():
            m = re.match(r"([\d.]+) (\w+)", facts.get(f"exposure.{unit}", ""))
            if not m or float(m.group(1)) > bound:
                bad[f"exposure.{unit}"] = facts.get(f"exposure.{unit}")
            else:
                scores[unit] = f"{m.group(1)} {m.group(2)}"
        if bad or "done" not in out:
            print(f"boot: FAILED: {bad}\n--- probe ---\n{out}\n--- nspawn (rc {r.returncode}) ---\n"
                  f"{r.stdout[-3000:]}{r.stderr[-2000:]}")
            return 1
        print(f"boot: systemd (PID 1 in systemd-nspawn) ran every unit of deploy/prod/systemd, container up, checked "
              f"and powered off in {took:.0f} s:", flush=True)
        print("  riss-signd.service: active as riss-signd, own network namespace, socket "
              f"{facts['signd.socket']}")
        print("  rissd@exam1, rissd@public1: active as rissd, /healthz 200 on :8081 and :8091, a status list "
              f"signed through riss-signd's socket (Cache-Control: {facts.get('public1.statuslist_cache')})")
        print("  riss-jobs.service, riss-backup.service: started as their timers would, Result=success, exit 0, "
              f"as rissd and postgres; base backup {facts['backup.files'].strip()}")
        print(f"  riss-jobs.timer, riss-backup.timer: active, next {facts['jobs.timer'].split('next=')[1]} / "
              f"{facts['backup.timer'].split('next=')[1]}")
        print("  rissd@bad (https public_base_url, secure_cookies = false): exit status 2, the reason in the journal, "
              "never served")
        print("  every service: CapEff=CapBnd=0, NoNewPrivs=1, seccomp filter (from /proc; the oneshots from their "
              "own ExecStartPre)")
        for unit, s in scores.items():
            print(f"  systemd-analyze security {unit}: exposure {s} (bound {MAX_EXPOSURE[unit]:.1f})")
        return 0
    finally:
        if not os.environ.get("BOOT_KEEP"):
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
