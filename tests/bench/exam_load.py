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
http_threads, 32), EXAM_LOAD_POOL (db_pool_size, 32), EXAM_LOAD_THINK_MS (600)."""
import os
import re
import resource
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
        sc = subprocess.run(["psql", "-h", pg.sock, "-p", str(pg.port), "-U", "riss", "riss", "-Atc",
                             "SHOW synchronous_commit"], capture_output=True, text=True).stdout.strip()
        rissd = Rissd(config=conf, settings={"http_threads": THREADS, "db_pool_size": POOL,
                                             "http_connection_limit": str(N + 100), "log_level": "warn"})
        figures = {}
        for mode, think in (("closed", "0"), ("paced", THINK)):
            pids = pg_pids(pg)
            r0, p0, g0 = cpu_s([rissd.proc.pid]), cpu_s(pids), resource.getrusage(resource.RUSAGE_CHILDREN)
            gen = subprocess.run([GEN, "--port", str(rissd.port), "--candidates", str(N), "--seconds", SECONDS,
                                  "--think-ms", think, "--prefix", mode],
                                 env=dict(os.environ, RISS_CONFIG=conf), capture_output=True, text=True)
            sys.stderr.write(gen.stderr)
            print("\n".join(line for line in gen.stdout.splitlines() if line.startswith("exam_load:")), flush=True)
            figures[mode] = re.search(r"answers_per_s=([0-9.]+) p50_ms=([0-9.]+) p99_ms=([0-9.]+)", gen.stdout)
            # CPU per answer over the whole run (set-up and warm-up included), so the figure
            # does not depend on what else this machine is doing.
            g1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            answers = int(re.search(r"answers_total=([0-9]+)", gen.stdout).group(1))
            cr = cpu_s([rissd.proc.pid]) - r0
            cp = cpu_s(pids + [p for p in pg_pids(pg) if p not in pids]) - p0
            cg = (g1.ru_utime + g1.ru_stime) - (g0.ru_utime + g0.ru_stime)
            per = [c / max(answers, 1) * 1e6 for c in (cr, cp, cg)]
            print(f"exam_load: CPU per answer: rissd {per[0]:.0f} us, PostgreSQL {per[1]:.0f} us, load generator"
                  f" {per[2]:.0f} us (set-up included); {os.cpu_count()} cores busy only with these would carry"
                  f" about {os.cpu_count() * 1e6 / sum(per):.0f} answers/s", flush=True)
        rissd.stop()
        rissd = None
        tps = pgbench_ceiling(pg)
        print(f"pgbench one-row insert (64 clients, synchronous_commit {sc}): {tps:.0f} TPS")
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
