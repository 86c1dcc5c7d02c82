"""Drills against the one-machine production cluster (deploy/cluster): each one breaks what a
real exam day can break and checks what a candidate or an employer would notice.

  python3 drills.py NAME     one drill against a running cluster (./deploy/dev cluster drill NAME)
  python3 drills.py all      meson suite 'drills': cluster up, every drill, bench, cluster down

Drills: primary-kill (200 candidates mid-exam, the PostgreSQL primary machine dies),
node-kill (one rissd node dies under load), replica-stop (public verification with the
replicas gone), restore (base backup + archived WAL to a new cluster, to a named point),
key-rotation (rotate the issuer key on the two-node deployment); bench (verify through nginx
with one node and with two, and the CPU each node used). Figures are printed; the checks are
what users see (answers kept, same item on resume, verdicts), never timings."""
import concurrent.futures
import http.client
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from test_exam_lib import Candidate, load_keys  # noqa: E402

# The real path (var/cluster may link to /var/tmp/riss-cluster-*: deploy/cluster's state_dir),
# for the paths handed to the service users.
C = os.path.realpath(os.path.join(ROOT, "var", "cluster"))
BUILD = os.environ.get("RISS_CLUSTER_BUILD") or os.environ.get("RISS_TEST_BUILD") or os.path.join(ROOT, "build")
RISS = os.path.join(BUILD, "cli", "riss")
CLUSTER = os.path.join(ROOT, "deploy", "cluster")
H = "127.0.0.1"
# The same offsets from the port base as deploy/cluster (RISS_CLUSTER_PORTS, default 61000).
P = int(os.environ.get("RISS_CLUSTER_PORTS") or 61000)
HTTPS = P + 50
ETCD_PORTS = [P, P + 2, P + 4]
PG_PORTS = [P + 11, P + 12, P + 13]
API_PORTS = [P + 21, P + 22, P + 23]
HA_WRITE, HA_READ = P + 30, P + 31
NODE_PORTS = [P + 41, P + 42]
RESTORE_PORT = P + 60
PG_CA = os.path.join(C, "pgtls", "ca.crt")


def resolve_state():
    """After `cluster up`: where var/cluster leads now."""
    global C, PG_CA
    C = os.path.realpath(os.path.join(ROOT, "var", "cluster"))
    PG_CA = os.path.join(C, "pgtls", "ca.crt")
PGBIN = "/usr/lib/postgresql/15/bin"


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def wait(cond, seconds, what):
    end = time.time() + seconds
    while time.time() < end:
        try:
            if cond():
                return
        except (OSError, ValueError, KeyError, http.client.HTTPException):
            pass
        time.sleep(0.2)
    raise Fail(f"timed out after {seconds} s waiting for {what}")


def secret(name):
    with open(os.path.join(C, "secrets", name)) as f:
        return f.read().strip()


def riss(*args, conf="cli-app.conf", check_rc=True):
    r = subprocess.run([RISS, *args], cwd=ROOT, env=dict(os.environ, RISS_CONFIG=os.path.join(C, conf)),
                       capture_output=True, text=True)
    if check_rc and r.returncode != 0:
        raise Fail(f"riss {' '.join(args)}: {r.stderr.strip()}")
    return r


def psql(sql, port=None, db="riss", user="postgres"):
    """As the superuser through the node's socket (port None: through HAProxy's write port)."""
    if port is None:
        conn = f"host={H} port={HA_WRITE} user={user} dbname={db} sslmode=verify-full sslrootcert={PG_CA}"
    else:
        idx = PG_PORTS.index(port) if port in PG_PORTS else None
        sock = os.path.join(C, f"pg{idx + 1}", "run") if idx is not None else os.path.join(C, "pgrestore", "run")
        conn = f"host={sock} port={port} user={user} dbname={db}"
    r = subprocess.run(["psql", conn, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], capture_output=True, text=True,
                       env=dict(os.environ, PGPASSWORD=secret(user if user != "postgres" else "postgres")))
    if r.returncode != 0:
        raise Fail(f"psql: {r.stderr.strip()}")
    return r.stdout.strip()


def ctl_ctx(client_cert=True):
    """TLS to the control plane (etcd, Patroni's REST API): the cluster's CA, and root's admin
    client certificate (both refuse a client without one)."""
    ctx = ssl.create_default_context(cafile=PG_CA)
    if client_cert:
        ctx.load_cert_chain(os.path.join(C, "pgtls", "admin.crt"), os.path.join(C, "pgtls", "admin.key"))
    return ctx


def ctl_get(port, path, timeout=2):
    return urllib.request.urlopen(f"https://{H}:{port}{path}", timeout=timeout, context=ctl_ctx())


def cluster_members():
    for p in API_PORTS:
        try:
            with ctl_get(p, "/cluster") as r:
                return json.load(r)["members"]
        except OSError:
            continue
    raise Fail("no Patroni REST API answers")


def role_of(name):
    return next((m["role"] for m in cluster_members() if m["name"] == name), None)


def leader_index():
    for i, p in enumerate(API_PORTS):
        try:
            with ctl_get(p, "/primary", timeout=1):
                return i
        except OSError:
            continue
    return None


def pidfile(name):
    with open(os.path.join(C, "run", name + ".pid")) as f:
        return int(f.read())


def descendants(pid):
    kids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        kids.append(int(d))
            except OSError:
                pass
    out = []
    for k in kids:
        out += descendants(k) + [k]
    return out


def kill_machine(i):
    """SIGKILL Patroni, PostgreSQL and the etcd member of node i: the machine is gone (no
    clean shutdown); the other two etcd members keep the quorum."""
    pids = [pidfile(f"patroni{i + 1}"), pidfile(f"etcd{i + 1}")]
    with open(os.path.join(C, f"pg{i + 1}", "data", "postmaster.pid")) as f:
        pm = int(f.readline())
    pids += [pm] + descendants(pm) + descendants(pids[0])
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass


def cluster_cmd(*args):
    subprocess.run([CLUSTER, *args], check=True, env=dict(os.environ, RISS_CLUSTER_BUILD=BUILD))


def all_streaming(n=2):
    ms = cluster_members()
    return sum(m["role"] in ("replica", "sync_standby") and m["state"] in ("streaming", "running") for m in ms) == n \
        and any(m["role"] == "sync_standby" for m in ms)


def etcd_healthy():
    for p in ETCD_PORTS:
        with ctl_get(p, "/health") as r:
            if json.load(r).get("health") != "true":
                return False
    return True


def ssl_ctx():
    ctx = ssl.create_default_context(cafile=os.path.join(C, "nginx", "cert.pem"))
    return ctx


class TlsCandidate(Candidate):
    """A candidate's workstation talking to nginx over HTTPS (Secure cookies, HTTP/1.1)."""

    def __init__(self, *a, **kw):
        super().__init__(HTTPS, *a, **kw)
        self.ctx = ssl_ctx()
        self.conn = None

    def call(self, method, path, obj=None, timeout=30):
        if self.conn is None:
            self.conn = http.client.HTTPSConnection(H, self.port, timeout=timeout, context=self.ctx)
        h = self.headers(method, obj)
        try:
            self.conn.request(method, path, body=None if obj is None else json.dumps(obj), headers=h)
            r = self.conn.getresponse()
            data = r.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            raise OSError("connection lost")
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                self.cookies[name] = rest.split(";")[0]
        try:
            body = json.loads(data) if data else None
        except ValueError:
            body = None
        return r.status, body


class Sim(threading.Thread):
    """Answers with a think time until stopped; remembers what the server acknowledged and
    when. A 5xx or a lost connection is retried with the same answer (resending is safe)."""

    def __init__(self, cand, keys, think=1.0):
        super().__init__(daemon=True)
        self.c, self.keys, self.think = cand, keys, think
        self.acked = []
        self.ack_times = []
        self.shown = None
        self.stop_flag = threading.Event()
        self.errors = 0
        self.bad = None

    def run(self):
        pending = None
        while not self.stop_flag.is_set():
            v = self.c.view
            if not v or "item" not in v:
                return
            it = v["item"]
            self.shown = (it["position"], it["item_id"])
            if pending is None or pending[0] != it["position"]:
                pending = (it["position"], it["item_id"], self.c.choose(self.keys, it["item_id"]))
            try:
                st, body = self.c.answer(*pending)
            except OSError:
                st, body = 0, None
            if st == 200:
                self.acked.append(pending)
                self.ack_times.append(time.time())
                nxt = body.get("item")
                self.shown = (nxt["position"], nxt["item_id"]) if nxt else None
                self.stop_flag.wait(self.think * (0.5 + self.c.rng.random()))
            elif st in (0, 502, 503, 504):
                self.errors += 1
                self.stop_flag.wait(0.2)
            else:
                self.bad = f"unexpected {st}: {body}"
                return


def patient(call, seconds=30):
    """A workstation's way with 503 "please wait" (rissd could not get a database connection
    in time, nothing was done): ask again after a moment, for a while. Other answers return."""
    end = time.time() + seconds
    while True:
        st, body = call()
        if st != 503 or time.time() > end:
            return st, body
        time.sleep(0.5)


def start_candidates(n, prefix, keys):
    seeded = json.loads(riss("exam", "seed", "--centre", "TC-" + prefix.upper(), "--count", str(n), "--prefix", prefix,
                             "--checked", "--json").stdout)["bookings"]
    def one(ib):
        i, b = ib
        code = json.loads(riss("exam", "admit", "--booking", str(b), "--seat", f"S-{i}", "--json").stdout)["code"]
        c = TlsCandidate(ability=0.3 + 0.6 * (i % 7) / 6, seed=i)
        st, body = patient(lambda: c.start(code))
        check(st == 200, f"start: {st} {body}")
        st, v = patient(lambda: c.call("POST", "/api/v1/exam/begin"))
        check(st == 200, f"begin: {st} {v}")
        c.view = v
        return c

    with concurrent.futures.ThreadPoolExecutor(6) as ex:
        return list(ex.map(one, enumerate(seeded)))


def check_resume(sims):
    """Every acknowledged answer is stored and each session shows the item it showed (or the
    next, when the last answer committed but its reply was lost). Returns answers lost."""
    lost = 0
    sessions = {}
    for s in sims:
        st, v = patient(s.c.current)
        check(st == 200, f"current after the drill: {st} {v}")
        sessions[v["session"]] = s
        n = len(s.acked)
        if v["answered"] < n:
            lost += n - v["answered"]
        check(v["answered"] in (n, n + 1), f"session {v.get('session')}: {v['answered']} stored, {n} acknowledged")
        if v["answered"] == n and "item" in v and s.shown:
            check((v["item"]["position"], v["item"]["item_id"]) == s.shown,
                  f"session {v.get('session')} resumed on another item")
    # And each acknowledged answer is stored as given: same position, item and choice.
    stored = {}
    for line in psql("SELECT session_id, position, item_id, choice FROM exam.responses WHERE session_id IN ("
                     + ",".join(str(int(k)) for k in sessions) + ")").splitlines():
        sid, pos, item, choice = line.split("|")
        stored[(int(sid), int(pos))] = (item, int(choice))
    for sid, s in sessions.items():
        for pos, item, choice in s.acked:
            got = stored.get((int(sid), pos))
            if got is None:
                lost += 1
            check(got is None or got == (item, choice),
                  f"session {sid} position {pos}: stored {got}, acknowledged {(item, choice)}")
    return lost


def longest_gap(sims, t0, t1):
    """Longest time in [t0, t1] in which no candidate got an answer acknowledged."""
    ts = sorted([t for s in sims for t in s.ack_times if t0 <= t <= t1] + [t0, t1])
    return max(b - a for a, b in zip(ts, ts[1:]))


def run_load(n, prefix, action, settle=3.0, think=1.0):
    keys = load_keys()
    cands = start_candidates(n, prefix, keys)
    sims = [Sim(c, keys, think) for c in cands]
    for s in sims:
        s.start()
    wait(lambda: sum(len(s.acked) for s in sims) >= 2 * n, 60, "the exams to get going")
    t0 = time.time()
    info = action(sims)
    # Let the candidates go on until answers flow again, then a little longer.
    base = sum(len(s.acked) for s in sims)
    wait(lambda: sum(len(s.acked) for s in sims) > base + n, 90, "answers to flow again")
    time.sleep(settle)
    t1 = time.time()
    for s in sims:
        s.stop_flag.set()
    for s in sims:
        s.join(30)
    bad = [s.bad for s in sims if s.bad]
    check(not bad, f"candidates saw unexpected answers: {bad[:3]}")
    for s in sims:
        if s.c.conn:
            s.c.conn.close()
            s.c.conn = None
    lost = check_resume(sims)
    return sims, t0, t1, lost, info


def drill_primary_kill(n=200):
    members = cluster_members()
    old = next(m["name"] for m in members if m["role"] == "leader")
    sync = next(m["name"] for m in members if m["role"] == "sync_standby")
    li = int(old[2:]) - 1

    def action(sims):
        kill_machine(li)
        tk = time.time()
        wait(lambda: leader_index() not in (None, li), 60, "Patroni to promote a new primary")
        return tk, time.time()

    sims, t0, t1, lost, (tk, tp) = run_load(n, "pk", action)
    new = next(m["name"] for m in cluster_members() if m["role"] == "leader")
    check(new == sync, f"Patroni promoted {new}, not the synchronous standby {sync}")
    gap = longest_gap(sims, t0, t1)
    acked = sum(len(s.acked) for s in sims)
    print(f"drill primary-kill: {n} candidates, primary {old} and its etcd member killed, {sync} (synchronous standby) promoted "
          f"{tp - tk:.1f} s later; longest time with no answer accepted {gap:.1f} s; {acked} answers acknowledged, "
          f"{lost} lost (each stored with the item and choice acknowledged); every candidate resumed on the same item",
          flush=True)
    check(lost == 0, "answers were lost")
    # The machine comes back: its etcd member rejoins, the old primary becomes a replica
    # (pg_rewind), for the next drills.
    cluster_cmd("_start", "etcd", str(li))
    cluster_cmd("_start", "patroni", str(li))
    wait(etcd_healthy, 60, "the etcd member to rejoin")
    wait(all_streaming, 120, f"{old} to rejoin as a replica")


def drill_node_kill(n=100):
    def action(sims):
        p = pidfile("rissd1")
        os.kill(p, signal.SIGKILL)
        return p

    sims, t0, t1, lost, _ = run_load(n, "nk", action)
    gap = longest_gap(sims, t0, t1)
    errs = sum(s.errors for s in sims)
    print(f"drill node-kill: {n} candidates, rissd node 1 killed under load; nginx sent them to node 2; "
          f"longest time with no answer accepted {gap:.1f} s; {errs} replies to retry (502/lost connection); "
          f"{lost} answers lost (each stored with the item and choice acknowledged)", flush=True)
    check(lost == 0, "answers were lost")
    cluster_cmd("_start", "node", "0")


def https(method, path, body=None, port=HTTPS, headers=None):
    if port == HTTPS:
        conn = http.client.HTTPSConnection(H, port, timeout=10, context=ssl_ctx())
    else:
        conn = http.client.HTTPConnection(H, port, timeout=10)
    try:
        h = {"Content-Type": "application/json"} if body is not None else {}
        h.update(headers or {})
        conn.request(method, path, body=None if body is None else json.dumps(body), headers=h)
        r = conn.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data
    finally:
        conn.close()


_regno = [0]


def issue_credential(tmp):
    """A registrant and a credential issued through riss-signd with the active key."""
    _regno[0] += 1
    regno = f"9{int(time.time()) % 10000:04d}{_regno[0]}"[:6]
    psql("INSERT INTO registry.registrants (regno, name, name_kana, name_latn, date_of_birth, exam_result_ref,"
         " exam_pass_date, reg_date, valid_from, valid_until) VALUES "
         f"('{regno}', '訓練 太郎', 'クンレン', 'Kunren Taro', '1990-01-01', 'drill-{regno}', '2025-12-01',"
         " '2026-04-01', '2026-04-01', '2029-03-31') ON CONFLICT DO NOTHING", user="riss_app")
    out = os.path.join(tmp, regno)
    riss("credential", "issue", regno, "--out-dir", out)
    with open(os.path.join(out, "token.jws")) as f:
        return f.read().strip()


def verify(token, port=HTTPS):
    st, _, data = https("POST", "/api/v1/verify", {"token": token}, port=port)
    return st, (json.loads(data) if data else None)


def drill_replica_stop():
    tmp = tempfile.mkdtemp(prefix="drill-replica-")
    try:
        token = issue_credential(tmp)
        wait(lambda: verify(token)[1]["verdict"] == "valid", 30, "the credential to verify through nginx")
        replicas = [m["name"] for m in cluster_members() if m["role"] != "leader"]
        async_name = next(m["name"] for m in cluster_members() if m["role"] == "replica")
        seen, unavailable = [], [0]
        for name in [async_name] + [r for r in replicas if r != async_name]:
            i = int(name[2:]) - 1
            os.kill(pidfile(f"patroni{i + 1}"), signal.SIGTERM)   # Patroni stops its PostgreSQL
            wait(lambda: not os.path.exists(f"/proc/{pidfile(f'patroni{i + 1}')}"), 60, f"{name} to stop")
            # HAProxy notices within its check interval (1 s, fall 2); meanwhile a connection to
            # the stopped node fails and rissd answers 503 once: poll for the steady answer.
            # and a pooled connection to it is dropped when next taken (rs_db_ok): count any
            # 503 an employer would have seen in the meantime.
            def ok():
                st_ = verify(token)[0]
                if st_ != 200:
                    unavailable[0] += 1
                return st_ == 200
            wait(ok, 20, "verification with a replica stopped")
            # Then 50 verifications as employers would make them (a 503 "try again shortly"
            # retried, and counted: a connection opened while HAProxy still routed to the
            # stopping node, in its 2 s detection window, fails once).
            for _ in range(50):
                wait(ok, 10, f"verification with {name} stopped")
                st, v = verify(token)
                check(st in (200, 503), f"verify with {name} stopped: {st} {v}")
                check(st == 503 or v["verdict"] == "valid", f"verify with {name} stopped: {v}")
                unavailable[0] += st == 503
            seen.append(name)
        # The primary still takes writes (synchronous_mode is not strict).
        issue_credential(tmp)
        # Only the primary is left: public reads use it (HAProxy's backup servers).
        # A worker whose pooled read connection still points at a stopped replica answers 503
        # once (the connection is dropped and reopened when next taken): poll, and count it.
        def search_ok():
            st_ = https("GET", "/api/v1/register/search?q=%E8%A8%93%E7%B7%B4")[0]
            if st_ != 200:
                unavailable[0] += 1
            return st_ == 200
        wait(search_ok, 20, "register search on the primary alone")
        print(f"drill replica-stop: replicas {', '.join(seen)} stopped one after the other; public verification "
              f"kept answering 'valid' and fell back to the primary once no replica was left (HAProxy backup "
              f"servers tracking /primary); {unavailable[0]} verify answers were 503 meanwhile; "
              f"a credential was issued on the primary alone (synchronous_mode not strict)", flush=True)
        for name in seen:
            cluster_cmd("_start", "patroni", str(int(name[2:]) - 1))
        wait(all_streaming, 120, "the replicas to stream again")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def table_counts(port=None):
    tables = psql("SELECT string_agg(format('%I.%I', schemaname, tablename), ' ' ORDER BY 1) FROM pg_tables"
                  " WHERE schemaname IN ('audit','staff','bank','exam','registry','public')", port=port).split()
    q = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM {t}" for t in tables)
    return dict(line.split("|") for line in psql(q, port=port).splitlines())


def as_rissdb(*cmd):
    subprocess.run(["setpriv", "--reuid=rissdb", "--regid=rissdb", "--init-groups", "--", "env", "HOME=/nonexistent",
                    *cmd], check=True, capture_output=True, cwd="/")


def drill_restore():
    """Last night's backup (taken at `cluster up`), today's work on top, then: restore the base
    backup and the archived WAL into a new cluster up to a named point, and compare."""
    tmp = tempfile.mkdtemp(prefix="drill-restore-")
    rdir = os.path.join(C, "pgrestore")
    try:
        issue_credential(tmp)
        li = leader_index()
        lp = PG_PORTS[li]
        before = table_counts(lp)
        point = f"drill-{int(time.time())}"
        psql(f"SELECT pg_create_restore_point('{point}')", port=lp)
        # Work after the point, which the restore must not contain.
        issue_credential(tmp)
        seg = psql("SELECT pg_walfile_name(pg_switch_wal())", port=lp)
        wait(lambda: os.path.exists(os.path.join(C, "backup", "wal", seg)), 60, f"WAL {seg} to be archived")
        base = sorted(os.listdir(os.path.join(C, "backup", "base")))[-1]
        bdir = os.path.join(C, "backup", "base", base)
        shutil.rmtree(rdir, ignore_errors=True)
        os.makedirs(os.path.join(rdir, "run"))
        shutil.chown(rdir, "rissdb", "rissdb")
        shutil.chown(os.path.join(rdir, "run"), "rissdb", "rissdb")
        os.chmod(rdir, 0o711)
        data = os.path.join(rdir, "data")
        as_rissdb("mkdir", "-m", "700", data)
        as_rissdb("tar", "-xzf", os.path.join(bdir, "base.tar.gz"), "-C", data)
        as_rissdb("tar", "-xzf", os.path.join(bdir, "pg_wal.tar.gz"), "-C", os.path.join(data, "pg_wal"))
        wal = os.path.join(C, "backup", "wal")
        conf = (f"port = {RESTORE_PORT}\nlisten_addresses = '{H}'\nunix_socket_directories = '{rdir}/run'\n"
                f"archive_mode = off\nsynchronous_standby_names = ''\nhot_standby = on\n"
                f"restore_command = 'cp {wal}/%f %p'\nrecovery_target_name = '{point}'\n"
                f"recovery_target_action = 'promote'\nrecovery_target_timeline = 'latest'\n")
        as_rissdb("sh", "-c", f"cat >> {data}/postgresql.auto.conf <<'EOF'\n{conf}EOF\ntouch {data}/recovery.signal")
        t0 = time.time()
        as_rissdb(os.path.join(PGBIN, "pg_ctl"), "-D", data, "-l", os.path.join(rdir, "log"), "-w", "-t", "120", "start")
        wait(lambda: psql("SELECT pg_is_in_recovery()", port=RESTORE_PORT) == "f", 120, "the restore to finish")
        took = time.time() - t0
        after = table_counts(RESTORE_PORT)
        diff = {t: (before.get(t), after.get(t)) for t in set(before) | set(after) if before.get(t) != after.get(t)}
        check(not diff, f"row counts differ after the restore (table: at the point, restored): {diff}")
        # The transparency log of the restored database checks out against its credentials.
        with open(os.path.join(tmp, "restore.conf"), "w") as f:
            f.write(f'db_url = "host={rdir}/run port={RESTORE_PORT} user=postgres dbname=riss"\n'
                    f'keys_dir = "{C}/keys"\nmigrations_dir = "{ROOT}/deploy/migrations"\n'
                    f'totp_key_file = "{C}/totp/totp.key"\n')
        r = subprocess.run([RISS, "log", "verify"], cwd=ROOT, capture_output=True, text=True,
                           env=dict(os.environ, RISS_CONFIG=os.path.join(tmp, "restore.conf"),
                                    PGPASSWORD=secret("postgres")))
        check(r.returncode == 0, f"riss log verify on the restored database: {r.stdout} {r.stderr}")
        rows = sum(int(v) for v in after.values())
        print(f"drill restore: base backup {base} + archived WAL restored to the point '{point}' in {took:.1f} s; "
              f"{len(after)} tables, {rows} rows, every count equal to the primary's at that point; "
              f"riss log verify: ok", flush=True)
    finally:
        if os.path.exists(os.path.join(rdir, "data", "postmaster.pid")):
            subprocess.run(["setpriv", "--reuid=rissdb", "--regid=rissdb", "--init-groups", "--",
                            os.path.join(PGBIN, "pg_ctl"), "-D", os.path.join(rdir, "data"), "-m", "immediate",
                            "-w", "stop"], capture_output=True, cwd="/")
        shutil.rmtree(rdir, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)


def jwks_kids(port):
    st, _, data = https("GET", "/.well-known/jwks.json", port=port)
    return [k["kid"] for k in json.loads(data)["keys"]] if st == 200 else []


def drill_key_rotation():
    tmp = tempfile.mkdtemp(prefix="drill-keys-")
    try:
        old_token = issue_credential(tmp)
        old_kids = jwks_kids(NODE_PORTS[0])
        t0 = time.time()   # from the rotation: the nodes may see keys.json before riss-signd's SIGHUP
        subprocess.run(["setpriv", "--reuid=risssign", "--regid=risssign", "--init-groups", "--",
                        os.path.join(C, "stage", "bin", "riss"), "keys",
                        "rotate", "--dir", os.path.join(C, "keys")], check=True, capture_output=True, cwd="/")
        os.kill(pidfile("signd"), signal.SIGHUP)
        for p in NODE_PORTS:
            wait(lambda: len(jwks_kids(p)) == len(old_kids) + 1, 10, f"node {p} to publish the new key")
        seen = time.time() - t0
        new_kid = next(k for k in jwks_kids(NODE_PORTS[0]) if k not in old_kids)
        # signd may still be reloading: the first issuance after SIGHUP is retried briefly.
        new_token = None
        end = time.time() + 10
        while new_token is None:
            try:
                new_token = issue_credential(tmp)
            except Fail:
                if time.time() > end:
                    raise
                time.sleep(0.2)
        hdr = json.loads(__import__("base64").urlsafe_b64decode(new_token.split(".")[0] + "=="))
        check(hdr["kid"] == new_kid, f"new credential signed with {hdr['kid']}, not the new key {new_kid}")
        transient = [0]
        for p in NODE_PORTS:
            for name, tok in (("old", old_token), ("new", new_token)):
                # A 503 "try again shortly" (a read connection being reopened after the
                # previous drill's replica restarts) is retried as a verifier would; counted.
                def answered():
                    st_, _ = verify(tok, port=p)
                    transient[0] += st_ == 503
                    return st_ != 503
                wait(answered, 10, f"node {p} to answer for the {name} credential")
                st, v = verify(tok, port=p)
                check(st == 200 and v["verdict"] == "valid", f"{name} credential on node {p}: {st} {v}")
        # The log grew with the new issuance: a node whose public reads come from a replica
        # signs (through riss-signd, with the new key) and serves the checkpoint for it.
        size = int(psql("SELECT size FROM registry.tlog_state"))
        for p in NODE_PORTS:
            wait(lambda: https("GET", "/log/checkpoint", port=p)[0] == 200 and
                 int(https("GET", "/log/checkpoint", port=p)[2].decode().split("\n")[1]) == size, 10,
                 f"node {p} to serve the checkpoint of size {size}")
        print(f"drill key-rotation: rotated to {new_kid[:12]}…; both nodes published it within {seen:.1f} s of the rotation "
              f"(keys.json checked once a second); credentials signed before and after verify 'valid' on both "
              f"({transient[0]} transient 503s retried)",
              flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def cpu_s(pid, gone=0.0):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return gone
    return sum(int(x) for x in fields[11:13]) / os.sysconf("SC_CLK_TCK")


def bench():
    if not shutil.which("wrk"):
        print("bench: wrk is not installed")
        return
    tmp = tempfile.mkdtemp(prefix="drill-bench-")
    try:
        token = issue_credential(tmp)
        lua = os.path.join(tmp, "post.lua")
        with open(lua, "w") as f:
            f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                    'wrk.body = %s\n' % json.dumps(json.dumps({"token": token})))
        res = {}
        for nodes in (["0"], ["0", "1"]):
            cluster_cmd("_start", "upstreams", *nodes)
            wait(lambda: verify(token)[0] == 200, 10, "nginx to reload")
            pids = [pidfile(f"rissd{int(i) + 1}") for i in nodes]
            with open(os.path.join(C, "nginx", "nginx.pid")) as f:
                workers = descendants(int(f.read()))
            c0 = [cpu_s(p) for p in pids]
            n0 = {p: cpu_s(p, None) for p in workers}
            l0 = os.getloadavg()[0]
            secs = float(os.environ.get("DRILL_BENCH_SECONDS", "8"))
            out = subprocess.run(["wrk", "-t2", "-c32", f"-d{secs:.0f}s", "--latency", "-s", lua,
                                  f"https://{H}:{HTTPS}/api/v1/verify"], capture_output=True, text=True).stdout
            c1 = [cpu_s(p) for p in pids]
            # nginx workers (a worker of the reload before may be gone by now: not counted)
            ngx = sum(b - a for a, b in ((n0[p], cpu_s(p, None)) for p in workers) if a is not None and b is not None) / secs
            rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
            m = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
            p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else float("nan")
            non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            cpu = [(b - a) / secs for a, b in zip(c0, c1)]
            res[len(nodes)] = rps
            print(f"bench verify through nginx (TLS, HTTP/1.1 keep-alive, 32 connections) with {len(nodes)} rissd "
                  f"node(s): {rps:.0f} requests/s, p99 {p99:.1f} ms, non-2xx {non2xx.group(1) if non2xx else 0}; "
                  f"rissd CPU per node: {', '.join(f'{c:.2f} cores' for c in cpu)} "
                  f"({sum(cpu) * 1e6 / max(rps, 1):.0f} us per request); nginx {ngx:.2f} cores "
                  f"({ngx * 1e6 / max(rps, 1):.0f} us per request, TLS); {os.cpu_count()} cores, load average "
                  f"{l0:.1f} before, {os.getloadavg()[0]:.1f} after", flush=True)
        print(f"bench verify: two nodes / one node = {res[2] / max(res[1], 1):.2f} (one machine of "
              f"{os.cpu_count()} cores shared by nginx, wrk, PostgreSQL and both nodes: it cannot double)", flush=True)
    finally:
        cluster_cmd("_start", "upstreams", "0", "1")
        shutil.rmtree(tmp, ignore_errors=True)


def check_roles():
    """Least privilege as rissd has it: riss_app reads and writes rows but cannot drop, alter
    or truncate; nobody, the owner included, can change or remove audit rows; riss_read
    cannot write at all."""
    def refused(sql, user):
        try:
            psql(sql, user=user)
        except Fail as e:
            return str(e)
        raise Fail(f"{user} was allowed: {sql}")
    # A row to protect: row triggers do not fire on an empty table.
    psql("INSERT INTO audit.events (actor, role, action) VALUES ('drill', 'system', 'drill.roles')", user="riss_app")
    for sql in ("DROP TABLE exam.responses", "ALTER TABLE exam.responses ADD COLUMN x int",
                "TRUNCATE registry.credentials", "CREATE TABLE public.x (i int)",
                "DELETE FROM audit.events", "UPDATE audit.events SET actor = 'x'", "DELETE FROM public.schema_migrations",
                "UPDATE registry.status_history SET reason = 'x'", "DELETE FROM registry.status_history",
                "DELETE FROM registry.tlog_leaves", "UPDATE registry.tlog_leaves SET idx = idx",
                "TRUNCATE registry.tlog_checkpoints", "DELETE FROM registry.tlog_checkpoints"):
        why = refused(sql, "riss_app")
        check("permission denied" in why or "must be owner" in why, f"riss_app: {sql} refused for another reason: {why}")
    for sql in ("DELETE FROM audit.events", "TRUNCATE audit.events", "UPDATE audit.events SET actor = 'x'"):
        check("append-only" in refused(sql, "riss_owner"), f"riss_owner: {sql} not refused by the trigger")
    check("read-only" in refused("INSERT INTO audit.events (actor, role, action) VALUES ('a', 'b', 'c.d')", "riss_read"),
          "riss_read could write")
    print("drill roles: riss_app cannot DROP, ALTER, TRUNCATE, CREATE or touch audit rows, the registrants' status "
          "history or the transparency log's leaves and checkpoints; the audit trail refuses "
          "UPDATE, DELETE and TRUNCATE to the owner too; riss_read cannot write", flush=True)


def check_tls():
    """Every TCP connection to PostgreSQL is TLS: rissd's (through HAProxy, to the primary
    and the replicas), the replication streams; a client without TLS is refused."""
    q = ("SELECT coalesce(a.usename, '') || ':' || s.ssl || ':' || coalesce(s.version, '') || ':' || a.backend_type"
         " || ':' || coalesce(a.state, '') FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)"
         " WHERE a.client_addr IS NOT NULL")
    seen, plain = {}, []

    def sample():
        # A backend still starting up shows no TLS yet: sample until none is (10 s).
        seen.clear()
        plain.clear()
        for i, port in enumerate(PG_PORTS):
            for line in psql(q, port=port).splitlines():
                user, ssl_on, ver, kind, state = line.split(":")
                if ssl_on != "true":
                    plain.append(f"pg{i + 1}: {user} {kind} {state}")
                seen[(user, ver)] = seen.get((user, ver), 0) + 1
        return not plain
    try:
        wait(sample, 10, "a moment with every connection on TLS")
    except Fail:
        raise Fail(f"connections without TLS: {plain}")
    users = {u for u, _ in seen}
    check({"riss_app", "replicator"} <= users, f"expected rissd's and the replication connections, saw {sorted(users)}")
    r = subprocess.run(["psql", f"host={H} port={HA_WRITE} user=riss_app dbname=riss sslmode=disable", "-qAtc",
                        "SELECT 1"], capture_output=True, text=True, env=dict(os.environ, PGPASSWORD=secret("riss_app")))
    check(r.returncode != 0 and "no encryption" in r.stderr, f"a connection without TLS was not refused: {r.stderr}")
    print("drill tls: PostgreSQL connections over TCP, all TLS: "
          + ", ".join(f"{n} {u} ({v})" for (u, v), n in sorted(seen.items()))
          + "; certificates checked (sslmode=verify-full against the cluster's CA); a client without TLS is refused",
          flush=True)


def refused_request(url, ctx, method="GET", headers=None):
    """The reason a request was refused (TLS handshake, connection, HTTP status >= 400), or
    None when it was answered with success."""
    try:
        req = urllib.request.Request(url, method=method, headers=headers or {},
                                     data=b"{}" if method == "POST" else None)
        with urllib.request.urlopen(req, timeout=5, context=ctx) as r:
            return None if r.status < 400 else f"HTTP {r.status}"
    except urllib.error.HTTPError as e:
        return f"HTTP {e.code}"
    except (OSError, http.client.HTTPException) as e:
        return type(e).__name__ + ": " + str(getattr(e, "reason", e))[:80]


def check_control_tls():
    """etcd and Patroni's REST API answer only TLS clients with a certificate from the
    cluster's CA; Patroni's unsafe endpoints also want the password; HAProxy's checks (over
    that TLS, with its own certificate) see the primary."""
    plain = ssl.create_default_context(cafile=PG_CA)   # TLS, server checked, no client certificate
    seen = []
    for name, port, path in (("etcd", ETCD_PORTS[0], "/health"), ("Patroni", API_PORTS[0], "/cluster")):
        why = refused_request(f"http://{H}:{port}{path}", None)
        check(why is not None, f"{name} answered plain HTTP")
        seen.append(f"{name} plain HTTP: {why}")
        why = refused_request(f"https://{H}:{port}{path}", plain)
        check(why is not None, f"{name} answered a TLS client without a certificate")
        seen.append(f"{name} TLS without client certificate: {why}")
        check(refused_request(f"https://{H}:{port}{path}", ctl_ctx()) is None, f"{name} refused the admin certificate")
    # An unsafe endpoint with a valid client certificate but no password: 401, nothing restarted.
    li = leader_index()
    why = refused_request(f"https://{H}:{API_PORTS[li]}/restart", ctl_ctx(), method="POST")
    check(why == "HTTP 401", f"Patroni POST /restart without the password: {why}")
    seen.append(f"Patroni POST /restart without password: {why}")
    # etcd's peer URL wants a peer certificate too.
    why = refused_request(f"https://{H}:{P + 1}/members", plain)
    check(why is not None, "etcd's peer URL answered a client without a certificate")
    seen.append(f"etcd peer URL without certificate: {why}")
    r = subprocess.run(["psql", f"host={H} port={HA_WRITE} user=riss_app dbname=riss sslmode=verify-full sslrootcert={PG_CA}",
                        "-qAtc", "SELECT NOT pg_is_in_recovery()"], capture_output=True, text=True,
                       env=dict(os.environ, PGPASSWORD=secret("riss_app")))
    check(r.stdout.strip() == "t", f"HAProxy's write port does not reach the primary: {r.stderr.strip()}")
    print("drill control-tls: etcd (client and peer URLs) and Patroni's REST API are TLS with client certificates "
          "from the cluster's CA; refused: " + "; ".join(seen)
          + "; HAProxy's checks (check-ssl, verify required, its own certificate) route writes to the primary",
          flush=True)


def raw_http(port, method, path, source=H, headers=None, body=None, tls=False, alpn=None):
    """One request from a chosen loopback source address (127.0.0.2 is "someone else": not
    nginx, not the operator network); returns (status, headers, body, negotiated ALPN, TLS version)."""
    import socket
    sock = socket.create_connection((H, port), timeout=10, source_address=(source, 0))
    proto = version = None
    try:
        if tls:
            ctx = ssl_ctx()
            if alpn:
                ctx.set_alpn_protocols(alpn)
            sock = ctx.wrap_socket(sock, server_hostname=H)
            proto, version = sock.selected_alpn_protocol(), sock.version()
            if proto == "h2":
                return None, {}, b"", proto, version
        conn = http.client.HTTPConnection(H, port, timeout=10)
        conn.sock = sock
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data, proto, version
    finally:
        sock.close()


REPLICA_NODE_PORT = P + 43


def check_edge():
    """nginx as the edge (deploy/prod/nginx-riss.conf) and the trust in X-Forwarded-For, then a
    public node whose ONLY database is the read port (replicas): what it serves and its cache
    headers."""
    seen = []
    # TLS, HTTP/2, HSTS, the security headers.
    _, _, _, proto, version = raw_http(HTTPS, "GET", "/healthz", tls=True, alpn=["h2", "http/1.1"])
    check(proto == "h2", f"nginx did not offer HTTP/2 (ALPN {proto})")
    check(version in ("TLSv1.3", "TLSv1.2"), f"TLS version {version}")
    seen.append(f"ALPN h2 over {version}")
    st, hd, _, _, _ = raw_http(HTTPS, "GET", "/healthz", tls=True)
    check(st == 200 and "max-age=" in hd.get("strict-transport-security", ""), f"/healthz: {st} HSTS {hd}")
    for h, v in (("x-content-type-options", "nosniff"), ("x-frame-options", "DENY"), ("referrer-policy", "no-referrer")):
        check(hd.get(h) == v, f"{h}: {hd.get(h)!r}, not {v!r}")
    check("frame-ancestors 'none'" in hd.get("content-security-policy", ""), f"CSP {hd.get('content-security-policy')}")
    check("server" not in hd or "/" not in hd["server"], f"nginx tells its version: {hd.get('server')}")
    seen.append("HSTS, nosniff, DENY, no-referrer, CSP frame-ancestors 'none', no server version")
    st, hd, _, _, _ = raw_http(P + 51, "GET", "/healthz")
    check(st == 301 and hd.get("location", "").startswith("https://"), f"plain http: {st} {hd.get('location')}")
    seen.append("http -> 301 https")
    # Request limits: a body over client_max_body_size (1 MiB) never reaches rissd.
    st, _, _, _, _ = raw_http(HTTPS, "POST", "/api/v1/verify", tls=True, body=b"x" * (2 << 20),
                              headers={"Content-Type": "application/json"})
    check(st == 413, f"a 2 MiB body: {st}, not 413")
    st, _, _, _, _ = raw_http(HTTPS, "GET", "/metrics", tls=True)
    check(st == 404, f"/metrics through nginx: {st}")
    seen.append("2 MiB body 413, /metrics 404 at the edge")
    # X-Forwarded-For: believed only from trusted_proxies (127.0.0.1 = nginx); /metrics and
    # /readyz's details are for operator_networks (127.0.0.1 by default).
    node = NODE_PORTS[0]
    forged = {"X-Forwarded-For": "127.0.0.1"}
    cases = [("direct from 127.0.0.1", node, H, {}, False, 200),
             ("direct from 127.0.0.2 claiming X-Forwarded-For 127.0.0.1", node, "127.0.0.2", forged, False, 404),
             ("from the trusted proxy for client 10.9.9.9", node, H, {"X-Forwarded-For": "10.9.9.9"}, False, 404)]
    for what, port, src, hdrs, tls, want in cases:
        st = raw_http(port, "GET", "/metrics", source=src, headers=hdrs, tls=tls)[0]
        check(st == want, f"/metrics {what}: {st}, not {want}")
    # Through nginx from 127.0.0.2 with a forged header: nginx replaces it with the real peer.
    st, _, body, _, _ = raw_http(HTTPS, "GET", "/readyz", source="127.0.0.2", headers=forged, tls=True)
    check(st == 200 and "database" not in json.loads(body), f"/readyz via nginx from 127.0.0.2, forged XFF: {body}")
    st, _, body, _, _ = raw_http(HTTPS, "GET", "/readyz", tls=True)
    check(st == 200 and json.loads(body).get("database") == "ok", f"/readyz via nginx from 127.0.0.1: {body}")
    seen.append("X-Forwarded-For believed from nginx only (a forged one from 127.0.0.2 is replaced by nginx "
                "and ignored by rissd)")
    # A CDN-style cache honours the origin's Cache-Control: the second JWKS fetch is nginx's.
    raw_http(HTTPS, "GET", "/.well-known/jwks.json", tls=True)
    st, hd, _, _, _ = raw_http(HTTPS, "GET", "/.well-known/jwks.json", tls=True)
    check(st == 200 and hd.get("x-cache") == "HIT", f"JWKS the second time: {st} X-Cache {hd.get('x-cache')}")
    seen.append("JWKS cached by nginx (X-Cache HIT)")
    print("drill edge: " + "; ".join(seen), flush=True)
    replica_node()


def replica_node():
    """A public node (surfaces verify, register) whose db_url AND db_read_url are HAProxy's
    read port: it never reaches the primary. It must verify, sign status lists and
    checkpoints, serve JWKS and proofs, with Cache-Control a CDN can honour; and not serve
    the exam."""
    tmp = tempfile.mkdtemp(prefix="drill-replica-node-")
    proc = None
    try:
        token = issue_credential(tmp)
        with open(os.path.join(C, "rissd1.conf")) as f:
            text = f.read()
        read = re.search(r'^db_read_url = (.*)$', text, re.M).group(1)
        text = re.sub(r'^db_url = .*$', f"db_url = {read}", text, flags=re.M)
        text = re.sub(r'^http_port = .*$', f"http_port = {REPLICA_NODE_PORT}", text, flags=re.M)
        text += 'surfaces = "verify,register"\njobs_interval = 0\n'
        conf = os.path.join(C, "rissd-replica.conf")
        with open(conf, "w") as f:
            f.write(text)
        st = os.stat(os.path.join(C, "rissd1.conf"))
        os.chown(conf, st.st_uid, st.st_gid)
        os.chmod(conf, st.st_mode & 0o777)
        log = open(os.path.join(C, "log", "rissd-replica.log"), "w")
        # HOME as deploy/cluster's spawn has it: libpq would try root's ~/.postgresql/ otherwise.
        env = {k: v for k, v in os.environ.items() if k != "RISS_HTTP_PORT"}
        env["HOME"] = "/nonexistent"
        proc = subprocess.Popen(["setpriv", "--reuid=rissweb", "--regid=rissweb", "--init-groups", "--",
                                 os.path.join(C, "stage", "bin", "rissd"), "--config", conf],
                                cwd=os.path.join(C, "stage"), stdout=log, stderr=subprocess.STDOUT, env=env)
        wait(lambda: https("GET", "/readyz", port=REPLICA_NODE_PORT)[0] == 200, 60, "the replica-only node")
        # Only replicas behind its connections (pg_is_in_recovery on the server it reached).
        out = []

        def valid():
            st_, v = verify(token, port=REPLICA_NODE_PORT)
            out[:] = [st_, v]
            return st_ == 200 and v["verdict"] == "valid"
        wait(valid, 20, "the replica-only node to verify a credential issued on the primary (replication lag)")
        cc = {}
        for path in ("/statuslists/1", "/.well-known/jwks.json", "/log/checkpoint", "/api/v1/log/inclusion?index=0"):
            st, hd, body = https("GET", path, port=REPLICA_NODE_PORT)
            check(st == 200, f"replica-only node {path}: {st} {body[:200]!r}")
            cc[path.split("?")[0]] = hd.get("cache-control")
        for path in ("/statuslists/1", "/.well-known/jwks.json", "/log/checkpoint"):
            check(cc[path].startswith("public, max-age="), f"{path}: Cache-Control {cc[path]}")
        st, _, _ = https("POST", "/api/v1/exam/start", {"code": "x"}, port=REPLICA_NODE_PORT)
        check(st == 404, f"the exam on a public node: {st}")
        rec = psql("SELECT count(*) FROM pg_stat_activity WHERE usename = 'riss_read'", port=PG_PORTS[leader_index()])
        print(f"drill replica-node: a public node whose only database is HAProxy's read port (replicas) verified a "
              f"credential 'valid', signed status list and checkpoint, served JWKS and an inclusion proof; "
              f"Cache-Control {', '.join(f'{k} {v}' for k, v in cc.items())}; the exam is 404 there "
              f"(riss_read sessions on the primary: {rec})", flush=True)
    finally:
        if proc:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


DRILLS = {"edge": check_edge, "roles": check_roles, "tls": check_tls, "control-tls": check_control_tls, "primary-kill": drill_primary_kill, "node-kill": drill_node_kill, "replica-stop": drill_replica_stop,
          "restore": drill_restore, "key-rotation": drill_key_rotation, "bench": bench}


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else "all"
    if name != "all":
        if name not in DRILLS:
            print(f"unknown drill '{name}'; one of: {', '.join(DRILLS)}", file=sys.stderr)
            return 2
        try:
            DRILLS[name]()
        except Fail as e:
            print(f"drill {name}: FAILED: {e}", flush=True)
            return 1
        return 0
    if os.geteuid() != 0:
        print("the drills need root (they create service users and start nginx): skipped")
        return 77
    failed = []
    t0 = time.time()
    try:
        subprocess.run([CLUSTER, "down"], capture_output=True)
        cluster_cmd("up")
        resolve_state()
        print(f"drills: cluster up in {time.time() - t0:.0f} s", flush=True)
        for d in ("roles", "tls", "control-tls", "edge", "node-kill", "primary-kill", "replica-stop", "key-rotation", "restore", "bench"):
            try:
                DRILLS[d]()
            except Fail as e:
                print(f"drill {d}: FAILED: {e}", flush=True)
                failed.append(d)
                subprocess.run([CLUSTER, "status"])
    finally:
        if not os.environ.get("DRILLS_KEEP_CLUSTER"):
            subprocess.run([CLUSTER, "down"], capture_output=True)
    print(f"drills: {len(failed)} failed ({', '.join(failed) or 'none'}) in {time.time() - t0:.0f} s", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
