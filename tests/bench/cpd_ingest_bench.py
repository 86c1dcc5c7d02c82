"""Benchmark: completion records logged durably (synchronous_commit on, the dev cluster's
settings) through POST /api/v1/cpd/completions in batches of 100 by 8 providers at once,
each with its own API key and one keep-alive connection, against a real rissd and a
throw-away PostgreSQL. Prints records/s, batches/s and p50/p99 per batch, and pgbench's
one-row-insert TPS on the same cluster as the ceiling (one batch is one transaction).
Asserts nothing. Environment: CPD_BENCH_SECONDS (10), CPD_BENCH_PROVIDERS (8),
CPD_BENCH_BATCH (100), CPD_BENCH_THREADS (rissd http_threads, 4), CPD_BENCH_POOL (8)."""
import http.client
import json
import os
import subprocess
import sys
import tempfile
import shutil
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from exam_load import dev_settings, pgbench_ceiling, psql, cpu_s, pg_pids  # noqa: E402
from test_exam_lib import Rissd, private_stack  # noqa: E402
from rissd_harness import riss  # noqa: E402

SECONDS = float(os.environ.get("CPD_BENCH_SECONDS", "10"))
PROVIDERS = int(os.environ.get("CPD_BENCH_PROVIDERS", "8"))
BATCH = int(os.environ.get("CPD_BENCH_BATCH", "100"))
THREADS = os.environ.get("CPD_BENCH_THREADS", "4")
POOL = os.environ.get("CPD_BENCH_POOL", "8")
REGISTRANTS = 5000
PGSS = os.environ.get("CPD_BENCH_PGSS", "") == "1"


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] if xs else float("nan")


def main():
    tmp = tempfile.mkdtemp(prefix="riss-cpd-bench-")
    pg, conf = private_stack(tmp, package=False)
    rissd = None
    try:
        for k, v in dev_settings().items():
            psql(pg, f"ALTER SYSTEM SET {k} = '{v}'")
        if PGSS:
            psql(pg, "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'")
        pg.stop()
        pg.start()
        if PGSS:
            psql(pg, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        sc = psql(pg, "SHOW synchronous_commit")
        # Registrants 000001..005000 (the register's rows, made in bulk for the benchmark).
        psql(pg, "INSERT INTO registry.registrants (regno, name, name_kana, name_latn, date_of_birth, exam_result_ref,"
                 " exam_pass_date, reg_date, valid_from, valid_until) SELECT lpad(i::text, 6, '0'), '講習 太郎',"
                 " 'コウシュウ', 'Koshu Taro', '1990-01-01', 'bench-' || i, '2026-01-15', '2026-04-01', '2026-04-01',"
                 f" '2029-03-31' FROM generate_series(1, {REGISTRANTS}) i")
        keys = []
        for p in range(PROVIDERS):
            r = riss("provider", "add", f"ベンチ講習機関{p}", "--name-en", f"Bench provider {p}", "--from", "2016-10-01",
                     "--json", config=conf)
            if r.returncode != 0:
                raise RuntimeError(r.stderr)
            keys.append(json.loads(r.stdout)["api_key"])
        rissd = Rissd(config=conf, settings={"http_threads": THREADS, "db_pool_size": POOL, "log_level": "warn"})
        today = (time.strftime("%Y-%m-%d", time.gmtime(time.time() + 9 * 3600)))
        fy = int(today[:4]) - (1 if int(today[5:7]) < 4 else 0)
        for k in keys:
            st, _, body = rissd.json("POST", "/api/v1/cpd/courses",
                                     {"code": "ONL", "kind": "online", "title_ja": "オンライン講習", "title_en": "Online",
                                      "hours": 6, "cycle_years": [fy]}, headers={"Authorization": "Bearer " + k})
            assert st == 201, body

        stop = threading.Event()
        results = [[] for _ in keys]  # per provider: (latency_s, records) per batch
        errors = []

        def provider_loop(i):
            conn = http.client.HTTPConnection("127.0.0.1", rissd.port, timeout=30)
            h = {"Authorization": "Bearer " + keys[i], "Content-Type": "application/json"}
            n = 0
            while not stop.is_set():
                recs = ",".join(
                    '{"provider_record_id":"p%d-%d","regno":"%06d","course_code":"ONL","completed_on":"%s","hours":6}'
                    % (i, n + j, (i * 617 + n + j) % REGISTRANTS + 1, today) for j in range(BATCH))
                body = '{"records":[' + recs + ']}'
                t0 = time.perf_counter()
                conn.request("POST", "/api/v1/cpd/completions", body, h)
                r = conn.getresponse()
                data = r.read()
                dt = time.perf_counter() - t0
                if r.status != 200:
                    errors.append((r.status, data[:200]))
                    return
                results[i].append((dt, BATCH))
                n += BATCH
            conn.close()

        # Warm up (prepared statements, connections), then the measured window.
        threads = [threading.Thread(target=provider_loop, args=(i,)) for i in range(len(keys))]
        for t in threads:
            t.start()
        time.sleep(1.0)
        for r in results:
            r.clear()
        if PGSS:
            psql(pg, "SELECT pg_stat_statements_reset()")
        pids = pg_pids(pg)
        cpu0 = (cpu_s([rissd.proc.pid]), cpu_s(pids), cpu_s([os.getpid()]))
        t0 = time.perf_counter()
        time.sleep(SECONDS)
        done = [list(r) for r in results]
        elapsed = time.perf_counter() - t0
        cpu1 = (cpu_s([rissd.proc.pid]), cpu_s(pids + [p for p in pg_pids(pg) if p not in pids]), cpu_s([os.getpid()]))
        stop.set()
        for t in threads:
            t.join()
        if errors:
            print(f"cpd_ingest: a batch failed: {errors[0]}")
        if PGSS:
            print(psql(pg, "SELECT calls, round(total_exec_time::numeric / calls * 1000) AS us_per_call,"
                           " round(total_plan_time::numeric / calls * 1000) AS plan_us, round(total_exec_time::numeric) AS total_ms,"
                           " left(regexp_replace(query, '\\s+', ' ', 'g'), 100)"
                           " FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 12"), flush=True)
        lat = [dt for r in done for dt, _ in r]
        records = sum(n for r in done for _, n in r)
        stored = psql(pg, "SELECT count(*) FROM cpd.completions")
        print(f"cpd_ingest: {PROVIDERS} providers x batches of {BATCH}, synchronous_commit {sc}, rissd http_threads "
              f"{THREADS} db_pool_size {POOL}, {SECONDS:.0f} s window")
        print(f"cpd_ingest: {records / elapsed:.0f} records/s, {len(lat) / elapsed:.1f} batches/s, per batch p50 "
              f"{pct(lat, 0.5) * 1000:.1f} ms p99 {pct(lat, 0.99) * 1000:.1f} ms ({len(lat)} batches; {stored} rows "
              f"stored in all)")
        if records:
            per = [(b - a) / records * 1e6 for a, b in zip(cpu0, cpu1)]
            print(f"cpd_ingest: CPU per record: rissd {per[0]:.1f} us, PostgreSQL {per[1]:.1f} us, load generator "
                  f"{per[2]:.1f} us (load average {os.getloadavg()[0]:.1f})")
        # Resending the same batch: the idempotent path (every record "unchanged").
        conn = http.client.HTTPConnection("127.0.0.1", rissd.port, timeout=30)
        h = {"Authorization": "Bearer " + keys[0], "Content-Type": "application/json"}
        recs = ",".join('{"provider_record_id":"p0-%d","regno":"%06d","course_code":"ONL","completed_on":"%s","hours":6}'
                        % (j, j % REGISTRANTS + 1, today) for j in range(BATCH))
        rt = []
        for _ in range(50):
            t = time.perf_counter()
            conn.request("POST", "/api/v1/cpd/completions", '{"records":[' + recs + ']}', h)
            r = conn.getresponse()
            body = json.loads(r.read())
            rt.append(time.perf_counter() - t)
        assert body["unchanged"] == BATCH, body
        print(f"cpd_ingest: resending a logged batch of {BATCH} (all unchanged), one provider: p50 "
              f"{pct(rt, 0.5) * 1000:.1f} ms p99 {pct(rt, 0.99) * 1000:.1f} ms")
        rissd.stop()
        rissd = None
        tps = pgbench_ceiling(pg)
        print(f"pgbench one-row insert (64 clients, synchronous_commit {sc}, same cluster): {tps:.0f} TPS; "
              f"the ingest committed {len(lat) / elapsed:.1f} transactions/s of {BATCH} records")
    finally:
        if rissd:
            rissd.stop()
            rissd.cleanup()
        pg.destroy()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
