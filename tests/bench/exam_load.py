"""Benchmark: 2,000 concurrent simulated candidates (tests/bench/exam_load.c, one epoll loop
with HTTP/1.1 keep-alive) against rissd and a private PostgreSQL with synchronous_commit on:
answers per second and p50/p99 of answer -> next item, beside pgbench's TPS for a one-row
insert transaction on the same database (64 clients) as the ceiling, and the ratio. Prints
figures; asserts nothing.
Two runs of 2,000 fresh candidates each: a closed load (no think time: the saturation
throughput; latency is then mostly queueing, by Little's law N / rate) and a paced load
(each candidate thinks 0.5T..1.5T between answers, T = EXAM_LOAD_THINK_MS) whose latency is
the service time at that rate.
Environment: EXAM_LOAD_CANDIDATES (2000), EXAM_LOAD_SECONDS (15), EXAM_LOAD_THREADS (rissd
http_threads, 32), EXAM_LOAD_POOL (db_pool_size, 32), EXAM_LOAD_THINK_MS (600), EXAM_LOAD_PGSS=1 (prints the top
statements from pg_stat_statements for each window), EXAM_LOAD_PG_SET="commit_delay=0,..."
(PostgreSQL settings on top of deploy/dev's)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from test_exam_lib import Rissd, private_stack  # noqa: E402
from rissd_harness import BUILD  # noqa: E402

N = int(os.environ.get("EXAM_LOAD_CANDIDATES", "2000"))
SECONDS = os.environ.get("EXAM_LOAD_SECONDS", "15")
THREADS = os.environ.get("EXAM_LOAD_THREADS", "32")
POOL = os.environ.get("EXAM_LOAD_POOL", "32")
THINK = os.environ.get("EXAM_LOAD_THINK_MS", "600")
PGSS = os.environ.get("EXAM_LOAD_PGSS", "") == "1"
GEN = os.path.join(BUILD, "tests", "bench", "bench-exam-load-gen")


def cpu_s(pids):
    """User + system CPU seconds used so far by these processes and their reaped children
    (the postmaster's include the backends that have exited)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15])
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def pg_pids(pg):
    """The cluster's postmaster and all its children (backends, WAL writer, ...)."""
    with open(os.path.join(pg.data, "postmaster.pid")) as f:
        pm = int(f.readline())
    kids = [pm]
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pm:
                        kids.append(int(d))
            except OSError:
                pass
    return kids


def psql(pg, sql):
    return subprocess.run(["psql", "-h", pg.sock, "-p", str(pg.port), "-U", "riss", "riss", "-Atc", sql],
                          capture_output=True, text=True, check=True).stdout.strip()


DEV_KEYS_SKIP = {"listen_addresses", "port", "unix_socket_directories", "logging_collector"}


def dev_settings():
    """The postgresql.conf settings deploy/dev gives the private dev cluster (pg_start), so
    the benchmark's throw-away cluster runs as the dev one does."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy", "dev")) as f:
        text = f.read()
    block = text.split("# riss private dev cluster", 1)[1].split("\nEOF", 1)[0]
    out = {}
    for line in block.splitlines():
        m = re.match(r"\s*([a-z_]+)\s*=\s*(.+?)\s*(#.*)?$", line)
        if m and m.group(1) not in DEV_KEYS_SKIP:
            out[m.group(1)] = m.group(2).strip("'")
    return out


def pgbench_ceiling(pg):
    script = os.path.join(pg.dir, "insert.sql")
    with open(script, "w") as f:
        f.write("INSERT INTO bench_ceiling (session_id, position, v) VALUES (:client_id, :scale, 1);\n")
    conn = ["-h", pg.sock, "-p", str(pg.port), "-U", "riss", "riss"]
    subprocess.run(["psql", *conn, "-qc", "CREATE TABLE IF NOT EXISTS bench_ceiling (id bigserial PRIMARY KEY,"
                    " session_id int, position int, v int)"], check=True, capture_output=True)
    p0 = cpu_s(pg_pids(pg))
    out = subprocess.run([os.path.join(pg.bin, "pgbench"), "-n", "-c", "64", "-j", "2", "-T", "10", "-f", script, *conn],
                         capture_output=True, text=True).stdout
    m = re.search(r"tps = ([0-9.]+)", out)
    n = re.search(r"number of transactions actually processed: ([0-9]+)", out)
    if n:
        print(f"pgbench: PostgreSQL CPU per one-row insert transaction about "
              f"{(cpu_s(pg_pids(pg)) - p0) / int(n.group(1)) * 1e6:.0f} us")
    return float(m.group(1)) if m else float("nan")


def main():
    tmp = tempfile.mkdtemp(prefix="riss-exam-load-")
    pg, conf = private_stack(tmp)
    rissd = None
    try:
        dev = dev_settings()
        # EXAM_LOAD_PG_SET="name=value,...": try other settings on top of the dev ones.
        for kv in filter(None, os.environ.get("EXAM_LOAD_PG_SET", "").split(",")):
            k, _, v = kv.partition("=")
            dev[k.strip()] = v.strip()
        for k, v in dev.items():
            psql(pg, f"ALTER SYSTEM SET {k} = '{v}'")
        if PGSS:
            psql(pg, "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'")
        pg.stop()
        pg.start()
        if PGSS:
            psql(pg, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        print("exam_load: PostgreSQL settings as deploy/dev: " + ", ".join(f"{k}={v}" for k, v in dev.items()))
        sc = subprocess.run(["psql", "-h", pg.sock, "-p", str(pg.port), "-U", "riss", "riss", "-Atc",
                             "SHOW synchronous_commit"], capture_output=True, text=True).stdout.strip()
        rissd = Rissd(config=conf, settings={"http_threads": THREADS, "db_pool_size": POOL,
                                             "http_connection_limit": str(N + 100), "log_level": "warn"})
        figures = {}
        for mode, think in (("closed", "0"), ("paced", THINK)):
            gen = subprocess.Popen([GEN, "--port", str(rissd.port), "--candidates", str(N), "--seconds", SECONDS,
                                    "--think-ms", think, "--prefix", mode],
                                   env=dict(os.environ, RISS_CONFIG=conf), stdout=subprocess.PIPE, text=True)
            # CPU per answer over the measuring window only (steady state, no set-up), sampled
            # when the generator says the window opens and closes.
            lines, cpu0, cpu1 = [], None, None
            for line in gen.stdout:
                lines.append(line)
                if line.startswith("exam_load: window open"):
                    pids = pg_pids(pg)
                    cpu0 = (cpu_s([rissd.proc.pid]), cpu_s(pids), cpu_s([gen.pid]), os.getloadavg()[0])
                    if PGSS:
                        psql(pg, "SELECT pg_stat_statements_reset()")
                elif line.startswith("exam_load: window closed"):
                    cpu1 = (cpu_s([rissd.proc.pid]), cpu_s(pids + [p for p in pg_pids(pg) if p not in pids]),
                            cpu_s([gen.pid]))
            gen.wait()
            out = "".join(lines)
            print("\n".join(line for line in out.splitlines()
                            if line.startswith("exam_load:") and "window " not in line), flush=True)
            figures[mode] = re.search(r"answers_per_s=([0-9.]+) p50_ms=([0-9.]+) p99_ms=([0-9.]+)", out)
            w = re.search(r"answers_window=([0-9]+)", out)
            if cpu0 and cpu1 and w and int(w.group(1)) > 0:
                per = [(b - a) / int(w.group(1)) * 1e6 for a, b in zip(cpu0, cpu1)]
                print(f"exam_load: CPU per answer in the window: rissd {per[0]:.0f} us, PostgreSQL {per[1]:.0f} us,"
                      f" load generator {per[2]:.0f} us; {os.cpu_count()} cores busy only with these would carry"
                      f" about {os.cpu_count() * 1e6 / max(sum(per), 1):.0f} answers/s"
                      f" (load average {cpu0[3]:.1f} -> {os.getloadavg()[0]:.1f})", flush=True)
            if PGSS:
                print(psql(pg, "SELECT calls, round(total_exec_time::numeric / calls * 1000) AS us_per_call,"
                               " round(total_exec_time::numeric) AS total_ms, wal_records, shared_blks_hit,"
                               " left(regexp_replace(query, '\\s+', ' ', 'g'), 110)"
                               " FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 10"), flush=True)
        rissd.stop()
        rissd = None
        tps = pgbench_ceiling(pg)
        print(f"pgbench one-row insert (64 clients, synchronous_commit {sc}, settings as deploy/dev): {tps:.0f} TPS")
        if dev.get("commit_delay", "0") != "0":
            # For comparison with a stock cluster (the issue's ~6,900 TPS was measured without).
            psql(pg, "ALTER SYSTEM SET commit_delay = 0")
            psql(pg, "SELECT pg_reload_conf()")
            print(f"pgbench one-row insert, same cluster with commit_delay 0 (no group-commit wait):"
                  f" {pgbench_ceiling(pg):.0f} TPS")
        for mode, m in figures.items():
            rate = float(m.group(1)) if m else float("nan")
            p99 = m.group(3) if m else "nan"
            print(f"ratio {mode}: answers/s {rate:.0f} : pgbench TPS {tps:.0f} = {rate / tps:.2f}  (p99 {p99} ms;"
                  f" target >= 3000 answers/s at p99 <= 50 ms)")
    finally:
        if rissd:
            rissd.cleanup()
        pg.destroy()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
