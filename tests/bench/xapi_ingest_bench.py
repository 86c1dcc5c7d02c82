"""Benchmark: xAPI statements stored durably (synchronous_commit on, the dev cluster's
settings) through POST /xapi/statements in batches of 100 `completed` statements by 8
clients at once (8 providers, each with its own xAPI Basic credential and one keep-alive
connection), against a real rissd and a throw-away PostgreSQL. Prints statements/s and
p50/p99 per batch; beside it, in the same run, the frame alone (State document PUTs by the
same 8 clients: authentication, version check, one upsert per request) and pgbench's
one-row insert TPS as the ceiling. Asserts nothing. Environment: XAPI_BENCH_SECONDS (10),
XAPI_BENCH_CLIENTS (8), XAPI_BENCH_BATCH (100), XAPI_BENCH_THREADS (rissd http_threads, 4),
XAPI_BENCH_POOL (8); XAPI_BENCH_PROFILE=1 also prints, from pg_stat_statements, the SQL one batch
costs (calls, time and rows per batch)."""
import base64
import http.client
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from exam_load import dev_settings, pgbench_ceiling, psql, cpu_s, pg_pids  # noqa: E402
from test_exam_lib import Rissd, private_stack  # noqa: E402
from rissd_harness import riss  # noqa: E402

SECONDS = float(os.environ.get("XAPI_BENCH_SECONDS", "10"))
CLIENTS = int(os.environ.get("XAPI_BENCH_CLIENTS", "8"))
BATCH = int(os.environ.get("XAPI_BENCH_BATCH", "100"))
THREADS = os.environ.get("XAPI_BENCH_THREADS", "4")
POOL = os.environ.get("XAPI_BENCH_POOL", "8")
PROFILE = os.environ.get("XAPI_BENCH_PROFILE", "0") == "1"
REGISTRANTS = 5000


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] if xs else float("nan")


def statement(base, provider, n):
    """One `completed` statement of a registrant (account on our base URL) for the provider's
    course (activity <base>/courses/<code>), so each becomes a CPD completion."""
    return {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": base, "name": "%06d" % (n % REGISTRANTS + 1)}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
        "object": {"objectType": "Activity", "id": f"{base}/courses/ONL",
                   "definition": {"name": {"ja-JP": "オンライン講習", "en-US": "Online course"}}},
        "result": {"completion": True, "success": True, "duration": "PT6H"},
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
    }


def run_clients(port, creds, make_request, seconds):
    """Each client loops make_request(i, n) -> (method, path, body, headers, expected status,
    items) on its own connection; returns (latencies, items, elapsed, first error)."""
    stop = threading.Event()
    results = [[] for _ in creds]
    errors = []

    def loop(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = 0
        while not stop.is_set():
            method, path, body, h, want, items = make_request(i, n)
            t0 = time.perf_counter()
            conn.request(method, path, body, h)
            r = conn.getresponse()
            data = r.read()
            dt = time.perf_counter() - t0
            if r.status != want:
                errors.append((r.status, data[:300]))
                return
            results[i].append((dt, items))
            n += items
        conn.close()

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(len(creds))]
    for t in threads:
        t.start()
    time.sleep(1.0)  # warm-up: connections, prepared statements
    for r in results:
        r.clear()
    t0 = time.perf_counter()
    time.sleep(seconds)
    done = [list(r) for r in results]
    elapsed = time.perf_counter() - t0
    stop.set()
    for t in threads:
        t.join()
    lat = [dt for r in done for dt, _ in r]
    return lat, sum(n for r in done for _, n in r), elapsed, errors[0] if errors else None


def main():
    tmp = tempfile.mkdtemp(prefix="riss-xapi-bench-")
    pg, conf = private_stack(tmp, package=False)
    rissd = None
    try:
        for k, v in dev_settings().items():
            psql(pg, f"ALTER SYSTEM SET {k} = '{v}'")
        if PROFILE:
            psql(pg, "ALTER SYSTEM SET shared_preload_libraries = pg_stat_statements, auto_explain")
        pg.stop()
        pg.start()
        sc = psql(pg, "SHOW synchronous_commit")
        if PROFILE:
            psql(pg, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            for k in ("log_analyze", "log_triggers", "log_nested_statements"):
                psql(pg, f"ALTER SYSTEM SET auto_explain.{k} = on")
        psql(pg, "INSERT INTO registry.registrants (regno, name, name_kana, name_latn, date_of_birth, exam_result_ref,"
                 " exam_pass_date, reg_date, valid_from, valid_until) SELECT lpad(i::text, 6, '0'), '講習 太郎',"
                 " 'コウシュウ', 'Koshu Taro', '1990-01-01', 'bench-' || i, '2026-01-15', '2026-04-01', '2026-04-01',"
                 f" '2029-03-31' FROM generate_series(1, {REGISTRANTS}) i")
        creds, keys = [], []
        for p in range(CLIENTS):
            r = riss("provider", "add", f"ベンチ LRS {p}", "--name-en", f"Bench LMS {p}", "--from", "2016-10-01",
                     "--json", config=conf)
            if r.returncode != 0:
                raise RuntimeError(r.stderr)
            added = json.loads(r.stdout)
            keys.append(added["api_key"])
            x = added["xapi"]
            creds.append("Basic " + base64.b64encode(f"{x['username']}:{x['password']}".encode()).decode())
        base = x["endpoint"].rsplit("/xapi/", 1)[0]
        rissd = Rissd(config=conf, settings={"http_threads": THREADS, "db_pool_size": POOL, "log_level": "warn"})
        today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 9 * 3600))
        fy = int(today[:4]) - (1 if int(today[5:7]) < 4 else 0)
        for k in keys:  # the course each statement completes: <base>/courses/ONL of its provider
            st, _, body = rissd.json("POST", "/api/v1/cpd/courses",
                                     {"code": "ONL", "kind": "online", "title_ja": "オンライン講習", "title_en": "Online",
                                      "hours": 6, "cycle_years": [fy]}, headers={"Authorization": "Bearer " + k})
            assert st == 201, body
        pids = pg_pids(pg)

        def headers(i, ctype):
            return {"Authorization": creds[i], "X-Experience-API-Version": "1.0.3", "Content-Type": ctype}

        def post_batch(i, n):
            body = json.dumps([statement(base, i, i * 7919 + n + j) for j in range(BATCH)])
            return "POST", "/xapi/statements", body, headers(i, "application/json"), 200, BATCH

        if PROFILE:
            psql(pg, "ALTER SYSTEM SET auto_explain.log_min_duration = 0")
            psql(pg, "SELECT pg_reload_conf()")
            psql(pg, "SELECT pg_stat_statements_reset()")
        cpu0 = (cpu_s([rissd.proc.pid]), cpu_s(pids))
        lat, items, elapsed, err = run_clients(rissd.port, creds, post_batch, SECONDS)
        cpu1 = (cpu_s([rissd.proc.pid]), cpu_s(pids + [p for p in pg_pids(pg) if p not in pids]))
        print(f"xapi_ingest: {CLIENTS} clients x batches of {BATCH} completed statements, synchronous_commit {sc}, "
              f"rissd http_threads {THREADS} db_pool_size {POOL}, {SECONDS:.0f} s window")
        if err:
            print(f"xapi_ingest: a batch failed: {err}")
        print(f"xapi_ingest: {items / elapsed:.0f} statements/s, {len(lat) / elapsed:.1f} batches/s, per batch p50 "
              f"{pct(lat, 0.5) * 1000:.1f} ms p99 {pct(lat, 0.99) * 1000:.1f} ms ({len(lat)} batches)"
              f" — target >= 5,000 statements/s")
        if items:
            per = [(b - a) / items * 1e6 for a, b in zip(cpu0, cpu1)]
            print(f"xapi_ingest: CPU per statement: rissd {per[0]:.1f} us, PostgreSQL {per[1]:.1f} us "
                  f"(load average {os.getloadavg()[0]:.1f})")

        if PROFILE and lat:
            # What one batch costs PostgreSQL: each SQL statement's calls and time per batch.
            rows = psql(pg, "SELECT calls, round(total_exec_time::numeric, 1), rows, "
                            "left(regexp_replace(query, '\\s+', ' ', 'g'), 110) FROM pg_stat_statements "
                            "WHERE calls > 0 ORDER BY total_exec_time DESC LIMIT 25")
            nb = len(lat)
            print(f"xapi_profile: per batch ({nb} batches, about, incl. warm-up tail): calls, exec ms, rows, query")
            for line in rows.splitlines():
                c, t, r, q = line.split("|", 3)
                print(f"xapi_profile: {int(c) / nb:6.2f} {float(t) / nb:7.2f} {int(r) / nb:7.1f}  {q}")
            # The per-row triggers (foreign keys' included) the plans report, summed per batch.
            trig = {}
            with open(os.path.join(pg.dir, "log"), errors="replace") as f:
                for line in f:
                    m = re.search(r"Trigger (.+?): time=([0-9.]+) calls=([0-9]+)", line)
                    if m:
                        t = trig.setdefault(m.group(1), [0.0, 0])
                        t[0] += float(m.group(2))
                        t[1] += int(m.group(3))
            for name, (t, c) in sorted(trig.items(), key=lambda kv: -kv[1][0]):
                print(f"xapi_profile: trigger {name}: {c / nb:.1f} calls, {t / nb:.2f} ms per batch")

        agent = urllib.parse.quote(json.dumps({"mbox": "mailto:bench@example.com"}))

        def put_state(i, n):
            path = (f"/xapi/activities/state?activityId=https%3A%2F%2Flms{i}.example.com%2Fcourse%2FONL"
                    f"&agent={agent}&stateId=s{n % 1000}")
            return "PUT", path, json.dumps({"page": n, "bookmark": "x" * 200}), headers(i, "application/json"), 204, 1

        lat, items, elapsed, err = run_clients(rissd.port, creds, put_state, min(SECONDS, 5))
        if err:
            print(f"xapi_frame: a document PUT failed: {err}")
        print(f"xapi_frame: State document PUTs by {CLIENTS} clients (auth + version + one upsert each): "
              f"{items / elapsed:.0f}/s, p50 {pct(lat, 0.5) * 1000:.2f} ms p99 {pct(lat, 0.99) * 1000:.2f} ms")
        rissd.stop()
        rissd = None
        tps = pgbench_ceiling(pg)
        print(f"pgbench one-row insert (64 clients, synchronous_commit {sc}, same cluster): {tps:.0f} TPS")
    finally:
        if rissd:
            rissd.stop()
            rissd.cleanup()
        pg.destroy()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
